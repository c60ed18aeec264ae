import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { SpertOnnxRuntime } from '@spert/onnx';
import { conllTestTokens, exportTrainedModel, writeConllJsonl } from '../test/fixtures';
import { sink } from '../test/sink';
import { sharedPath } from '../../../tools/testing/shared';
import { parsePredictArgs, runPredict } from './cli';

const argv = (...args: string[]) => ['node', 'spert-predict', ...args];


describe('parsePredictArgs', () => {
  it('applies the defaults: one worker in this thread with every core, chunks of 256 lines, windows for long documents', () => {
    expect(parsePredictArgs(argv('--model', 'm', '--input', 'in.jsonl', '--output', 'out.jsonl'), 8)).toEqual({
      model: 'm',
      input: 'in.jsonl',
      output: 'out.jsonl',
      chunkSize: 256,
      workers: 1,
      intraOpThreads: 8,
      onTooLong: 'window',
      relations: true,
      // Neither --progress nor --no-progress: the bar follows whether stderr is a terminal.
      progress: undefined,
      queueName: 'spert-predict',
      queueInFlight: 16,
      queueCheckMs: 5000,
      outageReportS: 30,
      verbose: false,
    });
    expect(parsePredictArgs(argv('--model', 'm', '--input', '-', '--output', 'o', '--workers', '3', '--no-progress'), 8)).toMatchObject({ workers: 3, intraOpThreads: 2, progress: false });
  });

  it('rejects bad values naming the option', () => {
    const base = ['--model', 'm', '--input', 'i', '--output', 'o'];
    expect(() => parsePredictArgs(argv(...base, '--workers', '0'))).toThrow('--workers: expected an integer from 1 to 1024, got "0"');
    expect(() => parsePredictArgs(argv(...base, '--format', 'csv'))).toThrow('--format: expected one of jsonl, text, got "csv"');
    expect(() => parsePredictArgs(argv(...base, '--queue-check-ms', '10'))).toThrow('--queue-check-ms: expected an integer from 100 to 3600000, got "10"');
    expect(() => parsePredictArgs(argv(...base, '--outage-report-s', '0'))).toThrow('--outage-report-s: expected an integer from 1 to 86400, got "0"');
    expect(() => parsePredictArgs(argv(...base, '--on-too-long', 'skip'))).toThrow('--on-too-long: expected one of window, error, truncate');
    expect(() => parsePredictArgs(argv(...base, '--queue', 'http://localhost:6379'))).toThrow('--queue: expected redis://host:port (or rediss://), got "http://localhost:6379"');
    expect(() => parsePredictArgs(argv(...base, '--queue', 'localhost'))).toThrow('--queue: expected redis://host:port');
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parsePredictArgs(argv('--model', 'm', '--input', 'i'))).toThrow(expect.objectContaining({ code: 'commander.missingMandatoryOptionValue' }));
    } finally {
      write.mockRestore();
    }
  });
});

describe('spert-predict over the CoNLL04-trained model exported to ONNX (one thread)', () => {
  let root: string;
  let modelDir: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-predict-'));
    modelDir = await exportTrainedModel(root);
  }, 60_000);
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('predicts every CoNLL04 test document as the runtime does, in input order, with the input ids', async () => {
    const input = await writeConllJsonl(path.join(root, 'test.jsonl'));
    const output = path.join(root, 'out.jsonl');
    const stderr = sink();
    const summary = await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', output, '--intra-op-threads', '1', '--chunk-size', '50'), stderr });
    const tokens = await conllTestTokens();
    expect(summary).toMatchObject({ documents: tokens.length, errors: 0, chunks: 6 });
    expect(stderr.text).toMatch(new RegExp(`^spert-predict: 288 documents -> ${output}, 0 bad lines, 6 chunks in [\\d.]+ s`));
    const records = (await readFile(output, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; tokens: string[]; entities: Array<{ type: string; start: number; end: number; text: string; score: number }>; relations: Array<{ type: string; head: number; tail: number }> });
    expect(records.map((r) => r.id)).toEqual(tokens.map((_t, i) => `0-${i}`));
    const runtime = await SpertOnnxRuntime.load(modelDir, { threads: 1 });
    try {
      const direct = await runtime.predictTokens(tokens);
      records.forEach((r, i) => {
        const want = direct[i]!;
        expect(r.tokens).toEqual(tokens[i]);
        expect(r.entities.map((e) => [e.type, e.start, e.end, e.text])).toEqual(want.entities.map((e) => [e.type, e.start, e.end, want.tokens.slice(e.start, e.end).join(' ')]));
        expect(r.relations.map((x) => [x.type, x.head, x.tail])).toEqual(want.relations.map((x) => [x.type, x.head, x.tail]));
        r.entities.forEach((e, k) => expect(e.score).toBeCloseTo(want.entities[k]!.score, 5));
      });
      // A trained model finds things: the test means something.
      expect(records.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(50);
    } finally {
      await runtime.dispose();
    }
  });

  it('--entities given keeps each line\'s entities verbatim and scores relations among them as the runtime does; --no-relations never runs the relation graph', async () => {
    const docs = (JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Array<{ tokens: string[]; entities: Array<{ type: string; start: number; end: number }> }>).slice(0, 40);
    const input = path.join(root, 'given.jsonl');
    await writeFile(input, docs.map((d, i) => JSON.stringify({ id: i, tokens: d.tokens, entities: d.entities })).join('\n') + '\n');
    const output = path.join(root, 'given-out.jsonl');
    await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', output, '--intra-op-threads', '1', '--entities', 'given'), stderr: sink() });
    const read = async (f: string) => (await readFile(f, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { entities: Array<{ type: string; start: number; end: number }>; relations: Array<{ type: string; head: number; tail: number; score: number }> });
    const records = await read(output);
    const runtime = await SpertOnnxRuntime.load(modelDir, { threads: 1 });
    try {
      const direct = await runtime.predict(docs.map((d) => ({ kind: 'tokens' as const, tokens: d.tokens, entities: d.entities })));
      records.forEach((r, i) => {
        expect(r.entities.map((e) => [e.type, e.start, e.end])).toEqual(docs[i].entities.map((e) => [e.type, e.start, e.end]));
        expect(r.relations.map((x) => [x.type, x.head, x.tail])).toEqual(direct[i].relations.map((x) => [x.type, x.head, x.tail]));
      });
      expect(records.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(10);
    } finally {
      await runtime.dispose();
    }
    // Without --entities the gold entities of the lines are ignored; with --no-relations no relation is scored.
    const plainOut = path.join(root, 'plain-out.jsonl');
    await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', plainOut, '--intra-op-threads', '1', '--no-relations'), stderr: sink() });
    const plain = await read(plainOut);
    expect(plain.every((r) => r.relations.length === 0)).toBe(true);
    expect(plain.map((r) => r.entities)).not.toEqual(records.map((r) => r.entities));
  });

  it('reads gzipped text from stdin: character offsets match the text; malformed JSONL lines are reported and counted, never fatal', async () => {
    const output = path.join(root, 'text.jsonl');
    const text = 'John Smith works for Acme Corp in Boston .\n\nMary lives in Paris .\n';
    await runPredict({ argv: argv('--model', modelDir, '--input', '-', '--format', 'text', '--output', output, '--intra-op-threads', '1'), stdin: Readable.from([gzipSync(Buffer.from(text))]), stderr: sink() });
    const recs = (await readFile(output, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; offsets: Array<[number, number]>; entities: Array<{ text: string; charStart: number; charEnd: number }> });
    expect(recs.map((r) => r.id)).toEqual([1, 3]);
    const lines = text.split('\n');
    recs.forEach((r) => r.entities.forEach((e) => expect(lines[r.id - 1]!.slice(e.charStart, e.charEnd)).toBe(e.text)));
    expect(recs[0]!.offsets[0]).toEqual([0, 4]);

    const bad = path.join(root, 'bad.jsonl');
    await writeFile(bad, ['{"id": "ok1", "tokens": ["Mary", "met", "Bob"]}', '{"id": "x", "tokens": "Mary"}', '{oops', '[1, 2]', '{"id": "ok2", "text": "Bob left ."}'].join('\n'));
    const out2 = path.join(root, 'bad-out.jsonl');
    const stderr = sink();
    const s = await runPredict({ argv: argv('--model', modelDir, '--input', bad, '--output', out2, '--intra-op-threads', '1'), stderr });
    expect(s).toMatchObject({ documents: 2, errors: 3 });
    expect((await readFile(out2, 'utf8')).trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['ok1', 'ok2']);
    const errors = (await readFile(`${out2}.errors.jsonl`, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors[0]!.reason).toBe(`${bad}:2.tokens: expected an array of words, got a string "Mary"`);
    expect(errors[2]!.reason).toBe(`${bad}:4[0]: expected a string, got number 1`);
    expect(stderr.text).toContain(`3 bad lines (see ${out2}.errors.jsonl)`);
  });

  it('--on-too-long error reports a document longer than the encoder as a bad line', async () => {
    const input = path.join(root, 'long.jsonl');
    const long = Array.from({ length: 600 }, (_v, i) => (i % 2 ? 'Smith' : 'John'));
    await writeFile(input, [JSON.stringify({ tokens: ['Mary', 'met', 'Bob'] }), JSON.stringify({ id: 'long', tokens: long })].join('\n') + '\n');
    const output = path.join(root, 'long-out.jsonl');
    const s = await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', output, '--intra-op-threads', '1', '--on-too-long', 'error'), stderr: sink() });
    expect(s).toMatchObject({ documents: 1, errors: 1 });
    const [err] = (await readFile(`${output}.errors.jsonl`, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; id: string; reason: string });
    expect(err).toMatchObject({ line: 2, id: 'long' });
    expect(err!.reason).toMatch(/^.*long\.jsonl:2: /);
  });
});
