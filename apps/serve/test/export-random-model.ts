// Writes a small random SpERT checkpoint and exports it with @spert/onnx, so the serve tests run
// the real onnxruntime-node model end to end (the weights are random, the pipeline is not).
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { exportSpertOnnx, randomSpertWeights } from '@spert/onnx';

const config = {
  vocab_size: 40,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
  model_type: 'bert',
};

const types = {
  entities: { Peop: { short: 'Peop', verbose: 'People' }, Org: { short: 'Org', verbose: 'Organization' }, Loc: { short: 'Loc', verbose: 'Location' } },
  relations: {
    Work_For: { short: 'Work', verbose: 'Work for', symmetric: false },
    Kill: { short: 'Kill', verbose: 'Kill', symmetric: false },
  },
};

/** Words the random model's vocabulary knows (others become [UNK]). */
export const MODEL_WORDS = ['John', 'Smith', 'works', 'for', 'Acme', 'Corp', 'in', 'Berlin', '.', ',', 'Mary', 'met', 'Bob', 'Paris', 'the'];

/**
 * Exports a seeded random SpERT model into `<root>/onnx` and returns that directory; `noneShift`
 * moves the "no entity" bias (negative: more entities and relations).
 */
export async function exportRandomModel(root: string, { seed = 7, noneShift = -1.5 }: { seed?: number; noneShift?: number } = {}): Promise<string> {
  const modelDir = path.join(root, 'model');
  const outDir = path.join(root, 'onnx');
  await mkdir(modelDir, { recursive: true });
  const spert = { types, max_span_size: 4, size_embedding: 25, rel_filter_threshold: 0.4, max_pairs: 1000 };
  await writeFile(path.join(modelDir, 'config.json'), JSON.stringify({ ...config, spert_version: '1.1', spert }));
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...MODEL_WORDS, '##s', '##ed'];
  await writeFile(path.join(modelDir, 'vocab.txt'), vocab.join('\n') + '\n');
  await writeFile(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
  const weights = randomSpertWeights({ config, entityClasses: 4, relationTypes: 2, sizeEmbedding: 25, seed, scale: 0.4 });
  // Make "no entity" less likely so that a random model predicts entities and relations.
  const bias = weights.get('entity_classifier.bias');
  if (bias) bias.data[0] = (bias.data[0] ?? 0) + noneShift;
  await exportSpertOnnx({ modelDir, outDir, weights });
  return outDir;
}
