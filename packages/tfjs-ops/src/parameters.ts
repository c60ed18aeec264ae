import * as tf from '@tensorflow/tfjs-core';

/** Named parameter tensors in PyTorch layout, as read from or written to a checkpoint. */
export type TensorMap = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

/** Gets a tensor by name from either map form. */
export function getTensor(map: TensorMap, name: string): tf.Tensor | undefined {
  return map instanceof Map ? map.get(name) : map[name];
}

/**
 * Copies the named tensors into the variables after checking each shape; names absent from the
 * map are an error (a head without its weights is useless), extra names are ignored so a whole
 * checkpoint can be passed.
 */
export function assignNamed(variables: Map<string, tf.Variable>, map: TensorMap, owner: string): void {
  const missing = [...variables.keys()].filter((name) => getTensor(map, name) === undefined);
  if (missing.length > 0) throw new Error(`${owner}.loadTensors: missing ${missing.join(', ')}`);
  for (const [name, variable] of variables) {
    const t = getTensor(map, name) as tf.Tensor;
    if (t.shape.join() !== variable.shape.join()) {
      throw new Error(
        `${owner}.loadTensors: ${name} has shape [${t.shape.join(', ')}], expected [${variable.shape.join(', ')}]`,
      );
    }
  }
  for (const [name, variable] of variables) {
    const t = getTensor(map, name) as tf.Tensor;
    variable.assign(t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
  }
}

/** A trainable variable that is the only holder of its initial buffer (the initial tensor is disposed, not leaked, and in-place optimizer updates stay possible). */
export function ownedVariable<R extends tf.Rank>(initial: tf.Tensor<R>): tf.Variable<R> {
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}

/** A linear layer in PyTorch layout: x [N, in] -> x W^T + b [N, out]. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, weight, false, true), bias);
}
