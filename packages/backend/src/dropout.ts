import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SpertError, dropoutInto, dropoutPlan, type RowSelection } from '@spert/core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';

// Dropout as one kernel, x times the mask of @spert/core's dropoutInto (a function of the seed and
// each element's index), used both ways by @spert/tfjs-ops' dropout: the gradient is the same
// kernel on dy, so no mask tensor is uploaded, multiplied or kept for the backward pass. Before,
// the encoders drew tf.dropout's alea stream element by element (a chain of dependent float
// operations, ~6 ns a float) and multiplied by an uploaded mask each way. On the wasm heap the SIMD
// kernel of assembly/kernels.ts runs (dropoutInto's JS loop took ~75 us for 20k floats); both give
// the same bits.

const DROPOUT = 'SpertDropout';

interface DropoutAttrs {
  rate: number;
  seed: number;
  rows: Int32Array | null;
  total: number;
}

const selectionOf = (a: DropoutAttrs): RowSelection | undefined => (a.rows == null ? undefined : { rows: a.rows, total: a.total });

const wasmDropout: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo;
  const a = attrs as unknown as DropoutAttrs;
  const engine = heapEngine(w);
  const plan = dropoutPlan(x.shape.reduce((p, d) => p * d, 1), a.rate, a.seed, selectionOf(a));
  const out = w.makeOutput(x.shape, 'float32');
  const rows = engine != null && a.rows != null && a.rows.length > 0 ? a.rows : undefined;
  const table = rows ? w.wasm._malloc(4 * rows.length) : 0;
  if (rows && table === 0) throw new SpertError('OUT_OF_MEMORY', `SpertDropout: could not allocate a table of ${rows.length} rows`);
  try {
    // views only after the allocations: growing an unshared heap detaches earlier views
    const [xv, yv] = [x, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
    if (engine == null) {
      dropoutInto(xv, yv, a.rate, a.seed, selectionOf(a));
    } else {
      if (rows) new Int32Array(engine.memory.buffer, table, rows.length).set(rows);
      engine.kernels.dropout(xv.byteOffset, yv.byteOffset, plan.rows, plan.inner, table, plan.seed, plan.threshold, plan.keep);
    }
  } finally {
    if (table !== 0) w.wasm._free(table);
  }
  return out;
};

const cpuDropout: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const xv = cpuFloats(backend, x);
  const y = new Float32Array(xv.length);
  const a = attrs as unknown as DropoutAttrs;
  dropoutInto(xv, y, a.rate, a.seed, selectionOf(a));
  return cpuTensor(backend, x.shape, y);
};

/** Registers the one-pass dropout kernel (SpertDropout) for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedDropout(): string[] {
  return installKernels('one-pass dropout', { wasm: { [DROPOUT]: wasmDropout }, cpu: { [DROPOUT]: cpuDropout } });
}
