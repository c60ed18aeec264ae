import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { exportRandomModel } from '../../../tools/testing/export-random-model';
import { parseServeArgs, runServe, serverOptionsFromCli } from './cli';
import type { SignalSource } from '@spert/http';

const argv = (...args: string[]) => ['node', 'spert-serve', ...args];

describe('spert-serve production options', () => {
  it('maps --log-level, --max-queue, --request-timeout-ms, --api-key, --protect-*, --cors-origin and --summary-interval-s', () => {
    const o = parseServeArgs(
      argv('--model', 'm', '--log-level', 'debug', '--max-queue', '256', '--request-timeout-ms', '0', '--api-key', 'k', '--protect-metrics', '--cors-origin', 'https://a.example, https://b.example', '--summary-interval-s', '10'),
    );
    expect(serverOptionsFromCli(o, {})).toMatchObject({
      logLevel: 'debug',
      operations: {
        maxQueue: 256,
        requestTimeoutMs: 0,
        apiKey: 'k',
        publicEndpoints: { health: true, metrics: false },
        corsOrigins: ['https://a.example', 'https://b.example'],
        summaryIntervalMs: 10_000,
      },
    });
  });

  it('takes the API key from SPERT_API_KEY when --api-key is absent, and leaves everything else at the service defaults', () => {
    const o = parseServeArgs(argv('--model', 'm'));
    expect(serverOptionsFromCli(o, { SPERT_API_KEY: 'from-env' }).operations).toEqual({ apiKey: 'from-env' });
    expect(serverOptionsFromCli(o, { SPERT_API_KEY: '' }).operations).toBeUndefined();
    expect(serverOptionsFromCli(parseServeArgs(argv('--model', 'm', '--api-key', 'flag')), { SPERT_API_KEY: 'env' }).operations).toEqual({ apiKey: 'flag' });
  });

  it('rejects a bad log level or queue bound naming the option', () => {
    expect(() => parseServeArgs(argv('--model', 'm', '--log-level', 'loud'))).toThrow('--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(() => parseServeArgs(argv('--model', 'm', '--max-queue', '0'))).toThrow('--max-queue: expected an integer from 1');
  });

  it('runs a real exported model behind an API key: ready after warm-up, /metrics open, /predict needs the key', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'spert-serve-ops-'));
    const signals = new EventEmitter();
    let exited: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((r) => (exited = r));
    const lines: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const modelDir = await exportRandomModel(root);
      const { url, serve } = await runServe({ argv: argv('--model', modelDir, '--port', '0', '--threads', '1', '--api-key', 'k'), signals: signals as unknown as SignalSource, exit: exited });
      await serve.whenReady;
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      const predict = (headers: Record<string, string>) =>
        fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"documents":[{"text":"Mary met Bob ."}]}' });
      expect((await predict({})).status).toBe(401);
      expect((await predict({ authorization: 'Bearer k' })).status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('spert_documents_processed_total 1');
      signals.emit('SIGTERM');
      expect(await exitCode).toBe(0);
      // Default level: start-up lines, no per-request lines.
      const msgs = lines.join('').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(msgs).toEqual(expect.arrayContaining(['model loaded', 'model warmed up, ready']));
      expect(msgs.filter((m) => m === 'request' || m === 'incoming request' || m === 'request completed')).toEqual([]);
    } finally {
      stdout.mockRestore();
      await rm(root, { recursive: true, force: true });
    }
  });
});
