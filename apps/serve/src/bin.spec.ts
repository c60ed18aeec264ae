import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../../tools/testing/shared';
import { exportRandomModel } from '../../../tools/testing/export-random-model';

// `npx spert-serve` from the repository root, as the docs run it: it works without a build, and
// every error is one line on stderr (apps/export's bin.spec.ts does the same for spert-export).
const npx = (bin: string, ...args: string[]) => spawnSync('npx', [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npx spert-serve', () => {
  it('prints its help', () => {
    const r = npx('spert-serve', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: spert-serve \[options\]/);
  }, 60_000);

  it('reports a missing model directory in one line', () => {
    const missing = npx('spert-serve', '--model', '/nope');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^spert-serve: --model \/nope: there is no model directory there .*written by spert-export --model <model dir> --out <dir>\n$/);
  }, 60_000);

  it('serves with --workers through the shim from another directory: the threads find their module and tsx', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'spert-serve-bin-'));
    const child = spawn('npx', ['--prefix', repoRoot, 'spert-serve', '--model', await exportRandomModel(root), '--port', '0', '--workers', '2', '--threads', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1] as string);
        }, 50);
        child.once('exit', (code) => reject(new Error(`spert-serve exited ${code}:\n${out}`)));
        child.once('exit', () => clearInterval(timer));
      });
      while ((await fetch(`${url}/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents: ['John Smith works for Acme Corp in Berlin .', 'Mary met Bob .'] }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { documents: unknown[] }).documents).toHaveLength(2);
      expect(out).toMatch(/"workers":2/);
    } finally {
      // npx does not pass SIGTERM on to the server it started: signal the whole process group.
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
      child.stdout.destroy();
      child.stderr.destroy();
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
