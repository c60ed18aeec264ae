import { writeFile as fsWriteFile } from 'node:fs/promises';
import { TokenizerConfigError } from './errors';

/** Parses a WordPiece vocab.txt: one token per line, the line index is the id (a final newline is optional). */
export function parseVocab(text: string, source = 'vocab.txt'): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new TokenizerConfigError(`${source}: the vocabulary is empty`);
  // BertTokenizer's load_vocab strips the trailing newline only, so inner spaces are kept.
  return lines;
}

/** Formats a vocabulary as vocab.txt text (one token per line, trailing newline). */
export function formatVocab(vocab: readonly string[]): string {
  vocab.forEach((token, i) => {
    if (/[\r\n]/.test(token)) {
      throw new TokenizerConfigError(`vocabulary entry ${i} contains a line break: ${JSON.stringify(token)}`);
    }
  });
  return vocab.join('\n') + '\n';
}

/** Options of {@link writeVocab}. */
export interface WriteVocabOptions {
  /** Injectable file writer (default: node:fs/promises writeFile, UTF-8). */
  writeFile?: (path: string, data: string) => Promise<void>;
}

/** Writes a vocabulary as a WordPiece vocab.txt file. */
export async function writeVocab(path: string, vocab: readonly string[], options: WriteVocabOptions = {}): Promise<void> {
  const write = options.writeFile ?? ((p: string, d: string) => fsWriteFile(p, d, 'utf8'));
  await write(path, formatVocab(vocab));
}
