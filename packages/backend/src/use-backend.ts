import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Backends this package can start. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What is running, for start-up logs. */
export interface BackendReport {
  name: Exclude<BackendName, 'auto'>;
  tfBackend: string;
}

/** Starts the requested TensorFlow.js backend and returns what runs. */
export async function useBackend(name: BackendName = 'auto'): Promise<BackendReport> {
  if (name === 'wasm' || name === 'auto') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return { name: 'wasm', tfBackend: tf.getBackend() };
    }
    if (name === 'wasm') throw new Error('the wasm backend failed to start');
  }
  if (name === 'cpu' || name === 'auto') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: 'cpu', tfBackend: tf.getBackend() };
  }
  throw new Error(`backend "${name}" is not available yet`);
}
