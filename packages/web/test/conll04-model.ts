// Test helper: a seeded random SpERT model whose vocabulary holds every word of CoNLL04's test
// set, exported to ONNX (float32 or int8), so the browser and Node runtimes see real text.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readDataset, readTypes, type TypesFileJson } from '@spert/core';
import { writeSafetensors } from '@spert/checkpoint';
import { exportSpertOnnx, writeRandomSpertModel } from '@spert/onnx';
import { sharedPath } from '../../../tools/testing/shared';

/** CoNLL04's test documents as word lists (fails loudly, with how to get them, when ../shared lacks them). */
export async function conll04TestTokens(): Promise<string[][]> {
  const dir = sharedPath('datasets', 'conll04');
  const types = await readTypes({ path: path.join(dir, 'conll04_types.json') });
  return (await readDataset({ path: path.join(dir, 'conll04_test.json'), types })).documents.map((d) => d.tokens);
}

/** Encoder shape of the random model (default: tiny, for tests; the quickstart's is hidden 128, 2 layers, 2 heads, 512). */
export interface ModelShape {
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
}

/** Writes the random model under `root` and exports it to `root/onnx` (and `root/onnx-int8`); returns the export folders. */
export async function exportConll04RandomModel(root: string, docs: string[][], shape: ModelShape = { hiddenSize: 32, layers: 2, heads: 2, intermediateSize: 64 }): Promise<{ float: string; int8: string }> {
  const types = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_types.json'), 'utf8')) as TypesFileJson;
  const words = [...new Set(docs.flat())].sort();
  const modelDir = path.join(root, 'model');
  const weights = await writeRandomSpertModel({ dir: modelDir, words, types, ...shape, maxPositions: 256, seed: 11, noneShift: 1.5 });
  // A random relation classifier calls nearly every pair related (300k relations on the test
  // set); lowering its bias leaves a few hundred, like a trained model's output.
  const bias = weights.get('rel_classifier.bias');
  if (!bias) throw new Error('random SpERT weights without rel_classifier.bias');
  for (let i = 0; i < bias.data.length; i++) bias.data[i] -= 10;
  await writeFile(path.join(modelDir, 'model.safetensors'), writeSafetensors(weights));
  const float = path.join(root, 'onnx');
  const int8 = path.join(root, 'onnx-int8');
  await exportSpertOnnx({ modelDir, outDir: float });
  await exportSpertOnnx({ modelDir, outDir: int8, quantization: 'int8' });
  return { float, int8 };
}
