import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

// Gradient gaps in @tensorflow/tfjs-core 4.22 that hit every backend, found by the op audit:
// - comparisons/logical ops have no gradient, so any mask built from a trained tensor
//   (tf.where(tf.greater(x, 0), ...)) fails backprop; TensorFlow treats them as constants;
// - GatherNd, ScatterNd and StridedSlice have none;
// - BatchMatMul/Maximum/Minimum/SquaredDifference return the gradient at the broadcast shape
//   instead of the input's shape when batch/elementwise broadcasting happened.
// And one that costs time: Multiply's gradient casts the other operand to float32 even when it is
// float32 already, a copying Cast kernel per gradient (83 per 256x4 SpERT training step).

const nonDifferentiable = [
  tf.Equal, tf.NotEqual, tf.Greater, tf.Less, tf.LessEqual, tf.LogicalAnd, tf.LogicalOr, tf.LogicalNot, tf.All, tf.Any,
];

const broadcastingOps = [tf.BatchMatMul, tf.Maximum, tf.Minimum, tf.SquaredDifference, tf.Atan2, tf.Mod];

const wrapped = new WeakSet<GradConfig['gradFunc']>();

function register(config: GradConfig, done: string[], what: string): void {
  if (tf.getGradient(config.kernelName) != null) return;
  tf.registerGradient(config);
  done.push(what);
}

function reduceToShape(g: Tensor, shape: number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const axes: number[] = [];
  const lead = g.shape.length - shape.length;
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(tf.sum(g, axes), shape);
}

type StridedSliceAttrs = {
  begin: number[]; end: number[]; strides: number[]; beginMask: number; endMask: number;
  ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
};

/** Registers the gradients tfjs-core lacks and fixes its broadcast gradients (idempotent); returns what it did. */
export function installGradientFixes(): string[] {
  const done: string[] = [];
  const zeroed: string[] = [];
  const reduced: string[] = [];
  for (const kernelName of nonDifferentiable) {
    const inputs = kernelName === tf.LogicalNot || kernelName === tf.All || kernelName === tf.Any ? ['x'] : ['a', 'b'];
    register({
      kernelName,
      inputsToSave: inputs,
      gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) =>
        Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(saved[i])])),
    }, zeroed, kernelName);
  }
  if (zeroed.length > 0) done.push(`zero gradients (non-differentiable): ${zeroed.join(', ')}`);
  // Slicing an iota tensor with the same attributes tells where each output element came from.
  register({
    kernelName: tf.StridedSlice,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      const a = attrs as unknown as StridedSliceAttrs;
      return {
        x: () => {
          const iota = tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape);
          const from = tf.stridedSlice(iota, a.begin, a.end, a.strides, a.beginMask, a.endMask,
            a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
          return tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy as Tensor, [-1]), tf.reshape(from, [-1]) as tf.Tensor1D, x.size), x.shape);
        },
      };
    },
  }, done, 'StridedSlice: gradient added');
  register({
    kernelName: tf.GatherNd,
    inputsToSave: ['params', 'indices'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [params, indices] = saved;
      return {
        params: () => tf.scatterND(indices, dy as Tensor, params.shape),
        indices: () => tf.zerosLike(indices),
      };
    },
  }, done, 'GatherNd: gradient added (scatterND)');
  register({
    kernelName: tf.ScatterNd,
    inputsToSave: ['indices'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [indices] = saved;
      return {
        updates: () => tf.gatherND(dy as Tensor, indices),
        indices: () => tf.zerosLike(indices),
      };
    },
  }, done, 'ScatterNd: gradient added (gatherND)');
  for (const kernelName of broadcastingOps) {
    const original = tf.getGradient(kernelName);
    if (original == null || wrapped.has(original.gradFunc) || original.inputsToSave == null) continue;
    const names = original.inputsToSave;
    const gradFunc: GradConfig['gradFunc'] = (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const out: Record<string, () => Tensor> = {};
      for (const [key, f] of Object.entries(grads)) {
        const i = names.indexOf(key);
        out[key] = i < 0 ? f : () => reduceToShape(f(), saved[i].shape);
      }
      return out;
    };
    wrapped.add(gradFunc);
    tf.unregisterGradient(kernelName);
    tf.registerGradient({ ...original, gradFunc });
    reduced.push(kernelName);
  }
  if (reduced.length > 0) done.push(`gradients summed over broadcast dimensions: ${reduced.join(', ')}`);
  const mulGrad = tf.getGradient(tf.Multiply);
  if (mulGrad != null && !wrapped.has(mulGrad.gradFunc)) {
    // tfjs-core's Multiply gradient with the cast only where the dtype changes: the same kernels
    // otherwise, so the same values bit for bit.
    const gradFunc: GradConfig['gradFunc'] = (dy, saved) => {
      const [a, b] = saved;
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const times = (other: Tensor, shape: number[]) => () => {
        const res = tf.mul(dy as Tensor, other.dtype === 'float32' ? other : tf.cast(other, 'float32'));
        const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
        return axes.length > 0 ? tf.reshape(tf.sum(res, axes), shape) : res;
      };
      return { a: times(b, a.shape), b: times(a, b.shape) };
    };
    wrapped.add(gradFunc);
    tf.unregisterGradient(tf.Multiply);
    tf.registerGradient({ ...mulGrad, gradFunc });
    done.push('Multiply: gradient without the cast of float32 operands');
  }
  return done;
}
