// Gradients of a scalar with respect to variables, as tf.variableGrads computes them (the same tape,
// the same gradient functions, the same accumulation order, so bit for bit the same values) but
// with the memory of a backward pass freed as it goes. tfjs's engine.gradients keeps every tensor
// saved for the backward pass, every intermediate gradient and both operands of every gradient sum
// until the whole pass ends: measured on bert-base (masked LM, one 128-token sequence per
// micro-batch), 1035 MiB above parameters, moments and running sum per micro-batch (416 MiB of
// gradients, 255 MiB of dense tied-embedding gradients, about 350 MiB per sequence of activations
// and intermediate gradients; docs/benchmarks.md), so 8 x 128 could not fit the 4 GB wasm heap. Here a node's saved tensors and its outputs' gradients are disposed as soon as the node is
// done, and each variable's gradient goes to the caller as soon as it is complete, so that
// gradient accumulation adds it into its running sum at once instead of holding a second full
// set of gradients.
import * as tf from '@tensorflow/tfjs-core';

// tfjs-core internals (engine.ts, tape.ts of 4.x) this file relies on.
interface TapeNode {
  id: number;
  kernelName: string;
  outputs: tf.Tensor[];
  inputs: Record<string, tf.Tensor>;
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
  /** Used by tfjs only to clone the tensors a gradient saves (kernels' and customGrad's). */
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: { dataId: tf.DataId; shape: number[]; dtype: tf.DataType }): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
  backend: { incRef(dataId: tf.DataId): void };
}

// tfjs keeps the tensors a gradient function needs (a kernel's, and those a customGrad saves) by
// cloning each one through the Identity kernel (Engine.clone, used for nothing else), and each clone
// records a tape node of its own, never on the path to the loss (only gradient functions read saved
// tensors): 534 kernel calls and tape nodes in a 256x4 SpERT training step before our fused ops,
// ~90 of them customGrad saves since. Tensors are immutable, so another reference to the same data
// is all a saved tensor needs; it is what Identity does on the backends we run (the cpu kernel and
// our wasm one share the buffer).
function shareForBackward(engine: EngineInternals): (t: tf.Tensor) => tf.Tensor {
  return (t) => {
    engine.backend.incRef(t.dataId);
    return engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  };
}

/** Receives a variable's complete gradient; the receiver owns it (a kept tensor: dispose it). */
export type GradientSink = (variable: tf.Variable, gradient: tf.Tensor) => void;

// tape.ts getFilteredNodesXToY: the nodes on a path from one of xs to y, inputs pruned to those
// that depend on xs.
function nodesFromXsToY(tape: TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id)) && Object.keys(node.inputs).length > 0) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodesToY.add(node.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    filtered.push({ ...node, inputs });
  }
  return filtered;
}

/**
 * Computes f() and hands each variable's gradient of it to `sink` as soon as that gradient is
 * complete (variables f does not depend on get none), freeing the backward pass's memory as it
 * goes; returns f's value. The gradients equal tf.variableGrads's bit for bit. Inside another
 * gradient computation it falls back to tf.variableGrads.
 */
export function streamVariableGrads(f: () => tf.Scalar, variables: readonly tf.Variable[], sink: GradientSink): tf.Scalar {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth !== 0) {
    const { value, grads } = tf.variableGrads(f, [...variables]);
    for (const v of variables) if (grads[v.name]) sink(v, tf.keep(grads[v.name]));
    return value;
  }
  let y: tf.Scalar | undefined;
  try {
    const clone = engine.clone;
    engine.clone = shareForBackward(engine);
    try {
      y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
    } finally {
      engine.clone = clone;
    }
    const tape = engine.state.activeTape ?? [];
    if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error(`streamVariableGrads: f must return a scalar tensor`);
    const filtered = nodesFromXsToY(tape, variables, y);
    const onPath = new Set(filtered.map((n) => n.id));
    // saved tensors of nodes off the path are never used
    for (const node of tape) if (!onPath.has(node.id)) for (const t of node.saved ?? []) t.dispose();
    // a variable's gradient is complete once the first node (in tape order) that reads it is done
    const completeAfter = new Map<number, tf.Variable[]>();
    const byId = new Map(variables.map((v) => [v.id, v]));
    const seen = new Set<number>();
    filtered.forEach((node, i) => {
      for (const t of Object.values(node.inputs)) {
        const v = byId.get(t.id);
        if (v && !seen.has(v.id)) {
          seen.add(v.id);
          completeAfter.set(i, [...(completeAfter.get(i) ?? []), v]);
        }
      }
    });
    const value = y;
    engine.tidy('backward', () => {
      // gradient per tensor id; a tensor object may hold several entries (gradients that pass dy on)
      const acc = new Map<number, tf.Tensor>();
      const held = new Map<tf.Tensor, number>();
      const hold = (t: tf.Tensor) => held.set(t, (held.get(t) ?? 0) + 1);
      const release = (t: tf.Tensor) => {
        const n = (held.get(t) ?? 0) - 1;
        if (n > 0) held.set(t, n);
        else {
          held.delete(t);
          t.dispose();
        }
      };
      const ones = tf.ones(value.shape);
      acc.set(value.id, ones);
      hold(ones);
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i];
        if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const inputGradients = node.gradient(node.outputs.map((o) => acc.get(o.id) ?? null));
        for (const [name, x] of Object.entries(node.inputs)) {
          if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
          const dx = tf.tidy(() => inputGradients[name]());
          if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
          if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
          const current = acc.get(x.id);
          if (current == null) {
            acc.set(x.id, dx);
            hold(dx);
          } else {
            const sum = tf.add(current, dx);
            acc.set(x.id, sum);
            hold(sum);
            release(current);
            if (!held.has(dx)) dx.dispose();
          }
        }
        // this node's outputs have no other producer: their gradients and its saved tensors are spent
        for (const o of node.outputs) {
          const g = acc.get(o.id);
          if (g) {
            acc.delete(o.id);
            release(g);
          }
        }
        for (const t of node.saved ?? []) if (!held.has(t)) t.dispose();
        for (const v of completeAfter.get(i) ?? []) {
          const g = acc.get(v.id);
          if (!g) continue;
          acc.delete(v.id);
          // handed over: kept, so that neither this scope nor another entry disposes it
          if ((held.get(g) ?? 0) > 1) {
            sink(v, tf.keep(g.clone()));
            release(g);
          } else {
            held.delete(g);
            sink(v, tf.keep(g));
          }
        }
      }
      return {};
    });
  } catch (e) {
    y?.dispose();
    throw e;
  } finally {
    // as engine.gradients ends a first-order pass (and, unlike it, also when f threw)
    for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
  return y;
}
