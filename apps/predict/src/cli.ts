import { ENTITIES_MODES, integerOption, silentCommanderOutput, SpertError, type EntitiesMode } from '@spert/core';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { inProcessExecutor, inputIdentity, redisConnection, runBatch, type BatchSummary, type ChunkExecutor, type InputFormat } from '@spert/batch';
import { SpertOnnxRuntime } from '@spert/onnx';
import { Command } from 'commander';
import { intraOpThreadsFor, loadOptions, type ModelOptions } from './model-options';
import { createBatchBar } from './progress';
import { addQueueFlags, DEFAULT_QUEUE_CHECK_MS, queueExecutor } from './queue';
import { threadExecutor } from './thread-executor';

/** Parsed command line of spert-predict. */
export interface PredictCliOptions {
  model: string;
  input: string;
  output: string;
  errors?: string;
  format?: InputFormat;
  chunkSize: number;
  workers: number;
  intraOpThreads: number;
  batchSize?: number;
  onTooLong: 'window' | 'error' | 'truncate';
  /** Read each line's `entities` as given entities, used this way (default: ignored). */
  entitiesMode?: EntitiesMode;
  /** `false`: entities only, the relation graph never runs. */
  relations: boolean;
  progress?: boolean;
  /** redis://host:port: be the producer of a BullMQ queue that spert-workers take chunks from. */
  queue?: string;
  queueName: string;
  /** Chunk jobs in the queue at once. */
  queueInFlight: number;
  /** How often the producer checks that its jobs still exist in Redis (ms). */
  queueCheckMs: number;
  /** Interval of the "still unreachable" line while Redis is down (s). */
  outageReportS: number;
  /** Stack traces of Redis errors. */
  verbose: boolean;
}

function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(values as readonly string[]).includes(value)) throw new SpertError('INVALID_OPTION', `${name}: expected one of ${values.join(', ')}, got "${value}"`);
    return value as T;
  };
}

/** Parses spert-predict's arguments (`argv` as process.argv); throws naming the option on bad input. */
export function parsePredictArgs(argv: string[], cores = availableParallelism()): PredictCliOptions {
  const program = new Command('spert-predict');
  program
    .description('Predict entities and relations for every line of a corpus (JSONL or text, file or stdin, gzip) with a model exported by spert-export; resumable')
    .requiredOption('--model <dir>', 'exported model directory (spert-export --model <trained model> --out <dir>)')
    .requiredOption('--input <file>', 'JSONL ({"id","text"} or {"id","tokens"} per line) or text (one document a line), gzip or not; - for stdin')
    .requiredOption('--output <file>', 'output JSONL, in input order (chunks wait in <output>.parts/ until the end)')
    .option('--errors <file>', 'bad lines, {"line","id","reason"} per line (default <output>.errors.jsonl)')
    .option('--format <format>', 'jsonl or text (default: from the file name, .jsonl/.ndjson[.gz] are JSONL; JSONL for stdin)', choice('--format', ['jsonl', 'text'] as const))
    .option('--chunk-size <n>', 'input lines per chunk: the unit of work, atomic writes and resume', integerOption('--chunk-size', 1, 1_000_000), 256)
    .option('--workers <n>', 'worker threads, each with its own onnxruntime session (1: this thread)', integerOption('--workers', 1, 1024), 1)
    .option('--intra-op-threads <n>', 'onnxruntime intra-op threads per worker (default: cores / workers)', integerOption('--intra-op-threads', 1, 1024))
    .option('--batch-size <n>', 'documents per encoder call', integerOption('--batch-size', 1, 4096))
    .option('--on-too-long <policy>', 'documents longer than the encoder: window, error (reported as a bad line) or truncate', choice('--on-too-long', ['window', 'error', 'truncate'] as const), 'window')
    .option('--entities <mode>', 'read each JSONL line\'s "entities" ({type, start, end} word indices, or {type, charStart, charEnd} for "text") as given entities: given (only they are kept; relations among them) or merged (added to the predicted ones); default: ignored', choice('--entities', ENTITIES_MODES))
    .option('--no-relations', 'entities only: the relation graph is never run (faster)')
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .option('--no-progress', 'no progress bar')
    .option('--queue <url>', 'redis://host:port: put chunks on a BullMQ queue for spert-worker processes (any machines) instead of predicting here')
    .option('--queue-in-flight <n>', 'chunk jobs in the queue at once (bounds Redis memory)', integerOption('--queue-in-flight', 1, 100_000), 16)
    .option('--queue-check-ms <n>', 'how often to check that the chunk jobs still exist in Redis, and re-enqueue the ones it lost (also done whenever Redis comes back)', integerOption('--queue-check-ms', 100, 3_600_000), DEFAULT_QUEUE_CHECK_MS)
    .option('--verbose', 'with --queue: the stack trace of every Redis error, the expected network ones included');
  addQueueFlags(program).exitOverride().configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  const workers = o.workers as number;
  const queue = o.queue as string | undefined;
  if (queue !== undefined) redisConnection(queue); // refuse a bad URL before any work
  return {
    model: o.model as string,
    input: o.input as string,
    output: o.output as string,
    errors: o.errors as string | undefined,
    format: o.format as InputFormat | undefined,
    chunkSize: o.chunkSize as number,
    workers,
    intraOpThreads: intraOpThreadsFor(o.intraOpThreads as number | undefined, cores, workers),
    batchSize: o.batchSize as number | undefined,
    onTooLong: o.onTooLong as PredictCliOptions['onTooLong'],
    entitiesMode: o.entities as EntitiesMode | undefined,
    relations: o.relations !== false,
    progress: o.progress as boolean | undefined,
    queue,
    queueName: o.queueName as string,
    queueInFlight: o.queueInFlight as number,
    queueCheckMs: o.queueCheckMs as number,
    outageReportS: o.outageReportS as number,
    verbose: Boolean(o.verbose),
  };
}

/** Options of {@link runPredict}. */
export interface RunPredictOptions {
  argv: string[];
  /** The worker module for --workers > 1 (main.ts passes the one beside it). */
  workerFile?: string;
  /** What `--input -` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Where the bar and the summary go (default process.stderr). */
  stderr?: NodeJS.WriteStream;
}

// Names a run for its queue jobs: a resumed producer finds the jobs of its earlier self.
async function runId(cli: PredictCliOptions, settings: Record<string, unknown>): Promise<string> {
  const input = cli.input === '-' ? '-' : path.resolve(cli.input);
  const key = JSON.stringify([input, await inputIdentity(cli.input), cli.chunkSize, cli.format ?? null, settings]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The executor the options ask for: this thread, a pool of worker threads, or queue workers. */
export async function createExecutor(cli: PredictCliOptions, model: ModelOptions, workerFile?: string, log?: (line: string) => void): Promise<ChunkExecutor> {
  const settings = runSettings(cli, model);
  if (cli.queue) {
    return queueExecutor({
      url: cli.queue,
      name: cli.queueName,
      runId: await runId(cli, settings),
      pipeline: { batchSize: model.batchSize, onTooLong: model.onTooLong },
      inFlight: cli.queueInFlight,
      checkEveryMs: cli.queueCheckMs,
      outageReportMs: cli.outageReportS * 1000,
      verbose: cli.verbose,
      log,
    });
  }
  if (cli.workers === 1) return inProcessExecutor(await SpertOnnxRuntime.load(model.dir, loadOptions(model)));
  if (!workerFile) throw new SpertError('INVALID_OPTION', '--workers: worker threads need the worker module (run the spert-predict executable)');
  return threadExecutor({ workers: cli.workers, model, workerFile });
}

// What changes the bytes of the output; workers, intra-op threads and the executor do not (tested).
function runSettings(cli: PredictCliOptions, model: ModelOptions): Record<string, string | number | null> {
  return { model: model.dir, batchSize: cli.batchSize ?? null, onTooLong: cli.onTooLong, entities: cli.entitiesMode ?? null, relations: cli.relations ? 1 : 0 };
}

/** Runs spert-predict: the batch job over the exported model; resolves with what it did. */
export async function runPredict(options: RunPredictOptions): Promise<BatchSummary> {
  const cli = parsePredictArgs(options.argv);
  const stderr = options.stderr ?? process.stderr;
  const model: ModelOptions = { dir: path.resolve(cli.model), intraOpThreads: cli.intraOpThreads, batchSize: cli.batchSize, onTooLong: cli.onTooLong };
  const started = Date.now();
  const bar = createBatchBar({ enabled: cli.progress ?? Boolean(stderr.isTTY), stream: stderr });
  const executor = await createExecutor(cli, model, options.workerFile, (line) => bar.log(line));
  let summary: BatchSummary;
  try {
    summary = await runBatch({
      input: cli.input,
      output: cli.output,
      errors: cli.errors,
      format: cli.format,
      chunkSize: cli.chunkSize,
      executor,
      settings: runSettings(cli, model),
      documents: { entitiesMode: cli.entitiesMode, relations: cli.relations },
      stdin: options.stdin,
      onProgress: (p) => bar.update(p),
    });
  } finally {
    bar.stop();
    await executor.close?.();
  }
  const seconds = (Date.now() - started) / 1000;
  const fresh = summary.documents - summary.resumedDocuments;
  stderr.write(
    `spert-predict: ${summary.documents} documents -> ${summary.output}` +
      `, ${summary.errors} bad lines${summary.errors > 0 ? ` (see ${summary.errorsFile})` : ''}` +
      `, ${summary.chunks} chunks${summary.resumedChunks > 0 ? ` (${summary.resumedChunks} finished by an earlier run)` : ''}` +
      ` in ${seconds.toFixed(1)} s (${(fresh / Math.max(seconds, 1e-3)).toFixed(1)} docs/s, ${cli.queue ? `queue ${cli.queueName} on ${cli.queue}` : `${cli.workers} worker${cli.workers > 1 ? 's' : ''} x ${cli.intraOpThreads} intra-op threads`})\n`,
  );
  return summary;
}
