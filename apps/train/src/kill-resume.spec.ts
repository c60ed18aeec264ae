// spert-train survives kill -9 anywhere: SIGKILLed inside a checkpoint write, between
// checkpoints and right after one, then resumed with --resume, it ends with the weights of an
// uninterrupted run, byte for byte. The kill/resume driver is tools/testing/kill-resume.ts (the
// pre-training command can reuse it). CI-sized: a tiny random encoder, 16 documents, one epoch
// of 8 steps, a checkpoint every 2.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, writeDataset } from '@spert/core';
import { latestCheckpoint } from '@spert/trainer';
import { killAndResume, runAttempt } from '../../../tools/testing/kill-resume';
import { repoRoot, sharedPath } from '../../../tools/testing/shared';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

describe('spert-train killed with SIGKILL and resumed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-kill-'));
    const types = await readTypes({ path: conll('conll04_types.json') });
    const dev = (await readDataset({ path: conll('conll04_dev.json'), types })).documents.slice(0, 2);
    await writeDataset({ path: path.join(dir, 'valid.json'), documents: dev });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const command = (out: string) => [
    process.execPath, path.join(repoRoot, 'apps/train/bin/spert-train.js'),
    '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
    '--limit-train', '16', '--epochs', '1', '--batch-size', '2', '--hidden-size', '16', '--layers', '1', '--heads', '2',
    '--intermediate-size', '32', '--max-vocab', '300', '--neg-entity-count', '10', '--neg-relation-count', '10',
    '--backend', 'wasm', '--no-progress', '--progress-every', '1', '--checkpoint-every', '2', '--seed', '7', '--out', out,
    // a learning rate that lets 8 steps learn "no entity": an untrained model's evaluation is slow (every span kept, every pair scored)
    '--lr', '5e-3', '--lr-warmup', '0',
  ];

  it('ends with the weights of an uninterrupted run, byte for byte, after kills inside a checkpoint write, between checkpoints and after one', async () => {
    const timeoutMs = 300_000;
    const straight = path.join(dir, 'straight');
    const plain = await runAttempt({ command: command(straight), cwd: repoRoot, timeoutMs });
    expect(plain.code).toBe(0);

    const killed = path.join(dir, 'killed');
    const checkpoints = path.join(killed, 'checkpoints');
    const attempts = await killAndResume({
      command: command(killed),
      resumeArgs: ['--resume'],
      cwd: repoRoot,
      timeoutMs,
      killPoints: [
        // weights and optimizer state of step 4 written, its training state not: the worst moment
        { kind: 'in-checkpoint', step: 4 },
        // between checkpoints: the progress line of step 5 (resumed from step 2)
        { kind: 'on-output', pattern: /step 5\/8/ },
        // right after the checkpoint of step 6 is renamed into place
        { kind: 'on-file', path: path.join(checkpoints, 'checkpoint-00000006') },
      ],
    });
    expect(attempts.map((a) => a.signal ?? a.code)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL', 0]);
    // The first attempt killed itself (the hook), the others were killed by the driver.
    expect(attempts.map((a) => a.killedByHelper)).toEqual([false, true, true, false]);
    // Each resumed attempt started from the newest complete checkpoint: the half-written one of step 4 was skipped.
    expect(attempts[1].output).toMatch(/resuming from step 2 of 8/);
    expect(attempts[2].output).toMatch(/resuming from step 4 of 8/);
    expect(attempts[3].output).toMatch(/resuming from step 6 of 8/);

    for (const file of ['model.safetensors', 'config.json', 'vocab.txt']) {
      const a = await readFile(path.join(straight, 'model', file));
      const b = await readFile(path.join(killed, 'model', file));
      expect({ file, same: Buffer.compare(a, b) === 0 }).toEqual({ file, same: true });
    }
    // The last checkpoints agree too (weights, optimizer moments, training state).
    const last = (root: string) => latestCheckpoint({ root: path.join(root, 'checkpoints') });
    expect(path.basename((await last(killed)) as string)).toBe('checkpoint-00000008');
    for (const file of await readdir((await last(straight)) as string)) {
      const a = await readFile(path.join((await last(straight)) as string, file));
      const b = await readFile(path.join((await last(killed)) as string, file));
      expect({ file, same: Buffer.compare(a, b) === 0 }).toEqual({ file, same: true });
    }
  }, 1_500_000);
});
