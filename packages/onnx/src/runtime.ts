// SpERT on onnxruntime-node from an exported directory (encoder.onnx, entity_head.onnx,
// relation_head.onnx, config.json with the "spert" object, tokenizer files). This file is only
// the runtime adapter: candidates, filtering, pairing, decoding and windows are @spert/pipeline's.
import { readFile as nodeReadFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  readSettings,
  type BatchScores,
  type EncodedDocument,
  type PairScoringInput,
  type PredictCallOptions,
  type PredictedDocument,
  type Prediction,
  type PredictionInput,
  type Predictor,
  type ScoredBatch,
  type SpanScoringInput,
  type SpertRuntime,
  type SpertSettings,
} from '@spert/core';
import { predictDocuments, scoreWords, type PipelineOptions } from '@spert/pipeline';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import * as ort from 'onnxruntime-node';
import { OPSET } from './graph-builder';
import type { ExecutionProvider, RawDocumentOutput, SpertOnnxLoadOptions, SpertOnnxMetadata, TextPrediction } from './runtime-types';

import { ONNX_FILES } from './onnx-files';

interface Sessions {
  encoder: ort.InferenceSession;
  entityHead: ort.InferenceSession;
  relationHead: ort.InferenceSession;
}

function i64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

/** A SpERT model served by onnxruntime-node: the runtime contract, and a Predictor through the one pipeline. */
export class SpertOnnxRuntime implements SpertRuntime, Predictor {
  private disposed = false;

  private constructor(
    private readonly dir: string,
    private readonly sessions: Sessions,
    readonly settings: SpertSettings,
    private readonly tokenizer: SubwordTokenizer,
    private readonly config: Record<string, unknown>,
    private readonly options: { threads?: number; executionProviders: ExecutionProvider[]; batchSize: number; pipeline: PipelineOptions },
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
        throw new Error(`${path.join(dir, name)}: cannot read (${(e as Error).message}); is this a directory written by spert-export (spert-export --model <model dir> --out ${dir})?`);
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
        throw new Error(`${file}: cannot read (${(e as Error).message}); export the model first: spert-export --model <model dir> --out ${dir}`);
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
    const pipeline: PipelineOptions = { batchSize, onTooLong: options.onTooLong, window: options.window, stride: options.stride, unit: options.windowUnit };
    return new SpertOnnxRuntime(dir, sessions, settings, tokenizer, config, { threads: options.threads, executionProviders, batchSize, pipeline });
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

  /** Encodes words the way the model was trained (special tokens, one subword range per word). */
  encode(docs: string[][]): EncodedDocument[] {
    return docs.map((words, documentIndex) => {
      const { inputIds, wordRanges } = this.tokenizer.encodeWords(words, { documentIndex });
      return { inputIds, wordRanges };
    });
  }

  /** Predicts entities and relations for pre-split documents (one result per document, same order), through the one pipeline. */
  async predictTokens(docs: string[][], options: PredictCallOptions = {}): Promise<PredictedDocument[]> {
    return this.predict(docs.map((tokens) => ({ kind: 'tokens', tokens })), options);
  }

  /** Predicts for raw texts: words come from the one word splitter, entities get word and character offsets. */
  async predictText(texts: string[], options: PredictCallOptions = {}): Promise<TextPrediction[]> {
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`text ${i}: expected a string`);
    });
    return (await this.predict(texts.map((text) => ({ kind: 'text', text })), options)) as TextPrediction[];
  }

  /** The {@link Predictor} contract: words or raw text in, predictions with offsets out. */
  predict(inputs: readonly PredictionInput[], options: PredictCallOptions = {}): Promise<Prediction[]> {
    this.assertOpen();
    return predictDocuments({ ...this.options.pipeline, ...options, runtime: this, tokenizer: this.tokenizer, inputs });
  }

  /** Raw outputs for pre-split documents (the counterpart of @spert/model's SpertModel.score). */
  async score(docs: string[][]): Promise<RawDocumentOutput[]> {
    this.assertOpen();
    return scoreWords({ runtime: this, tokenizer: this.tokenizer, documents: docs, batchSize: this.options.batchSize });
  }

  /** The onnxruntime runtime: runs encoder.onnx and entity_head.onnx on a batch; relation_head.onnx on request. */
  async scoreSpans(input: SpanScoringInput): Promise<ScoredBatch> {
    this.assertOpen();
    const [B, T] = input.inputIds.shape;
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(input.inputIds.data, [B, T]), attention_mask: i64(input.attentionMask.data, [B, T]) };
    // SpERT inputs are single-segment; graphs exported without token_type_ids do not take it.
    if (this.sessions.encoder.inputNames.includes('token_type_ids')) feeds.token_type_ids = i64(new Int32Array(B * T), [B, T]);
    const hidden = (await this.sessions.encoder.run(feeds)).last_hidden_state;
    const S = input.spanRanges.shape[1];
    const ent = await this.sessions.entityHead.run({ hidden_states: hidden, span_ranges: i64(input.spanRanges.data, [B, S, 2]), span_widths: i64(input.spanWidths.data, [B, S]) });
    const C = this.settings.types.entities.length + 1;
    if (ent.entity_probs.dims[2] !== C) {
      throw new Error(`${this.dir}: entity head has ${ent.entity_probs.dims[2]} classes but the types list ${C - 1} entity types (+ none)`);
    }
    const relationHead = this.sessions.relationHead;
    const R = this.settings.types.relations.length;
    const dir = this.dir;
    return {
      entities: { logits: ent.entity_logits.data as Float32Array, probs: ent.entity_probs.data as Float32Array, shape: [B, S, C] },
      async scorePairs({ pairs }: PairScoringInput): Promise<BatchScores> {
        // relation_head.onnx takes the spans that pairs use and pairs as indices into them.
        const P = pairs.shape[1];
        const used = Array.from({ length: B }, (_, b) => {
          const set = new Set<number>();
          for (let p = 0; p < P * 2; p++) set.add(pairs.data[b * P * 2 + p]);
          return [...set].sort((x, y) => x - y);
        });
        const K = Math.max(1, ...used.map((u) => u.length));
        const ranges = new Int32Array(B * K * 2);
        const widths = new Int32Array(B * K);
        const local = new Int32Array(B * P * 2);
        used.forEach((u, b) => {
          const pos = new Map(u.map((s, j) => [s, j]));
          u.forEach((s, j) => {
            ranges[(b * K + j) * 2] = input.spanRanges.data[(b * S + s) * 2];
            ranges[(b * K + j) * 2 + 1] = input.spanRanges.data[(b * S + s) * 2 + 1];
            widths[b * K + j] = input.spanWidths.data[b * S + s];
          });
          for (let p = 0; p < P * 2; p++) local[b * P * 2 + p] = pos.get(pairs.data[b * P * 2 + p]) as number;
        });
        const rel = await relationHead.run({ hidden_states: hidden, span_ranges: i64(ranges, [B, K, 2]), span_widths: i64(widths, [B, K]), pairs: i64(local, [B, P, 2]) });
        if (rel.relation_probs.dims[2] !== R) {
          throw new Error(`${dir}: relation head has ${rel.relation_probs.dims[2]} outputs but the types list ${R} relation types`);
        }
        return { logits: rel.relation_logits.data as Float32Array, probs: rel.relation_probs.data as Float32Array, shape: [B, P, R] };
      },
      dispose() {
        hidden.dispose();
      },
    };
  }

  /** Releases the onnxruntime sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.sessions.encoder.release(), this.sessions.entityHead.release(), this.sessions.relationHead.release()]);
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('SpertOnnxRuntime: used after dispose()');
  }
}
