// Int8 dynamic quantization of a MatMul with a constant weight, in standard ops (what
// onnxruntime's quantize_dynamic emits): activations -> DynamicQuantizeLinear (uint8, per
// tensor), weights int8 symmetric per output column stored as uint8 with zero point 128,
// MatMulInteger, then rescale to float. uint8 x uint8 rather than uint8 x int8 because
// onnxruntime's x86 AVX2 u8s8 kernel adds product pairs in int16 and saturates (measured here:
// errors of several units), while its u8u8 kernel widens first.
import type { GraphBuilder } from './graph-builder';

/** Weight precision of the exported encoder's linear layers. */
export type Quantization = 'none' | 'int8';

/** Symmetric per-column int8 quantization of a row-major [rows, cols] matrix. */
export function quantizeColumns(w: Float32Array, rows: number, cols: number): { q: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) scales[c] = Math.max(scales[c], Math.abs(w[r * cols + c]));
  for (let c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / 127 : 1;
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c] / scales[c])));
  return { q, scales };
}

/** x [..., rows] times the constant weight w [rows, cols] with int8 dynamic quantization. */
export function quantizedMatMul(g: GraphBuilder, x: string, name: string, w: Float32Array, rows: number, cols: number): string {
  const { q, scales } = quantizeColumns(w, rows, cols);
  const shifted = Uint8Array.from(q, (v) => v + 128);
  const wq = g.uint8Tensor(`${name}.weight_quantized`, [rows, cols], shifted);
  const wZero = g.uint8Tensor(`${name}.weight_zero_point`, [], Uint8Array.of(128));
  const ws = g.floatTensor(`${name}.weight_scale`, [cols], scales);
  const [xq, xScale, xZero] = g.opN('DynamicQuantizeLinear', [x], 3, {}, 'dql');
  const acc = g.op('MatMulInteger', [xq, wq, xZero, wZero]);
  return g.op('Mul', [g.op('Cast', [acc], { to: 1 }), g.op('Mul', [ws, xScale])]);
}
