import * as ort from 'onnxruntime-node';
import { buildEncoderGraph, type EncoderShape } from './export-encoder';
import { GraphBuilder } from './graph-builder';
import { quantizeColumns, quantizedMatMul } from './quantize';
import { createRng } from '@spert/core';
import { randomSpertWeights } from './random-weights';

const rand = createRng(9);
const randomArray = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);

// Round half to even, as ONNX's DynamicQuantizeLinear specifies.
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

describe('int8 dynamic quantization', () => {
  it('quantizeColumns keeps every weight within half a step of its column scale', () => {
    const w = randomArray(12 * 5);
    w[3] = 0; // an all-small column must not divide by zero
    const { q, scales } = quantizeColumns(w, 12, 5);
    for (let r = 0; r < 12; r++) for (let c = 0; c < 5; c++) expect(Math.abs(q[r * 5 + c] * scales[c] - w[r * 5 + c])).toBeLessThanOrEqual(scales[c] / 2 + 1e-7);
    for (let c = 0; c < 5; c++) expect(Math.max(...Array.from({ length: 12 }, (_, r) => Math.abs(q[r * 5 + c])))).toBe(127);
  });

  it('the quantized MatMul graph equals a plain-TS simulation of DynamicQuantizeLinear + integer matmul', async () => {
    const [M, K, N] = [6, 10, 4];
    const x = randomArray(M * K, 3);
    const w = randomArray(K * N);
    const g = new GraphBuilder('q');
    const input = g.input({ name: 'x', type: 'float32', dims: [M, K] });
    g.output(quantizedMatMul(g, input, 'lin', w, K, N), { name: 'y', type: 'float32', dims: [M, N] });
    const session = await ort.InferenceSession.create(g.toBytes());
    const y = (await session.run({ x: new ort.Tensor('float32', x, [M, K]) })).y.data as Float32Array;
    const lo = Math.min(0, ...x);
    const hi = Math.max(0, ...x);
    const scale = Math.fround((hi - lo) / 255);
    const zp = Math.max(0, Math.min(255, roundEven(-lo / scale)));
    const xq = Array.from(x, (v) => Math.max(0, Math.min(255, roundEven(v / scale) + zp)));
    const { q, scales } = quantizeColumns(w, K, N);
    let worst = 0;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (xq[m * K + k] - zp) * q[k * N + n];
        worst = Math.max(worst, Math.abs(y[m * N + n] - acc * scales[n] * scale));
      }
    expect(worst).toBeLessThan(1e-4);
    // And it approximates the float product.
    let err = 0;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let exact = 0;
        for (let k = 0; k < K; k++) exact += x[m * K + k] * w[k * N + n];
        err = Math.max(err, Math.abs(y[m * N + n] - exact));
      }
    expect(err).toBeLessThan(0.15);
    await session.release();
  });

  it('an int8 encoder stays close to the float encoder (max |diff| < 0.1 on LayerNorm-scale outputs)', async () => {
    const config: EncoderShape = { vocab_size: 40, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 32, type_vocab_size: 2, layer_norm_eps: 1e-12 };
    const weights = randomSpertWeights({ config, entityClasses: 2, relationTypes: 1, seed: 4, scale: 0.05 });
    const feeds = () => ({
      input_ids: new ort.Tensor('int64', BigInt64Array.from([2, 7, 9, 11, 3].map(BigInt)), [1, 5]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from([1, 1, 1, 1, 1].map(BigInt)), [1, 5]),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(5), [1, 5]),
    });
    const f = await ort.InferenceSession.create(buildEncoderGraph({ config, weights }));
    const qBytes = buildEncoderGraph({ config, weights, quantization: 'int8' });
    const q = await ort.InferenceSession.create(qBytes);
    const a = (await f.run(feeds())).last_hidden_state.data as Float32Array;
    const b = (await q.run(feeds())).last_hidden_state.data as Float32Array;
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
    expect(worst).toBeGreaterThan(0); // it really is quantized
    expect(worst).toBeLessThan(0.1);
    await Promise.all([f.release(), q.release()]);
  });
});
