// spert-predict throughput and peak memory over the same corpus (CoNLL04 test repeated) for one
// process, N worker threads, and 2 spert-worker processes on a local redis-server (BullMQ),
// plus the one-process run over CoNLL04 test once, to show that peak RSS does not grow with the
// corpus. Every run's output must be byte-identical to the one-process run's.
//
//   npx tsx tools/bench/batch.ts [--repeat 70] [--threads 2] [--chunk-size 256]
//        [--modes one,baseline,threads,queue] [--model ONNX_DIR | --model-dir runs/quickstart/model]
//
// Each process runs from source through tsx under GNU time (/usr/bin/time -v) for its peak RSS;
// the one-process run's RSS is also sampled every second from /proc (the curve that shows
// whether memory stays flat as the corpus streams through: --repeat 100 is 100x CoNLL04 test).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { arg, benchModel, conllTestTokens } from './export-trained';

const appDir = path.resolve(__dirname, '../../apps/predict');

interface Ran {
  seconds: number;
  peakRssMiB: number;
  stderr: string;
  /** RSS of the node process (MiB), sampled every second. */
  rssTrace: number[];
}

/** The node process GNU time started (its only child). */
function nodePid(timePid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${timePid}/task/${timePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a node script of apps/predict from source under GNU time; resolves with wall time and peak RSS. */
function timed(script: string, args: string[], onStart?: (kill: () => void) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', script, ...args], { cwd: appDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const rssTrace: number[] = [];
    const sampler = setInterval(() => {
      const pid = child.pid === undefined ? undefined : nodePid(child.pid);
      const rss = pid === undefined ? undefined : rssMiB(pid);
      if (rss !== undefined) rssTrace.push(rss);
    }, 1000);
    // SIGTERM goes to node itself (GNU time does not forward signals), so time still reports.
    onStart?.(() => {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of kids) process.kill(Number(pid), 'SIGTERM');
    });
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (!rss) return reject(new Error(`${script} ${args.join(' ')}: exited ${code ?? signal} without GNU time's report:\n${stderr}`));
      if (code !== 0) {
        return reject(new Error(`${script} exited ${code}:\n${stderr}`));
      }
      resolve({ seconds: (Date.now() - started) / 1000, peakRssMiB: Number(rss[1]) / 1024, stderr, rssTrace });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const repeat = Number(arg('repeat', '70'));
  const threads = Number(arg('threads', String(Math.min(2, cpus().length))));
  const chunkSize = arg('chunk-size', '256') as string;
  const modes = new Set((arg('modes', 'one,baseline,threads,queue') as string).split(','));
  const root = await mkdtemp(path.join(tmpdir(), 'spert-bench-batch-'));
  try {
    const { dir: model, label } = await benchModel(root);
    const tokens = await conllTestTokens();
    const lines = (times: number) => Array.from({ length: times }, (_v, t) => tokens.map((tk, i) => JSON.stringify({ id: `${t}-${i}`, tokens: tk })).join('\n')).join('\n') + '\n';
    const small = path.join(root, 'test-x1.jsonl');
    const big = path.join(root, `test-x${repeat}.jsonl`);
    await writeFile(small, lines(1));
    await writeFile(big, lines(repeat));
    const docs = tokens.length * repeat;
    const common = ['--model', model, '--chunk-size', chunkSize, '--no-progress'];
    const rows: string[] = [];
    const row = (what: string, n: number, r: { seconds: number; rss: string }) => rows.push(`| ${what} | ${n} | ${r.seconds.toFixed(1)} | ${(n / r.seconds).toFixed(1)} | ${r.rss} |`);

    const ref = path.join(root, 'one.jsonl');
    const one = await timed('src/main.ts', [...common, '--input', big, '--output', ref, '--intra-op-threads', String(threads)]);
    row(`1 process, ${threads} intra-op threads`, docs, { seconds: one.seconds, rss: `${one.peakRssMiB.toFixed(0)}` });
    const reference = await readFile(ref, 'utf8');

    const tenths = one.rssTrace.length >= 10 ? Array.from({ length: 11 }, (_v, k) => one.rssTrace[Math.min(one.rssTrace.length - 1, Math.round((k / 10) * (one.rssTrace.length - 1)))]) : one.rssTrace;
    const trace = `1-process RSS (MiB) at 0%, 10%, ..., 100% of the run (${one.rssTrace.length} samples, 1 s apart): ${tenths.map((x) => x.toFixed(0)).join(', ')}`;
    if (modes.has('baseline')) {
      const oneSmall = await timed('src/main.ts', [...common, '--input', small, '--output', path.join(root, 'one-small.jsonl'), '--intra-op-threads', String(threads)]);
      row(`1 process, ${threads} intra-op threads (CoNLL04 test once: RSS baseline)`, tokens.length, { seconds: oneSmall.seconds, rss: `${oneSmall.peakRssMiB.toFixed(0)}` });
    }

    if (modes.has('threads')) {
      const thr = path.join(root, 'threads.jsonl');
      const t = await timed('src/main.ts', [...common, '--input', big, '--output', thr, '--workers', String(threads), '--intra-op-threads', '1']);
      if ((await readFile(thr, 'utf8')) !== reference) throw new Error('worker threads: output differs from one process');
      row(`${threads} worker threads x 1 intra-op thread`, docs, { seconds: t.seconds, rss: `${t.peakRssMiB.toFixed(0)}` });
    }

    if (modes.has('queue')) {
      const port = await freePort();
      const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 500));
      const url = `redis://127.0.0.1:${port}`;
      try {
        const stops: Array<() => void> = [];
        const workers = [0, 1].map(() => timed('src/worker-main.ts', ['--queue', url, '--model', model, '--intra-op-threads', '1'], (kill) => stops.push(kill)));
        await new Promise((r) => setTimeout(r, 3000)); // let the workers open their sessions
        const q = path.join(root, 'queue.jsonl');
        const producer = await timed('src/main.ts', [...common, '--input', big, '--output', q, '--queue', url]);
        for (const stop of stops) stop();
        const w = await Promise.all(workers);
        if ((await readFile(q, 'utf8')) !== reference) throw new Error('queue workers: output differs from one process');
        row('2 queue workers (BullMQ, local redis) x 1 intra-op thread', docs, { seconds: producer.seconds, rss: `producer ${producer.peakRssMiB.toFixed(0)}, workers ${w.map((x) => x.peakRssMiB.toFixed(0)).join(' + ')}` });
      } finally {
        redis.kill('SIGTERM');
      }
    }
    console.log(`${label}; CoNLL04 test x${repeat} (${docs} sentences), chunks of ${chunkSize} lines, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}; outputs byte-identical\n`);
    console.log('| run | documents | wall s | documents/s | peak RSS MiB |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(`\n${trace}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
