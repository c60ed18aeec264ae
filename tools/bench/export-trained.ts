// Shared by the batch and load benchmarks: the CoNLL04-trained reference fixture
// (spert-scratch-conll04, trained from scratch on CoNLL04) exported to ONNX, and CoNLL04 test.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readTypes } from '@spert/core';
import { exportSpertOnnx } from '@spert/onnx';
import { sharedPath } from '../testing/shared';

/** Exports spert-scratch-conll04 to `<root>/onnx`; returns the directory. */
export async function exportTrainedModel(root: string): Promise<string> {
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const outDir = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir: sharedPath('fixtures', 'spert-scratch-conll04'), outDir, types });
  return outDir;
}

/** The words of the CoNLL04 test documents. */
export async function conllTestTokens(): Promise<string[][]> {
  return (JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Array<{ tokens: string[] }>).map((d) => d.tokens);
}

/** Parses `--name value` from process.argv. */
export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
