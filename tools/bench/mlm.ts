// Masked-LM pre-training step benchmark on the wasm backend, the shapes of tools/reference/python/mlm_bench.py
// (PyTorch BertForMaskedLM, same machine): a random BERT of the given size, batch B x T with 15% of
// the tokens labelled, one training step = forward + backward + AdamW + clipping through
// pretrainMaskedLm's own code path (maskedLmLoss: the vocabulary product only at labelled positions).
// Reports the median step, tokens/s, peak wasm heap and RSS.
// Run: npx tsx tools/bench/mlm.ts [--preset small|base] [--batch 32 --length 128] [--steps 5] [--accumulate 1]
//   small: 256x4 (intermediate 1024, vocab 30522), batch 32 x 128; base: bert-base (768x12, vocab 28996), batch 8 x 128.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, useBackend } from '@spert/backend';
import { makeEncoderConfig } from '@spert/checkpoint';
import { createEncoder, MaskedLmHead } from '@spert/encoder';
import { pretrainMaskedLm, type MaskedLmSource } from '@spert/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] != null ? process.argv[i + 1] : fallback;
}

const PRESETS = {
  small: { hidden: 256, layers: 4, heads: 4, intermediate: 1024, vocab: 30522, batch: 32 },
  base: { hidden: 768, layers: 12, heads: 12, intermediate: 3072, vocab: 28996, batch: 8 },
} as const;
const presetName = arg('preset', 'small');
if (!(presetName in PRESETS)) throw new Error(`--preset ${presetName}: expected small or base`);
const P = PRESETS[presetName as keyof typeof PRESETS];
const H = Number(arg('hidden', String(P.hidden)));
const L = Number(arg('layers', String(P.layers)));
const HEADS = Number(arg('heads', String(P.heads)));
const I = Number(arg('intermediate', String(P.intermediate)));
const V = Number(arg('vocab', String(P.vocab)));
const B = Number(arg('batch', String(P.batch)));
const T = Number(arg('length', '128'));
const STEPS = Number(arg('steps', '5'));
const ACCUMULATE = Number(arg('accumulate', '1'));
const WARMUP = 2;

/** Random full-length sequences with 15% of the positions labelled (BERT's rate), fixed per index. */
function source(count: number): MaskedLmSource {
  return {
    length: count,
    batch(indices) {
      const n = indices.length;
      const inputIds = new Int32Array(n * T);
      const positions: number[] = [];
      const labels: number[] = [];
      let x = 12345;
      const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
      for (let i = 0; i < n * T; i++) {
        inputIds[i] = 5 + (next() % (V - 5));
        if (next() % 100 < 15) {
          positions.push(i);
          labels.push(inputIds[i]);
          inputIds[i] = 4;
        }
      }
      return { batchSize: n, seqLen: T, inputIds, attentionMask: new Int32Array(n * T).fill(1), positions: Int32Array.from(positions), labels: Int32Array.from(labels), tokens: n * T };
    },
  };
}

function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? 0;
}

async function main(): Promise<void> {
  const report = await useBackend(arg('backend', 'wasm') as 'wasm');
  process.stderr.write(`${formatBackendReport(report)}\n`);
  const config = makeEncoderConfig({ vocab_size: V, hidden_size: H, num_hidden_layers: L, num_attention_heads: HEADS, intermediate_size: I, max_position_embeddings: Math.max(512, T) });
  const encoder = createEncoder({ config, seed: 1 });
  const head = MaskedLmHead.create({ encoder, seed: 1 });
  const times: number[] = [];
  const cpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let peakRss = 0;
  let peakHeap = 0;
  const total = WARMUP + STEPS;
  await pretrainMaskedLm({
    encoder,
    head,
    train: source(B * ACCUMULATE * total),
    epochs: 1,
    batchSize: B,
    accumulate: ACCUMULATE,
    lr: 1e-4,
    seed: 1,
    progress: {
      start() {},
      update() {
        const now = performance.now();
        times.push(now - last);
        last = now;
        // CPU seconds of the whole process (every thread): comparable with a reference measured on a loaded machine
        const c = process.cpuUsage(lastCpu);
        cpu.push((c.user + c.system) / 1e6);
        lastCpu = process.cpuUsage();
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        peakHeap = Math.max(peakHeap, heapBytes());
      },
      endEpoch() {},
      stop() {},
    },
    log: () => undefined,
  });
  const measured = times.slice(WARMUP).sort((a, b) => a - b);
  const med = measured[Math.floor(measured.length / 2)] / 1000;
  const cpuMeasured = cpu.slice(WARMUP).sort((a, b) => a - b);
  const cpuMed = cpuMeasured[Math.floor(cpuMeasured.length / 2)];
  const tokens = B * T * ACCUMULATE;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  process.stdout.write(
    `masked-LM step ${H}x${L} (intermediate ${I}, vocab ${V}), batch ${B} x ${T}${ACCUMULATE > 1 ? ` x ${ACCUMULATE} accumulated` : ''}: ` +
      `median ${med.toFixed(3)} s over ${measured.length} steps (min ${(measured[0] / 1000).toFixed(3)}, max ${(measured[measured.length - 1] / 1000).toFixed(3)}), ` +
      `${(tokens / med).toFixed(0)} tokens/s, ${(1 / med).toFixed(3)} steps/s; CPU ${cpuMed.toFixed(2)} s/step (${(tokens / cpuMed).toFixed(0)} tokens per CPU-second); load average ${os.loadavg()[0].toFixed(1)}; peak wasm heap ${mib(peakHeap)}, peak RSS ${mib(peakRss)}\n`,
  );
  head.dispose();
  encoder.dispose();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
