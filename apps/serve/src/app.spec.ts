import type { Prediction, PredictionInput } from '@spert/core';
import { BertWordPieceTokenizer } from '@spert/tokenizer';
import type { AddressInfo } from 'node:net';
import { RulePredictor } from '../test/rule-predictor';
import { buildApp, type ServeApp } from './app';

interface Started {
  serve: ServeApp;
  base: string;
  predictor: RulePredictor;
}

async function start(opts: { delayMs?: number; maxWaitMs?: number; maxBatch?: number } = {}): Promise<Started> {
  const predictor = new RulePredictor(opts.delayMs ?? 0);
  const serve = await buildApp({
    predictor,
    limits: { bodyBytes: 4096, documents: 4, words: 12, chars: 200 },
    batch: { maxWaitMs: opts.maxWaitMs ?? 5, maxBatch: opts.maxBatch ?? 32 },
    versions: { test: '1' },
  });
  await serve.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = serve.app.server.address() as AddressInfo;
  return { serve, base: `http://127.0.0.1:${port}`, predictor };
}

async function post(base: string, body: string, type = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': type }, body });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

describe('spert-serve HTTP API (rule predictor, real HTTP on 127.0.0.1)', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
  });
  afterAll(async () => {
    await s.serve.app.close();
  });

  it('POST /predict with text returns word and character offsets, types, scores and relations', async () => {
    const text = 'Yesterday John Smith joined Acme Corp in Berlin.';
    const { status, json } = await post(s.base, JSON.stringify({ documents: [{ text }] }));
    expect(status).toBe(200);
    const doc = (json.documents as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(doc.tokens).toEqual(['Yesterday', 'John', 'Smith', 'joined', 'Acme', 'Corp', 'in', 'Berlin', '.']);
    expect(doc.offsets).toEqual([[0, 9], [10, 14], [15, 20], [21, 27], [28, 32], [33, 37], [38, 40], [41, 47], [47, 48]]);
    expect(doc.entities).toEqual([
      { type: 'Peop', start: 0, end: 3, score: 0.9, text: 'Yesterday John Smith', charStart: 0, charEnd: 20 },
      { type: 'Org', start: 4, end: 6, score: 0.9, text: 'Acme Corp', charStart: 28, charEnd: 37 },
      { type: 'Loc', start: 7, end: 8, score: 0.9, text: 'Berlin', charStart: 41, charEnd: 47 },
    ]);
    expect(doc.relations).toEqual([
      { type: 'Work_For', head: 0, tail: 1, score: 0.8 },
      { type: 'OrgBased_In', head: 1, tail: 2, score: 0.7 },
    ]);
  });

  it('POST /predict with tokens and with many documents keeps order; empty documents need no model call', async () => {
    const calls = s.predictor.calls.length;
    const { status, json } = await post(
      s.base,
      JSON.stringify({ documents: [{ tokens: ['Ann', 'left', 'Paris'] }, { text: '' }, { text: 'no names here' }, { tokens: [] }] }),
    );
    expect(status).toBe(200);
    const docs = json.documents as Array<Record<string, unknown>>;
    expect(docs).toHaveLength(4);
    expect(docs[0]).toEqual({
      tokens: ['Ann', 'left', 'Paris'],
      entities: [
        { type: 'Peop', start: 0, end: 1, score: 0.9, text: 'Ann' },
        { type: 'Loc', start: 2, end: 3, score: 0.9, text: 'Paris' },
      ],
      relations: [],
    });
    expect(docs[1]).toEqual({ tokens: [], offsets: [], entities: [], relations: [] });
    expect(docs[2]).toMatchObject({ tokens: ['no', 'names', 'here'], entities: [], relations: [] });
    expect(docs[3]).toEqual({ tokens: [], entities: [], relations: [] });
    expect(s.predictor.calls.length).toBe(calls + 1);
    // One predictor call for the request; the pipeline behind a real predictor skips empty documents itself.
    expect(s.predictor.calls.at(-1)).toEqual([['Ann', 'left', 'Paris'], [], ['no', 'names', 'here'], []]);
  });

  it('survives unicode oddities: lone surrogates, zero-width characters, RTL text and emoji', async () => {
    // Raw JSON with escapes, so the lone surrogate reaches the server exactly as a client could send it.
    const body = '{"documents":[{"text":"Ab\\ud800c Zed"},{"text":"\\u200bMax\\u200d \\u202eשלום Tel\\u202c"},{"text":"👩‍💻 Emma 🎉 Acme Inc"},{"tokens":["\\udfff","Li"]}]}';
    const { status, json } = await post(s.base, body);
    expect(status).toBe(200);
    const docs = json.documents as Array<{ tokens: string[]; offsets?: number[][]; entities: Array<{ text: string; type: string }> }>;
    // The one word splitter (@spert/tokenizer) makes a lone surrogate a word of its own.
    expect(docs[0]?.tokens).toEqual(['Ab', '\ud800', 'c', 'Zed']);
    expect(docs[0]?.entities.map((e) => e.text)).toEqual(['Ab', 'Zed']);
    expect(docs[1]?.tokens).toEqual(['Max', 'שלום', 'Tel']);
    expect(docs[1]?.offsets).toEqual([[1, 4], [7, 11], [12, 15]]);
    expect(docs[2]?.tokens).toEqual(['👩‍💻', 'Emma', '🎉', 'Acme', 'Inc']);
    expect(docs[2]?.entities.map((e) => [e.text, e.type])).toEqual([['Emma', 'Peop'], ['Acme Inc', 'Org']]);
    expect(docs[3]?.tokens).toEqual(['\udfff', 'Li']);
  });

  it.each([
    ['malformed JSON', '{"documents": [', 400],
    ['truncated unicode escape', '{"documents":[{"text":"\\ud8"}]}', 400],
    ['a JSON string instead of an object', '"hello"', 400],
    ['null body', 'null', 400],
    ['missing documents', '{}', 400],
    ['documents not an array', '{"documents": {"text": "a"}}', 400],
    ['text is a number', '{"documents": [{"text": 123}]}', 400],
    ['huge number', '{"documents": [{"text": 1e999}]}', 400],
    ['huge number in tokens', '{"documents": [{"tokens": [12345678901234567890123456789]}]}', 400],
    ['tokens not strings', '{"documents": [{"tokens": ["a", null]}]}', 400],
    ['both text and tokens', '{"documents": [{"text": "a", "tokens": ["a"]}]}', 400],
    ['unknown field', '{"documents": [], "extra": true}', 400],
    ['prototype pollution', '{"documents": [], "__proto__": {"x": 1}}', 400],
    ['too many documents', JSON.stringify({ documents: Array.from({ length: 5 }, () => ({ text: 'a' })) }), 422],
    ['too many words in text', JSON.stringify({ documents: [{ text: 'w '.repeat(13) }] }), 422],
    ['too many words in tokens', JSON.stringify({ documents: [{ tokens: Array(13).fill('w') }] }), 422],
    ['text too long', JSON.stringify({ documents: [{ text: 'x'.repeat(201) }] }), 422],
    ['an invisible token', JSON.stringify({ documents: [{ tokens: ['a', '\u200b'] }] }), 400],
    ['an empty token', JSON.stringify({ documents: [{ tokens: ['a', ''] }] }), 400],
    ['body over the byte limit', JSON.stringify({ documents: [{ text: 'a '.repeat(3000) }] }), 413],
  ])('answers %s with a JSON error', async (_name, body, expected) => {
    const { status, json } = await post(s.base, body);
    expect(status).toBe(expected);
    expect(json).toMatchObject({ statusCode: expected, error: expect.any(String), code: expect.any(String), message: expect.any(String) });
  });

  it('answers a body with a "__proto__" key with a 400 that says the key is refused and where, not that the JSON is broken', async () => {
    const top = await post(s.base, '{"documents": [], "__proto__": {"x": 1}}');
    expect(top).toEqual({
      status: 400,
      json: {
        statusCode: 400,
        error: 'Bad Request',
        code: 'FORBIDDEN_KEY',
        message: 'the "__proto__" key is refused (at the top level): such keys can change the prototype of objects built from the request; remove it',
      },
    });
    const nested = await post(s.base, '{"documents": [{"text": "Ann"}, {"text": "a", "__proto__": {"polluted": true}}]}');
    expect(nested.json).toMatchObject({ code: 'FORBIDDEN_KEY', message: expect.stringMatching(/^the "__proto__" key is refused \(at documents\[1\]\)/) });
    const ctor = await post(s.base, '{"documents": [{"text": "a", "constructor": {"prototype": {"x": 1}}}]}');
    expect(ctor.json).toMatchObject({ code: 'FORBIDDEN_KEY', message: expect.stringMatching(/^a "constructor" key holding "prototype" is refused \(at documents\[0\]\.constructor\)/) });
    // Broken JSON keeps fastify's answer.
    expect((await post(s.base, '{"documents": [')).json).toMatchObject({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: expect.stringContaining('Body is not valid JSON') });
    expect((await post(s.base, '')).json).toMatchObject({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
    // Nothing was polluted, and a clean request still works.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await post(s.base, JSON.stringify({ documents: [{ text: 'Ann met Bob' }] }))).status).toBe(200);
  });

  it('survives invalid UTF-8 bytes and absurdly deep nesting', async () => {
    const bytes = Buffer.concat([Buffer.from('{"documents":[{"text":"Ann \\u0000 '), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(' Bob"}]}')]);
    const res = await fetch(`${s.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    expect(res.status).toBe(200);
    const doc = ((await res.json()) as { documents: Array<{ entities: Array<{ text: string }> }> }).documents[0];
    expect(doc?.entities.map((e) => e.text)).toEqual(['Ann', 'Bob']);
    const deep = `{"documents":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    const r = await post(s.base, deep);
    expect(r.status).toBe(400);
    expect((await fetch(`${s.base}/health`)).status).toBe(200);
  });

  it('names the offending document in 422 messages', async () => {
    const { json } = await post(s.base, JSON.stringify({ documents: [{ text: 'ok' }, { tokens: Array(13).fill('w') }] }));
    expect(json).toMatchObject({ code: 'TOO_MANY_WORDS', message: 'documents[1].tokens: 13 words, the limit is 12' });
  });

  it('validates documents as the CLI does: bare strings and word arrays accepted, one short line naming the field', async () => {
    const ok = await post(s.base, JSON.stringify({ documents: ['Ann left Paris', ['Bob', 'Corp'], { text: '' }] }));
    expect(ok.status).toBe(200);
    const docs = ok.json.documents as Array<{ tokens: string[] }>;
    expect(docs.map((d) => d.tokens)).toEqual([['Ann', 'left', 'Paris'], ['Bob', 'Corp'], []]);
    const bad = await post(s.base, JSON.stringify({ documents: [{ text: 'ok' }, { text: 42 }] }));
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'INVALID_REQUEST', message: 'documents[1].text: expected a string, got number 42' });
  });

  it('answers a wrong content type (text/plain too) with 415 and unknown routes with 404, both JSON', async () => {
    const bad = await post(s.base, 'documents=1', 'application/x-www-form-urlencoded');
    expect(bad.status).toBe(415);
    expect(bad.json.statusCode).toBe(415);
    const plain = await post(s.base, 'Ann left Paris', 'text/plain');
    expect(plain.status).toBe(415);
    expect(plain.json).toMatchObject({ statusCode: 415 });
    const res = await fetch(`${s.base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers a failing model with 500 without hurting the server', async () => {
    const { status, json } = await post(s.base, JSON.stringify({ documents: [{ tokens: ['FAIL'] }] }));
    expect(status).toBe(500);
    expect(json).toMatchObject({ code: 'INTERNAL', message: 'internal error: rule predictor: asked to fail' });
    expect((await post(s.base, JSON.stringify({ documents: [{ text: 'Bo' }] }))).status).toBe(200);
  });

  it('GET /health, /metadata and /openapi.json describe the service', async () => {
    expect(await (await fetch(`${s.base}/health`)).json()).toMatchObject({ status: 'ok' });
    const meta = (await (await fetch(`${s.base}/metadata`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      model: { model: 'rules' },
      entityTypes: ['Loc', 'Org', 'Peop'],
      relationTypes: ['OrgBased_In', 'Work_For'],
      limits: { bodyBytes: 4096, documents: 4, words: 12, chars: 200 },
      batching: { maxBatch: 32, maxWaitMs: 5 },
      versions: { service: '0.1.0', node: process.versions.node, test: '1' },
    });
    const api = (await (await fetch(`${s.base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(api.openapi).toBe('3.0.3');
    expect(Object.keys(api.paths).sort()).toEqual(['/health', '/metadata', '/predict']);
    expect(api.paths['/predict']).toHaveProperty('post.requestBody.content.application/json.schema.properties.documents');
    expect(api.paths['/predict']).toHaveProperty(['post', 'responses', '200']);
  });

  it('GET / serves the self-contained page', async () => {
    const res = await fetch(`${s.base}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<textarea id="text"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img/);
    // The only URL is the SVG namespace name, which is never fetched.
    expect(html.match(/https?:\/\/[^'"\s]+/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).not.toContain('innerHTML');
  });
});

describe('spert-serve batching and shutdown', () => {
  it('serves concurrent requests with fewer model calls than requests, each getting its own answer', async () => {
    const s = await start({ delayMs: 30, maxWaitMs: 10 });
    try {
      const names = ['Ann', 'Bob', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim', 'Lu'];
      const answers = await Promise.all(names.map((n) => post(s.base, JSON.stringify({ documents: [{ text: `${n} works for Acme Corp` }] }))));
      answers.forEach((a, i) => {
        expect(a.status).toBe(200);
        const doc = (a.json.documents as Array<{ entities: Array<{ text: string }> }>)[0];
        expect(doc?.entities.map((e) => e.text)).toEqual([names[i], 'Acme Corp']);
      });
      expect(s.predictor.calls.length).toBeLessThan(names.length);
      expect(Math.max(...s.predictor.calls.map((c) => c.length))).toBeGreaterThan(1);
      expect(s.serve.batcher.stats.items).toBe(names.length);
    } finally {
      await s.serve.app.close();
    }
  });

  it('closing finishes in-flight requests, refuses new connections and disposes the predictor once', async () => {
    const s = await start({ delayMs: 200, maxWaitMs: 1 });
    const inFlight = post(s.base, JSON.stringify({ documents: [{ text: 'Ann met Bob' }] }));
    // Close only once the request is inside the model call, so it is truly in flight.
    while (s.predictor.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = s.serve.app.close();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect((answer.json.documents as Array<{ entities: unknown[] }>)[0]?.entities).toHaveLength(2);
    await closed;
    expect(s.predictor.disposed).toBe(1);
    await expect(fetch(`${s.base}/health`)).rejects.toThrow();
  });
});

describe('spert-serve too-long documents (a real tokenizer in front of the rule predictor)', () => {
  // 8 positions: four "a" fit (6 wordpieces), four "ab" do not (10), with the same word count,
  // which is what the old guess by word count could not tell apart.
  const tokenizer = new BertWordPieceTokenizer({ vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', '##b', 'mary', 'met', 'bob'], lowercase: true, maxLength: 8 });
  class EncodingPredictor extends RulePredictor {
    readonly batchSizes: number[] = [];
    override async predict(inputs: readonly PredictionInput[]): Promise<Prediction[]> {
      this.batchSizes.push(inputs.length);
      // Numbered as the pipeline numbers them: by index in the batch it was given.
      inputs.forEach((d, documentIndex) => tokenizer.encodeWords(d.kind === 'tokens' ? d.tokens : [d.text], { documentIndex }));
      return super.predict(inputs);
    }
  }

  it('answers 422 DOCUMENT_TOO_LONG naming the document among several of the same length, and serves the batch neighbour', async () => {
    const predictor = new EncodingPredictor();
    const serve = await buildApp({ predictor, batch: { maxWaitMs: 30, maxBatch: 32 } });
    await serve.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = serve.app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const fits = ['a', 'a', 'a', 'a'];
    const tooLong = ['ab', 'ab', 'ab', 'ab'];
    try {
      // Both requests land in one batch, the neighbour first: the bad document is the batch's third.
      const neighbour = post(base, JSON.stringify({ documents: [{ tokens: ['Mary', 'met', 'Bob'] }] }));
      const bad = post(base, JSON.stringify({ documents: [{ tokens: fits }, { tokens: tooLong }, { tokens: fits }] }));
      const [n, b] = await Promise.all([neighbour, bad]);
      // One merged batch that failed, then the neighbour alone (the bad request's other documents are not re-run).
      expect(predictor.batchSizes).toEqual([4, 1]);
      expect(b.status).toBe(422);
      expect(b.json).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        code: 'DOCUMENT_TOO_LONG',
        message: 'documents[1]: 4 words give 10 wordpieces, the model takes at most 8; split the document',
        details: { documentIndex: 1, wordCount: 4, wordpieceLength: 10, limit: 8 },
      });
      expect(n.status).toBe(200);
      expect((n.json.documents as unknown[]).length).toBe(1);
    } finally {
      await serve.app.close();
    }
  });
});
