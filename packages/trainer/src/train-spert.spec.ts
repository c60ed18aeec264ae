import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { createRng, readDataset, readTypes, type Document, type TypesSchema } from '@spert/core';
import { createScratchModel, saveModel, SpertModel } from '@spert/model';
import { collate, createTrainSample } from '@spert/span-sampler';
import { sharedPath } from '../../../tools/testing/shared';
import { listCheckpoints } from './checkpoint';
import type { Progress } from './progress';
import { spertLoss } from './spert-loss';
import { trainSpert, type TrainSpertOptions } from './train-spert';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

/** Eval-mode loss on fixed samples (seeded negatives), to compare before and after training. */
function fixedLoss(model: SpertModel, docs: Document[], types: TypesSchema): number {
  const rng = createRng(7);
  const encodings = model.encodeDocuments(docs.map((d) => d.tokens));
  const b = collate(docs.map((document, i) => createTrainSample({ document, encoding: encodings[i], types, rng })));
  return tf.tidy(() => {
    const out = model.forwardTrain(b, { training: false });
    const R = types.relations.length;
    return spertLoss({
      entityLogits: tf.reshape(out.entityLogits, [-1, types.entities.length + 1]) as tf.Tensor2D,
      entityLabels: tf.tensor1d(b.spanLabels.data, 'int32'),
      entityMask: tf.tensor1d(b.spanMask.data, 'float32'),
      relationLogits: tf.reshape(out.relationLogits, [-1, R]) as tf.Tensor2D,
      relationLabels: tf.tensor2d(b.pairLabels.data, [b.pairMask.data.length, R]),
      relationMask: tf.tensor1d(b.pairMask.data, 'float32'),
    }).total.dataSync()[0];
  });
}

describe('trainSpert', () => {
  it('trains a tiny scratch model on CoNLL04 (loss falls) and save/load gives identical predictions', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 24);
    const model = createScratchModel({ documents: docs, types, hiddenSize: 32, layers: 1, heads: 2, intermediateSize: 64, seed: 3 });
    const dir = await mkdtemp(path.join(tmpdir(), 'train-spert-'));
    try {
      const before = fixedLoss(model, docs.slice(0, 8), types);
      const tensorsBefore = tf.memory().numTensors;
      const result = await trainSpert({ model, documents: docs, epochs: 4, batchSize: 4, lr: 5e-3, seed: 1, logDir: path.join(dir, 'log'), progress: false });
      expect(result.steps).toBe(24);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const after = fixedLoss(model, docs.slice(0, 8), types);
      expect(after).toBeLessThan(before * 0.7);
      // 24 steps, one window of the default 100: one loss row at the last step, with both parts
      const rows = (await readFile(path.join(dir, 'log', 'train_log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; parts?: Record<string, number> });
      const losses = rows.filter((r) => r.type === 'loss');
      expect(losses.map((r) => r.step)).toEqual([24]);
      expect(Object.keys(losses[0].parts ?? {}).sort()).toEqual(['entity', 'relation']);

      await saveModel(model, path.join(dir, 'model'));
      const loaded = await SpertModel.load({ dir: path.join(dir, 'model') });
      const words = docs.slice(0, 6).map((d) => d.tokens);
      expect(await loaded.predict(words)).toEqual(await model.predict(words));
      loaded.dispose();
    } finally {
      model.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('samples weak relation negatives when the model says so: the relation loss changes, and only through the negatives', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 4);
    const firstRelationLoss = async (relationNegatives: 'strong' | 'weak', negRelationCount: number): Promise<number> => {
      const model = createScratchModel({ documents: docs, types, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, seed: 3, settings: { relationNegatives } });
      const logDir = await mkdtemp(path.join(tmpdir(), 'spert-weak-'));
      try {
        await trainSpert({ model, documents: docs, epochs: 1, batchSize: 4, seed: 5, negRelationCount, logDir, logEvery: 1, progress: 'off', log: () => undefined });
        const [header, row] = (await readFile(path.join(logDir, 'loss.csv'), 'utf8')).trim().split('\n').map((l) => l.split(','));
        return Number(row[header.indexOf('relation')]);
      } finally {
        model.dispose();
        await rm(logDir, { recursive: true, force: true });
      }
    };
    const [weak0, strong0, weak, strong] = [await firstRelationLoss('weak', 0), await firstRelationLoss('strong', 0), await firstRelationLoss('weak', 100), await firstRelationLoss('strong', 100)];
    for (const x of [weak0, strong0, weak, strong]) expect(x).toBeGreaterThan(0);
    // Without negatives both variants train on the same positive pairs.
    expect(weak0).toBe(strong0);
    // With them, weak pairs (with non-entity spans) are other samples than strong ones.
    expect(weak).not.toBe(strong);
  }, 120_000);

  it('a training document too long for the encoder fails before the first step, naming file and index', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 4);
    const model = createScratchModel({ documents: docs, types, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions: 64, seed: 3 });
    try {
      const long: Document = { tokens: Array.from({ length: 80 }, () => 'the'), entities: [], relations: [] };
      const params = [...model.variables().values()].map((v) => v.dataSync().slice());
      await expect(trainSpert({ model, documents: [...docs, long], source: 'train.json', epochs: 1, progress: false })).rejects.toThrow(
        /^train\.json: document 4 is too long for the encoder: 80 words give 82 wordpieces .* maximum is 64/,
      );
      [...model.variables().values()].forEach((v, i) => expect(v.dataSync()).toEqual(params[i]));
    } finally {
      model.dispose();
    }
  });

  describe('resume', () => {
    // A tiny model with dropout (encoder 0.1, heads 0.1) and negative sampling, so every source
    // of randomness a real run has is in play; 12 documents, batch 2, 2 epochs = 12 steps.
    let docs: Document[];
    let types: TypesSchema;
    let dir: string;
    beforeAll(async () => {
      await useBackend('wasm');
      types = await readTypes({ path: conll('conll04_types.json') });
      docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 12);
    });
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'train-spert-resume-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const newModel = () => createScratchModel({ documents: docs, types, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, seed: 3 });
    const bytes = (model: SpertModel) => new Map([...model.variables()].map(([name, v]) => [name, Buffer.from((v.dataSync() as Float32Array).buffer).toString('hex')]));
    const run = (model: SpertModel, o: Partial<TrainSpertOptions>) =>
      trainSpert({ model, documents: docs, epochs: 2, batchSize: 2, lr: 5e-3, seed: 1, negEntityCount: 20, negRelationCount: 20, checkpointDir: dir, progress: 'off', log: () => {}, ...o });
    // Records each step's loss; with `stopAfter`, aborts the run after that step the way spert-train's Ctrl-C does.
    function watch(stopAfter?: number): { progress: Progress; signal: AbortSignal; losses: Map<number, number> } {
      const ac = new AbortController();
      const losses = new Map<number, number>();
      const progress: Progress = {
        start() {},
        update(u) {
          losses.set(u.step, u.loss);
          if (u.step === stopAfter) ac.abort();
        },
        endEpoch() {},
        stop() {},
      };
      return { progress, signal: ac.signal, losses };
    }
    let reference: { weights: Map<string, string>; losses: Map<number, number> } | undefined;
    async function uninterrupted() {
      if (!reference) {
        const model = newModel();
        const w = watch();
        await run(model, { checkpointDir: undefined, progress: w.progress });
        reference = { weights: bytes(model), losses: w.losses };
        model.dispose();
      }
      return reference;
    }

    it('interrupted mid-epoch (twice) and resumed each time in a fresh model: final weights byte for byte those of an uninterrupted run', async () => {
      const want = await uninterrupted();
      const said: string[] = [];
      const losses = new Map<number, number>();
      for (const [stopAfter, resume] of [[4, false], [9, true], [undefined, true]] as const) {
        const model = newModel(); // a new process: spert-train builds the model again before resuming
        const w = watch(stopAfter);
        const r = await run(model, { resume, signal: w.signal, progress: w.progress, log: (l) => said.push(l) });
        expect(r.stopped).toBe(stopAfter !== undefined);
        for (const [k, v] of w.losses) losses.set(k, v);
        if (stopAfter === undefined) expect(bytes(model)).toEqual(want.weights);
        model.dispose();
      }
      expect(said.map((l) => l.replace(/; checkpoint .*\)$/, ')'))).toEqual([
        'resuming from step 4 of 12 (epoch 1/2, batch 5 of 6)',
        'resuming from step 9 of 12 (epoch 2/2, batch 4 of 6)',
      ]);
      // Every step after each resume computed the uninterrupted run's loss exactly.
      expect(losses).toEqual(want.losses);
    });

    it('interrupted at an epoch end (after its checkpoint) and resumed: byte-identical too', async () => {
      const want = await uninterrupted();
      const first = newModel();
      const w = watch(6);
      const r = await run(first, { signal: w.signal, progress: w.progress });
      first.dispose();
      expect([r.stopped, r.steps]).toEqual([true, 6]);
      expect((await listCheckpoints({ root: dir })).map((c) => c.step)).toEqual([6]);
      const model = newModel();
      const said: string[] = [];
      await run(model, { resume: true, log: (l) => said.push(l) });
      expect(said[0]).toMatch(/^resuming from step 6 of 12 \(epoch 2\/2, batch 1 of 6; checkpoint .*checkpoint-00000006\)$/);
      expect(bytes(model)).toEqual(want.weights);
      model.dispose();
    });

    it('continues in the same model object after a stop (nothing to replay), and refuses a model already past the checkpoint or other sampling settings', async () => {
      const want = await uninterrupted();
      const model = newModel();
      const w = watch(3);
      await run(model, { signal: w.signal, progress: w.progress });
      await run(model, { resume: true });
      expect(bytes(model)).toEqual(want.weights);
      // Checkpoint of step 3 kept aside; this model object has run 12 training steps since.
      const other = path.join(dir, 'other');
      const w2 = watch(3);
      const fresh = newModel();
      await run(fresh, { checkpointDir: other, signal: w2.signal, progress: w2.progress });
      fresh.dispose();
      await expect(run(model, { checkpointDir: other, resume: true })).rejects.toThrow(
        /cannot resume exactly from .*checkpoint-00000003 \(step 3\): this model object has already run 12 training steps.*freshly created or loaded model/,
      );
      const third = newModel();
      await expect(run(third, { checkpointDir: other, resume: true, negEntityCount: 5 })).rejects.toThrow(/cannot resume from .*: it was trained with negEntityCount = 20, this run has 5/);
      third.dispose();
      model.dispose();
    });
  });
});
