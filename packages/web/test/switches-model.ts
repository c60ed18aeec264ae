// Test helper: the random CoNLL04 model of conll04-model.ts with every relation switch of issue 23
// on (entity-type embedding into the relation head, type constraints, per-type thresholds),
// exported to ONNX, so the browser build is proven on the graphs and config those switches make.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createRng, type TypesFileJson } from '@spert/core';
import { writeSafetensors } from '@spert/checkpoint';
import { exportSpertOnnx, writeRandomSpertModel } from '@spert/onnx';
import { sharedPath } from '../../../tools/testing/shared';

/** Width of the entity-type embedding the relation classifier reads (spert.type_embedding_size). */
export const TYPE_EMBEDDING_SIZE = 8;

/**
 * The (head type, relation, tail type) triples the model may emit. The random model predicts
 * mostly Loc; without the table it emits about 60,000 Loc-Kill-Loc pairs on CoNLL04 test, which
 * the table leaves out, and some hundreds of each triple listed here.
 */
export const ALLOWED_TRIPLES: Array<[string, string, string]> = [
  ['Loc', 'Located_In', 'Loc'],
  ['Loc', 'Live_In', 'Loc'],
  ['Other', 'Kill', 'Loc'],
  ['Loc', 'Kill', 'Other'],
];

/** Per-type thresholds over the global one (spert.rel_thresholds), as --tune-thresholds stores them. */
export const REL_THRESHOLDS: Record<string, number> = { Kill: 0.3, Live_In: 0.5 };

/** Seeded uniform values in [-scale, scale). */
function uniform(n: number, seed: number, scale: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

/**
 * Writes the switched model under `root/model` (a random BERT of `hiddenSize` 32 whose relation
 * classifier reads both entity types) and exports it to `root/onnx`; `constraints: false` writes
 * the same weights without the triple table (to show the constraints are not idle). Returns the
 * export folder.
 */
export async function exportSwitchedConll04Model(root: string, docs: string[][], o: { constraints?: boolean } = {}): Promise<string> {
  const types = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_types.json'), 'utf8')) as TypesFileJson;
  const words = [...new Set(docs.flat())].sort();
  const modelDir = path.join(root, 'model');
  const hiddenSize = 32;
  const weights = await writeRandomSpertModel({ dir: modelDir, words, types, hiddenSize, layers: 2, heads: 2, intermediateSize: 64, maxPositions: 256, seed: 11, noneShift: 1.5 });
  const sizeEmbedding = weights.get('size_embeddings.weight')?.shape[1];
  const relationTypes = Object.keys(types.relations).length;
  if (sizeEmbedding === undefined) throw new Error('random SpERT weights without size_embeddings.weight');
  // Entity classes (none included) x width, and a classifier grown by the head's and the tail's type rows.
  const entityClasses = Object.keys(types.entities).length + 1;
  weights.set('rel_type_embeddings.weight', { shape: [entityClasses, TYPE_EMBEDDING_SIZE], data: uniform(entityClasses * TYPE_EMBEDDING_SIZE, 5, 2) });
  const inputs = 3 * hiddenSize + 2 * sizeEmbedding + 2 * TYPE_EMBEDDING_SIZE;
  weights.set('rel_classifier.weight', { shape: [relationTypes, inputs], data: uniform(relationTypes * inputs, 6, 0.3) });
  // Like conll04-model.ts: a random classifier calls nearly every pair related; a lower bias leaves fewer.
  weights.set('rel_classifier.bias', { shape: [relationTypes], data: new Float32Array(relationTypes).fill(-4) });
  await writeFile(path.join(modelDir, 'model.safetensors'), writeSafetensors(weights));
  const configFile = path.join(modelDir, 'config.json');
  const config = JSON.parse(await readFile(configFile, 'utf8')) as { spert: Record<string, unknown> };
  Object.assign(config.spert, {
    relation_entity_types: 'embedding',
    type_embedding_size: TYPE_EMBEDDING_SIZE,
    rel_filter_threshold: 0.35,
    rel_thresholds: REL_THRESHOLDS,
    ...(o.constraints === false ? {} : { relation_type_constraints: 'train', relation_triples: ALLOWED_TRIPLES }),
  });
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const out = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir, outDir: out });
  return out;
}
