import { nodeFs } from './trainer-fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readSafetensors } from '@spert/checkpoint';
import {
  checkpointName, decodeOptimizerState, encodeOptimizerState, latestCheckpoint, listCheckpoints, loadVariables,
  pruneCheckpoints, readCheckpoint, saveVariables, writeCheckpoint, type TrainingState,
} from './checkpoint';

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spert-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state = (step: number): TrainingState => ({
  format: 'spert-trainer/1', seed: 1, epoch: 0, batchInEpoch: step, step, epochs: 1, batchSize: 2, numItems: 40,
  batchesPerEpoch: 20, totalSteps: 20, baseLr: 5e-5, warmupFraction: 0.1, rngState: [1, 2, 3, 4], lossWindow: { steps: 0, loss: 0, parts: {}, docs: 0 },
});
const opt = (step: number) => ({
  step,
  expAvg: new Map([['a.weight', Float32Array.from([1, 2, 3, 4])], ['a.bias', Float32Array.from([0.5])]]),
  expAvgSq: new Map([['a.weight', Float32Array.from([5, 6, 7, 8])], ['a.bias', Float32Array.from([0.25])]]),
});
const shapes = new Map([['a.weight', [2, 2]], ['a.bias', [1]]]);

describe('checkpoints', () => {
  it('round-trips optimizer state through safetensors with parameter shapes', () => {
    const bytes = encodeOptimizerState(opt(7), shapes);
    const st = readSafetensors(bytes);
    expect(st.tensors.get('a.weight.exp_avg_sq')?.shape).toEqual([2, 2]);
    expect(st.metadata.step).toBe('7');
    const back = decodeOptimizerState(bytes);
    expect(back.step).toBe(7);
    expect([...(back.expAvgSq.get('a.weight') as Float32Array)]).toEqual([5, 6, 7, 8]);
    expect([...(back.expAvg.get('a.bias') as Float32Array)]).toEqual([0.5]);
    expect(() => encodeOptimizerState(opt(1), new Map())).toThrow(/no shape for parameter "a.weight"/);
  });

  it('writes atomically, lists by step, finds the latest and prunes old and temporary folders', async () => {
    const saveModel = async (d: string) => writeFile(path.join(d, 'model.bin'), 'x');
    for (const s of [10, 2, 30]) await writeCheckpoint({ root: dir, state: state(s), optimizer: opt(s), shapes, saveModel });
    // An interrupted write: a temporary folder and a checkpoint folder without training_state.json.
    await mkdir(path.join(dir, `.tmp-${checkpointName(40)}-1`));
    await mkdir(path.join(dir, checkpointName(50)));
    expect((await listCheckpoints({ root: dir })).map((c) => c.step)).toEqual([2, 10, 30]);
    expect(await latestCheckpoint({ root: dir })).toBe(path.join(dir, 'checkpoint-00000030'));
    const { state: s, optimizer } = await readCheckpoint({ dir: path.join(dir, 'checkpoint-00000010') });
    expect(s.step).toBe(10);
    expect(optimizer.step).toBe(10);
    expect((await readdir(path.join(dir, 'checkpoint-00000010'))).sort()).toEqual(['model.bin', 'optimizer.safetensors', 'training_state.json']);
    await pruneCheckpoints({ root: dir, keep: 1 });
    expect((await readdir(dir)).sort()).toEqual([checkpointName(30), checkpointName(50)]);
    expect(await latestCheckpoint({ root: path.join(dir, 'missing') })).toBeUndefined();
  });

  it('--resume skips half-written checkpoint folders (no training state, no optimizer state, a cut-off state file) for the newest complete one', async () => {
    const saveModel = async (d: string) => writeFile(path.join(d, 'model.bin'), 'x');
    await writeCheckpoint({ root: dir, state: state(4), optimizer: opt(4), shapes, saveModel });
    const half = (step: number) => path.join(dir, checkpointName(step));
    await mkdir(half(6));
    await writeFile(path.join(half(6), 'model.bin'), 'x'); // weights only
    await mkdir(half(8));
    await writeFile(path.join(half(8), 'training_state.json'), JSON.stringify(state(8))); // no optimizer state
    await mkdir(half(10));
    await writeFile(path.join(half(10), 'optimizer.safetensors'), encodeOptimizerState(opt(10), shapes));
    await writeFile(path.join(half(10), 'training_state.json'), JSON.stringify(state(10)).slice(0, 40)); // cut off
    expect(await latestCheckpoint({ root: dir })).toBe(half(4));
  });

  it('writes every file durably: fsynced before its rename, the folder fsynced before it is renamed into place, the root after', async () => {
    const calls: string[] = [];
    const rel = (p: string) => path.relative(dir, p) || '.';
    const fs = {
      ...nodeFs,
      fsync: async (p: string) => void calls.push(`fsync ${rel(p)}`),
      rename: async (a: string, b: string) => {
        calls.push(`rename ${rel(a)} -> ${rel(b)}`);
        await nodeFs.rename(a, b);
      },
    };
    await writeCheckpoint({ root: dir, state: state(3), optimizer: opt(3), shapes, saveModel: async () => undefined, fs });
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
    const tmp = /^rename (\.tmp-checkpoint-00000003-\d+) -> checkpoint-00000003$/.exec(calls.find((c) => c.endsWith('-> checkpoint-00000003'))!)![1];
    for (const file of ['optimizer.safetensors', 'training_state.json']) {
      const renamed = at(new RegExp(`^rename .*\\.${file.replace('.', '\\.')}\\..*\\.tmp -> ${tmp}/${file.replace('.', '\\.')}$`));
      expect(renamed).toBeGreaterThan(at(new RegExp(`^fsync ${tmp}/\\.${file.replace('.', '\\.')}\\..*\\.tmp$`)));
      expect(renamed).toBeGreaterThanOrEqual(0);
    }
    const dirRename = at(/-> checkpoint-00000003$/);
    expect(calls.lastIndexOf(`fsync ${tmp}`)).toBeLessThan(dirRename);
    expect(calls.slice(dirRename + 1)).toEqual(['fsync .']);
  });

  it('a failing model hook leaves no checkpoint behind', async () => {
    await expect(writeCheckpoint({ root: dir, state: state(1), optimizer: opt(1), shapes, saveModel: async () => { throw new Error('boom'); } })).rejects.toThrow('boom');
    expect(await latestCheckpoint({ root: dir })).toBeUndefined();
  });

  it('reports unreadable or foreign checkpoints clearly', async () => {
    await mkdir(path.join(dir, 'c'));
    await expect(readCheckpoint({ dir: path.join(dir, 'c') })).rejects.toThrow(/cannot read .*training_state.json/);
    await writeFile(path.join(dir, 'c', 'training_state.json'), JSON.stringify({ format: 'other' }));
    await expect(readCheckpoint({ dir: path.join(dir, 'c') })).rejects.toThrow(/format "other", expected "spert-trainer\/1"/);
  });

  it('saves and loads named variables as model.safetensors', async () => {
    const a = new Map([['x.weight', tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, 'ck-a')]]);
    const b = new Map([['x.weight', tf.variable(tf.zeros([2, 2]), true, 'ck-b')]]);
    await saveVariables({ dir, params: a });
    const before = tf.memory().numTensors;
    await loadVariables({ dir, params: b });
    expect(tf.memory().numTensors).toBe(before);
    expect([...(b.get('x.weight') as tf.Variable).dataSync()]).toEqual([1, 2, 3, 4]);
    const c = new Map([['x.weight', tf.variable(tf.zeros([4]), true, 'ck-c')]]);
    await expect(loadVariables({ dir, params: c })).rejects.toThrow(/"x.weight" has shape \[2,2\], the variable has \[4\]/);
    const d = new Map([['y', tf.variable(tf.zeros([1]), true, 'ck-d')]]);
    await expect(loadVariables({ dir, params: d })).rejects.toThrow(/has no tensor "y"/);
    [a, b, c, d].forEach((m) => m.forEach((v) => v.dispose()));
  });
});
