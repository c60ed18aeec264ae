import { internalError } from '@spert/core';
// PyTorch stores Linear weights [out, in]; matMul-based layers (TF.js, ONNX MatMul) want [in, out].

/** Transposes a row-major [rows, cols] matrix into [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  if (data.length !== rows * cols) throw internalError(`transpose2d: ${data.length} values do not form a [${rows}, ${cols}] matrix`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}
