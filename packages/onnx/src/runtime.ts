// SpERT on onnxruntime-node from an exported directory (encoder.onnx, entity_head.onnx,
// relation_head.onnx, config.json with the "spert" object, tokenizer files). This file is only
// the runtime adapter: candidates, filtering, pairing, decoding and windows are @spert/pipeline's,
// and how the graphs are fed is ort-scoring.ts's, shared with the browser runtime (@spert/web).
import { readFile as nodeReadFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  parseJsonLimited,
  readSettings,
  type EncodedDocument,
  type PredictCallOptions,
  type PredictedDocument,
  type Prediction,
  type PredictionInput,
  type Predictor,
  type ScoredBatch,
  type SpanScoringInput,
  type SpertRuntime,
  type SpertSettings,
  SpertError,
} from '@spert/core';
import { predictDocuments, scoreWords, type PipelineOptions } from '@spert/pipeline';
import type { SubwordTokenizer } from '@spert/tokenizer';
import * as ort from 'onnxruntime-node';
import { OPSET } from './graph-builder';
import { scoreSpansWithOrt } from './ort-scoring';
import type { ExecutionProvider, RawDocumentOutput, SpertOnnxLoadOptions, SpertOnnxMetadata, TextPrediction } from './runtime-types';

import { ONNX_FILES } from './onnx-files';
import { loadModelTokenizer } from './model-tokenizer';

interface Sessions {
  encoder: ort.InferenceSession;
  entityHead: ort.InferenceSession;
  relationHead: ort.InferenceSession;
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
        throw new SpertError('FILE_NOT_FOUND', `${path.join(dir, name)}: cannot read (${(e as Error).message}); is this a directory written by spert-export (spert-export --model <model dir> --out ${dir})?`);
      }
      try {
        const value = parseJsonLimited(raw);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
        return value as Record<string, unknown>;
      } catch (e) {
        throw new SpertError('INVALID_FILE', `${path.join(dir, name)}: not valid JSON: ${(e as Error).message}`);
      }
    };
    const config = await json('config.json');
    const settings = readSettings(config, { types: options.types, source: path.join(dir, 'config.json') });
    if (options.maxPairs !== undefined) {
      if (!Number.isInteger(options.maxPairs) || options.maxPairs < 1) throw new SpertError('INVALID_OPTION', `SpertOnnxRuntime.load: maxPairs must be a positive integer, got ${options.maxPairs}`);
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
    const tokenizer = await loadModelTokenizer({ dir, config, source: path.join(dir, 'config.json'), lowercase: options.lowercase, readTextFile });
    const executionProviders = options.executionProviders ?? ['cpu'];
    const batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new SpertError('INVALID_OPTION', `SpertOnnxRuntime.load: batchSize must be a positive integer, got ${batchSize}`);
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
        throw new SpertError('FILE_NOT_FOUND', `${file}: cannot read (${(e as Error).message}); export the model first: spert-export --model <model dir> --out ${dir}`);
      }
      try {
        return await ort.InferenceSession.create(bytes, sessionOptions);
      } catch (e) {
        const hint = executionProviders.includes('cuda')
          ? ' (the CUDA provider needs onnxruntime-node installed with its CUDA binaries; this install may have skipped them, see ONNXRUNTIME_NODE_INSTALL)'
          : '';
        throw new SpertError('RUNTIME_UNAVAILABLE', `${file}: onnxruntime could not open it with providers [${executionProviders.join(', ')}]${hint}: ${(e as Error).message}`);
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
    return scoreSpansWithOrt({ sessions: this.sessions, Tensor: ort.Tensor, settings: this.settings, source: this.dir }, input);
  }

  /** Releases the onnxruntime sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.sessions.encoder.release(), this.sessions.entityHead.release(), this.sessions.relationHead.release()]);
  }

  private assertOpen(): void {
    if (this.disposed) throw new SpertError('CLOSED', 'SpertOnnxRuntime: used after dispose()');
  }
}
