import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportTrainedModel, writeConllJsonl } from '../test/fixtures';

// spert-predict as users run it, in child processes (from source through tsx, whose loader the
// worker threads inherit): worker threads against one thread, and a run killed with SIGKILL.

const appDir = path.resolve(__dirname, '..');

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: appDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

async function run(args: string[]): Promise<string> {
  const { done } = start(args);
  const r = await done;
  if (r.code !== 0) throw new Error(`spert-predict ${args.join(' ')} exited ${r.code ?? r.signal}:\n${r.stderr}`);
  return r.stderr;
}

describe('spert-predict processes', () => {
  let root: string;
  let modelDir: string;
  let input: string;
  let reference: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-predict-proc-'));
    modelDir = await exportTrainedModel(root);
    input = await writeConllJsonl(path.join(root, 'test.jsonl'), 2);
    const out = path.join(root, 'one-thread.jsonl');
    await run(['--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--intra-op-threads', '1', '--no-progress']);
    reference = await readFile(out, 'utf8');
  }, 120_000);
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('2 worker threads, each with its own session, write byte-identical output to one thread on CoNLL04 test (x2)', async () => {
    const out = path.join(root, 'threads.jsonl');
    const stderr = await run(['--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--workers', '2', '--intra-op-threads', '1', '--no-progress']);
    expect(stderr).toContain('576 documents');
    expect(stderr).toContain('2 workers x 1 intra-op threads');
    expect(reference.split('\n').length - 1).toBe(576);
    expect(await readFile(out, 'utf8')).toBe(reference);
  }, 120_000);

  it('killed with SIGKILL mid-run, the same command resumes and writes exactly the uninterrupted output', async () => {
    const out = path.join(root, 'killed.jsonl');
    const args = ['--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--workers', '2', '--intra-op-threads', '1', '--no-progress'];
    const { child, done } = start(args);
    const parts = `${out}.parts`;
    const finished = async () => (await readdir(parts).catch(() => [] as string[])).filter((f) => /^\d+\.jsonl$/.test(f)).length;
    while ((await finished()) < 5) {
      if (child.exitCode !== null) throw new Error('spert-predict finished before it could be killed');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const before = await finished();
    expect(before).toBeLessThan(72);
    await expect(readFile(out)).rejects.toThrow('ENOENT');
    const stderr = await run(args);
    const resumed = /72 chunks \((\d+) finished by an earlier run\)/.exec(stderr);
    expect(Number(resumed?.[1])).toBeGreaterThanOrEqual(before);
    expect(await readFile(out, 'utf8')).toBe(reference);
  }, 180_000);
});
