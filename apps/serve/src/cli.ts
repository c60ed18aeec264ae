import { Command } from 'commander';
import { assertModelDir, silentCommanderOutput } from '@spert/core';
import type { ServeApp } from './app';
import { createServer, type CreateServerOptions } from './create-server';
import { installGracefulShutdown, type SignalSource } from './shutdown';
import { DEFAULT_BATCH, DEFAULT_LIMITS } from './types';

/** What spert-export writes, for the message about a wrong --model. */
const EXPORT_DIR_CONTENTS = 'config.json, encoder.onnx, entity_head.onnx, relation_head.onnx and the vocabulary, as written by spert-export --model <model dir> --out <dir>';

/** Parsed command line of spert-serve. */
export interface ServeCliOptions {
  model: string;
  port: number;
  host: string;
  threads?: number;
  maxBatch: number;
  maxWaitMs: number;
  maxDocuments: number;
  maxWords: number;
  maxChars: number;
  maxBodyBytes: number;
}

function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** Parses spert-serve's arguments (`argv` as in process.argv: node, script, args...); throws on bad input. */
export function parseServeArgs(argv: string[]): ServeCliOptions {
  const program = new Command('spert-serve');
  program
    .description('Serve a SpERT model exported to ONNX over HTTP (POST /predict, GET /health, /metadata, /openapi.json, web page at /)')
    .requiredOption('--model <dir>', 'exported model directory (written by spert-export --model <dir> --out <dir>)')
    .option('--port <n>', 'TCP port (0 picks a free one)', intOption('--port', 0, 65535), 8080)
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option('--threads <n>', 'onnxruntime intra-op threads', intOption('--threads', 1, 1024))
    .option('--max-batch <n>', 'most documents per model call', intOption('--max-batch', 1, 4096), DEFAULT_BATCH.maxBatch)
    .option('--max-wait-ms <n>', 'how long a document waits for batch company', intOption('--max-wait-ms', 0, 10_000), DEFAULT_BATCH.maxWaitMs)
    .option('--max-documents <n>', 'most documents per request (422 above)', intOption('--max-documents', 1, 100_000), DEFAULT_LIMITS.documents)
    .option('--max-words <n>', 'most words per document (422 above)', intOption('--max-words', 1, 100_000), DEFAULT_LIMITS.words)
    .option('--max-chars <n>', 'most characters per document (422 above)', intOption('--max-chars', 1, 10_000_000), DEFAULT_LIMITS.chars)
    .option('--max-body-bytes <n>', 'largest request body (413 above)', intOption('--max-body-bytes', 64, 1 << 30), DEFAULT_LIMITS.bodyBytes)
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
    maxBatch: o.maxBatch as number,
    maxWaitMs: o.maxWaitMs as number,
    maxDocuments: o.maxDocuments as number,
    maxWords: o.maxWords as number,
    maxChars: o.maxChars as number,
    maxBodyBytes: o.maxBodyBytes as number,
  };
}

/** Turns CLI options into createServer options. */
export function serverOptionsFromCli(o: ServeCliOptions): CreateServerOptions {
  return {
    modelDir: o.model,
    threads: o.threads,
    batch: { maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs },
    limits: { documents: o.maxDocuments, words: o.maxWords, chars: o.maxChars, bodyBytes: o.maxBodyBytes },
    logger: true,
  };
}

/** Options of {@link runServe}. */
export interface RunServeOptions {
  argv: string[];
  signals?: SignalSource;
  /** Called with the exit code once the server has shut down. */
  exit?: (code: number) => void;
}

/** Starts spert-serve from a command line and shuts it down gracefully on SIGTERM/SIGINT; resolves with the listening URL and the app. */
export async function runServe(options: RunServeOptions): Promise<{ url: string; serve: ServeApp }> {
  const cli = parseServeArgs(options.argv);
  await assertModelDir(cli.model, { flag: '--model', contents: EXPORT_DIR_CONTENTS });
  const serve = await createServer(serverOptionsFromCli(cli));
  const { app } = serve;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  installGracefulShutdown({
    app,
    signals: options.signals,
    onClosed: (err) => {
      if (err) app.log.error({ err }, 'shutdown failed');
      exit(err ? 1 : 0);
    },
  });
  const url = await app.listen({ host: cli.host, port: cli.port });
  return { url, serve };
}
