// The work behind `build-vocab`: words of SpERT dataset files -> vocab.txt. Kept apart from the
// command-line parsing so that tests can run it with an in-memory file system.
import { readFile as fsReadFile, writeFile as fsWriteFile } from 'node:fs/promises';
import { buildVocab, writeVocab } from '@spert/tokenizer';

/** Yields every token of every document of a parsed SpERT dataset, with errors naming file, document and field. */
export function* datasetWords(json: unknown, source: string): Generator<string> {
  if (!Array.isArray(json)) throw new Error(`${source}: the root must be an array of documents`);
  for (let d = 0; d < json.length; d++) {
    const doc = json[d] as { tokens?: unknown } | null;
    const tokens = doc && typeof doc === 'object' ? doc.tokens : undefined;
    if (!Array.isArray(tokens)) throw new Error(`${source}: document ${d}: field "tokens" must be an array of strings`);
    for (let t = 0; t < tokens.length; t++) {
      if (typeof tokens[t] !== 'string') throw new Error(`${source}: document ${d}: tokens[${t}] must be a string, got ${typeof tokens[t]}`);
      yield tokens[t] as string;
    }
  }
}

/** Parameters of {@link runBuildVocab}. */
export interface RunBuildVocabParams {
  /** SpERT dataset JSON files (arrays of documents with `tokens`). */
  files: string[];
  /** Where to write vocab.txt. */
  out: string;
  maxSize?: number;
  minFrequency?: number;
  lowercase?: boolean;
  specialTokens?: string[];
  readFile?: (path: string) => Promise<string>;
  writeFile?: (path: string, data: string) => Promise<void>;
}

/** Reads the datasets, builds the vocabulary and writes it; returns counts for the summary line. */
export async function runBuildVocab(params: RunBuildVocabParams): Promise<{ size: number; words: number; documents: number }> {
  if (params.files.length === 0) throw new Error('no dataset files given');
  const read = params.readFile ?? ((p: string) => fsReadFile(p, 'utf8'));
  const words: string[] = [];
  let documents = 0;
  for (const file of params.files) {
    let json: unknown;
    try {
      json = JSON.parse(await read(file));
    } catch (e) {
      throw new Error(`${file}: cannot read the dataset (${(e as Error).message})`);
    }
    for (const w of datasetWords(json, file)) words.push(w);
    documents += (json as unknown[]).length;
  }
  const vocab = buildVocab({
    words,
    maxSize: params.maxSize,
    minFrequency: params.minFrequency,
    lowercase: params.lowercase,
    specialTokens: params.specialTokens,
  });
  await writeVocab(params.out, vocab, { writeFile: params.writeFile ?? ((p, d) => fsWriteFile(p, d, 'utf8')) });
  return { size: vocab.length, words: words.length, documents };
}
