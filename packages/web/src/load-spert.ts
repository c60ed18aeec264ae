// loadSpert: an exported model folder URL in, a predictor out. Everything after the download is
// the one pipeline (@spert/pipeline) over the onnxruntime-web runtime (web-runtime.ts).
import {
  parsePredictionDocument,
  readSettings,
  toPredictionRecord,
  type GivenEntity,
  type ModelMetadata,
  type ParsePredictionOptions,
  type PredictCallOptions,
  type PredictionInput,
  type PredictionRecord,
  type Predictor,
} from '@spert/core';
import { createPredictor, PIPELINE_DEFAULTS, type PipelineOptions } from '@spert/pipeline';
import { fetchCached, type CacheLike, type DownloadProgress } from './fetch-cached';
import { countFile, loadFolderTokenizer } from './folder-tokenizer';
import { SpertWebRuntime, type OrtModule } from './web-runtime';

/** Where onnxruntime-web runs the graphs. */
export type WebBackend = 'wasm' | 'webgpu';

/** The onnxruntime-web files each backend needs beside the bundle (or under `wasmPaths`). */
export const ORT_WASM_FILES: Record<WebBackend, { mjs: string; wasm: string }> = {
  wasm: { mjs: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' },
  webgpu: { mjs: 'ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm' },
};

/** The graphs of an exported model folder (as spert-export writes them). */
export const MODEL_GRAPHS = { encoder: 'encoder.onnx', entityHead: 'entity_head.onnx', relationHead: 'relation_head.onnx' } as const;

/** Default Cache API cache of model and wasm files. */
export const DEFAULT_CACHE_NAME = 'spert-web-v1';

/** Options of {@link loadSpert}. */
export interface LoadSpertOptions extends PipelineOptions {
  /** 'wasm' (default, every browser) or 'webgpu' (where the browser has it; falls back to wasm for unsupported operators). */
  backend?: WebBackend;
  /**
   * wasm threads. Default: up to 4 when the page is cross-origin isolated (COOP + COEP headers,
   * so SharedArrayBuffer exists), else 1. More than 1 on a page that is not isolated is an error.
   */
  threads?: number;
  /** URL of the folder holding onnxruntime-web's .mjs/.wasm files (default: the folder of this module). */
  wasmPaths?: string;
  /** Cache API cache name, or false to always download (default {@link DEFAULT_CACHE_NAME}). */
  cache?: string | false;
  /** Called as files download (or come from the cache). */
  onProgress?: (p: DownloadProgress) => void;
  /** The fetch to use (default: the page's). */
  fetch?: typeof fetch;
  /** Relation pairs per relation-head call (default: config.json's spert.max_pairs). */
  maxPairs?: number;
  /** Overrides the tokenizer's casing. */
  lowercase?: boolean;
}

/** What a load cost: time, bytes downloaded, files read from the cache. */
export interface LoadStats {
  ms: number;
  downloadedBytes: number;
  downloadedFiles: string[];
  cachedFiles: string[];
}

/** A document for {@link SpertWeb.predict}: raw text, `{text}`, `{tokens}` or an array of words (`entities` beside text or tokens with `entitiesMode`). */
export type WebDocument = string | { text: string; entities?: GivenEntity[] } | { tokens: string[]; entities?: GivenEntity[] } | readonly string[];

/** Options of {@link SpertWeb.predict}: the call's options, given entities (`entitiesMode`) and entity-only mode (`relations: false`). */
export type WebPredictOptions = PredictCallOptions & ParsePredictionOptions;

/** SpERT loaded in the page. */
export interface SpertWeb {
  /** Predicts one raw text: its prediction record (words with character offsets, entities with covered text, relations). */
  predict(text: string, options?: WebPredictOptions): Promise<PredictionRecord>;
  /** Predicts many documents at once: one prediction record each, in order. */
  predict(documents: readonly WebDocument[], options?: WebPredictOptions): Promise<PredictionRecord[]>;
  /** The {@link Predictor} contract (what the CLI and the service use; raw predictions), for code written against it. */
  readonly predictor: Predictor;
  /** The onnxruntime-web runtime behind it. */
  readonly runtime: SpertWebRuntime;
  /** Types, settings and what runs the model. */
  metadata(): ModelMetadata;
  /** How the load went. */
  readonly loadStats: LoadStats;
  /** Releases the sessions. */
  dispose(): Promise<void>;
}

interface OrtEnvOptions {
  ort: OrtModule;
  threads: number;
  wasmPaths: string;
  wasmBinary: Uint8Array<ArrayBuffer>;
}

// onnxruntime-web starts its wasm instance once per page, on the first session: settings made later are ignored.
function configureOrt({ ort, threads, wasmPaths, wasmBinary }: OrtEnvOptions): void {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.wasm.wasmBinary = wasmBinary;
}

function defaultThreads(): number {
  const isolated = typeof crossOriginIsolated === 'boolean' && crossOriginIsolated;
  const cores = typeof navigator === 'object' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
  return isolated ? Math.max(1, Math.min(4, cores)) : 1;
}

function moduleFolder(): string {
  return new URL('./', import.meta.url).href;
}

function asFolder(url: string | URL, what: string): string {
  let u: URL;
  try {
    u = new URL(String(url), typeof location === 'object' ? location.href : undefined);
  } catch {
    throw new Error(`${what}: ${JSON.stringify(String(url))} is not a URL`);
  }
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.href;
}

async function importOrt(backend: WebBackend): Promise<OrtModule> {
  // Separate chunks: a wasm-only page never downloads the WebGPU build (nor its larger wasm file).
  return backend === 'webgpu' ? ((await import('onnxruntime-web/webgpu')) as OrtModule) : ((await import('onnxruntime-web/wasm')) as OrtModule);
}

/** Drops everything {@link loadSpert} cached (model and wasm files) from the Cache API. */
export async function clearSpertCache(cacheName = DEFAULT_CACHE_NAME): Promise<boolean> {
  return typeof caches === 'object' ? caches.delete(cacheName) : false;
}

/**
 * Loads an exported SpERT model folder (spert-export's output: config.json, the three graphs,
 * vocab.txt or tokenizer.json) into the page: files through the Cache API (downloaded once, with
 * progress), graphs on onnxruntime-web, predictions through the one pipeline.
 */
export async function loadSpert(url: string | URL, options: LoadSpertOptions = {}): Promise<SpertWeb> {
  const started = performance.now();
  const base = asFolder(url, 'loadSpert');
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'webgpu') throw new Error(`loadSpert: backend must be "wasm" or "webgpu", got ${JSON.stringify(backend)}`);
  if (backend === 'webgpu' && !(typeof navigator === 'object' && 'gpu' in navigator)) {
    throw new Error('loadSpert: backend "webgpu" asked for, but this browser has no WebGPU (navigator.gpu); use backend "wasm"');
  }
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`loadSpert: threads must be a positive integer, got ${threads}`);
  if (threads > 1 && !(typeof crossOriginIsolated === 'boolean' && crossOriginIsolated)) {
    throw new Error(`loadSpert: threads ${threads} needs a cross-origin isolated page (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); use threads 1 here`);
  }
  const cacheName = options.cache === undefined ? DEFAULT_CACHE_NAME : options.cache;
  const cache: CacheLike | null = cacheName !== false && typeof caches === 'object' ? await caches.open(cacheName) : null;
  const stats: LoadStats = { ms: 0, downloadedBytes: 0, downloadedFiles: [], cachedFiles: [] };
  const fetchOptions = { cache, fetch: options.fetch, onProgress: options.onProgress };
  const get = async (fileUrl: string, what: string) => {
    const f = await fetchCached(fileUrl, { ...fetchOptions, what });
    countFile(stats, fileUrl, f);
    return f.bytes;
  };
  const modelFile = (name: string) => get(new URL(name, base).href, `is ${base} a folder written by spert-export (--web)?`);

  const configText = new TextDecoder().decode(await modelFile('config.json'));
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(configText) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${base}config.json: not valid JSON: ${(e as Error).message}`);
  }
  const settings = readSettings(config, { source: `${base}config.json` });
  if (options.maxPairs !== undefined) {
    if (!Number.isInteger(options.maxPairs) || options.maxPairs < 1) throw new Error(`loadSpert: maxPairs must be a positive integer, got ${options.maxPairs}`);
    settings.maxPairs = options.maxPairs;
  }
  const tokenizer = await loadFolderTokenizer({ base, configText, config, fetch: fetchOptions, lowercase: options.lowercase, stats });

  const ort = await importOrt(backend);
  const wasmPaths = options.wasmPaths ? asFolder(options.wasmPaths, 'loadSpert wasmPaths') : moduleFolder();
  if (ort.env.wasm.wasmBinary === undefined) {
    const wasmBinary = await get(new URL(ORT_WASM_FILES[backend].wasm, wasmPaths).href, `onnxruntime-web's wasm file; is wasmPaths (${wasmPaths}) the folder holding ${ORT_WASM_FILES[backend].mjs} and .wasm?`);
    configureOrt({ ort, threads, wasmPaths, wasmBinary });
  } else if (ort.env.wasm.numThreads !== threads) {
    throw new Error(`loadSpert: onnxruntime-web already runs with ${ort.env.wasm.numThreads} thread(s) in this page (set by the first load); it cannot change to ${threads} without a reload`);
  }
  const [encoder, entityHead, relationHead] = [await modelFile(MODEL_GRAPHS.encoder), await modelFile(MODEL_GRAPHS.entityHead), await modelFile(MODEL_GRAPHS.relationHead)];
  const executionProviders = backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  const runtime = await SpertWebRuntime.open({ ort, graphs: { encoder, entityHead, relationHead }, settings, source: base, executionProviders });

  const { spert: _spert, ...encoderConfig } = config;
  const metadata = (): ModelMetadata => ({
    model: base,
    entityTypes: settings.types.entities.map((t) => t.key),
    relationTypes: settings.types.relations.map((t) => t.key),
    types: settings.types,
    maxSpanSize: settings.maxSpanSize,
    relFilterThreshold: settings.relFilterThreshold,
    config: encoderConfig,
    runtime: 'onnxruntime-web',
    onnxruntimeVersion: ort.env.versions.web ?? ort.env.versions.common,
    backend,
    threads,
  });
  const predictor = createPredictor({
    runtime,
    tokenizer,
    metadata,
    dispose: () => runtime.dispose(),
    batchSize: options.batchSize ?? PIPELINE_DEFAULTS.batchSize,
    onTooLong: options.onTooLong,
    window: options.window,
    stride: options.stride,
    unit: options.unit,
  });
  stats.ms = performance.now() - started;

  // The same record the service, batch prediction and spert-eval predict write.
  async function records(inputs: PredictionInput[], call: PredictCallOptions): Promise<PredictionRecord[]> {
    const predicted = await predictor.predict(inputs, call);
    return predicted.map((p, i) => toPredictionRecord(p, { input: inputs[i], where: `documents[${i}]` }));
  }
  function predict(text: string, call?: WebPredictOptions): Promise<PredictionRecord>;
  function predict(documents: readonly WebDocument[], call?: WebPredictOptions): Promise<PredictionRecord[]>;
  async function predict(input: string | readonly WebDocument[], call: WebPredictOptions = {}): Promise<PredictionRecord | PredictionRecord[]> {
    const { entitiesMode, relations, ...options } = call;
    if (typeof input === 'string') return (await records([parsePredictionDocument(input, 'text', { relations })], options))[0];
    if (!Array.isArray(input)) throw new TypeError('predict: expected a string or an array of documents (strings, {text}, {tokens} or word arrays)');
    return records(input.map((d, i) => parsePredictionDocument(d, `documents[${i}]`, { entitiesMode, relations })), options);
  }
  return { predict, predictor, runtime, metadata, loadStats: stats, dispose: () => runtime.dispose() };
}
