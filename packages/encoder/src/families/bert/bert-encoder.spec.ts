import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeBertConfig, parseBertConfig } from '@spert/checkpoint';
import { sharedPath } from '../../../../../tools/testing/shared';
import { BertEncoder } from './bert-encoder';
import { bertForwardFloat64 } from '../../testing/bert-float64';
import { describeEncoderConformance, maxDiff, runEncoder } from '../../testing/encoder-conformance';
import { erf } from '../../testing/erf';

const tinyDir = (f: string) => sharedPath('fixtures', 'tiny-bert', f);

/** A config small enough for float64 loops and finite differences. */
const small = () => makeBertConfig({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 10, type_vocab_size: 2 });

const run = (enc: BertEncoder, ids: number[][], mask: number[][], types?: number[][], training = false) => runEncoder(enc, { ids, mask, types }, training);

describeEncoderConformance({
  name: 'BertEncoder',
  create: (o) => BertEncoder.create(o),
  fixture: {
    dir: sharedPath('fixtures', 'tiny-bert'),
    config: () => parseBertConfig(readFileSync(tinyDir('config.json'), 'utf8')),
    weights: [
      ['model.safetensors', 1e-4],
      ['pytorch_model.bin', 1e-4],
      ['model.fp16.safetensors', 2.5e-3],
      ['model.bf16.safetensors', 1.5e-2],
    ],
    tokenTypes: true,
    load: (config, tensors) => BertEncoder.fromTensors(config, tensors),
  },
  float64: bertForwardFloat64,
  forward: [
    ['padding, token types (and token types defaulting to zeros)', small, [
      { ids: [[2, 5, 7, 22, 1, 9], [3, 4, 0, 0, 0, 0]], mask: [[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]], types: [[0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]] },
      { ids: [[2, 5, 7, 22, 1, 9], [3, 4, 0, 0, 0, 0]], mask: [[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]] },
    ]],
  ],
  gradients: [
    ['every variable but the pooler, word rows the lookups use', small, { ids: [[2, 5, 7, 1], [3, 4, 6, 0]], mask: [[1, 1, 1, 1], [1, 1, 1, 0]], types: [[0, 0, 1, 1], [0, 1, 1, 0]] }],
  ],
  skipGradient: (name) => name.startsWith('pooler.'),
  gradientRow: (name) => (name.includes('word_embeddings') ? 5 : -1),
  small,
});

describe('BertEncoder (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('applies seeded dropout in training mode only', () => {
    const config = small();
    const ids = [[2, 5, 7, 1]];
    const mask = [[1, 1, 1, 1]];
    const a = BertEncoder.create({ config, seed: 9 });
    const b = BertEncoder.create({ config, seed: 9 });
    const evalOut = run(a, ids, mask);
    expect(run(a, ids, mask)).toEqual(evalOut);
    const t1 = run(a, ids, mask, undefined, true);
    expect(maxDiff(t1, evalOut, mask)).toBeGreaterThan(1e-3);
    expect(run(b, ids, mask, undefined, true)).toEqual(t1); // same seed, same masks
    expect(maxDiff(run(a, ids, mask, undefined, true), t1, mask)).toBeGreaterThan(1e-3); // fresh masks per call
    a.dispose();
    b.dispose();
  });

  it('exposes Hugging Face names, fast layouts and the pooler', () => {
    const config = small();
    const enc = BertEncoder.create({ config, seed: 1 });
    const vars = enc.variables();
    expect(vars.get('encoder.layer.0.attention.self.query.weight')!.shape).toEqual([8, 8]);
    expect(vars.get('encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([8, 12]); // [in, out]
    expect(vars.get('embeddings.word_embeddings.weight')!.shape).toEqual([23, 8]);
    expect([...vars.values()].every((v) => v.trainable)).toBe(true);
    const t = enc.toTensors({ prefix: true });
    expect(t.get('bert.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([12, 8]); // [out, in]
    expect(t.get('bert.embeddings.word_embeddings.weight')!.data.slice(0, 8)).toEqual(new Float32Array(8)); // padding row zero
    // the exact round trip, the parameter count and use after dispose: the conformance suite
    const pooled = enc.pool(tf.ones([2, 3, 8]) as tf.Tensor3D);
    expect(pooled.shape).toEqual([2, 8]);
    pooled.dispose();
    enc.dispose();
  });

  it('names missing, unexpected and wrongly shaped tensors, and bad inputs', () => {
    const config = small();
    const enc = BertEncoder.create({ config });
    const t = enc.toTensors();
    t.delete('encoder.layer.1.output.dense.bias');
    t.set('encoder.layer.7.output.dense.bias', { shape: [8], data: new Float32Array(8) });
    t.set('embeddings.word_embeddings.weight', { shape: [22, 8], data: new Float32Array(22 * 8) });
    expect(() => BertEncoder.fromTensors(config, t)).toThrow(
      /unexpected tensor "encoder\.layer\.7\.output\.dense\.bias".*"embeddings\.word_embeddings\.weight" has shape \[22,8\], expected \[23,8\].*missing tensor "encoder\.layer\.1\.output\.dense\.bias"/,
    );
    expect(() => run(enc, [[1, 23]], [[1, 1]])).toThrow(/inputIds\[0\]\[1\] = 23 is outside \[0, 23\)/);
    expect(() => run(enc, [[1, 2]], [[1, 1, 1]])).toThrow(/attentionMask has shape \[1,3\], expected \[1, 2\]/);
    expect(() => run(enc, [Array(11).fill(1)], [Array(11).fill(1)])).toThrow(/exceeds max_position_embeddings 10/);
    enc.dispose();
  });

  it('loads a checkpoint without pooler by initialising one', () => {
    const config = small();
    const enc = BertEncoder.create({ config });
    const t = enc.toTensors({ withoutPooler: true });
    expect(() => BertEncoder.fromTensors(config, t, { requirePooler: true })).toThrow(/missing tensor "pooler\.dense\.weight"/);
    const loaded = BertEncoder.fromTensors(config, t);
    expect(loaded.toTensors().has('pooler.dense.weight')).toBe(true);
    enc.dispose();
    loaded.dispose();
  });

  it('float64 reference erf is accurate', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051464753108, 14);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
  });
});
