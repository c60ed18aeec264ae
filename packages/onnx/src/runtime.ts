// SpERT inference on onnxruntime-node from an exported directory (encoder.onnx,
// entity_head.onnx, relation_head.onnx, config.json with the "spert" object, vocab.txt):
// tokenize -> batch by length -> encoder -> entity head -> filter -> relation head -> decode.
import { readFile as nodeReadFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { EncodedDocument, PredictedDocument } from '@spert/core';
import { filterSpans, type FilteredSpans } from '@spert/entity-head';
import { buildInferencePairs, buildPrediction } from '@spert/relation-head';
import { createEvalSample } from '@spert/span-sampler';
import { loadTokenizer, splitWords, type BertWordPieceTokenizer } from '@spert/tokenizer';
import * as ort from 'onnxruntime-node';
import { OPSET } from './graph-builder';
import type { ExecutionProvider, RawDocumentOutput, SpertOnnxLoadOptions, SpertOnnxMetadata, TextPrediction, TextWord } from './runtime-types';
import { readSettings, type SpertSettings } from '@spert/core';

import { ONNX_FILES } from './onnx-files';

interface Sessions {
  encoder: ort.InferenceSession;
  entityHead: ort.InferenceSession;
  relationHead: ort.InferenceSession;
}

interface DocumentResult extends RawDocumentOutput {
  kept: FilteredSpans;
}

function i64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

/** A SpERT model served by onnxruntime-node: batched prediction for words or raw text. */
export class SpertOnnxRuntime {
  private disposed = false;

  private constructor(
    private readonly dir: string,
    private readonly sessions: Sessions,
    private readonly settings: SpertSettings,
    private readonly tokenizer: BertWordPieceTokenizer,
    private readonly config: Record<string, unknown>,
    private readonly options: { threads?: number; executionProviders: ExecutionProvider[]; batchSize: number },
  ) {}

  /** Loads an exported directory and opens its three onnxruntime sessions. */
  static async load(dir: string, options: SpertOnnxLoadOptions = {}): Promise<SpertOnnxRuntime> {
    const readFile = options.readFile ?? ((p: string) => nodeReadFile(p));
    const text = async (name: string): Promise<string> => new TextDecoder().decode(await readFile(path.join(dir, name)));
    const json = async (name: string): Promise<Record<string, unknown>> => {
      let raw: string;
      try {
        raw = await text(name);
      } catch (e) {
        throw new Error(`${path.join(dir, name)}: cannot read (${(e as Error).message}); is this a directory written by exportSpertOnnx?`);
      }
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`${path.join(dir, name)}: not valid JSON: ${(e as Error).message}`);
      }
    };
    const config = await json('config.json');
    const settings = readSettings(config, { types: options.types, source: path.join(dir, 'config.json') });
    if (options.maxPairs !== undefined) {
      if (!Number.isInteger(options.maxPairs) || options.maxPairs < 1) throw new Error(`SpertOnnxRuntime.load: maxPairs must be a positive integer, got ${options.maxPairs}`);
      settings.maxPairs = options.maxPairs;
    }
    const readTextFile = async (file: string): Promise<string | undefined> => {
      try {
        return new TextDecoder().decode(await readFile(file));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    };
    const { tokenizer } = await loadTokenizer({ dir, lowercase: options.lowercase, readTextFile });
    const executionProviders = options.executionProviders ?? ['cpu'];
    const batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`SpertOnnxRuntime.load: batchSize must be a positive integer, got ${batchSize}`);
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders,
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    };
    const open = async (name: string) => {
      const file = path.join(dir, name);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new Error(`${file}: cannot read (${(e as Error).message}); export the model with exportSpertOnnx first`);
      }
      try {
        return await ort.InferenceSession.create(bytes, sessionOptions);
      } catch (e) {
        const hint = executionProviders.includes('cuda')
          ? ' (the CUDA provider needs onnxruntime-node installed with its CUDA binaries; this install may have skipped them, see ONNXRUNTIME_NODE_INSTALL)'
          : '';
        throw new Error(`${file}: onnxruntime could not open it with providers [${executionProviders.join(', ')}]${hint}: ${(e as Error).message}`);
      }
    };
    const sessions: Sessions = {
      encoder: await open(ONNX_FILES.encoder),
      entityHead: await open(ONNX_FILES.entityHead),
      relationHead: await open(ONNX_FILES.relationHead),
    };
    return new SpertOnnxRuntime(dir, sessions, settings, tokenizer, config, { threads: options.threads, executionProviders, batchSize });
  }

  /** Describes the model: types, SpERT settings, encoder config, onnxruntime version. */
  metadata(): SpertOnnxMetadata {
    const { spert: _spert, ...config } = this.config;
    return {
      model: this.dir,
      entityTypes: this.settings.types.entities.map((t) => t.key),
      relationTypes: this.settings.types.relations.map((t) => t.key),
      types: this.settings.types,
      maxSpanSize: this.settings.maxSpanSize,
      relFilterThreshold: this.settings.relFilterThreshold,
      config,
      onnxruntimeVersion: ort.env.versions.common,
      opset: OPSET,
      executionProviders: this.options.executionProviders,
      threads: this.options.threads,
      batchSize: this.options.batchSize,
    };
  }

  /** Encodes words into wordpieces the way the model was trained ([CLS] word pieces... [SEP]). */
  encode(docs: string[][]): EncodedDocument[] {
    return docs.map((words, documentIndex) => {
      if (!Array.isArray(words)) throw new TypeError(`document ${documentIndex}: expected an array of words`);
      const { inputIds, wordRanges } = this.tokenizer.encodeWords(words, { documentIndex });
      return { inputIds, wordRanges };
    });
  }

  /** Predicts entities and relations for pre-split documents (one result per document, same order). */
  async predictTokens(docs: string[][]): Promise<PredictedDocument[]> {
    const results = await this.run(this.encode(docs));
    return results.map((r, i) =>
      buildPrediction({
        tokens: docs[i],
        spans: r.spans,
        entityProbs: r.entityProbs,
        keptSpans: r.kept.indices,
        pairs: r.pairs,
        relationProbs: r.relationProbs,
        types: this.settings.types,
        threshold: this.settings.relFilterThreshold,
      }),
    );
  }

  /** Predicts for raw texts: words are split with character offsets, entities get both. */
  async predictText(texts: string[]): Promise<TextPrediction[]> {
    const split: TextWord[][] = texts.map((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`text ${i}: expected a string`);
      return splitWords(t);
    });
    const preds = await this.predictTokens(split.map((ws) => ws.map((w) => w.text)));
    return preds.map((p, i) => {
      const words = split[i];
      return {
        ...p,
        charOffsets: words.map((w) => [w.start, w.end] as [number, number]),
        entities: p.entities.map((e) => ({ ...e, charStart: words[e.start].start, charEnd: words[e.end - 1].end })),
      };
    });
  }

  /** Raw outputs for pre-split documents (the counterpart of @spert/model's SpertModel.score). */
  async score(docs: string[][]): Promise<RawDocumentOutput[]> {
    return this.infer(this.encode(docs));
  }

  /** Raw head outputs for encoded documents (candidate spans, entity and relation logits and probabilities). */
  async infer(docs: EncodedDocument[]): Promise<RawDocumentOutput[]> {
    return (await this.run(docs)).map(({ kept: _kept, ...raw }) => raw);
  }

  /** Releases the onnxruntime sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.sessions.encoder.release(), this.sessions.entityHead.release(), this.sessions.relationHead.release()]);
  }

  private async run(docs: EncodedDocument[]): Promise<DocumentResult[]> {
    if (this.disposed) throw new Error('SpertOnnxRuntime: used after dispose()');
    // Group by length so a batch pads little; results go back to input order.
    const order = docs.map((_, i) => i).sort((a, b) => docs[a].inputIds.length - docs[b].inputIds.length);
    const out: DocumentResult[] = new Array(docs.length);
    for (let i = 0; i < order.length; i += this.options.batchSize) {
      const idx = order.slice(i, i + this.options.batchSize);
      const results = await this.runBatch(idx.map((j) => docs[j]));
      idx.forEach((j, k) => (out[j] = results[k]));
    }
    return out;
  }

  private async runBatch(docs: EncodedDocument[]): Promise<DocumentResult[]> {
    const B = docs.length;
    const T = Math.max(...docs.map((d) => d.inputIds.length));
    const ids = new Array<number>(B * T).fill(0);
    const mask = new Array<number>(B * T).fill(0);
    docs.forEach((d, b) => d.inputIds.forEach((id, t) => ((ids[b * T + t] = id), (mask[b * T + t] = 1))));
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids, [B, T]), attention_mask: i64(mask, [B, T]) };
    // SpERT inputs are single-segment; graphs exported without token_type_ids do not take it.
    if (this.sessions.encoder.inputNames.includes('token_type_ids')) feeds.token_type_ids = i64(new Array<number>(B * T).fill(0), [B, T]);
    const enc = await this.sessions.encoder.run(feeds);
    const hidden = enc.last_hidden_state;

    const samples = docs.map((encoding) => createEvalSample({ encoding, maxSpanSize: this.settings.maxSpanSize }));
    const S = Math.max(1, ...samples.map((s) => s.spanRanges.length));
    const ranges = new Array<number>(B * S * 2).fill(0);
    const widths = new Array<number>(B * S).fill(0);
    samples.forEach((s, b) =>
      s.spanRanges.forEach(([st, en], k) => {
        ranges[(b * S + k) * 2] = st;
        ranges[(b * S + k) * 2 + 1] = en;
        widths[b * S + k] = s.spanWidths[k];
      }),
    );
    const ent = await this.sessions.entityHead.run({ hidden_states: hidden, span_ranges: i64(ranges, [B, S, 2]), span_widths: i64(widths, [B, S]) });
    const probs = ent.entity_probs.data as Float32Array;
    const C = this.settings.types.entities.length + 1;
    if (ent.entity_probs.dims[2] !== C) {
      throw new Error(`${this.dir}: entity head has ${ent.entity_probs.dims[2]} classes but the types list ${C - 1} entity types (+ none)`);
    }
    const entityProbs = samples.map((s, b) => probs.slice(b * S * C, (b * S + s.spanRanges.length) * C));
    const entLogits = ent.entity_logits.data as Float32Array;
    const entityLogits = samples.map((s, b) => entLogits.slice(b * S * C, (b * S + s.spanRanges.length) * C));
    const kept = entityProbs.map((p) => filterSpans({ probs: p, numClasses: C }));
    // Candidate pairs (indices into all spans) and the same pairs as indices into the kept spans,
    // which is what relation_head.onnx takes.
    const candidates = kept.map((k, b) => buildInferencePairs({ keptSpans: k.indices, spanRanges: samples[b].spanRanges }).pairs);
    const keptPairs = candidates.map((pairs, b) => {
      const pos = new Map(kept[b].indices.map((s, j) => [s, j]));
      return pairs.map(([h, t]) => [pos.get(h)!, pos.get(t)!] as [number, number]);
    });
    const R = this.settings.types.relations.length;
    const relProbs = keptPairs.map((p) => new Float32Array(p.length * R));
    const relLogits = keptPairs.map((p) => new Float32Array(p.length * R));
    const P = Math.max(...keptPairs.map((p) => p.length));
    if (P > 0 && R > 0) {
      const K = Math.max(1, ...kept.map((k) => k.indices.length));
      const kRanges = new Array<number>(B * K * 2).fill(0);
      const kWidths = new Array<number>(B * K).fill(0);
      kept.forEach((k, b) =>
        k.indices.forEach((s, j) => {
          kRanges[(b * K + j) * 2] = samples[b].spanRanges[s][0];
          kRanges[(b * K + j) * 2 + 1] = samples[b].spanRanges[s][1];
          kWidths[b * K + j] = samples[b].spanWidths[s];
        }),
      );
      const spanRanges = i64(kRanges, [B, K, 2]);
      const spanWidths = i64(kWidths, [B, K]);
      // Pairs go in chunks of max_pairs per document (the reference's memory bound); results
      // do not depend on the chunking.
      const chunk = Math.max(1, Math.floor(this.settings.maxPairs));
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const n = Math.min(chunk, P - p0);
        const pairs = new Array<number>(B * n * 2).fill(0);
        keptPairs.forEach((kp, b) => {
          for (let p = 0; p < n && p0 + p < kp.length; p++) {
            pairs[(b * n + p) * 2] = kp[p0 + p][0];
            pairs[(b * n + p) * 2 + 1] = kp[p0 + p][1];
          }
        });
        const rel = await this.sessions.relationHead.run({ hidden_states: hidden, span_ranges: spanRanges, span_widths: spanWidths, pairs: i64(pairs, [B, n, 2]) });
        if (rel.relation_probs.dims[2] !== R) {
          throw new Error(`${this.dir}: relation head has ${rel.relation_probs.dims[2]} outputs but the types list ${R} relation types`);
        }
        const data = rel.relation_probs.data as Float32Array;
        const logitData = rel.relation_logits.data as Float32Array;
        relProbs.forEach((arr, b) => {
          const count = Math.min(n, keptPairs[b].length - p0);
          if (count > 0) {
            arr.set(data.subarray(b * n * R, (b * n + count) * R), p0 * R);
            relLogits[b].set(logitData.subarray(b * n * R, (b * n + count) * R), p0 * R);
          }
        });
      }
    }
    return samples.map((s, b) => ({
      spans: s.spanWords,
      keptSpans: kept[b].indices,
      entityProbs: entityProbs[b],
      entityLogits: entityLogits[b],
      pairs: candidates[b],
      relationProbs: relProbs[b],
      relationLogits: relLogits[b],
      kept: kept[b],
    }));
  }
}
