// The conformance suite every TF.js encoder family runs with one call: Hugging Face fixture parity
// on cpu and wasm, an independent float64 forward pass, gradients against float64 central
// differences, and an exact save/reload of its PyTorch-layout tensors. A family's spec gives its
// fixture, its float64 reference and its inputs; the harness (runs, diffs, finite differences)
// lives here once. Family-specific facts stay in the family's spec, as hooks or as its own tests.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { checkpointFamily, readPytorchBin, readSafetensors, SeededRandom, type EncoderConfig, type NamedTensor } from '@spert/checkpoint';
import type { Encoder } from '../family';
import type { Float64Weights } from './bert-float64';

/** Token ids, attention mask and optional token types of one batch ([batch][position]). */
export interface EncoderBatch {
  ids: number[][];
  mask: number[][];
  types?: number[][];
}

/** A float64 forward pass of the family, independent of TF.js: the last hidden state. */
export type Float64Forward<C extends EncoderConfig> = (config: C, weights: Float64Weights, ids: number[][], mask: number[][], types?: number[][]) => number[][][];

/** What a family gives the conformance suite. */
export interface EncoderConformance<C extends EncoderConfig> {
  /** The encoder class's name, which names the describe blocks ("BertEncoder"). */
  name: string;
  /** Builds an encoder of the family (seeded random, or from PyTorch-layout weights). */
  create(options: { config: C; seed?: number; weights?: Map<string, NamedTensor> }): Encoder;
  /** The Hugging Face fixture: a checkpoint directory with expected_hidden_states.json. */
  fixture: {
    /** Directory of config.json, the weight files and expected_hidden_states.json. */
    dir: string;
    /** The fixture's config.json, parsed by the family. */
    config(): C;
    /** Weight files and the largest absolute error allowed on each against last_hidden_state. */
    weights: ReadonlyArray<readonly [file: string, tolerance: number]>;
    /** Whether the hidden states are fed the fixture's token_type_ids. */
    tokenTypes?: boolean;
    /** Whether expected_hidden_states.json also holds last_hidden_state_float64, checked within 1e-4 too. */
    float64States?: boolean;
    /** Builds the encoder from a weight file's tensors; the family asserts what it knows about them here. */
    load(config: C, tensors: Map<string, NamedTensor>, file: string): Encoder;
  };
  /** The family's float64 forward pass. */
  float64: Float64Forward<C>;
  /** Float64 forward cases: a title, a small config, and batches each compared within 1e-4. */
  forward: ReadonlyArray<readonly [title: string, config: () => C, batches: EncoderBatch[]]>;
  /** Finite-difference cases: a title, a small config, one batch of equal-length rows. */
  gradients: ReadonlyArray<readonly [title: string, config: () => C, batch: EncoderBatch]>;
  /** Variables left out of the gradient check (BERT's pooler, which the hidden states do not use). */
  skipGradient?(name: string): boolean;
  /** The embedding row whose entries a table's checks perturb (rows the batch's lookups use), or -1 for any entry. */
  gradientRow(name: string): number;
  /** Family facts about the gradients of one case (which rows get none, which paths carry some). */
  afterGradients?(grads: Map<string, Float32Array>, config: C): void;
  /** A small config for the save/reload round trip. */
  small(): C;
}

/** Largest |a - b| over the non-padded positions. */
export function maxDiff(a: number[][][], b: number[][][], mask: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, t) => {
    if (mask[i][t]) v.forEach((x, h) => (m = Math.max(m, Math.abs(x - b[i][t][h]))));
  }));
  return m;
}

/** The encoder's last hidden state for one batch, as nested arrays (no tensor left behind). */
export function runEncoder(enc: Encoder, { ids, mask, types }: EncoderBatch, training = false): number[][][] {
  return tf.tidy(() => enc.apply({
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(mask, undefined, 'int32'),
    tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined,
  }, { training }).arraySync());
}

/** Random PyTorch-layout weights with non-trivial LayerNorm and biases, in the encoder's names. */
export function randomWeights(enc: Encoder, seed: number): Map<string, NamedTensor> {
  const rng = new SeededRandom(seed);
  const w = enc.toTensors();
  for (const [, t] of w) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.4 * rng.normal() + (t.shape.length === 1 ? 0.2 : 0);
  return w;
}

/** True when two typed arrays hold the same bits (NaN payloads and -0 included). */
function sameBits(a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, b: typeof a): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** The weights of a checkpoint file (safetensors or PyTorch .bin). */
function readWeights(file: string): Map<string, NamedTensor> {
  const bytes = new Uint8Array(readFileSync(file));
  return file.endsWith('.bin') ? readPytorchBin(bytes, file) : readSafetensors(bytes, file).tensors;
}

/** The float64 weights of PyTorch-layout tensors, with one entry changed. */
function float64Weights(weights: Map<string, NamedTensor>, name: string, idx: number, value: number): Float64Weights {
  const w64 = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
  w64.get(name)!.data[idx] = value;
  return w64;
}

/** Gradients of a fixed random projection of the hidden states, checked against float64 central differences. */
function checkGradients<C extends EncoderConfig>(family: EncoderConformance<C>, config: C, batch: EncoderBatch): void {
  const enc = family.create({ config, seed: 5 });
  const weights = randomWeights(enc, 17);
  enc.dispose();
  const model = family.create({ config, weights });
  const { ids, mask, types } = batch;
  const [B, T, H] = [ids.length, ids[0].length, config.hidden_size];
  const rng = new SeededRandom(2);
  const R = Array.from({ length: B * T * H }, () => rng.normal());
  // loss = sum over non-padded positions of h * R
  const loss64 = (w: Float64Weights) => {
    let s = 0;
    family.float64(config, w, ids, mask, types).forEach((row, b) => row.forEach((v, t) => v.forEach((x, k) => (s += mask[b][t] ? x * R[(b * T + t) * H + k] : 0))));
    return s;
  };
  const vars = model.variables();
  const names = [...vars.keys()].filter((n) => !family.skipGradient?.(n));
  const { grads } = tf.variableGrads(() => {
    const h = model.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32'), tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined }, { training: false });
    const m = tf.reshape(tf.tensor2d(mask, undefined, 'float32'), [B, T, 1]);
    return tf.sum(tf.mul(tf.mul(h, m), tf.tensor3d(R, [B, T, H]))) as tf.Scalar;
  }, names.map((n) => vars.get(n)!));
  const gradByName = new Map(names.map((n) => [n, grads[vars.get(n)!.name].dataSync() as Float32Array]));
  // variables hold Linear weights as [in, out], the checkpoint's layout is [out, in]
  const linear = new Set(checkpointFamily(config.model_type).paramSpecs(config).filter((s) => s.layout === 'linear').map((s) => s.name));
  const eps = 1e-5;
  let checked = 0;
  for (const name of names) {
    const t = weights.get(name)!;
    const g = gradByName.get(name)!;
    const [rows, cols] = t.shape.length === 2 ? t.shape : [1, t.shape[0]];
    const row = family.gradientRow(name);
    // three entries per tensor, in rows the lookups use
    for (const idx of [0, Math.floor(t.data.length / 2) + 1, t.data.length - 1].map((i) => (row >= 0 ? row * cols + (i % cols) : i))) {
      const orig = t.data[idx];
      const fd = (loss64(float64Weights(weights, name, idx, orig + eps)) - loss64(float64Weights(weights, name, idx, orig - eps))) / (2 * eps);
      const tfg = linear.has(name) ? g[(idx % cols) * rows + Math.floor(idx / cols)] : g[idx];
      expect({ name, idx, diff: Math.abs(tfg - fd) <= 2e-3 * Math.max(1, Math.abs(fd)) }).toEqual({ name, idx, diff: true });
      checked++;
    }
  }
  expect(checked).toBe(3 * names.length);
  family.afterGradients?.(gradByName, config);
  Object.values(grads).forEach((x) => x.dispose());
  model.dispose();
}

/** Runs the conformance suite of one TF.js encoder family: call it once, at the top level of the family's spec. */
export function describeEncoderConformance<C extends EncoderConfig>(family: EncoderConformance<C>): void {
  const fixtureName = path.basename(family.fixture.dir);
  describe.each(['cpu', 'wasm'] as const)(`${family.name} on %s`, (backend) => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it.each(family.fixture.weights.map(([file, tol]) => [file, tol] as const))(
      `reproduces the Hugging Face hidden states of ${fixtureName} from %s (max abs error <= %s)`,
      (file, tol) => {
        const enc = family.fixture.load(family.fixture.config(), readWeights(path.join(family.fixture.dir, file)), file);
        const e = JSON.parse(readFileSync(path.join(family.fixture.dir, 'expected_hidden_states.json'), 'utf8')) as {
          input_ids: number[][];
          attention_mask: number[][];
          token_type_ids?: number[][];
          last_hidden_state: number[][][];
          last_hidden_state_float64?: number[][][];
        };
        const before = tf.memory().numTensors;
        const got = runEncoder(enc, { ids: e.input_ids, mask: e.attention_mask, types: family.fixture.tokenTypes ? e.token_type_ids : undefined });
        expect(tf.memory().numTensors).toBe(before);
        expect(maxDiff(got, e.last_hidden_state, e.attention_mask)).toBeLessThanOrEqual(tol);
        if (family.fixture.float64States) expect(maxDiff(got, e.last_hidden_state_float64!, e.attention_mask)).toBeLessThanOrEqual(1e-4);
        enc.dispose();
      },
    );

    it.each(family.forward.map(([title, config, batches]) => [title, config, batches] as const))(
      'matches an independent float64 forward pass within 1e-4: %s',
      (_title, makeConfig, batches) => {
        const config = makeConfig();
        const enc0 = family.create({ config, seed: 3 });
        const weights = randomWeights(enc0, 11);
        enc0.dispose();
        const enc = family.create({ config, weights });
        for (const b of batches) {
          expect(maxDiff(runEncoder(enc, b), family.float64(config, weights, b.ids, b.mask, b.types), b.mask)).toBeLessThanOrEqual(1e-4);
        }
        enc.dispose();
      },
    );
  });

  describe.each(['cpu', 'wasm'] as const)(`${family.name} gradients on %s`, (backend) => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it.each(family.gradients.map(([title, config, batch]) => [title, config, batch] as const))(
      'agree with float64 central differences: %s',
      (_title, makeConfig, batch) => checkGradients(family, makeConfig(), batch),
    );
  });

  describe(`${family.name} save and reload (cpu)`, () => {
    beforeAll(async () => {
      await useBackend('cpu');
    });

    it('round-trips its PyTorch-layout tensors exactly, with and without the family prefix, and counts its parameters', () => {
      const config = family.small();
      const enc = family.create({ config, seed: 1 });
      const t = enc.toTensors({ prefix: true });
      const prefix = checkpointFamily(config.model_type).prefix;
      expect([...t.keys()].every((k) => k.startsWith(prefix))).toBe(true);
      for (const tensors of [t, enc.toTensors()]) {
        const again = family.create({ config, weights: tensors });
        for (const [k, v] of again.toTensors({ prefix: true })) expect({ k, same: sameBits(v.data, t.get(k)!.data) }).toEqual({ k, same: true });
        again.dispose();
      }
      expect(enc.parameterCount()).toBe([...t.values()].reduce((n, x) => n + x.data.length, 0));
      enc.dispose();
      expect(() => enc.variables()).toThrow(/after dispose/);
    });
  });
}
