// The exported encoder against @spert/encoder's TF.js BertEncoder on a random SpERT checkpoint
// written by @spert/encoder (writeRandomCheckpoint) plus random head tensors.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { loadCheckpoint, saveCheckpoint, syntheticVocab, writeRandomCheckpoint, type NamedTensor } from '@spert/checkpoint';
import { BertEncoder } from '@spert/encoder';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { exportSpertOnnx } from './export-model';
import { createRng } from '@spert/core';
import { ONNX_FILES } from './onnx-files';
import { SpertOnnxRuntime } from './runtime';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(path.join(tmpdir(), 'spert-onnx-tfjs-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

it('encoder.onnx of a random SpERT checkpoint matches the TF.js BertEncoder within 1e-4 (padded batch)', async () => {
  const bertDir = path.join(root, 'bert');
  const vocab = syntheticVocab(300);
  await writeRandomCheckpoint({ dir: bertDir, config: { vocab_size: 300, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64 }, vocab, seed: 11 });
  const ckpt = await loadCheckpoint({ dir: bertDir });
  // Random SpERT heads for 2 entity types (+ none) and 3 relation types.
  const rand = createRng(5);
  const randomTensor = (shape: number[]): NamedTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * 0.2) });
  const H = 32;
  const heads = new Map<string, NamedTensor>([
    ['entity_classifier.weight', randomTensor([3, 2 * H + 25])],
    ['entity_classifier.bias', randomTensor([3])],
    ['rel_classifier.weight', randomTensor([3, 3 * H + 50])],
    ['rel_classifier.bias', randomTensor([3])],
    ['size_embeddings.weight', randomTensor([100, 25])],
  ]);
  const types = {
    entities: { A: { short: 'A', verbose: 'A' }, B: { short: 'B', verbose: 'B' } },
    relations: { R1: { short: 'R1', verbose: 'R1', symmetric: false }, R2: { short: 'R2', verbose: 'R2', symmetric: true }, R3: { short: 'R3', verbose: 'R3', symmetric: false } },
  };
  const spertDir = path.join(root, 'spert');
  await saveCheckpoint({
    dir: spertDir,
    config: ckpt.config,
    encoderTensors: ckpt.encoderTensors,
    extraTensors: heads,
    prefix: true,
    vocab,
    extraConfig: { spert_version: '1.1', spert: { types, max_span_size: 10, size_embedding: 25, rel_filter_threshold: 0.4, max_pairs: 1000 } },
  });
  const outDir = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir: spertDir, outDir });

  const ids = [
    [2, 40, 41, 42, 43, 44, 45, 3],
    [2, 50, 60, 3, 0, 0, 0, 0],
  ];
  const mask = ids.map((r, b) => r.map((_, t) => (b === 0 || t < 4 ? 1 : 0)));
  const encoder = BertEncoder.fromTensors(ckpt.config, ckpt.encoderTensors);
  const hiddenTf = tf.tidy(() => encoder.apply({ inputIds: tf.tensor2d(ids, [2, 8], 'int32'), attentionMask: tf.tensor2d(mask, [2, 8], 'int32') }, { training: false }));
  const expected = await hiddenTf.data();
  hiddenTf.dispose();
  encoder.dispose();

  const session = await ort.InferenceSession.create(new Uint8Array(await readFile(path.join(outDir, ONNX_FILES.encoder))));
  const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [2, 8]);
  const out = await session.run({ input_ids: i64(ids), attention_mask: i64(mask), token_type_ids: i64(ids.map((r) => r.map(() => 0))) });
  const got = out.last_hidden_state.data as Float32Array;
  let worst = 0;
  for (let b = 0; b < 2; b++) for (let t = 0; t < 8; t++) if (mask[b][t]) for (let h = 0; h < H; h++) worst = Math.max(worst, Math.abs(got[(b * 8 + t) * H + h] - expected[(b * 8 + t) * H + h]));
  expect(worst).toBeLessThan(1e-4);
  await session.release();

  // The exported directory is self-describing: the runtime loads it without a types file.
  const runtime = await SpertOnnxRuntime.load(outDir, { threads: 1 });
  expect(runtime.metadata().relationTypes).toEqual(['R1', 'R2', 'R3']);
  const [pred] = await runtime.predictTokens([['abc', 'de', 'f']]);
  expect(pred.tokens).toEqual(['abc', 'de', 'f']);
  await runtime.dispose();
});
