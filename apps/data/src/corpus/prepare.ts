import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic, SpertError } from '@spert/core';
import { splitWords } from '@spert/tokenizer';
import { CORPUS_SOURCE_INFO, type CorpusInput, type CorpusSourceName, type SourcePackage } from './sources';

/** Options of {@link prepareCorpus}. */
export interface PrepareCorpusOptions {
  /** Sources to read, in this order (their documents are written in it). */
  sources?: readonly CorpusSourceName[];
  /** Corpus files (one document a line) to append after the sources, e.g. corpora prepared before. */
  combine?: readonly string[];
  /** Where a source's files are, instead of its installed package (source name -> path). */
  from?: Partial<Record<CorpusSourceName, string>>;
  /** The corpus file to write; its manifest goes to `<out>.manifest.json`. */
  out: string;
  /** Documents with fewer words are left out (default 3: "See boot." is no text to learn from). */
  minWords?: number;
  /** Where npm packages are resolved from (default: the working directory). */
  cwd?: string;
  log?: (s: string) => void;
}

/** What one source (or combined file) contributed to a corpus, as its manifest records it. */
export interface CorpusPart {
  source: CorpusSourceName | 'file';
  package?: SourcePackage;
  licence?: string;
  inputs: CorpusInput[];
  /** The manifest of a combined file, when one lay beside it. */
  manifest?: unknown;
  lines: number;
  words: number;
  duplicates: number;
  short: number;
}

/** The manifest written beside a corpus. */
export interface CorpusManifest {
  corpus: string;
  sha256: string;
  bytes: number;
  lines: number;
  words: number;
  wordSplitter: string;
  minWords: number;
  parts: CorpusPart[];
}

/** The manifest path of a corpus file. */
export function manifestPath(corpus: string): string {
  return `${corpus}.manifest.json`;
}

/**
 * splitWords(doc).length, in pieces: splitWords takes superlinear time on long strings (a
 * 67,000-character State of the Union address: 0.8 s; twice that: about 4x), and whitespace
 * always separates its words (pieces are merged only when they touch), so counting the parts
 * between spaces gives the same number.
 */
export function countWords(doc: string, chunk = 2000): number {
  let n = 0;
  let from = 0;
  while (from < doc.length) {
    let to = Math.min(doc.length, from + chunk);
    if (to < doc.length) {
      const space = doc.indexOf(' ', to);
      to = space < 0 ? doc.length : space;
    }
    n += splitWords(doc.slice(from, to)).length;
    from = to;
  }
  return n;
}

/** One document as one line: NFC, control characters and line breaks made spaces, whitespace collapsed. */
export function normalizeDocument(doc: string): string {
  return doc
    .normalize('NFC')
    .replace(/[\p{Cc}\u2028\u2029\uFEFF]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * `spert-data prepare-corpus`: reads the installed dictionary/text packages (never installs them),
 * writes a plain-text corpus (UTF-8, one document a line, exact duplicates dropped, in source
 * order) atomically, and a manifest beside it with each source's package, version, licence and
 * input sha256s, and the corpus's sha256, lines and words (@spert/tokenizer's splitWords). The
 * same inputs give the same bytes. Resolves to the manifest.
 */
export async function prepareCorpus(o: PrepareCorpusOptions): Promise<CorpusManifest> {
  const log = o.log ?? (() => undefined);
  const minWords = o.minWords ?? 3;
  const sources = o.sources ?? [];
  if (!sources.length && !o.combine?.length) throw new SpertError('INVALID_OPTION', 'prepare-corpus: name at least one --source or --combine file');
  for (const name of Object.keys(o.from ?? {})) {
    if (!sources.includes(name as CorpusSourceName)) throw new SpertError('INVALID_OPTION', `prepare-corpus: --from ${name}=... names a source that is not in --source (${sources.join(', ') || 'none'})`);
  }
  const out = path.resolve(o.out);
  const seen = new Set<string>();
  const lines: string[] = [];
  const parts: CorpusPart[] = [];
  let totalWords = 0;

  const add = (docs: Iterable<string>, part: CorpusPart) => {
    for (const raw of docs) {
      const doc = normalizeDocument(raw);
      if (!doc) continue;
      const words = countWords(doc);
      if (words < minWords) {
        part.short++;
        continue;
      }
      const key = createHash('sha1').update(doc).digest('hex');
      if (seen.has(key)) {
        part.duplicates++;
        continue;
      }
      seen.add(key);
      lines.push(doc);
      part.lines++;
      part.words += words;
    }
    totalWords += part.words;
    parts.push(part);
  };

  for (const name of sources) {
    const info = CORPUS_SOURCE_INFO[name];
    log(`${name}: reading ${o.from?.[name] ?? info.location}`);
    const read = await info.read({ from: o.from?.[name], cwd: o.cwd ?? process.cwd() });
    const part: CorpusPart = { source: name, package: read.package, licence: read.licence, inputs: read.inputs, lines: 0, words: 0, duplicates: 0, short: 0 };
    add(read.documents, part);
    log(`${name}: ${part.lines} documents, ${part.words} words (${part.duplicates} duplicates and ${part.short} with fewer than ${minWords} words left out)`);
  }
  for (const file of o.combine ?? []) {
    if (path.resolve(file) === out) throw new SpertError('INVALID_OPTION', `prepare-corpus: --combine ${file} is the --out file itself`);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new SpertError('FILE_NOT_FOUND', `prepare-corpus: cannot read --combine file ${file}: ${(err as Error).message}`, { file }, { cause: err });
    }
    const manifest = await readFile(manifestPath(file), 'utf8').then(
      (t) => JSON.parse(t) as unknown,
      () => undefined,
    );
    const part: CorpusPart = {
      source: 'file',
      inputs: [{ path: path.resolve(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
      ...(manifest !== undefined ? { manifest } : {}),
      lines: 0,
      words: 0,
      duplicates: 0,
      short: 0,
    };
    add(bytes.toString('utf8').split('\n'), part);
    log(`${file}: ${part.lines} documents, ${part.words} words (${part.duplicates} duplicates and ${part.short} short left out)`);
  }
  if (!lines.length) throw new SpertError('INVALID_CORPUS', 'prepare-corpus: no documents: the sources gave no text');
  const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  await writeFileAtomic({ path: out, data });
  const manifest: CorpusManifest = {
    corpus: path.basename(out),
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
    lines: lines.length,
    words: totalWords,
    wordSplitter: '@spert/tokenizer splitWords',
    minWords,
    parts,
  };
  await writeFileAtomic({ path: manifestPath(out), data: `${JSON.stringify(manifest, null, 2)}\n` });
  return manifest;
}
