// Seeded random SpERT parameters (BERT + heads) for tests and benchmarks; LayerNorm and biases
// are perturbed away from 1/0 so that a wiring mistake shows in the outputs.
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

/** Mulberry32: a small seeded PRNG, so tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A full random SpERT parameter map under the reference's names. */
export function randomSpertWeights({ config, entityClasses, relationTypes, sizeEmbedding = 25, seed = 1, scale = 0.1 }: RandomWeightsOptions): WeightMap {
  const rand = seededRandom(seed);
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
