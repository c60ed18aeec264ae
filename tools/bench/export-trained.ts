// Shared by the batch and load benchmarks: a CoNLL04-trained model exported to ONNX (by default
// the reference fixture spert-scratch-conll04, trained from scratch on CoNLL04; `--model-dir`
// names another, e.g. the quickstart's runs/quickstart/model), and CoNLL04 test.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readTypes } from '@spert/core';
import { exportSpertOnnx } from '@spert/onnx';
import { sharedPath } from '../testing/shared';

/** Exports `modelDir` (default spert-scratch-conll04; CoNLL04's types for a reference directory) to `<root>/onnx`; returns the directory. */
export async function exportTrainedModel(root: string, modelDir = sharedPath('fixtures', 'spert-scratch-conll04')): Promise<string> {
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const outDir = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir, outDir, types });
  return outDir;
}

/** The model a benchmark runs: `--model ONNX_DIR` as it is, else `--model-dir DIR` (or the fixture) exported under `root`. */
export async function benchModel(root: string): Promise<{ dir: string; label: string }> {
  const onnx = arg('model');
  if (onnx) return { dir: onnx, label: onnx };
  const modelDir = arg('model-dir');
  return { dir: await exportTrainedModel(root, modelDir), label: modelDir ? `${modelDir} exported to ONNX` : 'spert-scratch-conll04 exported to ONNX' };
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
