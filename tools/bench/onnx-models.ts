// Models the ONNX benchmarks share (tsx only, not part of any package).
import { rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createRng, type TypesSchema } from '@spert/core';
import { loadCheckpoint, saveCheckpoint, writeRandomCheckpoint, type NamedTensor } from '@spert/checkpoint';

/** A bert-base-sized SpERT model (12 layers, hidden 768, 12 heads, intermediate 3072) with random
weights and the scratch model's vocabulary (so CoNLL04 words tokenize as in a real model).
The "none" bias is raised so that a realistic few spans per sentence are kept. */
export async function writeRandomBaseModel(dir: string, vocab: string[], types: TypesSchema): Promise<void> {
  const bertDir = `${dir}-bert`;
  await writeRandomCheckpoint({
    dir: bertDir,
    config: { vocab_size: vocab.length, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512 },
    vocab,
    seed: 1,
  });
  const ckpt = await loadCheckpoint({ dir: bertDir });
  const rand = createRng(2);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const t = (shape: number[], std = 0.02): NamedTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => normal() * std) });
  const E = types.entities.length + 1;
  const R = types.relations.length;
  const entityBias = new Float32Array(E);
  entityBias[0] = 2.5;
  const heads = new Map<string, NamedTensor>([
    ['entity_classifier.weight', t([E, 2 * 768 + 25])],
    ['entity_classifier.bias', { shape: [E], data: entityBias }],
    ['rel_classifier.weight', t([R, 3 * 768 + 50])],
    ['rel_classifier.bias', t([R], 0)],
    ['size_embeddings.weight', t([100, 25])],
  ]);
  const typesJson = {
    entities: Object.fromEntries(types.entities.map((e) => [e.key, { short: e.short, verbose: e.verbose }])),
    relations: Object.fromEntries(types.relations.map((r) => [r.key, { short: r.short, verbose: r.verbose, symmetric: r.symmetric }])),
  };
  await saveCheckpoint({
    dir,
    config: ckpt.config,
    encoderTensors: ckpt.encoderTensors,
    extraTensors: heads,
    prefix: true,
    vocab,
    extraConfig: { spert_version: '1.1', spert: { types: typesJson, max_span_size: 10, size_embedding: 25, rel_filter_threshold: 0.4, max_pairs: 1000 } },
  });
  await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
  await rm(bertDir, { recursive: true, force: true });
}

