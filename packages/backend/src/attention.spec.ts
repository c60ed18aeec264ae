import * as tf from '@tensorflow/tfjs-core';
import { dropoutInto } from '@spert/core';
import { randomArray, sameBits } from '../../../tools/testing/float64';
import { packedAttention, type PackedAttentionOptions } from './attention';
import { GemmEngine } from './gemm-engine';
import { useBackend } from './use-backend';

// The fused packed attention against a float64 recomputation of padded, masked attention per
// sentence (the definition: softmax(q k^T / sqrt(dh) + mask) v, padding keys masked out), value and
// gradients (dV = P'^T dy, dP = (dy V^T) mask, dS = P (dP - rowsum(dP P)), dq = dS k / sqrt(dh),
// dk = dS^T q / sqrt(dh)), with the dropout masks drawn by @spert/core's dropoutInto over the whole
// padded [B, heads, T, T] tensor: the kernel must pick the same words. Tolerance 2e-6 absolute +
// 2e-5 relative: float32 products summed over at most 64 terms, and Cephes expf (~1e-7). The wasm
// kernel (threads sharing the units) and the cpu JS loops must agree bit for bit.

interface Case { lengths: number[]; T: number; heads: number; H: number; rate: number; seed: number }

const cases: Case[] = [
  { lengths: [5, 3], T: 7, heads: 2, H: 8, rate: 0, seed: 1 },
  { lengths: [5, 3], T: 7, heads: 2, H: 8, rate: 0.3, seed: 7 },
  { lengths: [37, 12, 1], T: 40, heads: 3, H: 48, rate: 0.1, seed: 123456789 },
  { lengths: [50, 23], T: 50, heads: 2, H: 128, rate: 0.1, seed: 2 ** 31 + 5 },
  { lengths: [1], T: 1, heads: 1, H: 3, rate: 0, seed: 0 },
];

const N = (c: Case) => c.lengths.reduce((a, b) => a + b, 0);

function inputs(c: Case) {
  const n = N(c) * c.H;
  const seed = c.H * 1000 + N(c);
  return [0, 1, 2, 3].map((i) => Float32Array.from(randomArray(n, seed + i), (v) => v * 2));
}

/** Float64 padded attention of one case: context and the gradients of sum(context * dy). */
function attention64(c: Case, [q, k, v, dy]: Float32Array[]) {
  const { lengths, T, heads, H, rate, seed } = c;
  const dh = H / heads, scale = 1 / Math.sqrt(dh);
  const B = lengths.length;
  // the dropout factors of the padded tensor (keep or 0), as the op chain's dropout draws them
  const mask = new Float32Array(B * heads * T * T).fill(1);
  if (rate > 0) dropoutInto(mask, mask, rate, seed);
  const ctx = new Float64Array(q.length), dq = new Float64Array(q.length), dk = new Float64Array(q.length), dv = new Float64Array(q.length);
  let row = 0;
  lengths.forEach((L, b) => {
    for (let h = 0; h < heads; h++) {
      const at = (r: number, p: number) => (row + r) * H + h * dh + p;
      const m = (i: number, j: number) => mask[((b * heads + h) * T + i) * T + j];
      for (let i = 0; i < L; i++) {
        const s = Array.from({ length: L }, (_, j) => { let a = 0; for (let p = 0; p < dh; p++) a += q[at(i, p)] * k[at(j, p)]; return a * scale; });
        const mx = Math.max(...s);
        const e = s.map((x) => Math.exp(x - mx));
        const sum = e.reduce((a, x) => a + x, 0);
        const P = e.map((x) => x / sum);
        for (let p = 0; p < dh; p++) {
          let a = 0;
          for (let j = 0; j < L; j++) a += P[j] * m(i, j) * v[at(j, p)];
          ctx[at(i, p)] = a;
        }
        const dP = Array.from({ length: L }, (_, j) => { let a = 0; for (let p = 0; p < dh; p++) a += dy[at(i, p)] * v[at(j, p)]; return a * m(i, j); });
        const rs = dP.reduce((a, x, j) => a + x * P[j], 0);
        for (let j = 0; j < L; j++) {
          const dS = P[j] * (dP[j] - rs);
          for (let p = 0; p < dh; p++) {
            dq[at(i, p)] += dS * k[at(j, p)] * scale;
            dk[at(j, p)] += dS * q[at(i, p)] * scale;
            dv[at(j, p)] += P[j] * m(i, j) * dy[at(i, p)];
          }
        }
      }
    }
    row += L;
  });
  return { ctx, dq, dk, dv };
}

function run(c: Case, data: Float32Array[]) {
  const [q, k, v, dy] = data.map((d) => tf.tensor2d(d, [N(c), c.H]));
  const o: PackedAttentionOptions = { lengths: c.lengths, seqLen: c.T, heads: c.heads, rate: c.rate, seed: c.seed };
  try {
    const ctx = tf.tidy(() => packedAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, o).dataSync().slice());
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(packedAttention(a as tf.Tensor2D, b as tf.Tensor2D, x as tf.Tensor2D, o), dy)))([q, k, v]);
    const [dq, dk, dv] = grads.map((t) => t.dataSync().slice() as Float32Array);
    tf.dispose(grads);
    return { ctx: ctx as Float32Array, dq, dk, dv };
  } finally {
    tf.dispose([q, k, v, dy]);
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= 2e-6 + 2e-5 * Math.abs(expected[i]))) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (error ${err})`);
  }
}

const label = (c: Case) => `lengths [${c.lengths}] T ${c.T} heads ${c.heads} H ${c.H} rate ${c.rate}`;

describe('packedAttention (fused)', () => {
  afterAll(async () => { await useBackend('cpu'); });

  it.each(['wasm', 'cpu'] as const)('value and gradients match a float64 padded, masked attention on %s', async (backend) => {
    await useBackend(backend);
    for (const c of cases) {
      const data = inputs(c);
      const got = run(c, data);
      const ref = attention64(c, data);
      for (const key of ['ctx', 'dq', 'dk', 'dv'] as const) expectClose(got[key], ref[key], `${key} ${label(c)}`);
    }
  });

  it('the wasm kernel (units shared by two threads) and the cpu loops give the same bits', async () => {
    await useBackend('wasm');
    const spy = jest.spyOn(GemmEngine.prototype, 'attentionAt');
    const wasm = cases.map((c) => run(c, inputs(c)));
    // every case ran on the engine: the value, then forward and backward under tf.grads
    expect(spy).toHaveBeenCalledTimes(3 * cases.length);
    expect((spy.mock.instances[0] as unknown as GemmEngine).threads).toBeGreaterThan(1);
    spy.mockRestore();
    await useBackend('cpu');
    cases.forEach((c, i) => {
      const cpu = run(c, inputs(c));
      for (const key of ['ctx', 'dq', 'dk', 'dv'] as const) expect(sameBits(wasm[i][key], cpu[key])).toBe(true);
    });
  });

  it('rejects lengths that do not cover q, a length outside [1, T] and heads that do not divide H', async () => {
    await useBackend('cpu');
    const q = tf.zeros([8, 8]) as tf.Tensor2D;
    const base = { seqLen: 7, heads: 2, rate: 0, seed: 1 };
    expect(() => packedAttention(q, q, q, { ...base, lengths: [5, 2] })).toThrow(/add up to 7 rows, q has 8/);
    expect(() => packedAttention(q, q, q, { ...base, lengths: [8, 0] })).toThrow(/lengths\[0\] = 8 is not in \[1, 7\]/);
    expect(() => packedAttention(q, q, q, { ...base, heads: 3, lengths: [5, 3] })).toThrow(/not a multiple of 3 heads/);
    expect(() => packedAttention(q, tf.zeros([8, 4]) as tf.Tensor2D, q, { ...base, lengths: [5, 3] })).toThrow(/k is \[8,4\]/);
    q.dispose();
  });
});
