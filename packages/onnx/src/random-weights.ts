// Seeded random SpERT parameters (BERT + heads) for tests and benchmarks; LayerNorm and biases
// are perturbed away from 1/0 so that a wiring mistake shows in the outputs.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createRng, SPERT_VERSION, type TypesFileJson } from '@spert/core';
import { writeSafetensors } from '@spert/checkpoint';
import type { EncoderShape } from './export-encoder';
import type { WeightMap } from './weights';

/** Options of randomSpertWeights. */
export interface RandomWeightsOptions {
  config: EncoderShape;
  entityClasses: number;
  relationTypes: number;
  sizeEmbedding?: number;
  seed?: number;
  /** Standard deviation of the weights (BERT's initializer_range is 0.02; larger shows more). */
  scale?: number;
}

/** A full random SpERT parameter map under the reference's names. */
export function randomSpertWeights({ config, entityClasses, relationTypes, sizeEmbedding = 25, seed = 1, scale = 0.1 }: RandomWeightsOptions): WeightMap {
  const rand = createRng(seed);
  const m: WeightMap = new Map();
  const H = config.hidden_size;
  const I = config.intermediate_size;
  const add = (name: string, shape: number[], center = 0, s = scale) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = center + (rand() * 2 - 1) * s * Math.sqrt(3);
    m.set(name, { shape, data });
  };
  const ln = (p: string) => {
    add(`${p}.weight`, [H], 1, 0.1);
    add(`${p}.bias`, [H], 0, 0.1);
  };
  const lin = (p: string, nOut: number, nIn: number) => {
    add(`${p}.weight`, [nOut, nIn]);
    add(`${p}.bias`, [nOut], 0, 0.05);
  };
  add('bert.embeddings.word_embeddings.weight', [config.vocab_size, H]);
  add('bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
  add('bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
  ln('bert.embeddings.LayerNorm');
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `bert.encoder.layer.${l}`;
    for (const k of ['query', 'key', 'value']) lin(`${p}.attention.self.${k}`, H, H);
    lin(`${p}.attention.output.dense`, H, H);
    ln(`${p}.attention.output.LayerNorm`);
    lin(`${p}.intermediate.dense`, I, H);
    lin(`${p}.output.dense`, H, I);
    ln(`${p}.output.LayerNorm`);
  }
  add('size_embeddings.weight', [100, sizeEmbedding]);
  lin('entity_classifier', entityClasses, 2 * H + sizeEmbedding);
  lin('rel_classifier', relationTypes, 3 * H + 2 * sizeEmbedding);
  return m;
}

/** Options of {@link writeRandomSpertModel}. */
export interface RandomSpertModelOptions {
  /** The model directory to write (created). */
  dir: string;
  /** Whole words of the vocabulary, after the special tokens. */
  words: readonly string[];
  /** Further vocabulary entries after the words (e.g. `##s`). */
  pieces?: readonly string[];
  /** The types file's JSON (entity and relation types in class order). */
  types: TypesFileJson;
  /** Rows of the word embedding (default: the vocabulary's length; more rows are never used). */
  vocabSize?: number;
  hiddenSize?: number;
  layers?: number;
  heads?: number;
  intermediateSize?: number;
  maxPositions?: number;
  maxSpanSize?: number;
  seed?: number;
  scale?: number;
  /** Added to the "no entity" bias; negative makes a random model predict more entities. */
  noneShift?: number;
}

/**
 * Writes a small seeded random SpERT model directory (config.json with types and settings, vocab,
 * tokenizer config, model.safetensors) for tests and demos, and returns its weights.
 */
export async function writeRandomSpertModel(o: RandomSpertModelOptions): Promise<WeightMap> {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...o.words, ...(o.pieces ?? [])];
  const config = {
    vocab_size: o.vocabSize ?? vocab.length,
    hidden_size: o.hiddenSize ?? 16,
    num_hidden_layers: o.layers ?? 2,
    num_attention_heads: o.heads ?? 2,
    intermediate_size: o.intermediateSize ?? 32,
    max_position_embeddings: o.maxPositions ?? 64,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_act: 'gelu',
    model_type: 'bert',
  };
  if (config.vocab_size < vocab.length) throw new RangeError(`vocabSize ${config.vocab_size} is smaller than the vocabulary (${vocab.length} entries)`);
  const sizeEmbedding = 25;
  const weights = randomSpertWeights({
    config,
    entityClasses: Object.keys(o.types.entities).length + 1,
    relationTypes: Object.keys(o.types.relations).length,
    sizeEmbedding,
    seed: o.seed ?? 1,
    scale: o.scale ?? 0.4,
  });
  const bias = weights.get('entity_classifier.bias');
  if (bias && o.noneShift) bias.data[0] += o.noneShift;
  const spert = { types: o.types, max_span_size: o.maxSpanSize ?? 4, size_embedding: sizeEmbedding, rel_filter_threshold: 0.4, max_pairs: 1000 };
  await mkdir(o.dir, { recursive: true });
  await writeFile(path.join(o.dir, 'config.json'), JSON.stringify({ ...config, spert_version: SPERT_VERSION, spert }, null, 2));
  await writeFile(path.join(o.dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  await writeFile(path.join(o.dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
  await writeFile(path.join(o.dir, 'model.safetensors'), writeSafetensors(weights));
  return weights;
}
