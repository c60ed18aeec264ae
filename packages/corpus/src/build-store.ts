import { createHash } from 'node:crypto';
import type { SubwordTokenizer } from '@spert/tokenizer';
import { listCorpusFiles, nodeCorpusFileSystem } from './corpus-files';
import { packDocuments, type PackStats } from './pack';
import { readCorpus, type CorpusReport, type ReadCorpusOptions } from './read-corpus';
import { SequenceStore, SequenceStoreError, SequenceStoreWriter, type StoreSidecar } from './sequence-store';

/** The sha256 of a stream's bytes (hex). */
async function sha256(stream: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Buffer | string>) hash.update(chunk);
  return hash.digest('hex');
}

/** What identifies a tokenizer in a store's sidecar: its kind, size, special ids and the sha256 of its files. */
export interface TokenizerIdentity {
  kind: string;
  vocabSize: number;
  specialIds: SubwordTokenizer['specialIds'];
  /** sha256 over the tokenizer's files (name and content, by name). */
  sha256: string;
}

/** The identity of a tokenizer (two tokenizers with the same files encode alike). */
export function tokenizerIdentity(tokenizer: SubwordTokenizer): TokenizerIdentity {
  const hash = createHash('sha256');
  const files = tokenizer.files();
  for (const name of Object.keys(files).sort()) hash.update(`${name}\u0000${files[name]}\u0000`);
  return { kind: tokenizer.kind, vocabSize: tokenizer.vocabSize, specialIds: tokenizer.specialIds, sha256: hash.digest('hex') };
}

/** What a store's sidecar `meta` holds when openOrBuildSequenceStore built it. */
export interface SequenceStoreMeta {
  /** Everything the store's content depends on: equal identities, equal stores. */
  identity: {
    inputs: Array<{ format: string; sha256: string }>;
    tokenizer: TokenizerIdentity;
    maxLength: number;
    reader: Record<string, unknown>;
  };
  /** The input files as given, with size and sha256. */
  inputs: Array<{ path: string; format: string; bytes: number; sha256: string }>;
  counts: PackStats & { badLines: number; otherPart: number };
  /** Per file: lines, documents, bad lines with a few examples. */
  files: CorpusReport['files'];
  createdAt: string;
}

/** Options of {@link openOrBuildSequenceStore}. */
export interface OpenOrBuildSequenceStoreOptions {
  /** Directory of the store (sequences.bin + store.json). */
  dir: string;
  /** The corpus and how to read it (paths, text mode, JSONL field, split...). */
  corpus: ReadCorpusOptions;
  tokenizer: SubwordTokenizer;
  /** Longest sequence, special tokens included (default 128). */
  maxLength?: number;
  /** Build even when a matching store exists. */
  force?: boolean;
  /** Called after each document is packed while building (for a progress bar). */
  onProgress?: (progress: { documents: number; sequences: number; tokens: number }) => void;
  /** Stops a build between documents (the unfinished store is removed). */
  signal?: AbortSignal;
}

/** A store ready to read, and whether it was reused rather than built. */
export interface SequenceStoreResult {
  store: SequenceStore;
  reused: boolean;
  sidecar: StoreSidecar;
  meta: SequenceStoreMeta;
}

/**
 * Opens the sequence store in `dir` when its sidecar says it was built from the same input files
 * (sha256 of each, in order, and its format), the same tokenizer (its files' sha256), maxLength and
 * reader options (text mode, field, split...); otherwise reads, packs and writes it anew
 * (atomically: see SequenceStoreWriter). Input files are hashed first, which reads them once more;
 * a file changed while it is being packed is not noticed.
 */
export async function openOrBuildSequenceStore(options: OpenOrBuildSequenceStoreOptions): Promise<SequenceStoreResult> {
  const fs = options.corpus.fs ?? nodeCorpusFileSystem;
  const maxLength = options.maxLength ?? 128;
  const files = await listCorpusFiles({ paths: options.corpus.paths, format: options.corpus.format, fs });
  const inputs: SequenceStoreMeta['inputs'] = [];
  for (const f of files) {
    const [hash, st] = await Promise.all([sha256(fs.createReadStream(f.path)), fs.stat(f.path)]);
    inputs.push({ path: f.path, format: f.format, bytes: st.size, sha256: hash });
  }
  const c = options.corpus;
  const identity: SequenceStoreMeta['identity'] = {
    inputs: inputs.map((i) => ({ format: i.format, sha256: i.sha256 })),
    tokenizer: tokenizerIdentity(options.tokenizer),
    maxLength,
    reader: JSON.parse(
      JSON.stringify({
        textMode: c.textMode ?? 'line',
        textField: c.textField ?? 'text',
        split: c.split ?? null,
        maxLineBytes: c.maxLineBytes ?? null,
        splitWordsOptions: c.splitWordsOptions ? { ...c.splitWordsOptions, abbreviations: c.splitWordsOptions.abbreviations ? [...c.splitWordsOptions.abbreviations] : undefined } : null,
      }),
    ) as Record<string, unknown>,
  };
  if (!options.force) {
    const existing = await SequenceStore.open(options.dir).catch((err: unknown) => {
      if (err instanceof SequenceStoreError) return undefined;
      throw err;
    });
    if (existing) {
      const meta = existing.sidecar.meta as unknown as SequenceStoreMeta;
      if (JSON.stringify(meta?.identity) === JSON.stringify(identity)) return { store: existing, reused: true, sidecar: existing.sidecar, meta };
      existing.close();
    }
  }

  const corpus = readCorpus(c);
  const stats: PackStats = { documents: 0, sequences: 0, tokens: 0, pieces: 0, words: 0, splitWords: 0 };
  const writer = await SequenceStoreWriter.create({ dir: options.dir, maxLength });
  let sidecar: StoreSidecar;
  let meta: SequenceStoreMeta;
  try {
    let lastDocuments = -1;
    for await (const seq of packDocuments({ documents: corpus, tokenizer: options.tokenizer, maxLength, stats })) {
      await writer.append(seq);
      if (stats.documents !== lastDocuments) {
        lastDocuments = stats.documents;
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('packing aborted');
        options.onProgress?.({ documents: stats.documents, sequences: writer.sequences, tokens: stats.tokens });
      }
    }
    const report = corpus.report;
    meta = {
      identity,
      inputs,
      counts: { ...stats, badLines: report.badLines, otherPart: report.otherPart },
      files: report.files,
      createdAt: new Date().toISOString(),
    };
    sidecar = await writer.finish(meta as unknown as Record<string, unknown>);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  options.onProgress?.({ documents: stats.documents, sequences: sidecar.sequences, tokens: stats.tokens });
  return { store: await SequenceStore.open(options.dir), reused: false, sidecar, meta };
}
