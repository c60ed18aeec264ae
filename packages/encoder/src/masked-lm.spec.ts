import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import {
  checkpointFamily,
  loadCheckpoint,
  makeBertConfig,
  makeDebertaV2Config,
  makeRobertaConfig,
  readSafetensors,
  SeededRandom,
  type BertConfig,
  type DebertaV2Config,
  type EncoderConfig,
  type NamedTensor,
  type RobertaConfig,
} from '@spert/checkpoint';
import { sharedPath } from '../../../tools/testing/shared';
import { bertForwardFloat64, type Float64Weights } from './testing/bert-float64';
import { debertaV2ForwardFloat64 } from './testing/deberta-float64';
import { robertaForwardFloat64 } from './families/roberta/testing/roberta-float64';
import { maskedLmLogitsFloat64, meanCrossEntropyFloat64 } from './testing/mlm-float64';
import { loadMaskedLm, MaskedLmHead, maskedLmLoss, saveMaskedLm } from './masked-lm';
import { createEncoder } from './registry';
import type { Encoder } from './family';

const mlmDir = (f = '') => sharedPath('fixtures', 'tiny-bert-mlm', f);

interface ExpectedMlm {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  labels: number[][];
  logits: number[][][];
  logits_float64: number[][][];
  loss: number;
  loss_float64: number;
  grads_float64: Record<string, number[] | number[][]>;
}
const expected = () => JSON.parse(readFileSync(mlmDir('expected_mlm.json'), 'utf8')) as ExpectedMlm;

/** Flat labelled positions and their labels (Hugging Face's -100 marks the others). */
function labelled(labels: number[][]): { positions: number[]; targets: number[] } {
  const positions: number[] = [];
  const targets: number[] = [];
  const T = labels[0].length;
  labels.forEach((row, b) => row.forEach((l, t) => {
    if (l !== -100) {
      positions.push(b * T + t);
      targets.push(l);
    }
  }));
  return { positions, targets };
}

function batchOf(ids: number[][], mask: number[][], types: number[][] | undefined, positions: number[], targets: number[]) {
  return {
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(mask, undefined, 'int32'),
    tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined,
    positions: tf.tensor1d(positions, 'int32'),
    labels: tf.tensor1d(targets, 'int32'),
  };
}

/** max |a - b| / max |b|: the relative error of a whole gradient tensor. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

/** PyTorch [out, in] gradient from a variable's [in, out] gradient. */
function toTorchLayout(g: Float32Array, shape: number[]): Float32Array {
  const [inp, out] = shape;
  const t = new Float32Array(g.length);
  for (let i = 0; i < inp; i++) for (let o = 0; o < out; o++) t[o * inp + i] = g[i * out + o];
  return t;
}

describe.each(['cpu', 'wasm'] as const)('MaskedLmHead against Hugging Face BertForMaskedLM (tiny-bert-mlm) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(['model.safetensors', 'pytorch_model.bin'])('reproduces logits, loss and float64 gradients from %s', async (weightsFile) => {
    const e = expected();
    const hide = weightsFile === 'pytorch_model.bin' ? ['model.safetensors'] : [];
    const { nodeFs } = await import('@spert/checkpoint');
    const fs = { ...nodeFs, exists: async (f: string) => !hide.includes(path.basename(f)) && nodeFs.exists(f) };
    const { encoder, head, checkpoint, headFromCheckpoint } = await loadMaskedLm({ id: mlmDir(), fs });
    expect(checkpoint.weightsFiles[0].endsWith(weightsFile)).toBe(true);
    expect(headFromCheckpoint).toBe(true);
    // the .bin carries the tied decoder matrix; the safetensors leaves it out as transformers does
    expect(checkpoint.maskedLmTensors.has('cls.predictions.decoder.weight')).toBe(weightsFile === 'pytorch_model.bin');

    const B = e.input_ids.length;
    const T = e.input_ids[0].length;
    const all = Array.from({ length: B * T }, (_, i) => i);
    const logits = tf.tidy(() => {
      const h = encoder.apply({ inputIds: tf.tensor2d(e.input_ids, undefined, 'int32'), attentionMask: tf.tensor2d(e.attention_mask, undefined, 'int32'), tokenTypeIds: tf.tensor2d(e.token_type_ids, undefined, 'int32') }, { training: false });
      return head.logits(tf.gather(tf.reshape(h, [B * T, h.shape[2]]), tf.tensor1d(all, 'int32')) as tf.Tensor2D).arraySync();
    });
    let worst = 0;
    let worst32 = 0;
    logits.forEach((row, i) => row.forEach((x, v) => {
      const b = Math.floor(i / T);
      const t = i % T;
      worst = Math.max(worst, Math.abs(x - e.logits_float64[b][t][v]));
      worst32 = Math.max(worst32, Math.abs(x - e.logits[b][t][v]));
    }));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(worst32).toBeLessThanOrEqual(1e-4);

    const { positions, targets } = labelled(e.labels);
    const vars = new Map<string, tf.Variable>([...encoder.variables()].filter(([n]) => !n.startsWith('pooler.')).map(([n, v]) => [`bert.${n}`, v]));
    for (const [n, v] of head.variables()) vars.set(n, v);
    let lossValue = NaN;
    const { grads } = tf.variableGrads(() => {
      const { loss } = maskedLmLoss(encoder, head, batchOf(e.input_ids, e.attention_mask, e.token_type_ids, positions, targets), { training: false });
      lossValue = loss.dataSync()[0];
      return loss;
    }, [...vars.values()]);
    expect(Math.abs(lossValue - e.loss_float64)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(lossValue - e.loss)).toBeLessThanOrEqual(1e-5);
    // the tied matrix gets the embedding and the decoder contributions summed, as in PyTorch
    for (const [name, ref] of Object.entries(e.grads_float64)) {
      const v = vars.get(name);
      expect(v).toBeDefined();
      const g = grads[v!.name].dataSync() as Float32Array;
      const ours = /(dense|query|key|value)\.weight$/.test(name) ? toTorchLayout(g, v!.shape) : g;
      expect(relativeError(ours, (ref as Array<number | number[]>).flat() as number[])).toBeLessThanOrEqual(1e-4);
    }
    for (const g of Object.values(grads)) g.dispose();
    head.dispose();
    encoder.dispose();
  });

  it('saves as transformers does (no decoder matrix, architectures) and reloads to the same logits', async () => {
    const { encoder, head } = await loadMaskedLm({ id: mlmDir() });
    const dir = mkdtempSync(path.join(tmpdir(), 'mlm-save-'));
    try {
      await saveMaskedLm({ dir, encoder, head });
      const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config.architectures).toEqual(['BertForMaskedLM']);
      const names = [...readSafetensors(readFileSync(path.join(dir, 'model.safetensors'))).tensors.keys()];
      expect(names).toContain('cls.predictions.bias');
      expect(names).toContain('cls.predictions.transform.LayerNorm.weight');
      expect(names).toContain('bert.embeddings.word_embeddings.weight');
      expect(names.some((n) => n.includes('decoder') || n.includes('pooler'))).toBe(false);
      const again = await loadMaskedLm({ id: dir });
      const e = expected();
      const logitsOf = (enc: Encoder, h: MaskedLmHead) =>
        tf.tidy(() => {
          const hidden = enc.apply({ inputIds: tf.tensor2d(e.input_ids, undefined, 'int32'), attentionMask: tf.tensor2d(e.attention_mask, undefined, 'int32') }, { training: false });
          return h.logits(tf.reshape(hidden, [-1, hidden.shape[2]]) as tf.Tensor2D).dataSync();
        });
      expect(Array.from(logitsOf(again.encoder, again.head))).toEqual(Array.from(logitsOf(encoder, head)));
      // fine-tuning loads the same directory as a plain encoder: the head is among the ignored tensors
      const ckpt = await loadCheckpoint({ dir });
      expect(ckpt.extraTensors.size).toBe(0);
      expect(ckpt.ignored.sort()).toEqual([...ckpt.maskedLmTensors.keys()].sort());
      again.encoder.dispose();
      again.head.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      encoder.dispose();
      head.dispose();
    }
  });

  it('refuses a decoder that is not tied to the word embeddings', async () => {
    const { encoder, checkpoint } = await loadMaskedLm({ id: mlmDir() });
    const tensors = new Map(checkpoint.maskedLmTensors);
    const E = encoder.variables().get('embeddings.word_embeddings.weight')!;
    const data = Float32Array.from(E.dataSync() as Float32Array);
    data[3] += 1;
    tensors.set('cls.predictions.decoder.weight', { shape: E.shape.slice(), data });
    expect(() => MaskedLmHead.create({ encoder, tensors })).toThrow(/not tied to the word embeddings/);
    encoder.dispose();
  });
});

// RoBERTa and DeBERTa-v2 heads have no Hugging Face fixture: a float64 re-computation of the whole
// model (the family's float64 encoder plus the head) and central finite differences stand in.
type Forward64 = (config: EncoderConfig, w: Float64Weights, ids: number[][], mask: number[][]) => number[][][];
const families: Array<[string, () => EncoderConfig, Forward64, string]> = [
  ['bert', () => makeBertConfig({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 10 }), (c, w, i, m) => bertForwardFloat64(checkpointFamily<BertConfig>('bert').asConfig(c, 'test'), w, i, m), 'BertForMaskedLM'],
  ['roberta', () => makeRobertaConfig({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 12 }), (c, w, i, m) => robertaForwardFloat64(checkpointFamily<RobertaConfig>('roberta').asConfig(c, 'test'), w, i, m), 'RobertaForMaskedLM'],
  ['deberta-v2', () => makeDebertaV2Config({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 16, position_buckets: 4, max_relative_positions: 8 }), (c, w, i, m) => debertaV2ForwardFloat64(checkpointFamily<DebertaV2Config>('deberta-v2').asConfig(c, 'test'), w, i, m), 'DebertaV2ForMaskedLM'],
];

/** Random PyTorch-layout values with non-trivial LayerNorms and biases. */
function perturb(tensors: Map<string, NamedTensor>, seed: number): Map<string, NamedTensor> {
  const rng = new SeededRandom(seed);
  for (const t of tensors.values()) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.4 * rng.normal() + (t.shape.length === 1 ? 0.2 : 0);
  return tensors;
}

describe.each(['cpu', 'wasm'] as const)('MaskedLmHead of every family against float64 on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(families)('%s: loss and gradients agree with a float64 re-computation and central differences', (_family, makeConfig, forward64, architecture) => {
    const config = makeConfig();
    // a padding id that is never an input: RoBERTa's positions count from pad_token_id + 1
    const ids = [[2, 5, 7, 9, 4], [3, 4, 6, 8, 1]];
    const mask = [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]];
    const positions = [1, 3, 6, 7];
    const targets = [11, 5, 17, 0];
    const fresh = createEncoder({ config, seed: 3 });
    const encTensors = perturb(fresh.toTensors(), 21);
    fresh.dispose();
    const encoder = createEncoder({ config, tensors: encTensors });
    const freshHead = MaskedLmHead.create({ encoder, seed: 4 });
    expect(freshHead.names.architecture).toBe(architecture);
    const headTensors = perturb(freshHead.toTensors(), 22);
    freshHead.dispose();
    const head = MaskedLmHead.create({ encoder, tensors: headTensors });

    const weights: Float64Weights = new Map([...encTensors, ...headTensors].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
    const loss64 = (w: Float64Weights) => {
      const hidden = forward64(config, w, ids, mask);
      const T = ids[0].length;
      const rows = positions.map((p) => hidden[Math.floor(p / T)][p % T]);
      return meanCrossEntropyFloat64(maskedLmLogitsFloat64(config, w, head.paramNames, rows), targets);
    };

    const vars = new Map([...encoder.variables()].filter(([n]) => !n.startsWith('pooler.')));
    for (const [n, v] of head.variables()) vars.set(n, v);
    let lossValue = NaN;
    const { grads } = tf.variableGrads(() => {
      const { loss } = maskedLmLoss(encoder, head, batchOf(ids, mask, undefined, positions, targets), { training: false });
      lossValue = loss.dataSync()[0];
      return loss;
    }, [...vars.values()]);
    expect(Math.abs(lossValue - loss64(weights))).toBeLessThanOrEqual(1e-5);

    const eps = 1e-5;
    const p = head.paramNames;
    // the head's own parameters and the tied matrix (embedding and decoder paths at once)
    const checks: Array<[string, number]> = [
      [p.denseWeight, 9], [p.denseBias, 2], [p.layerNormWeight, 5], [p.layerNormBias, 1], [p.bias, 17], [p.bias, 3],
      ['embeddings.word_embeddings.weight', 17 * 8 + 2], ['embeddings.word_embeddings.weight', 5 * 8 + 7], ['embeddings.word_embeddings.weight', 12 * 8 + 1],
    ];
    for (const [name, idx] of checks) {
      const t = weights.get(name)!;
      const orig = t.data[idx];
      (t.data as Float64Array)[idx] = orig + eps;
      const up = loss64(weights);
      (t.data as Float64Array)[idx] = orig - eps;
      const down = loss64(weights);
      (t.data as Float64Array)[idx] = orig;
      const fd = (up - down) / (2 * eps);
      const v = vars.get(name)!;
      const g = grads[v.name].dataSync() as Float32Array;
      const ours = name === p.denseWeight ? toTorchLayout(g, v.shape)[idx] : g[idx];
      expect(Math.abs(ours - fd)).toBeLessThanOrEqual(2e-4 * Math.max(1, Math.abs(fd)));
    }
    for (const g of Object.values(grads)) g.dispose();
    head.dispose();
    encoder.dispose();
  });
});
