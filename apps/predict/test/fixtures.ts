// Test data of spert-predict: the CoNLL04-trained reference fixture exported to ONNX, and the
// CoNLL04 test set as JSONL. Both come from ../shared; sharedPath fails loudly when it is missing.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readTypes } from '@spert/core';
import { exportSpertOnnx } from '@spert/onnx';
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
