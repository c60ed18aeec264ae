import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportRandomModel } from '../../../tools/testing/export-random-model';
import { parseServeArgs, runServe, serverOptionsFromCli } from './cli';
import type { SignalSource } from '@spert/http';

const argv = (...args: string[]) => ['node', 'spert-serve', ...args];

describe('parseServeArgs', () => {
  it('reads every option and applies the defaults', () => {
    expect(parseServeArgs(argv('--model', 'm'))).toEqual({
      model: 'm',
      port: 8080,
      host: '127.0.0.1',
      threads: undefined,
      workers: 1,
      maxBatch: 32,
      maxWaitMs: 5,
      maxDocuments: 64,
      maxWords: 256,
      maxChars: 10_000,
      maxBodyBytes: 1 << 20,
    });
    const o = parseServeArgs(argv('--model', 'dir', '--port', '0', '--host', '0.0.0.0', '--threads', '2', '--workers', '3', '--max-batch', '8', '--max-wait-ms', '0', '--max-documents', '3', '--max-words', '50', '--max-chars', '500', '--max-body-bytes', '2048'));
    expect(o).toMatchObject({ model: 'dir', port: 0, host: '0.0.0.0', threads: 2, workers: 3, maxBatch: 8, maxWaitMs: 0, maxDocuments: 3, maxWords: 50, maxChars: 500, maxBodyBytes: 2048 });
    expect(serverOptionsFromCli(o)).toEqual({
      modelDir: 'dir',
      threads: 2,
      workers: 3,
      batch: { maxBatch: 8, maxWaitMs: 0 },
      limits: { documents: 3, words: 50, chars: 500, bodyBytes: 2048 },
      logger: true,
    });
  });

  it('passes the pipeline\'s long-document policy and windows to the server', () => {
    const o = parseServeArgs(argv('--model', 'dir', '--on-too-long', 'error', '--window', '128', '--stride', '64', '--window-unit', 'words'));
    expect(serverOptionsFromCli(o)).toMatchObject({ onTooLong: 'error', window: 128, stride: 64, windowUnit: 'words' });
    expect(serverOptionsFromCli(parseServeArgs(argv('--model', 'dir', '--browser')))).toMatchObject({ browser: true });
    expect(serverOptionsFromCli(parseServeArgs(argv('--model', 'dir'))).browser).toBeUndefined();
    expect(() => parseServeArgs(argv('--model', 'dir', '--on-too-long', 'split'))).toThrow(/--on-too-long.*split.*window, error, truncate/);
  });

  it('passes the connection timeouts and caps given on the command line, and only those', () => {
    const o = parseServeArgs(argv('--model', 'dir', '--headers-timeout-ms', '5000', '--receive-timeout-ms', '20000', '--idle-timeout-ms', '90000', '--keep-alive-timeout-ms', '65000', '--max-connections', '1000', '--max-connections-per-ip', '32'));
    expect(serverOptionsFromCli(o).connections).toEqual({ headersTimeoutMs: 5000, receiveTimeoutMs: 20_000, idleTimeoutMs: 90_000, keepAliveTimeoutMs: 65_000, maxConnections: 1000, maxConnectionsPerIp: 32 });
    expect(serverOptionsFromCli(parseServeArgs(argv('--model', 'dir', '--headers-timeout-ms', '0'))).connections).toEqual({ headersTimeoutMs: 0 });
    expect(serverOptionsFromCli(parseServeArgs(argv('--model', 'dir'))).connections).toBeUndefined();
    expect(() => parseServeArgs(argv('--model', 'dir', '--keep-alive-timeout-ms', '0'))).toThrow('--keep-alive-timeout-ms: expected an integer from 1 to 3600000, got "0"');
  });

  it('rejects bad numbers and a missing --model with messages naming the option', () => {
    expect(() => parseServeArgs(argv('--model', 'm', '--port', '70000'))).toThrow('--port: expected an integer from 0 to 65535, got "70000"');
    expect(() => parseServeArgs(argv('--model', 'm', '--threads', '1.5'))).toThrow('--threads: expected an integer');
    expect(() => parseServeArgs(argv('--model', 'm', '--max-batch', '0'))).toThrow('--max-batch');
    expect(() => parseServeArgs(argv('--model', 'm', '--workers', '0'))).toThrow('--workers: expected an integer from 1 to 256, got "0"');
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseServeArgs(argv())).toThrow(expect.objectContaining({ code: 'commander.missingMandatoryOptionValue' }));
      expect(() => parseServeArgs(argv('--model', 'm', '--bogus-flag'))).toThrow(expect.objectContaining({ code: 'commander.unknownOption', message: "error: unknown option '--bogus-flag'" }));
      // commander prints nothing itself: the entry point prints the one line (cliFailure).
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('runServe with a wrong --model', () => {
  it('says there is no model directory and what spert-export writes into one', async () => {
    await expect(runServe({ argv: argv('--model', path.join(tmpdir(), 'spert-no-such-export')) })).rejects.toThrow(
      /^--model .*spert-no-such-export: there is no model directory there .*encoder\.onnx, entity_head\.onnx, relation_head\.onnx .*spert-export --model/,
    );
  });
});

describe('runServe with a real exported model', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-serve-cli-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('serves until SIGTERM, finishes the in-flight request, then exits 0', async () => {
    const modelDir = await exportRandomModel(root);
    const signals = new EventEmitter();
    let exited: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((r) => (exited = r));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); // fastify's request log
    try {
      const { url, serve } = await runServe({ argv: argv('--model', modelDir, '--port', '0', '--threads', '1', '--max-wait-ms', '500'), signals: signals as unknown as SignalSource, exit: exited });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok' });
      const inFlight = fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"documents":[{"text":"Mary met Bob ."}]}' });
      // Signal only once the request waits in the batcher (500 ms window), so it is truly in flight.
      while (serve.batcher.pending === 0 && serve.batcher.stats.calls === 0) await new Promise((r) => setTimeout(r, 5));
      signals.emit('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { documents: Array<{ tokens: string[] }> }).documents[0]?.tokens).toEqual(['Mary', 'met', 'Bob', '.']);
      expect(await exitCode).toBe(0);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
      expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(1); // SIGINT's once-handler is left, inert
    } finally {
      stdout.mockRestore();
    }
  });
});
