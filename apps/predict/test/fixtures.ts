// Test data of spert-predict: the CoNLL04-trained reference fixture exported to ONNX, and the
// CoNLL04 test set as JSONL. Both come from ../shared; sharedPath fails loudly when it is missing.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readTypes } from '@spert/core';
import { exportSpertOnnx, writeRandomSpertModel } from '@spert/onnx';
import { sharedPath } from '../../../tools/testing/shared';

/** Exports spert-scratch-conll04 (a SpERT model trained on CoNLL04) to `<root>/onnx` and returns that directory. */
export async function exportTrainedModel(root: string): Promise<string> {
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const outDir = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir: sharedPath('fixtures', 'spert-scratch-conll04'), outDir, types });
  return outDir;
}

/** The CoNLL04 test documents' words. */
export async function conllTestTokens(): Promise<string[][]> {
  const docs = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Array<{ tokens: string[] }>;
  return docs.map((d) => d.tokens);
}

/** Writes the CoNLL04 test set `times` times over as `{"id", "tokens"}` JSONL; returns the file. */
export async function writeConllJsonl(file: string, times = 1): Promise<string> {
  const tokens = await conllTestTokens();
  const lines: string[] = [];
  for (let t = 0; t < times; t++) tokens.forEach((tk, i) => lines.push(JSON.stringify({ id: `${t}-${i}`, tokens: tk })));
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

const TINY_WORDS = ['John', 'Smith', 'works', 'for', 'Acme', 'Corp', 'in', 'Berlin', '.', ',', 'Mary', 'met', 'Bob', 'Paris', 'the'];

/**
 * Writes a seeded random SpERT model (hidden 16, 2 layers; no ../shared needed) and exports it to
 * `<root>/tiny-onnx`: fast enough for tests whose subject is the plumbing, not the predictions.
 */
export async function exportTinyModel(root: string): Promise<string> {
  const modelDir = path.join(root, 'tiny-model');
  const outDir = path.join(root, 'tiny-onnx');
  const types = {
    entities: { Peop: { short: 'Peop', verbose: 'People' }, Org: { short: 'Org', verbose: 'Organization' }, Loc: { short: 'Loc', verbose: 'Location' } },
    relations: { Work_For: { short: 'Work', verbose: 'Work for', symmetric: false } },
  };
  await writeRandomSpertModel({ dir: modelDir, words: TINY_WORDS, pieces: ['##s'], types, vocabSize: 32, seed: 11, noneShift: -1.5 });
  await exportSpertOnnx({ modelDir, outDir });
  return outDir;
}

/** Writes `count` documents of the tiny model's words as `{"id", "tokens"}` JSONL (deterministic); returns the file. */
export async function writeTinyCorpus(file: string, count: number): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 4 + (i % 9);
    const tokens = Array.from({ length: n }, (_, k) => TINY_WORDS[(i * 7 + k * 3) % TINY_WORDS.length] as string);
    lines.push(JSON.stringify({ id: `d${i}`, tokens }));
  }
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}
