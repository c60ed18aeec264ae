import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeEncoderConfig } from '@spert/checkpoint';
import { createEncoder, MaskedLmHead } from '@spert/encoder';
import { evaluateMaskedLm, pretrainMaskedLm, type MaskedLmBatchArrays, type MaskedLmSource } from './pretrain-masked-lm';
import { Xoshiro128 } from './xoshiro128';

// A toy language: every sequence repeats one word (ids 4..23), so a masked token is predictable
// from any unmasked one and a working pre-training loop must learn to copy it.
const V = 24;
const T = 10;
function toySource(count: number, seed: number): MaskedLmSource {
  const starts = Array.from({ length: count }, (_, i) => new Xoshiro128(seed * 1000 + i).int(20));
  return {
    length: count,
    batch(indices: readonly number[], epoch: number): MaskedLmBatchArrays {
      const B = indices.length;
      const inputIds = new Int32Array(B * T);
      const attentionMask = new Int32Array(B * T).fill(1);
      const positions: number[] = [];
      const labels: number[] = [];
      indices.forEach((seq, b) => {
        const r = new Xoshiro128((seed * 7919 + seq * 31 + epoch) >>> 0);
        const at = 1 + r.int(T - 2);
        inputIds[b * T] = 1; // [CLS]
        inputIds[b * T + T - 1] = 2; // [SEP]
        for (let t = 1; t < T - 1; t++) {
          const id = 4 + starts[seq];
          const masked = t === at;
          inputIds[b * T + t] = masked ? 3 : id;
          if (masked) {
            positions.push(b * T + t);
            labels.push(id);
          }
        }
      });
      return { batchSize: B, seqLen: T, inputIds, attentionMask, positions: Int32Array.from(positions), labels: Int32Array.from(labels), tokens: B * T };
    },
  };
}

const config = () => makeEncoderConfig({ vocab_size: V, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16 });

function fresh(seed = 1) {
  const encoder = createEncoder({ config: config(), seed });
  const head = MaskedLmHead.create({ encoder, seed });
  return { encoder, head, values: () => [...encoder.variables().values(), ...head.variables().values()].map((v) => Array.from(v.dataSync())) };
}

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spert-pretrain-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pretrainMaskedLm', () => {
  it('learns a toy language: validation loss falls and masked-token accuracy rises; no tensor leaks', async () => {
    const m = fresh();
    const validation = toySource(16, 2);
    const before = evaluateMaskedLm({ ...m, source: validation });
    const tensors = tf.memory().numTensors;
    const result = await pretrainMaskedLm({ ...m, train: toySource(64, 1), validation, epochs: 20, batchSize: 8, lr: 5e-3, seed: 5, progress: 'off', log: () => {} });
    expect(tf.memory().numTensors).toBe(tensors);
    const last = result.evals[result.evals.length - 1].metrics;
    expect(last.validation_loss).toBeLessThan(before.loss * 0.5);
    expect(last.validation_accuracy).toBeGreaterThan(0.5); // chance is 1 in 20
    expect(before.accuracy).toBeLessThan(0.2);
    m.encoder.dispose();
    m.head.dispose();
  });

  it('resumes exactly: stopped at step 7 and continued equals an uninterrupted run bit for bit (dropout on)', async () => {
    const run = async (m: ReturnType<typeof fresh>, extra: Partial<Parameters<typeof pretrainMaskedLm>[0]>) =>
      pretrainMaskedLm({ ...m, train: toySource(32, 1), epochs: 3, batchSize: 4, accumulate: 2, lr: 1e-3, seed: 9, progress: 'off', log: () => {}, ...extra });
    const a = fresh();
    await run(a, {});
    const b = fresh();
    const stop = new AbortController();
    const source = toySource(32, 1);
    let batches = 0;
    // 14 micro-batches = 7 updates of 2, then the signal stops the run with a checkpoint
    const stopping: MaskedLmSource = { length: source.length, batch: (i, e) => (++batches === 14 && stop.abort(), source.batch(i, e)) };
    const stopped = await run(b, { checkpointDir: dir, signal: stop.signal, train: stopping });
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(7);
    const c = fresh();
    const resumed = await run(c, { checkpointDir: dir, resume: true });
    expect(resumed.resumedFrom).toBeDefined();
    expect(c.values()).toEqual(a.values());
    for (const m of [a, b, c]) {
      m.encoder.dispose();
      m.head.dispose();
    }
  });
});
