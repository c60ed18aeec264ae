// spert-pretrain survives kill -9 anywhere: SIGKILLed right after its starting point is saved (before
// the corpus is packed), inside a checkpoint write, between checkpoints and right after one, then
// resumed with --resume, it ends with the pre-trained checkpoint of an uninterrupted run, byte for
// byte. The same driver as spert-train's test (tools/testing/kill-resume.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { killAndResume, runAttempt } from '../../../../tools/testing/kill-resume';
import { repoRoot, sharedPath } from '../../../../tools/testing/shared';

describe('spert-pretrain killed with SIGKILL and resumed', () => {
  let dir: string;
  let corpus: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-pretrain-kill-'));
    const docs = JSON.parse(readFileSync(sharedPath('datasets', 'conll04', 'conll04_train.json'), 'utf8')) as Array<{ tokens: string[] }>;
    corpus = path.join(dir, 'corpus.txt');
    await writeFile(corpus, `${docs.slice(0, 300).map((d) => d.tokens.join(' ')).join('\n')}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const command = (out: string) => [
    process.execPath, path.join(repoRoot, 'apps/train/bin/spert-pretrain.js'),
    '--corpus', corpus, '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32', '--max-vocab', '400',
    '--max-positions', '64', '--max-length', '32', '--batch-size', '4', '--accumulate', '2', '--max-steps', '8', '--checkpoint-every', '2',
    '--validation-fraction', '0.05', '--seed', '7', '--backend', 'wasm', '--no-progress', '--progress-every', '1', '--out', out,
  ];

  it('ends with the pre-trained checkpoint of an uninterrupted run, byte for byte', async () => {
    const timeoutMs = 300_000;
    const straight = path.join(dir, 'straight');
    const plain = await runAttempt({ command: command(straight), cwd: repoRoot, timeoutMs });
    expect(plain.code).toBe(0);

    const killed = path.join(dir, 'killed');
    const attempts = await killAndResume({
      command: command(killed),
      resumeArgs: ['--resume'],
      cwd: repoRoot,
      timeoutMs,
      killPoints: [
        // the tokenizer and the random start are saved; the corpus is not packed yet
        { kind: 'on-output', pattern: /starting point saved/ },
        // weights and optimizer state of step 4 written, its training state not
        { kind: 'in-checkpoint', step: 4 },
        { kind: 'on-output', pattern: /step 5\/8/ },
        { kind: 'on-file', path: path.join(killed, 'checkpoints', 'checkpoint-00000006') },
      ],
    });
    expect(attempts.map((a) => a.signal ?? a.code)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL', 'SIGKILL', 0]);
    expect(attempts[1].output).toMatch(/starting point .* \(resume\)/);
    expect(attempts[2].output).toMatch(/resuming from step 2 of 8/);
    expect(attempts[3].output).toMatch(/resuming from step 4 of 8/);
    expect(attempts[4].output).toMatch(/resuming from step 6 of 8/);
    for (const file of ['model.safetensors', 'config.json', 'vocab.txt', 'tokenizer_config.json']) {
      const a = await readFile(path.join(straight, 'encoder', file));
      const b = await readFile(path.join(killed, 'encoder', file));
      expect({ file, same: Buffer.compare(a, b) === 0 }).toEqual({ file, same: true });
    }
  }, 1_500_000);
});
