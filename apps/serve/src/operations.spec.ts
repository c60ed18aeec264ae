import type { AddressInfo } from 'node:net';
import type { Prediction, PredictionInput, Predictor } from '@spert/core';
import { RulePredictor } from '../test/rule-predictor';
import { buildApp, type BuildAppOptions, type ServeApp } from './app';
import { bearerChecker } from '@spert/http';

// The production surface of the service over real HTTP on 127.0.0.1: probes, metrics, logging,
// backpressure, timeouts, authentication and CORS.

interface Started {
  serve: ServeApp;
  base: string;
}

async function start(options: Partial<BuildAppOptions> = {}): Promise<Started> {
  const serve = await buildApp({ predictor: new RulePredictor(), limits: { documents: 4 }, ...options });
  await serve.app.listen({ host: '127.0.0.1', port: 0 });
  return { serve, base: `http://127.0.0.1:${(serve.app.server.address() as AddressInfo).port}` };
}

const body = (...texts: string[]) => JSON.stringify({ documents: texts.map((text) => ({ text })) });

async function post(base: string, payload: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
}

/** A predictor whose calls wait until the test opens the gate. */
class GatedPredictor implements Predictor {
  private readonly inner = new RulePredictor();
  calls = 0;
  private opened!: () => void;
  private gate = new Promise<void>((resolve) => (this.opened = resolve));
  open(): void {
    this.opened();
  }
  async predict(inputs: readonly PredictionInput[]): Promise<Prediction[]> {
    this.calls += 1;
    await this.gate;
    return this.inner.predict(inputs);
  }
  metadata() {
    return this.inner.metadata();
  }
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`metric ${series} not found in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

describe('health probes', () => {
  it('/health/live answers at once; /health/ready is 503 until warm-up finished, then 200', async () => {
    const predictor = new GatedPredictor();
    const s = await start({ predictor, warmup: true });
    try {
      expect((await fetch(`${s.base}/health/live`)).status).toBe(200);
      const before = await fetch(`${s.base}/health/ready`);
      expect(before.status).toBe(503);
      expect(before.headers.get('retry-after')).toBe('1');
      expect(await before.json()).toEqual({ status: 'warming-up' });
      expect(predictor.calls).toBe(1);
      predictor.open();
      await s.serve.whenReady;
      const after = await fetch(`${s.base}/health/ready`);
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual({ status: 'ready' });
      // Warm-up is not traffic: the batcher never saw it.
      expect(s.serve.batcher.stats.calls).toBe(0);
    } finally {
      await s.serve.app.close();
    }
  });

  it('a failed warm-up keeps /health/ready at 503 "failed" while /health/live stays 200', async () => {
    const predictor = new RulePredictor();
    const s = await start({ predictor, warmup: [{ kind: 'tokens', tokens: ['FAIL'] }] });
    try {
      await expect(s.serve.whenReady).rejects.toThrow('asked to fail');
      const r = await fetch(`${s.base}/health/ready`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: 'failed' });
      expect((await fetch(`${s.base}/health/live`)).status).toBe(200);
    } finally {
      await s.serve.app.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts requests by route and status, latency, batch sizes, documents and queue depth in Prometheus format', async () => {
    const s = await start({ batch: { maxBatch: 32, maxWaitMs: 20 } });
    try {
      await Promise.all([post(s.base, body('Ann met Bob', 'Cy left')), post(s.base, body('Di works for Acme Corp'))]);
      await post(s.base, '{"documents": 1}');
      await fetch(`${s.base}/no-such-page`);
      const res = await fetch(`${s.base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(metricValue(text, 'spert_http_requests_total{route="/predict",method="POST",status="200"}')).toBe(2);
      expect(metricValue(text, 'spert_http_requests_total{route="/predict",method="POST",status="400"}')).toBe(1);
      expect(metricValue(text, 'spert_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1);
      expect(metricValue(text, 'spert_http_request_duration_seconds_count{route="/predict"}')).toBe(3);
      // Both requests waited 20 ms for company and went in one model call of 3 documents.
      expect(metricValue(text, 'spert_batch_size_documents_count')).toBe(1);
      expect(metricValue(text, 'spert_batch_size_documents_sum')).toBe(3);
      expect(metricValue(text, 'spert_batch_size_documents_bucket{le="2"}')).toBe(0);
      expect(metricValue(text, 'spert_batch_size_documents_bucket{le="4"}')).toBe(1);
      expect(metricValue(text, 'spert_documents_processed_total')).toBe(3);
      expect(metricValue(text, 'spert_queue_depth_documents')).toBe(0);
      expect(metricValue(text, 'spert_ready')).toBe(1);
      expect(text).toContain('spert_process_resident_memory_bytes');
    } finally {
      await s.serve.app.close();
    }
  });
});

describe('logging', () => {
  function capture(): { lines: Array<Record<string, unknown>>; stream: { write(line: string): void } } {
    const lines: Array<Record<string, unknown>> = [];
    return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
  }

  it('at the default level logs no line per request, errors with their cause, and a periodic summary', async () => {
    const log = capture();
    const s = await start({ logStream: log.stream, operations: { summaryIntervalMs: 50 } });
    try {
      for (let i = 0; i < 5; i++) expect((await post(s.base, body('Ann met Bob'))).status).toBe(200);
      expect(log.lines.filter((l) => l.msg === 'request' || l.msg === 'incoming request')).toEqual([]);
      expect((await post(s.base, JSON.stringify({ documents: [{ tokens: ['FAIL'] }] }))).status).toBe(500);
      const err = log.lines.find((l) => l.level === 50);
      expect(err).toMatchObject({ msg: 'predict failed', err: { message: 'rule predictor: asked to fail' } });
      await new Promise((r) => setTimeout(r, 120));
      // Summaries may have come mid-way: together they count every request once.
      const summaries = log.lines.filter((l) => l.msg === 'summary');
      expect(summaries.length).toBeGreaterThan(0);
      for (const l of summaries) expect(l).toMatchObject({ level: 30, rejected429: 0, queueDepth: expect.any(Number), meanLatencyMs: expect.any(Number) });
      const total = (key: string) => summaries.reduce((n, l) => n + (l[key] as number), 0);
      expect([total('requests'), total('errors5xx'), total('documents')]).toEqual([6, 1, 5]);
      // Idle intervals write nothing.
      const count = log.lines.length;
      await new Promise((r) => setTimeout(r, 120));
      expect(log.lines.length).toBe(count);
    } finally {
      await s.serve.app.close();
    }
  });

  it('at debug logs one line per request with method, URL, status and duration', async () => {
    const log = capture();
    const s = await start({ logStream: log.stream, logLevel: 'debug' });
    try {
      await post(s.base, body('Ann'));
      await fetch(`${s.base}/health`);
      const requests = log.lines.filter((l) => l.msg === 'request');
      expect(requests).toHaveLength(2);
      expect(requests[0]).toMatchObject({ level: 20, method: 'POST', url: '/predict', statusCode: 200, ms: expect.any(Number) });
      expect(requests[1]).toMatchObject({ method: 'GET', url: '/health', statusCode: 200 });
    } finally {
      await s.serve.app.close();
    }
  });

  it('silent logs nothing at all', async () => {
    const log = capture();
    const s = await start({ logStream: log.stream, logLevel: 'silent' });
    try {
      await post(s.base, JSON.stringify({ documents: [{ tokens: ['FAIL'] }] }));
      expect(log.lines).toEqual([]);
    } finally {
      await s.serve.app.close();
    }
  });
});

describe('backpressure and timeouts', () => {
  it('past the queue bound answers 429 with Retry-After, serves everything it accepted, and recovers', async () => {
    const predictor = new GatedPredictor();
    const s = await start({ predictor, batch: { maxBatch: 2, maxWaitMs: 0 }, operations: { maxQueue: 4, retryAfterSeconds: 3 } });
    try {
      // The first two documents enter the (blocked) model call; the next four fill the queue.
      const running = post(s.base, body('Ann', 'Bob'));
      while (predictor.calls === 0) await new Promise((r) => setTimeout(r, 2));
      const queued = [post(s.base, body('Cy', 'Di')), post(s.base, body('Ed', 'Flo'))];
      while (s.serve.batcher.pending < 4) await new Promise((r) => setTimeout(r, 2));
      const refused = await post(s.base, body('Gus'));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('3');
      expect(await refused.json()).toMatchObject({ statusCode: 429, code: 'QUEUE_FULL', message: '4 documents are waiting (the queue holds 4); retry later' });
      const metrics = await (await fetch(`${s.base}/metrics`)).text();
      expect(metricValue(metrics, 'spert_queue_depth_documents')).toBe(4);
      expect(metricValue(metrics, 'spert_requests_rejected_total{reason="queue_full"}')).toBe(1);
      predictor.open();
      for (const r of await Promise.all([running, ...queued])) expect(r.status).toBe(200);
      expect((await post(s.base, body('Gus'))).status).toBe(200);
    } finally {
      await s.serve.app.close();
    }
  });

  it('refuses a queue bound below the per-request document limit', async () => {
    await expect(buildApp({ predictor: new RulePredictor(), limits: { documents: 8 }, operations: { maxQueue: 4 } })).rejects.toThrow(
      'maxQueue: expected an integer of at least the per-request document limit (8), got 4',
    );
  });

  it('a request not answered in time gets 503 TIMEOUT with Retry-After; the service keeps answering', async () => {
    const s = await start({ predictor: new RulePredictor(300), operations: { requestTimeoutMs: 50 } });
    try {
      const r = await post(s.base, body('Ann'));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.json()).toMatchObject({ code: 'TIMEOUT', message: 'no answer within 50 ms (the service is overloaded); retry later' });
      expect((await fetch(`${s.base}/health/live`)).status).toBe(200);
    } finally {
      await s.serve.app.close();
    }
  });
});

describe('bearer-token authentication', () => {
  it('bearerChecker accepts exactly the key, whatever the case of "Bearer"', () => {
    const check = bearerChecker('s3cret');
    expect(check('Bearer s3cret')).toBe(true);
    expect(check('bearer   s3cret ')).toBe(true);
    expect(check('Bearer s3cre')).toBe(false);
    expect(check('Bearer s3cret2')).toBe(false);
    expect(check('Basic s3cret')).toBe(false);
    expect(check('s3cret')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(() => bearerChecker('')).toThrow('api key: must not be empty');
  });

  it('with a key: 401 with WWW-Authenticate without it or with a wrong one, 200 with it; health and metrics open by default', async () => {
    const s = await start({ operations: { apiKey: 'k-123' } });
    try {
      const none = await post(s.base, body('Ann'));
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="spert-serve"');
      expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      expect((await post(s.base, body('Ann'), { authorization: 'Bearer k-124' })).status).toBe(401);
      expect((await post(s.base, body('Ann'), { authorization: 'Bearer k-123' })).status).toBe(200);
      expect((await fetch(`${s.base}/metadata`)).status).toBe(401);
      expect((await fetch(`${s.base}/health/ready`)).status).toBe(200);
      expect((await fetch(`${s.base}/health?x=1`)).status).toBe(200);
      expect((await fetch(`${s.base}/metrics`)).status).toBe(200);
      // The 401s are counted, so an attack shows on a dashboard.
      expect(metricValue(await (await fetch(`${s.base}/metrics`)).text(), 'spert_requests_rejected_total{reason="unauthorized"}')).toBe(3);
    } finally {
      await s.serve.app.close();
    }
  });

  it('can protect /metrics and /health too', async () => {
    const s = await start({ operations: { apiKey: 'k', publicEndpoints: { health: false, metrics: false } } });
    try {
      expect((await fetch(`${s.base}/metrics`)).status).toBe(401);
      expect((await fetch(`${s.base}/health/live`)).status).toBe(401);
      expect((await fetch(`${s.base}/metrics`, { headers: { authorization: 'Bearer k' } })).status).toBe(200);
    } finally {
      await s.serve.app.close();
    }
  });
});

describe('CORS', () => {
  it('is off unless asked for: no Access-Control headers, preflight not answered', async () => {
    const s = await start();
    try {
      const r = await post(s.base, body('Ann'), { origin: 'https://example.org' });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await fetch(`${s.base}/predict`, { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(404);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.serve.app.close();
    }
  });

  it('allows exactly the configured origins, preflight included, even with an API key', async () => {
    const s = await start({ operations: { corsOrigins: ['https://app.example.org'], apiKey: 'k' } });
    try {
      const pre = await fetch(`${s.base}/predict`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      expect(pre.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
      const ok = await post(s.base, body('Ann'), { origin: 'https://app.example.org', authorization: 'Bearer k' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      const other = await post(s.base, body('Ann'), { origin: 'https://evil.example', authorization: 'Bearer k' });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.serve.app.close();
    }
  });
});
