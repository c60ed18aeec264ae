import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { latestCheckpoint, listCheckpoints, readCheckpoint } from './checkpoint';
import { Xoshiro128 } from './xoshiro128';
import { spertLoss } from './spert-loss';
import { assertWellFormedXml } from './testing/xml-well-formed';
import { captureStream } from './testing/capture-stream';
import { peakBytes } from './testing/peak-bytes';
import { train, type ResumeContext, type StepContext, type TrainOptions } from './train';
import type { Progress } from './progress';
import { nodeFs, type TrainerFs } from './trainer-fs';
import type { LogRow } from './training-log';

// Toy task: 3 Gaussian blobs in 2D. Entity part: a linear softmax classifier; relation part: one
// sigmoid "is class 2" output. Both go through spertLoss, the loss SpERT trains with.
interface Point {
  x: [number, number];
  label: number;
}

const CENTERS: Array<[number, number]> = [[2, 0], [-1, 2], [-1, -2]];
function makeData(n: number, seed: number): Point[] {
  const r = new Xoshiro128(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  return Array.from({ length: n }, (_, i) => {
    const label = i % 3;
    return { x: [CENTERS[label][0] + 0.5 * gauss(), CENTERS[label][1] + 0.5 * gauss()], label };
  });
}

let runId = 0;
function makeParams(): Map<string, tf.Variable> {
  const id = runId++;
  return new Map<string, tf.Variable>([
    ['entity_classifier.weight', tf.variable(tf.tensor2d([[0.1, -0.2, 0.05], [0.0, 0.1, -0.1]]), true, `toy${id}.ew`)],
    ['entity_classifier.bias', tf.variable(tf.tensor1d([0, 0, 0]), true, `toy${id}.eb`)],
    ['rel_classifier.weight', tf.variable(tf.tensor2d([[0.0], [0.0]]), true, `toy${id}.rw`)],
    ['rel_classifier.bias', tf.variable(tf.tensor1d([0]), true, `toy${id}.rb`)],
  ]);
}

function toyLoss(params: Map<string, tf.Variable>) {
  const p = (n: string) => params.get(n) as tf.Variable;
  return (batch: Point[], ctx: StepContext) => {
    // Input noise drawn from the run's generator: resume must restore it exactly.
    const x = tf.tensor2d(batch.map((b) => [b.x[0] + 0.1 * (ctx.rng.next() - 0.5), b.x[1]]));
    const entityLogits = tf.add(tf.matMul(x, p('entity_classifier.weight')), p('entity_classifier.bias')) as tf.Tensor2D;
    const relationLogits = tf.add(tf.matMul(x, p('rel_classifier.weight')), p('rel_classifier.bias')) as tf.Tensor2D;
    const l = spertLoss({
      entityLogits,
      entityLabels: tf.tensor1d(batch.map((b) => b.label), 'int32'),
      entityMask: tf.ones([batch.length]) as tf.Tensor1D,
      relationLogits,
      relationLabels: tf.tensor2d(batch.map((b) => [b.label === 2 ? 1 : 0])),
      relationMask: tf.ones([batch.length]) as tf.Tensor1D,
    });
    return { loss: l.total, parts: { entity: l.entity, relation: l.relation } };
  };
}

function accuracy(params: Map<string, tf.Variable>, data: Point[]): number {
  return tf.tidy(() => {
    const logits = tf.add(tf.matMul(tf.tensor2d(data.map((d) => d.x)), params.get('entity_classifier.weight') as tf.Variable), params.get('entity_classifier.bias') as tf.Variable);
    const pred = tf.argMax(logits, 1).dataSync();
    return data.filter((d, i) => pred[i] === d.label).length / data.length;
  });
}

const snapshot = (params: Map<string, tf.Variable>) => new Map([...params].map(([n, v]) => [n, Array.from(v.dataSync())]));
const disposeAll = (params: Map<string, tf.Variable>) => params.forEach((v) => v.dispose());

const DATA = makeData(30, 3);
const base = (params: Map<string, tf.Variable>): TrainOptions<Point> => ({
  params, data: DATA, batchLoss: toyLoss(params), epochs: 3, batchSize: 4, lr: 0.1, seed: 11, progress: 'off', log: () => {},
});

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spert-trainer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('train', () => {
  it('trains a toy classifier: loss falls, accuracy rises, logs, CSV and SVG are written, no tensor leaks', async () => {
    const params = makeParams();
    const before = tf.memory().numTensors;
    const accBefore = accuracy(params, DATA);
    const result = await train({
      ...base(params), epochs: 6, logDir: dir, logEvery: 7,
      onEpochEnd: () => ({ accuracy: accuracy(params, DATA), error: 1 - accuracy(params, DATA) }),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.steps).toBe(42); // floor(30 / 4) = 7 per epoch, x 6
    expect(result.totalSteps).toBe(42);
    expect(result.evals).toHaveLength(6);
    expect(result.evals[5].metrics.accuracy).toBeGreaterThan(Math.max(0.9, accBefore));
    const rows = (await readFile(path.join(dir, 'train_log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogRow);
    const losses = rows.filter((r) => r.type === 'loss');
    expect(losses.map((r) => r.step)).toEqual([7, 14, 21, 28, 35, 42]);
    expect(losses[5].loss).toBeLessThan(losses[0].loss * 0.5);
    for (const r of losses) {
      if (r.type !== 'loss') continue;
      expect(r.loss).toBeCloseTo(r.parts.entity + r.parts.relation, 5);
      expect(r.steps).toBe(7);
    }
    expect(rows.filter((r) => r.type === 'eval').map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    const lossCsv = (await readFile(path.join(dir, 'loss.csv'), 'utf8')).trim().split('\n');
    expect(lossCsv[0]).toBe('step,epoch,steps,loss,entity,relation,lr,docs_per_s,time');
    expect(lossCsv).toHaveLength(7);
    expect(Number(lossCsv[6].split(',')[0])).toBe(42);
    const evalCsv = (await readFile(path.join(dir, 'eval.csv'), 'utf8')).trim().split('\n');
    expect(evalCsv[0]).toBe('epoch,step,accuracy,error,time');
    expect(evalCsv).toHaveLength(7);
    const svg = await readFile(path.join(dir, 'training_curve.svg'), 'utf8');
    assertWellFormedXml(svg);
    // Every metric returned is plotted: a curve each, a marker per evaluated epoch.
    expect(svg.match(/<polyline class="metric"/g)).toHaveLength(2);
    expect(svg.match(/<title>epoch \d+, step \d+: accuracy = /g)).toHaveLength(6);
    expect(svg.match(/<title>epoch \d+, step \d+: error = /g)).toHaveLength(6);
    disposeAll(params);
  });

  it('resumes after a crash bit-identically to an uninterrupted run (same batches, rng, optimizer)', async () => {
    const ref = makeParams();
    await train({ ...base(ref), checkpointDir: path.join(dir, 'ref'), checkpointEverySteps: 5 });
    const want = snapshot(ref);

    const params = makeParams();
    const crash = toyLoss(params);
    await expect(
      train({
        ...base(params), checkpointDir: path.join(dir, 'run'), checkpointEverySteps: 5, logDir: path.join(dir, 'log'), logEvery: 3,
        batchLoss: (b, ctx) => {
          if (ctx.step === 12) throw new Error('simulated crash');
          return crash(b, ctx);
        },
      }),
    ).rejects.toThrow('simulated crash');
    // Checkpoints at steps 5 and 7 (end of epoch 0) and 10; keep 2 -> 7 and 10.
    expect((await listCheckpoints({ root: path.join(dir, 'run') })).map((c) => c.step)).toEqual([7, 10]);
    // Scramble the live parameters: resume must restore them from the checkpoint.
    params.forEach((v) => v.assign(tf.zerosLike(v)));
    const before = tf.memory().numTensors;
    const said: string[] = [];
    const result = await train({
      ...base(params), seed: undefined, checkpointDir: path.join(dir, 'run'), checkpointEverySteps: 5, resume: true, logDir: path.join(dir, 'log'), logEvery: 3,
      log: (line) => said.push(line),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(said).toEqual([`resuming from step 10 of 21 (epoch 2/3, batch 4 of 7; checkpoint ${path.join(dir, 'run', 'checkpoint-00000010')})`]);
    expect(result.resumedFrom).toBe(path.join(dir, 'run', 'checkpoint-00000010'));
    expect(result.seed).toBe(11);
    expect(result.steps).toBe(21);
    const got = snapshot(params);
    for (const [name, values] of want) expect(got.get(name)).toEqual(values);
    // The resumed log has each window once.
    const steps = (await readFile(path.join(dir, 'log', 'train_log.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as LogRow).step);
    expect(steps).toEqual([3, 6, 9, 12, 15, 18, 21]);
    disposeAll(ref);
    disposeAll(params);
  });

  it('stops on an abort signal with a checkpoint, and continues identically from it', async () => {
    const ref = makeParams();
    await train(base(ref));
    const params = makeParams();
    const ac = new AbortController();
    const inner = toyLoss(params);
    const first = await train({
      ...base(params), checkpointDir: dir,
      batchLoss: (b, ctx) => {
        if (ctx.step === 8) ac.abort();
        return inner(b, ctx);
      },
      signal: ac.signal,
    });
    expect(first.stopped).toBe(true);
    expect(first.steps).toBe(9);
    const { state } = await readCheckpoint({ dir: first.lastCheckpoint as string });
    expect([state.epoch, state.batchInEpoch, state.step]).toEqual([1, 2, 9]);
    const said: string[] = [];
    const resumed: ResumeContext[] = [];
    const second = await train({ ...base(params), checkpointDir: dir, resume: true, log: (l) => said.push(l), onResume: (c) => void resumed.push(c) });
    expect(second.stopped).toBe(false);
    expect(said[0]).toMatch(/^resuming from step 9 of 21 \(epoch 2\/3, batch 3 of 7; checkpoint .*checkpoint-00000009\)$/);
    expect(resumed).toEqual([{ checkpoint: first.lastCheckpoint, step: 9, epoch: 1, batchInEpoch: 2 }]);
    // A finished run resumed again has nothing left to do and says so.
    const third = await train({ ...base(params), checkpointDir: dir, resume: true, log: (l) => said.push(l) });
    expect(third.steps).toBe(21);
    expect(said[1]).toMatch(/^resuming from step 21 of 21 \(nothing left to train; checkpoint /);
    expect(snapshot(params)).toEqual(snapshot(ref));
    disposeAll(ref);
    disposeAll(params);
  });

  it('a crash while writing a checkpoint leaves the previous one intact and no partial checkpoint', async () => {
    let optimizerWrites = 0;
    const failing: TrainerFs = {
      ...nodeFs,
      writeFile: async (p, d) => {
        // the optimizer state goes to a temporary file first (the one atomic write), then renamed
        if (/optimizer\.safetensors(\..*\.tmp)?$/.test(p) && ++optimizerWrites === 2) {
          await nodeFs.writeFile(p, (d as Uint8Array).subarray(0, 10)); // half a file, then the crash
          throw new Error('disk full');
        }
        return nodeFs.writeFile(p, d);
      },
    };
    const params = makeParams();
    await expect(train({ ...base(params), checkpointDir: dir, checkpointEverySteps: 3, fs: failing })).rejects.toThrow('disk full');
    expect(await latestCheckpoint({ root: dir })).toBe(path.join(dir, 'checkpoint-00000003'));
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('checkpoint-'))).toEqual(['checkpoint-00000003']);
    const { state, optimizer } = await readCheckpoint({ dir: path.join(dir, 'checkpoint-00000003') });
    expect(state.step).toBe(3);
    expect(optimizer.step).toBe(3);
    expect(optimizer.expAvg.size).toBe(4);
    // A resume ignores the leftover temporary folder and removes it at its next checkpoint.
    const r = await train({ ...base(params), checkpointDir: dir, checkpointEverySteps: 3, resume: true });
    expect(r.resumedFrom).toBe(path.join(dir, 'checkpoint-00000003'));
    expect((await readdir(dir)).some((n) => n.startsWith('.tmp-'))).toBe(false);
    disposeAll(params);
  });

  it('freeze excludes parameters from training', async () => {
    const params = makeParams();
    const before = snapshot(params);
    await train({ ...base(params), epochs: 1, freeze: (n) => n.startsWith('rel_') });
    const after = snapshot(params);
    expect(after.get('rel_classifier.weight')).toEqual(before.get('rel_classifier.weight'));
    expect(after.get('rel_classifier.bias')).toEqual(before.get('rel_classifier.bias'));
    expect(after.get('entity_classifier.weight')).not.toEqual(before.get('entity_classifier.weight'));
    disposeAll(params);
  });

  it('rejects a resume with different settings and bad options, saying what differs', async () => {
    const params = makeParams();
    await train({ ...base(params), epochs: 1, checkpointDir: dir });
    await expect(train({ ...base(params), batchSize: 5, checkpointDir: dir, resume: true })).rejects.toThrow(/batchSize = 4, this run has 5/);
    await expect(train({ ...base(params), epochs: 1, seed: 12, checkpointDir: dir, resume: true })).rejects.toThrow(/seed 11, this run asks for 12/);
    await expect(train({ ...base(params), epochs: 1, maxGradNorm: 2, checkpointDir: dir, resume: true })).rejects.toThrow(/maxGradNorm = 1, this run has 2/);
    await expect(train({ ...base(params), epochs: 1, freeze: (n) => n.startsWith('rel_'), checkpointDir: dir, resume: true })).rejects.toThrow(
      /trained other parameters \(freeze\): "rel_classifier.weight" is trained there but not in this run/,
    );
    await expect(train({ ...base(params), epochs: 1, settings: { negEntityCount: 5 }, checkpointDir: dir, resume: true })).rejects.toThrow(/negEntityCount = undefined, this run has 5/);
    await train({ ...base(params), epochs: 2, settings: { negEntityCount: 5 }, checkpointDir: path.join(dir, 's'), log: () => {} });
    await expect(train({ ...base(params), epochs: 2, settings: { negEntityCount: 6 }, checkpointDir: path.join(dir, 's'), resume: true })).rejects.toThrow(/negEntityCount = 5, this run has 6/);
    await expect(train({ ...base(params), batchSize: 31 })).rejects.toThrow(/30 documents cannot fill one batch of 31/);
    await expect(train({ ...base(params), freeze: () => true })).rejects.toThrow(/no trainable parameters/);
    await expect(train({ ...base(params), batchLoss: () => tf.add(tf.scalar(NaN), tf.sum(params.get('entity_classifier.bias') as tf.Variable)) as tf.Scalar })).rejects.toThrow(/loss is NaN at epoch 0, batch 0/);
    disposeAll(params);
  });

  it('ends the progress display of an epoch before its evaluation, so evaluation messages get their own lines', async () => {
    const params = makeParams();
    const events: string[] = [];
    const progress: Progress = {
      start: (total, from, epochs) => events.push(`start ${total} ${from} ${epochs}`),
      update: (u) => events.push(`update ${u.step}`),
      endEpoch: (u) => events.push(`endEpoch ${u.epoch} ${u.step}`),
      stop: () => events.push('stop'),
    };
    await train({ ...base(params), epochs: 2, batchSize: 10, progress, onEpochEnd: ({ epoch }) => void events.push(`evaluate ${epoch}`) });
    expect(events).toEqual(['start 6 0 2', 'update 1', 'update 2', 'update 3', 'endEpoch 0 3', 'evaluate 0', 'update 4', 'update 5', 'update 6', 'endEpoch 1 6', 'evaluate 1', 'stop']);
    disposeAll(params);
  });

  it('progress: plain lines without a terminal or with false (--no-progress), a bar on a terminal, nothing with "off"', async () => {
    const params = makeParams();
    let now = 0;
    const clock = () => (now += 250);
    const pipe = captureStream(false);
    await train({ ...base(params), epochs: 2, progress: 'auto', progressStream: pipe.stream, progressEvery: 5, clock });
    const lines = pipe.text().trim().split('\n');
    expect(lines.map((l) => l.split(' | ')[0])).toEqual(['step 5/14 (epoch 1/2)', 'epoch 1/2 done at step 7/14', 'step 10/14 (epoch 2/2)', 'epoch 2/2 done at step 14/14']);
    for (const l of lines) expect(l).toMatch(/ \| (epoch )?loss \d+\.\d{4} \| lr \d\.\d{2}e-\d \| \d+\.\d{2} docs\/s \| ETA \d+s$/);
    const noBar = captureStream(true);
    await train({ ...base(params), epochs: 1, progress: false, progressStream: noBar.stream, progressEvery: 5, clock });
    expect(noBar.text().trim().split('\n').map((l) => l.split(' | ')[0])).toEqual(['step 5/7 (epoch 1/1)', 'epoch 1/1 done at step 7/7']);
    const tty = captureStream(true);
    await train({ ...base(params), epochs: 1, progress: true, progressStream: tty.stream, clock });
    expect(tty.text()).toMatch(/epoch 1\/1 \[[^\]]*\] 7\/7 \| loss \d\.\d{4}/);
    const off = captureStream(false);
    await train({ ...base(params), epochs: 1, progress: 'off', progressStream: off.stream });
    expect(off.text()).toBe('');
    disposeAll(params);
  });
});

describe('train with gradient accumulation and maxSteps', () => {
  it('accumulate 2 x batch 2 updates like one batch of 4 (same items, same noise, mean gradient, clipping on the mean)', async () => {
    const whole = makeParams();
    const split = makeParams();
    const a = await train({ ...base(whole), maxGradNorm: 0.05 });
    const b = await train({ ...base(split), batchSize: 2, accumulate: 2, maxGradNorm: 0.05 });
    expect(b.steps).toBe(a.steps);
    expect(b.lastLoss).toBeCloseTo(a.lastLoss, 5);
    const wa = snapshot(whole);
    for (const [name, values] of snapshot(split)) values.forEach((v, i) => expect(v).toBeCloseTo(wa.get(name)![i], 5));
    disposeAll(whole);
    disposeAll(split);
  });

  it('an accumulated step holds one set of gradients: the running sum, never a second full set beside it', async () => {
    // Weights dominate (64 x 16 KiB, activations tiny). A step holds AdamW's two moments and the
    // gradient sum: 3 x the weights above the start. Holding a micro-batch's whole gradient set
    // beside the sum (as tf.variableGrads returns it) would be a 4th, every gradient's square
    // for the norm as well.
    const params = new Map(Array.from({ length: 64 }, (_, i) => {
      // (the initial tensor would keep the first values alive after the update replaces them)
      const init = tf.randomNormal([64, 64], 0, 0.2, 'float32', i);
      const v = tf.variable(init, true, `chain${i}`);
      init.dispose();
      return [`layer${i}.weight`, v] as const;
    }));
    const weights = [...params.values()].reduce((n, v) => n + 4 * v.size, 0);
    const data = Array.from({ length: 8 }, (_, i) => i);
    const peak = await peakBytes(() => train<number>({
      params, data, epochs: 1, maxSteps: 2, batchSize: 2, accumulate: 2, lr: 0.01, seed: 1, progress: 'off', log: () => {},
      batchLoss: (batch) => {
        let h: tf.Tensor = tf.randomNormal([batch.length, 64], 0, 1, 'float32', batch[0]);
        for (const w of params.values()) h = tf.tanh(tf.matMul(h, w));
        return tf.mean(tf.square(h)) as tf.Scalar;
      },
    }).then(() => undefined));
    expect(peak).toBeGreaterThan(2.9 * weights);
    expect(peak).toBeLessThan(3.5 * weights);
    disposeAll(params);
  });

  it('evaluateEverySteps evaluates inside an epoch too, without changing the weights', async () => {
    const plain = makeParams();
    await train({ ...base(plain), epochs: 1, maxSteps: 7 });
    const evaluated = makeParams();
    const r = await train({ ...base(evaluated), epochs: 1, maxSteps: 7, evaluateEverySteps: 3, logDir: dir, onEpochEnd: () => ({ accuracy: accuracy(evaluated, DATA) }) });
    // steps 3 and 6 inside the epoch (8 batches over 30 points), 7 at its end (maxSteps cuts it there)
    expect(r.evals.map((e) => [e.epoch, e.step])).toEqual([[0, 3], [0, 6], [0, 7]]);
    const expected = snapshot(plain);
    for (const [name, values] of snapshot(evaluated)) expect(values).toEqual(expected.get(name));
    expect((await readFile(path.join(dir, 'eval.csv'), 'utf8')).trim().split('\n')).toHaveLength(4);
    await expect(train({ ...base(makeParams()), evaluateEverySteps: 1.5 })).rejects.toThrow(/evaluateEverySteps must be a non-negative integer, got 1.5/);
    for (const p of [plain, evaluated]) disposeAll(p);
  });

  it('maxSteps overrides epochs: the schedule spans it, the last epoch is partial and evaluated, and a resume continues exactly', async () => {
    const full = makeParams();
    const r = await train({ ...base(full), epochs: 1, maxSteps: 10, onEpochEnd: ({ epoch, step }) => ({ epoch, step }) });
    expect(r.steps).toBe(10);
    expect(r.totalSteps).toBe(10);
    expect(r.evals.map((e) => e.metrics)).toEqual([{ epoch: 0, step: 7 }, { epoch: 1, step: 10 }]);

    const first = makeParams();
    const stop = new AbortController();
    await train({ ...base(first), epochs: 1, maxSteps: 10, checkpointDir: dir, checkpointEverySteps: 3, batchLoss: (batch, ctx) => {
      if (ctx.step === 8) stop.abort();
      return toyLoss(first)(batch, ctx);
    }, signal: stop.signal });
    const resumed = makeParams();
    const again = await train({ ...base(resumed), epochs: 1, maxSteps: 10, checkpointDir: dir, resume: true });
    expect(again.steps).toBe(10);
    const expected = snapshot(full);
    for (const [name, values] of snapshot(resumed)) expect(values).toEqual(expected.get(name));
    await expect(train({ ...base(makeParams()), epochs: 1, maxSteps: 12, checkpointDir: dir, resume: true })).rejects.toThrow(/maxSteps = 10, this run has 12/);
    for (const p of [full, first, resumed]) disposeAll(p);
  });

  it('reports speed in the loss function\'s units', async () => {
    const params = makeParams();
    const { stream, text } = captureStream(false);
    await train({ ...base(params), epochs: 1, progress: 'lines', progressEvery: 2, progressStream: stream, speedUnit: 'tokens', batchLoss: (batch, ctx) => ({ ...toyLoss(params)(batch, ctx), units: 128 }) });
    expect(text()).toMatch(/tokens\/s/);
    expect(text()).not.toMatch(/docs\/s/);
    disposeAll(params);
  });
});
