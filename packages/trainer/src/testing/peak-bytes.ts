import * as tf from '@tensorflow/tfjs-core';

/**
 * Peak bytes the backend's data buffers held while `run` ran, above what they held before (buffers
 * that existed before and were freed count negative). CPU backend. tf.memory() counts a clone's
 * bytes again, so it cannot tell.
 */
export async function peakBytes(run: () => void | Promise<void>): Promise<number> {
  const backend = tf.backend() as unknown as {
    write(...a: unknown[]): object;
    disposeData(id: object, force?: boolean): boolean;
    data: { get(id: object): { values?: { byteLength: number } } | undefined };
  };
  const { write, disposeData } = backend;
  const sizes = new Map<object, number>();
  let live = 0;
  let peak = 0;
  backend.write = (...a: unknown[]) => {
    const id = write.apply(backend, a);
    const values = a[0] as { byteLength?: number } | null;
    const bytes = values?.byteLength ?? 0;
    sizes.set(id, bytes);
    live += bytes;
    peak = Math.max(peak, live);
    return id;
  };
  backend.disposeData = (id: object, force?: boolean) => {
    const bytes = sizes.get(id) ?? backend.data.get(id)?.values?.byteLength ?? 0;
    const gone = disposeData.call(backend, id, force);
    if (gone) {
      live -= bytes;
      sizes.delete(id);
    }
    return gone;
  };
  try {
    await run();
  } finally {
    backend.write = write;
    backend.disposeData = disposeData;
  }
  return peak;
}

