import { Command, Option } from 'commander';
import { PIPELINE_DEFAULTS, TOO_LONG_POLICIES, type TooLongPolicy } from '@spert/pipeline';
import { assertModelDir, integerOption, silentCommanderOutput, SpertError } from '@spert/core';
import type { ServeApp } from './app';
import { createServer, type CreateServerOptions } from './create-server';
import { listenUntilSignal, type SignalSource } from '@spert/http';
import { API_KEY_ENV } from './auth';
import { DEFAULT_BATCH, DEFAULT_CONNECTION_LIMITS, DEFAULT_LIMITS, DEFAULT_OPERATIONS, LOG_LEVELS, type ConnectionLimits, type LogLevel, type OperationsOptions } from './types';

/** What spert-export writes, for the message about a wrong --model. */
const EXPORT_DIR_CONTENTS = 'config.json, encoder.onnx, entity_head.onnx, relation_head.onnx and the vocabulary, as written by spert-export --model <model dir> --out <dir>';

/** Parsed command line of spert-serve. */
export interface ServeCliOptions {
  model: string;
  port: number;
  host: string;
  threads?: number;
  workers: number;
  maxBatch: number;
  maxWaitMs: number;
  maxDocuments: number;
  maxWords: number;
  maxChars: number;
  maxBodyBytes: number;
  logLevel?: LogLevel;
  maxQueue?: number;
  requestTimeoutMs?: number;
  apiKey?: string;
  protectHealth?: boolean;
  protectMetrics?: boolean;
  corsOrigin?: string[];
  summaryIntervalS?: number;
  /** Connection timeouts and caps given on the command line (the rest keep their defaults). */
  headersTimeoutMs?: number;
  receiveTimeoutMs?: number;
  idleTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Serve the browser build too (the page's "run in this browser"). */
  browser?: boolean;
  /** The pipeline's long-document policy and windows. */
  onTooLong?: TooLongPolicy;
  window?: number;
  stride?: number;
  windowUnit?: 'subwords' | 'words';
}

const CONNECTION_KEYS = ['headersTimeoutMs', 'receiveTimeoutMs', 'idleTimeoutMs', 'keepAliveTimeoutMs', 'maxConnections', 'maxConnectionsPerIp'] as const satisfies ReadonlyArray<keyof ConnectionLimits>;

// The connection limits among parsed options (commander's or ours): only those given.
function connectionLimitsGiven(o: Partial<Record<(typeof CONNECTION_KEYS)[number], unknown>>): Partial<ConnectionLimits> {
  const c: Partial<ConnectionLimits> = {};
  for (const k of CONNECTION_KEYS) {
    const v = o[k];
    if (typeof v === 'number') c[k] = v;
  }
  return c;
}

/** Parses spert-serve's arguments (`argv` as in process.argv: node, script, args...); throws on bad input. */
export function parseServeArgs(argv: string[]): ServeCliOptions {
  const program = new Command('spert-serve');
  program
    .description('Serve a SpERT model exported to ONNX over HTTP (POST /predict, GET /health, /metadata, /openapi.json, web page at /)')
    .requiredOption('--model <dir>', 'exported model directory (written by spert-export --model <dir> --out <dir>)')
    .option('--port <n>', 'TCP port (0 picks a free one)', integerOption('--port', 0, 65535), 8080)
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option('--threads <n>', 'onnxruntime intra-op threads (of each worker with --workers)', integerOption('--threads', 1, 1024))
    .option('--workers <n>', 'worker threads, each with its own onnxruntime session, predicting micro-batches in parallel (1: one session in the main thread)', integerOption('--workers', 1, 256), 1)
    .option('--max-batch <n>', 'most documents per model call', integerOption('--max-batch', 1, 4096), DEFAULT_BATCH.maxBatch)
    .option('--max-wait-ms <n>', 'how long a document waits for batch company', integerOption('--max-wait-ms', 0, 10_000), DEFAULT_BATCH.maxWaitMs)
    .option('--max-documents <n>', 'most documents per request (422 above)', integerOption('--max-documents', 1, 100_000), DEFAULT_LIMITS.documents)
    .option('--max-words <n>', 'most words per document (422 above)', integerOption('--max-words', 1, 100_000), DEFAULT_LIMITS.words)
    .option('--max-chars <n>', 'most characters per document (422 above)', integerOption('--max-chars', 1, 10_000_000), DEFAULT_LIMITS.chars)
    .option('--max-body-bytes <n>', 'largest request body (413 above)', integerOption('--max-body-bytes', 64, 1 << 30), DEFAULT_LIMITS.bodyBytes)
    .option('--log-level <level>', `${LOG_LEVELS.join(', ')} (default info: start-up, errors and a summary a minute; debug: every request)`, (v: string) => {
      if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new SpertError('INVALID_OPTION', `--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${v}"`);
      return v;
    })
    .option('--max-queue <n>', `most documents waiting for the model; past it 429 with Retry-After (default ${DEFAULT_OPERATIONS.maxQueue})`, integerOption('--max-queue', 1, 10_000_000))
    .option('--request-timeout-ms <n>', `answer 503 when a request takes longer (0: never; default ${DEFAULT_OPERATIONS.requestTimeoutMs})`, integerOption('--request-timeout-ms', 0, 3_600_000))
    .option('--api-key <key>', `require "Authorization: Bearer <key>" (default: the ${API_KEY_ENV} environment variable; unset: no auth)`)
    .option('--protect-health', 'with an API key, require it on /health* too')
    .option('--protect-metrics', 'with an API key, require it on /metrics too')
    .option('--cors-origin <origins>', 'allow these origins (comma-separated, or *); default: no CORS', (v: string) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .option('--summary-interval-s <n>', 'seconds between summary log lines (0: none; default 60)', integerOption('--summary-interval-s', 0, 86_400))
    .option('--headers-timeout-ms <n>', `request line and headers must arrive within this, else 408 and the socket closes (0: no limit; default ${DEFAULT_CONNECTION_LIMITS.headersTimeoutMs})`, integerOption('--headers-timeout-ms', 0, 3_600_000))
    .option('--receive-timeout-ms <n>', `the whole request, body included, must arrive within this, else 408 and close (0: no limit; default ${DEFAULT_CONNECTION_LIMITS.receiveTimeoutMs})`, integerOption('--receive-timeout-ms', 0, 3_600_000))
    .option('--idle-timeout-ms <n>', `close a socket with no request in progress and no traffic for this long (0: never; default ${DEFAULT_CONNECTION_LIMITS.idleTimeoutMs})`, integerOption('--idle-timeout-ms', 0, 86_400_000))
    .option('--keep-alive-timeout-ms <n>', `close a keep-alive connection idle this long between requests (default ${DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs}: above load balancers' 60 s)`, integerOption('--keep-alive-timeout-ms', 1, 3_600_000))
    .option('--max-connections <n>', 'most open connections; more are closed at once (0: no limit; default 0)', integerOption('--max-connections', 0, 10_000_000))
    .option('--max-connections-per-ip <n>', 'most open connections from one client address; more are closed at once (0: no limit; default 0; not behind a load balancer)', integerOption('--max-connections-per-ip', 0, 10_000_000))
    .option('--browser', 'also serve the browser build with this model under /web/: the page gets "run in this browser" (@spert/web, onnxruntime-web)')
    .addOption(new Option('--on-too-long <policy>', `documents longer than the encoder: overlapping windows, merged; 422; or trailing words dropped (${PIPELINE_DEFAULTS.onTooLong})`).choices(TOO_LONG_POLICIES))
    .option('--window <n>', 'window size for long documents, in --window-unit units (default: the encoder\'s length)', integerOption('--window', 1, 1_000_000))
    .option('--stride <n>', 'distance between window starts (default: half the window)', integerOption('--stride', 1, 1_000_000))
    .addOption(new Option('--window-unit <unit>', 'unit of --window and --stride (subwords)').choices(['subwords', 'words']))
    // Errors are thrown, not printed: the entry point prints each as one line (see cliFailure).
    .exitOverride()
    .configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  return {
    model: o.model as string,
    port: o.port as number,
    host: o.host as string,
    threads: o.threads as number | undefined,
    workers: o.workers as number,
    maxBatch: o.maxBatch as number,
    maxWaitMs: o.maxWaitMs as number,
    maxDocuments: o.maxDocuments as number,
    maxWords: o.maxWords as number,
    maxChars: o.maxChars as number,
    maxBodyBytes: o.maxBodyBytes as number,
    logLevel: o.logLevel as LogLevel | undefined,
    maxQueue: o.maxQueue as number | undefined,
    requestTimeoutMs: o.requestTimeoutMs as number | undefined,
    apiKey: o.apiKey as string | undefined,
    protectHealth: o.protectHealth as boolean | undefined,
    protectMetrics: o.protectMetrics as boolean | undefined,
    corsOrigin: o.corsOrigin as string[] | undefined,
    summaryIntervalS: o.summaryIntervalS as number | undefined,
    ...connectionLimitsGiven(o),
    browser: o.browser === true ? true : undefined,
    onTooLong: o.onTooLong as TooLongPolicy | undefined,
    window: o.window as number | undefined,
    stride: o.stride as number | undefined,
    windowUnit: o.windowUnit as 'subwords' | 'words' | undefined,
  };
}

/** Turns CLI options into createServer options; the API key falls back to `env.SPERT_API_KEY`. */
export function serverOptionsFromCli(o: ServeCliOptions, env: Record<string, string | undefined> = process.env): CreateServerOptions {
  const operations: Partial<OperationsOptions> = {};
  if (o.maxQueue !== undefined) operations.maxQueue = o.maxQueue;
  if (o.requestTimeoutMs !== undefined) operations.requestTimeoutMs = o.requestTimeoutMs;
  const apiKey = o.apiKey ?? (env[API_KEY_ENV] || undefined);
  if (apiKey !== undefined) operations.apiKey = apiKey;
  if (o.protectHealth || o.protectMetrics) operations.publicEndpoints = { health: !o.protectHealth, metrics: !o.protectMetrics };
  if (o.corsOrigin !== undefined) operations.corsOrigins = o.corsOrigin;
  if (o.summaryIntervalS !== undefined) operations.summaryIntervalMs = o.summaryIntervalS * 1000;
  const out: CreateServerOptions = {
    modelDir: o.model,
    threads: o.threads,
    workers: o.workers,
    batch: { maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs },
    limits: { documents: o.maxDocuments, words: o.maxWords, chars: o.maxChars, bodyBytes: o.maxBodyBytes },
    logger: true,
    browser: o.browser,
    onTooLong: o.onTooLong,
    window: o.window,
    stride: o.stride,
    windowUnit: o.windowUnit,
  };
  if (o.logLevel !== undefined) out.logLevel = o.logLevel;
  if (Object.keys(operations).length > 0) out.operations = operations;
  const connections = connectionLimitsGiven(o);
  if (Object.keys(connections).length > 0) out.connections = connections;
  return out;
}

/** Options of {@link runServe}. */
export interface RunServeOptions {
  argv: string[];
  /** The worker module for --workers > 1 (main.ts passes the one beside it). */
  workerFile?: string;
  signals?: SignalSource;
  /** Called with the exit code once the server has shut down. */
  exit?: (code: number) => void;
}

/** Starts spert-serve from a command line and shuts it down gracefully on SIGTERM/SIGINT; resolves with the listening URL and the app. */
export async function runServe(options: RunServeOptions): Promise<{ url: string; serve: ServeApp }> {
  const cli = parseServeArgs(options.argv);
  await assertModelDir(cli.model, { flag: '--model', contents: EXPORT_DIR_CONTENTS });
  const serve = await createServer({ ...serverOptionsFromCli(cli), workerFile: options.workerFile });
  const url = await listenUntilSignal({ app: serve.app, host: cli.host, port: cli.port, signals: options.signals, exit: options.exit });
  return { url, serve };
}
