// Bounded load test of spert-serve as deployed: the service in its own process (the CLI, from
// source through tsx) over the CoNLL04-trained model exported to ONNX, autocannon in this one,
// on loopback. First one connection (the latency floor), then 16 connections for 60 s; every
// request one CoNLL04 test sentence. Reports 5xx, p50/p99 latency of both, and the server's RSS
// (from its own /metrics) before and after the load. Then, as latency targets are stated below
// saturation, the same connections at a fixed overall rate, a fraction of the saturated
// throughput (autocannon corrects for coordinated omission at a fixed rate).
//
//   npx tsx tools/bench/serve-load.ts [--connections 16] [--duration 60] [--single-duration 20]
//                                     [--threads 2] [--workers 1] [--max-batch 32] [--max-wait-ms 5]
//                                     [--rate-fraction 0.5] [--rounds 3] [--warmup 60]
//                                     [--model ONNX_DIR | --model-dir runs/quickstart/model]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { arg, benchModel, conllTestTokens } from './export-trained';

const serveDir = path.resolve(__dirname, '../../apps/serve');

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} missing from /metrics`);
  return Number(line.slice(name.length + 1));
}

async function main(): Promise<void> {
  const connections = Number(arg('connections', '16'));
  const duration = Number(arg('duration', '60'));
  const singleDuration = Number(arg('single-duration', '20'));
  const threads = arg('threads', String(cpus().length)) as string;
  // Worker threads of spert-serve, each with its own session of `threads` intra-op threads.
  const workers = arg('workers', '1') as string;
  const maxBatch = arg('max-batch', '32') as string;
  const maxWaitMs = arg('max-wait-ms', '5') as string;
  const rateFraction = Number(arg('rate-fraction', '0.5'));
  // More saturated rounds, RSS after each: growth that levels off (allocator arenas reaching the
  // largest shapes) and growth that does not (a leak) look the same after one round.
  const rounds = Number(arg('rounds', '3'));
  const warmup = Number(arg('warmup', '60'));
  const root = await mkdtemp(path.join(tmpdir(), 'spert-bench-load-'));
  const server = { kill: () => undefined as unknown };
  try {
    const { dir: model, label } = await benchModel(root);
    const sentences = await conllTestTokens();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--model', model, '--port', '0', '--threads', threads, '--workers', workers, '--max-batch', maxBatch, '--max-wait-ms', maxWaitMs, '--max-documents', '64', '--max-words', '512'], {
      cwd: serveDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server.kill = () => child.kill('SIGTERM');
    let logs = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        logs += d.toString();
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`spert-serve exited ${code}:\n${logs}`)));
    });
    while ((await fetch(`${url}/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
    let next = 0;
    const body = () => JSON.stringify({ documents: [{ tokens: sentences[next++ % sentences.length] }] });
    const load = (c: number, d: number, overallRate?: number) =>
      autocannon({ url, connections: c, duration: d, ...(overallRate ? { overallRate } : {}), requests: [{ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }] });
    // Warm-up at both loads: onnxruntime's arena grows to the largest batch shapes once (measured:
    // 346 -> 389 -> 443 -> 444 -> 444 MiB over four 60 s rounds after a 10 s warm-up); what
    // grows after that is what the RSS comparison is for.
    await load(1, 3);
    await load(connections, warmup);
    const rssBefore = await metric(url, 'spert_process_resident_memory_bytes');
    const single = await load(1, singleDuration);
    const loaded = await load(connections, duration);
    const rssAfter = await metric(url, 'spert_process_resident_memory_bytes');
    const rssRounds = [rssAfter];
    for (let k = 1; k < rounds; k++) {
      await load(connections, duration);
      rssRounds.push(await metric(url, 'spert_process_resident_memory_bytes'));
    }
    const rate = Math.max(1, Math.round(loaded.requests.average * rateFraction));
    const paced = rateFraction > 0 ? await load(connections, duration, rate) : undefined;
    const fivexx = (r: autocannon.Result) => Object.entries((r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).reduce((n, [code, s]) => n + (code.startsWith('5') ? s.count : 0), 0);
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    console.log(`spert-serve (own process, --workers ${workers} --threads ${threads} --max-batch ${maxBatch} --max-wait-ms ${maxWaitMs}), ${label}, one CoNLL04 test sentence per request; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}\n`);
    console.log('| load | requests | 5xx | non-2xx | req/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|');
    const rows: Array<[string, autocannon.Result]> = [[`1 connection, ${singleDuration} s`, single], [`${connections} connections, ${duration} s (as fast as they can)`, loaded]];
    if (paced) rows.push([`${connections} connections, ${duration} s at ${rate} req/s overall (${rateFraction} x saturated)`, paced]);
    for (const [what, r] of rows) {
      console.log(`| ${what} | ${r.requests.total} | ${fivexx(r)} | ${r.non2xx} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} |`);
    }
    const ratio = (r: autocannon.Result) => (r.latency.p99 / Math.max(1, single.latency.p99)).toFixed(2);
    if (rounds > 1) console.log(`\nserver RSS after each of ${rounds} saturated rounds of ${duration} s (MiB): ${rssRounds.map(mib).join(', ')}`);
    console.log(`\np99 ratio (${connections} / 1 connection): ${ratio(loaded)} saturated${paced ? `, ${ratio(paced)} at ${rate} req/s` : ''}; server RSS ${mib(rssBefore)} MiB before the load, ${mib(rssAfter)} MiB after (${(((rssAfter - rssBefore) / rssBefore) * 100).toFixed(1)}%)`);
  } finally {
    server.kill();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
