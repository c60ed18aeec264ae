import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { WordPredictor } from '../test/word-predictor';
import { inProcessExecutor } from './in-process-executor';
import { predictChunk, type ChunkResult, type ChunkTask } from './predict-chunk';
import { runBatch, type BatchProgress, type ChunkExecutor } from './run-batch';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spert-batch-run-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const corpus = (n: number) =>
  Array.from({ length: n }, (_v, i) => {
    if (i % 17 === 5) return '{"text": 42}';
    if (i % 23 === 7) return '';
    if (i % 29 === 3) return '{"broken';
    return i % 2 === 0 ? JSON.stringify({ id: `d${i}`, text: `Ann ${i} met Bob at Acme` }) : JSON.stringify({ tokens: ['Cy', 'joined', 'Globex', String(i)] });
  }).join('\n') + '\n';

/** Runs chunks `concurrency` at a time with random delays, so they finish out of order. */
function shuffledExecutor(concurrency: number, seed = 1): ChunkExecutor & { maxOutstanding: number; ran: number[] } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const predictor = new WordPredictor();
  let outstanding = 0;
  const ex = {
    concurrency,
    maxOutstanding: 0,
    ran: [] as number[],
    run: async (task: ChunkTask): Promise<ChunkResult> => {
      outstanding += 1;
      ex.maxOutstanding = Math.max(ex.maxOutstanding, outstanding);
      ex.ran.push(task.index);
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 8)));
      // Structured clone, as a worker thread would receive and return it.
      const out = await predictChunk(predictor, structuredClone(task));
      outstanding -= 1;
      return structuredClone(out);
    },
  };
  return ex;
}

async function sequentialReference(input: string, chunkSize: number): Promise<{ out: string; errors: string }> {
  const output = path.join(dir, `ref-${chunkSize}.jsonl`);
  await runBatch({ input, output, chunkSize, executor: inProcessExecutor(new WordPredictor()) });
  return { out: await readFile(output, 'utf8'), errors: await readFile(`${output}.errors.jsonl`, 'utf8') };
}

describe('runBatch', () => {
  it('writes one record per valid line in input order with ids, words, offsets, entities and relations; bad lines go to the errors file', async () => {
    const input = path.join(dir, 'in.jsonl');
    await writeFile(input, ['{"id": "a", "text": "Ann met Bob"}', '{"text": 5}', '', '{"tokens": ["Acme", "hired", "Cy"]}', 'not json'].join('\n'));
    const output = path.join(dir, 'out.jsonl');
    const summary = await runBatch({ input, output, chunkSize: 2, executor: inProcessExecutor(new WordPredictor()) });
    const lines = (await readFile(output, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        id: 'a',
        tokens: ['Ann', 'met', 'Bob'],
        offsets: [[0, 3], [4, 7], [8, 11]],
        entities: [
          { type: 'Peop', start: 0, end: 1, text: 'Ann', charStart: 0, charEnd: 3, score: 0.5 },
          { type: 'Peop', start: 2, end: 3, text: 'Bob', charStart: 8, charEnd: 11, score: 0.52 },
        ],
        relations: [{ type: 'Rel', head: 0, tail: 1, score: 0.25 }],
      },
      {
        id: 4,
        tokens: ['Acme', 'hired', 'Cy'],
        entities: [
          { type: 'Org', start: 0, end: 1, text: 'Acme', score: 0.5 },
          { type: 'Peop', start: 2, end: 3, text: 'Cy', score: 0.52 },
        ],
        relations: [{ type: 'Rel', head: 0, tail: 1, score: 0.25 }],
      },
    ]);
    const errors = (await readFile(`${output}.errors.jsonl`, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(errors).toEqual([
      { line: 2, reason: `${input}:2.text: expected a string, got number 5` },
      { line: 5, reason: expect.stringMatching(new RegExp(`^${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: invalid JSON`)) },
    ]);
    expect(summary).toMatchObject({ documents: 2, errors: 2, chunks: 3, resumedChunks: 0, resumedDocuments: 0 });
    // The parts directory is gone once the output is complete.
    expect((await readdir(dir)).sort()).toEqual(['in.jsonl', 'out.jsonl', 'out.jsonl.errors.jsonl']);
  });

  it('gives byte-identical output whatever the concurrency and the order chunks finish in, holding at most 2x concurrency chunks', async () => {
    const input = path.join(dir, 'in.jsonl');
    await writeFile(input, corpus(500));
    const ref = await sequentialReference(input, 16);
    for (const concurrency of [2, 5]) {
      const ex = shuffledExecutor(concurrency, concurrency);
      const output = path.join(dir, `c${concurrency}.jsonl`);
      const progress: BatchProgress[] = [];
      const s = await runBatch({ input, output, chunkSize: 16, executor: ex, onProgress: (p) => progress.push(p) });
      expect(await readFile(output, 'utf8')).toBe(ref.out);
      expect(await readFile(`${output}.errors.jsonl`, 'utf8')).toBe(ref.errors);
      expect(ex.maxOutstanding).toBeLessThanOrEqual(2 * concurrency);
      expect(ex.maxOutstanding).toBeGreaterThan(1);
      expect(s.chunks).toBe(Math.ceil(500 / 16));
      expect(progress.at(-1)).toMatchObject({ documents: s.documents, errors: s.errors, bytesRead: (await readFile(input)).length, bytesDone: expect.any(Number), totalBytes: (await readFile(input)).length });
    }
    // Every non-blank line exactly once, in the output or the errors.
    const nonBlank = corpus(500).split('\n').filter((l) => l.trim().length > 0).length;
    expect(ref.out.split('\n').length - 1 + ref.errors.split('\n').length - 1).toBe(nonBlank);
  });

  it('resumes after a failure mid-run: only missing chunks are predicted and the output equals an uninterrupted run', async () => {
    const input = path.join(dir, 'in.jsonl.gz');
    await writeFile(input, gzipSync(Buffer.from(corpus(300))));
    const ref = await sequentialReference(input, 10);
    const output = path.join(dir, 'out.jsonl');
    // First run dies at chunk 17 (as if killed): the finished chunks stay on disk.
    const dying = shuffledExecutor(3);
    const run = dying.run;
    dying.run = (t) => (t.index === 17 ? Promise.reject(new Error('killed')) : run(t));
    await expect(runBatch({ input, output, chunkSize: 10, executor: dying })).rejects.toThrow('killed');
    const parts = (await readdir(`${output}.parts`)).filter((f) => /^\d+\.jsonl$/.test(f));
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.length).toBeLessThan(30);
    await expect(readFile(output)).rejects.toThrow('ENOENT');
    // Second run: same command.
    const again = shuffledExecutor(3);
    const s = await runBatch({ input, output, chunkSize: 10, executor: again });
    expect(await readFile(output, 'utf8')).toBe(ref.out);
    expect(await readFile(`${output}.errors.jsonl`, 'utf8')).toBe(ref.errors);
    expect(again.ran.length).toBe(30 - parts.length);
    expect(again.ran.some((i) => parts.includes(`${String(i).padStart(8, '0')}.jsonl`))).toBe(false);
    expect(s.resumedChunks).toBe(parts.length);
    const refDocs = ref.out.split('\n').length - 1;
    expect(s.documents).toBe(refDocs);
    expect(s.resumedDocuments).toBeGreaterThan(0);
  });

  it('refuses to resume parts of a different run, naming what changed', async () => {
    const input = path.join(dir, 'in.jsonl');
    await writeFile(input, corpus(40));
    const output = path.join(dir, 'out.jsonl');
    const dying: ChunkExecutor = { concurrency: 1, run: (t) => (t.index === 2 ? Promise.reject(new Error('killed')) : predictChunk(new WordPredictor(), t)) };
    await expect(runBatch({ input, output, chunkSize: 10, executor: dying, settings: { model: 'm1' } })).rejects.toThrow('killed');
    await expect(runBatch({ input, output, chunkSize: 8, executor: inProcessExecutor(new WordPredictor()), settings: { model: 'm1' } })).rejects.toThrow(
      `${output}.parts holds chunks of a different run (chunkSize 10 then, 8 now): rerun with the same input and options, or delete ${output}.parts to start over`,
    );
    await expect(runBatch({ input, output, chunkSize: 10, executor: inProcessExecutor(new WordPredictor()), settings: { model: 'm2' } })).rejects.toThrow('model "m1" then, "m2" now');
  });

  it('reports documents the model refuses by line and keeps the rest of their chunk; a model failing every document fails the job', async () => {
    const input = path.join(dir, 'in.txt');
    await writeFile(input, 'Ann met Bob\nthis one is TOOLONG\nCy left\n');
    const output = path.join(dir, 'out.jsonl');
    const s = await runBatch({ input, output, executor: inProcessExecutor(new WordPredictor()) });
    expect((await readFile(output, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([1, 3]);
    expect(JSON.parse(await readFile(`${output}.errors.jsonl`, 'utf8'))).toEqual({ line: 2, id: 2, reason: `${input}:2: document too long for the encoder` });
    expect(s).toMatchObject({ documents: 2, errors: 1 });
    const crash = path.join(dir, 'crash.txt');
    await writeFile(crash, 'CRASH now\n');
    await expect(runBatch({ input: crash, output: path.join(dir, 'c.jsonl'), executor: inProcessExecutor(new WordPredictor()) })).rejects.toThrow('the model crashed');
  });

  it('names a missing input file, and refuses a directory', async () => {
    const missing = path.join(dir, 'missing.jsonl');
    await expect(runBatch({ input: missing, output: path.join(dir, 'o.jsonl'), executor: inProcessExecutor(new WordPredictor()) })).rejects.toThrow(`${missing}: cannot read the input (no such file)`);
    await expect(runBatch({ input: dir, output: path.join(dir, 'o.jsonl'), executor: inProcessExecutor(new WordPredictor()) })).rejects.toThrow(`${dir}: the input must be a file (or - for stdin)`);
  });

  it('reads plain text from stdin and writes an empty output for an empty input', async () => {
    const output = path.join(dir, 'out.jsonl');
    await runBatch({ input: '-', format: 'text', output, stdin: Readable.from([Buffer.from('Ann met Bob\n\nCy\n')]), executor: inProcessExecutor(new WordPredictor()) });
    expect((await readFile(output, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: number; tokens: string[] }).tokens)).toEqual([['Ann', 'met', 'Bob'], ['Cy']]);
    const empty = path.join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const s = await runBatch({ input: empty, output: path.join(dir, 'e.jsonl'), executor: inProcessExecutor(new WordPredictor()) });
    expect(await readFile(path.join(dir, 'e.jsonl'), 'utf8')).toBe('');
    expect(s).toMatchObject({ documents: 0, chunks: 0 });
  });
});
