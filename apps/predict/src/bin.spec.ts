import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../../tools/testing/shared';
import { exportTrainedModel, writeConllJsonl } from '../test/fixtures';

// `npx spert-predict` / `npx spert-worker` as the docs run them: without a build, one error line
// each, and worker threads started through the bin shim (whose tsx loader the threads do not
// inherit) from a directory outside the repository.
const npx = (cwd: string, ...args: string[]) =>
  spawnSync('npx', ['--prefix', repoRoot, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

describe('npx spert-predict and spert-worker', () => {
  it('print their help', () => {
    for (const bin of ['spert-predict', 'spert-worker']) {
      const r = npx(repoRoot, bin, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ${bin} \\[options\\]`));
    }
  }, 60_000);

  it('report a missing option and a missing model directory in one line each', () => {
    const missing = npx(repoRoot, 'spert-worker', '--model', 'm');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("spert-worker: required option '--queue <url>' not specified (see spert-worker --help)\n");
    const nomodel = npx(repoRoot, 'spert-predict', '--model', '/nope', '--input', '-', '--output', '/tmp/never.jsonl');
    expect(nomodel.status).toBe(1);
    expect(nomodel.stderr).toMatch(/^spert-predict: \/nope\/config.json: cannot read .*spert-export.*\n$/);
  }, 60_000);

  it('runs worker threads through the shim from another directory, byte-identical to one thread', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'spert-predict-bin-'));
    try {
      const modelDir = await exportTrainedModel(root);
      const input = await writeConllJsonl(path.join(root, 'test.jsonl'), 1);
      const common = ['--model', modelDir, '--input', input, '--chunk-size', '16', '--intra-op-threads', '1', '--no-progress'];
      const one = npx(root, 'spert-predict', ...common, '--output', path.join(root, 'one.jsonl'));
      expect(one.stderr).toContain('1 worker x 1 intra-op threads');
      expect(one.status).toBe(0);
      const two = npx(root, 'spert-predict', ...common, '--workers', '2', '--output', path.join(root, 'two.jsonl'));
      expect(two.stderr).toContain('2 workers x 1 intra-op threads');
      expect(two.status).toBe(0);
      const a = await readFile(path.join(root, 'one.jsonl'), 'utf8');
      expect(a.split('\n').filter(Boolean)).toHaveLength(288);
      expect(await readFile(path.join(root, 'two.jsonl'), 'utf8')).toBe(a);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 240_000);
});
