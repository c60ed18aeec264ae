import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { buildVocab, trainUnigram } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { countCorpusWords } from './count-words';
import { formatCorpusReport } from './format-report';
import type { CorpusFileSystem } from './corpus-files';
import { readCorpus, type CorpusDocument, type ReadCorpusOptions } from './read-corpus';
import { isValidationDocument } from './validation-split';

async function collect(options: ReadCorpusOptions): Promise<{ docs: CorpusDocument[]; corpus: ReturnType<typeof readCorpus> }> {
  const corpus = readCorpus(options);
  const docs: CorpusDocument[] = [];
  for await (const d of corpus) docs.push(d);
  return { docs, corpus };
}

describe('readCorpus', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-corpus-read-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads one document per line, skipping blank lines, and counts bad lines with file:line and why', async () => {
    const f = path.join(dir, 'lines.txt');
    await writeFile(
      f,
      Buffer.concat([
        Buffer.from('\ufeffThe cat sat.\r\n\n  \nDon\'t stop.\n'),
        Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0x0a]), // line 5: an invalid 2-byte sequence
        Buffer.from('\u200b\nlast line'), // line 6: only a zero-width space, no word
      ]),
    );
    const { docs, corpus } = await collect({ paths: [f] });
    expect(docs).toEqual([
      { words: ['The', 'cat', 'sat', '.'], source: f, line: 1 },
      { words: ['Do', "n't", 'stop', '.'], source: f, line: 4 },
      { words: ['last', 'line'], source: f, line: 7 },
    ]);
    const r = corpus.report;
    expect(r).toMatchObject({ documents: 3, words: 10, badLines: 2, complete: true });
    expect(r.files[0]).toMatchObject({ lines: 7, blankLines: 2, badLines: 2, format: 'text' });
    expect(r.files[0].examples).toEqual([
      { source: f, line: 5, reason: 'not valid UTF-8' },
      { source: f, line: 6, reason: 'no words after splitting' },
    ]);
    expect(formatCorpusReport(r)).toContain(`${f}:5: not valid UTF-8`);
  });

  it('reads JSONL (text field, configurable, or tokens), gzipped, and reports each kind of bad record', async () => {
    const lines = [
      '{"text": "Alice met Bob."}',
      '{"text": "broken',
      '{"body": "no text field"}',
      '{"text": 42}',
      '{"text": "   "}',
      '[1, 2]',
      '',
      '{"tokens": ["Already", "split", ""]}',
      '{"tokens": ["a", 3]}',
    ];
    const f = path.join(dir, 'records.jsonl.gz');
    await writeFile(f, gzipSync(Buffer.from(lines.join('\n'))));
    const examples: string[] = [];
    const { docs, corpus } = await collect({ paths: [f], maxExamples: 10, onBadLine: (b) => examples.push(`${b.line}`) });
    expect(docs).toEqual([
      { words: ['Alice', 'met', 'Bob', '.'], source: f, line: 1 },
      { words: ['Already', 'split'], source: f, line: 8 },
    ]);
    const reasons = corpus.report.files[0].examples.map((e) => `${e.line}: ${e.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^2: invalid JSON \(/),
      '3: no "text" field (nor a "tokens" array)',
      '4: "text" is number, not a string',
      '5: "text" has no words after splitting',
      '6: expected a JSON object, got an array',
      '9: tokens[1] is not a string',
    ]);
    expect(examples).toEqual(['2', '3', '4', '5', '6', '9']);
    expect(corpus.report.files[0]).toMatchObject({ format: 'jsonl', blankLines: 1, badLines: 6, documents: 2 });

    const body = path.join(dir, 'body.jsonl');
    await writeFile(body, '{"body": "Text here"}\n');
    expect((await collect({ paths: [body], textField: 'body' })).docs.map((d) => d.words)).toEqual([['Text', 'here']]);
  });

  it('reads blank-line-separated paragraphs as documents, starting at their first line', async () => {
    const f = path.join(dir, 'paragraphs.txt');
    await writeFile(f, 'First paragraph\nstill first.\n\n\nSecond one.\n   \nThird\n');
    const { docs } = await collect({ paths: [f], textMode: 'paragraph' });
    expect(docs).toEqual([
      { words: ['First', 'paragraph', 'still', 'first', '.'], source: f, line: 1 },
      { words: ['Second', 'one', '.'], source: f, line: 5 },
      { words: ['Third'], source: f, line: 7 },
    ]);
    // A paragraph longer than maxLineBytes is one bad line (at its first line) and memory stays bounded.
    const long = path.join(dir, 'long-paragraph.txt');
    await writeFile(long, `ok\n\n${'word '.repeat(10)}\n${'more '.repeat(10)}\n\nafter\n`);
    const { docs: d2, corpus } = await collect({ paths: [long], textMode: 'paragraph', maxLineBytes: 60 });
    expect(d2.map((d) => d.words)).toEqual([['ok'], ['after']]);
    expect(corpus.report.files[0].examples).toEqual([{ source: long, line: 3, reason: 'paragraph: longer than 60 characters (maxLineBytes)' }]);
    await expect(collect({ paths: [f], textMode: 'sentence' as 'line' })).rejects.toThrow(/textMode must be 'line' or 'paragraph'/);
  });

  it('reads a directory recursively in sorted order, only corpus files, and SpERT JSON datasets by their tokens', async () => {
    const root = path.join(dir, 'tree');
    await mkdir(path.join(root, 'b', 'inner'), { recursive: true });
    await writeFile(path.join(root, 'z.txt'), 'zeta\n');
    await writeFile(path.join(root, 'a.txt.gz'), gzipSync(Buffer.from('alpha\n')));
    await writeFile(path.join(root, 'README.md'), 'not corpus\n');
    await writeFile(path.join(root, 'b', 'inner', 'c.jsonl'), '{"text": "gamma"}\n');
    const dataset = [
      { tokens: ['Jane', 'works', 'for', 'IBM', '.'], entities: [], relations: [] },
      { tokens: 'not an array', entities: [], relations: [] },
      { tokens: [], entities: [], relations: [] },
      { tokens: ['Second', 'document'], entities: [{ type: 'X', start: 0, end: 1 }], relations: [] },
    ];
    await writeFile(path.join(root, 'b', 'data.json'), JSON.stringify(dataset));
    const { docs, corpus } = await collect({ paths: [root] });
    expect(docs.map((d) => [path.relative(root, d.source), d.line, d.words.join(' ')])).toEqual([
      ['a.txt.gz', 1, 'alpha'],
      ['b/data.json', 1, 'Jane works for IBM .'],
      ['b/data.json', 4, 'Second document'],
      ['b/inner/c.jsonl', 1, 'gamma'],
      ['z.txt', 1, 'zeta'],
    ]);
    expect(corpus.report.files.map((f) => f.format)).toEqual(['text', 'spert-json', 'jsonl', 'text']);
    expect(corpus.report.files[1].examples.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '2: document #2: no "tokens" array',
      '3: document #3: no tokens',
    ]);
    // The corpus can be read again, with the same result.
    expect((await collect({ paths: [root] })).docs).toEqual(docs);
  });

  it('fails loudly, naming the path, for a missing path, an empty directory or an unreadable file', async () => {
    await expect(collect({ paths: [path.join(dir, 'nope.txt')] })).rejects.toThrow(/corpus path .*nope\.txt: no such file or directory/);
    await mkdir(path.join(dir, 'empty'));
    await expect(collect({ paths: [path.join(dir, 'empty')] })).rejects.toThrow(/holds no corpus files/);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '[{"tokens": ');
    await expect(collect({ paths: [bad] })).rejects.toThrow(/bad\.json: cannot read the SpERT JSON dataset/);
    const gz = path.join(dir, 'cut.txt.gz');
    await writeFile(gz, gzipSync(Buffer.from('a line\n'.repeat(1000))).subarray(0, 30));
    await expect(collect({ paths: [gz] })).rejects.toThrow(/cut\.txt\.gz: cannot read line/);
  });

  it('streams: reading the first documents of a 1 GB corpus pulls only a few chunks of it (plain and gzip)', async () => {
    // An injected file system serving 1 GB of lines made on demand, counting what the reader pulled.
    const line = Buffer.from('a line of corpus text with some words in it\n');
    const chunk = Buffer.concat(Array.from({ length: Math.floor(65536 / line.length) }, () => line));
    const total = 1024 ** 3;
    let pulled = 0;
    const source = () =>
      Readable.from(
        (function* () {
          for (let sent = 0; sent < total; sent += chunk.length) {
            pulled += chunk.length;
            yield chunk;
          }
        })(),
      );
    const fs: CorpusFileSystem = {
      createReadStream: (f) => (f.endsWith('.gz') ? source().pipe(createGzip()) : source()),
      stat: async () => ({ isDirectory: () => false, isFile: () => true, size: total }),
      readdir: async () => [],
    };
    for (const file of ['big.txt', 'big.txt.gz']) {
      pulled = 0;
      let docs = 0;
      for await (const d of readCorpus({ paths: [file], fs })) {
        expect(d.words).toHaveLength(10);
        if (++docs === 5000) break;
      }
      // 5,000 lines are 220 KB; the stream's buffers add a few 64 KB chunks, far from 1 GB.
      expect({ file, tooMuch: pulled >= 8 * 1024 * 1024 }).toEqual({ file, tooMuch: false });
    }
  });

  it('holds out a deterministic, seeded validation part of about the requested size, by document content', async () => {
    const f = path.join(dir, 'many.txt');
    const n = 3000;
    await writeFile(f, Array.from({ length: n }, (_, i) => `document number ${i} here`).join('\n'));
    const split = (part: 'train' | 'validation', seed = 3) => collect({ paths: [f], split: { validationFraction: 0.1, seed, part } });
    const train = await split('train');
    const validation = await split('validation');
    expect(train.docs.length + validation.docs.length).toBe(n);
    expect(validation.docs.length).toBeGreaterThan(n * 0.1 - 3 * Math.sqrt(n * 0.1 * 0.9));
    expect(validation.docs.length).toBeLessThan(n * 0.1 + 3 * Math.sqrt(n * 0.1 * 0.9));
    const trainLines = new Set(train.docs.map((d) => d.line));
    expect(validation.docs.some((d) => trainLines.has(d.line))).toBe(false);
    expect(validation.corpus.report.otherPart).toBe(train.docs.length);
    expect((await split('validation')).docs).toEqual(validation.docs);
    const other = await split('validation', 4);
    expect(other.docs.map((d) => d.line)).not.toEqual(validation.docs.map((d) => d.line));
    // By content: the same words are on the same side wherever they come from.
    for (const d of validation.docs.slice(0, 20)) expect(isValidationDocument({ words: d.words }, { validationFraction: 0.1, seed: 3 })).toBe(true);
    expect(isValidationDocument({ words: ['x'] }, { validationFraction: 0, seed: 3 })).toBe(false);
    expect(() => isValidationDocument({ words: ['x'] }, { validationFraction: 1, seed: 3 })).toThrow(/validationFraction must be a number in \[0, 1\)/);
    expect(() => readCorpus({ paths: [f], split: { validationFraction: 0.1, seed: 3, part: 'test' as 'train' } })).toThrow(/split.part must be 'train' or 'validation', got "test"/);
    expect(() => readCorpus({ paths: [f], split: { validationFraction: -0.1, seed: 3, part: 'train' } })).toThrow(/validationFraction must be a number in \[0, 1\), got -0.1/);
  });
});

describe('countCorpusWords', () => {
  it('counts a corpus as it streams; the trainers give the same vocabulary from the counts as from the word list', async () => {
    const file = sharedPath('datasets/conll04/conll04_train.json');
    const corpus = readCorpus({ paths: [file] });
    const counts = await countCorpusWords(corpus);
    const words: string[] = [];
    for await (const d of corpus) words.push(...d.words);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(words.length);
    expect(buildVocab({ wordCounts: counts, maxSize: 3000 })).toEqual(buildVocab({ words, maxSize: 3000 }));
    const few = words.slice(0, 3000);
    const fewCounts = await countCorpusWords([{ words: few }]);
    expect(JSON.stringify(trainUnigram({ wordCounts: fewCounts, vocabSize: 400 }))).toBe(JSON.stringify(trainUnigram({ words: few, vocabSize: 400 })));
  });

  it('stops with a clear message beyond maxDistinctWords', async () => {
    await expect(countCorpusWords([{ words: ['a', 'b', 'a'] }, { words: ['c'] }], { maxDistinctWords: 2 })).rejects.toThrow(
      /more than 2 distinct words \(maxDistinctWords\), reached after 1 documents/,
    );
  });
});
