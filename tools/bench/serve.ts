// spert-serve throughput and latency: a closed-loop load of N concurrent connections from
// autocannon on loopback against the real app (createServer over onnxruntime-node), requests
// cycling through CoNLL04 test sentences, with the process memory before and after the load.
//
//   npx tsx tools/bench/serve.ts [--model DIR] [--connections 8] [--duration 10] [--threads N]
//                                [--max-batch 32] [--max-wait-ms 5] [--docs-per-request 1]
//
// Without --model it exports a random BERT-small-shaped SpERT model (4 layers, hidden 256) so the
// numbers reflect a realistic amount of work per document; the weights are random, the work is not.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { exportSpertOnnx, randomSpertWeights } from '@spert/onnx';
import { createServer } from '../../apps/serve/src';
import { sharedPath } from '../testing/shared';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const num = (name: string, fallback: number): number => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a number >= 0, got ${arg(name)}`);
  return v;
};

async function exportBenchModel(root: string, words: string[]): Promise<string> {
  const config = {
    vocab_size: 0,
    hidden_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    intermediate_size: 1024,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_act: 'gelu',
    model_type: 'bert',
  };
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words];
  config.vocab_size = vocab.length;
  const types = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_types.json'), 'utf8')) as {
    entities: Record<string, unknown>;
    relations: Record<string, unknown>;
  };
  const modelDir = path.join(root, 'model');
  await mkdir(modelDir, { recursive: true });
  const spert = { types, max_span_size: 10, size_embedding: 25, rel_filter_threshold: 0.4, max_pairs: 1000 };
  await writeFile(path.join(modelDir, 'config.json'), JSON.stringify({ ...config, spert_version: '1.1', spert }));
  await writeFile(path.join(modelDir, 'vocab.txt'), vocab.join('\n') + '\n');
  await writeFile(path.join(modelDir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false }));
  const weights = randomSpertWeights({
    config,
    entityClasses: Object.keys(types.entities).length + 1,
    relationTypes: Object.keys(types.relations).length,
    seed: 11,
    scale: 0.05,
  });
  // A trained model calls few spans entities; a random one calls most of them, which would
  // measure the relation head on up to max_pairs pairs per sentence instead. Bias towards "none".
  const bias = weights.get('entity_classifier.bias');
  if (bias) bias.data[0] = (bias.data[0] ?? 0) + num('none-bias', 3);
  const outDir = path.join(root, 'onnx');
  await exportSpertOnnx({ modelDir, outDir, weights });
  return outDir;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const connections = num('connections', 8);
  const duration = num('duration', 10);
  const docsPerRequest = Math.max(1, num('docs-per-request', 1));
  const maxBatch = num('max-batch', 32);
  const maxWaitMs = num('max-wait-ms', 5);
  const threads = arg('threads') === undefined ? undefined : num('threads', 1);

  const test = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Array<{ tokens: string[] }>;
  const sentences = test.map((d) => d.tokens);
  const root = await mkdtemp(path.join(tmpdir(), 'spert-bench-serve-'));
  try {
    const modelDir = arg('model') ?? (await exportBenchModel(root, [...new Set(sentences.flat())]));
    const serve = await createServer({ modelDir, threads, batch: { maxBatch, maxWaitMs }, limits: { words: 512, documents: Math.max(64, docsPerRequest) } });
    await serve.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(serve.app.server.address() as AddressInfo).port}`;
    let next = 0;
    const body = () => {
      const documents = Array.from({ length: docsPerRequest }, () => ({ tokens: sentences[next++ % sentences.length] }));
      return JSON.stringify({ documents });
    };
    // Warm-up (the first runs allocate the sessions' arenas), counting what the model predicts.
    let entities = 0;
    let relations = 0;
    const warm = 20;
    for (let i = 0; i < warm; i++) {
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
      const out = (await res.json()) as { documents: Array<{ entities: unknown[]; relations: unknown[] }> };
      for (const d of out.documents) {
        entities += d.entities.length;
        relations += d.relations.length;
      }
    }
    global.gc?.();
    const before = process.memoryUsage();
    const callsBefore = serve.batcher.stats;
    const result = await autocannon({
      url,
      connections,
      duration,
      requests: [{ method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
    });
    const after = process.memoryUsage();
    const stats = serve.batcher.stats;
    await serve.app.close();
    const calls = stats.calls - callsBefore.calls;
    const items = stats.items - callsBefore.items;
    const rows: Array<[string, string]> = [
      ['model', arg('model') ?? 'random BERT-small shape (4 layers, hidden 256, 4 heads), CoNLL04 types'],
      ['predictions', `${(entities / warm / docsPerRequest).toFixed(1)} entities, ${(relations / warm / docsPerRequest).toFixed(1)} relations per sentence (warm-up)`],
      ['load', `${connections} connections, ${duration} s, ${docsPerRequest} CoNLL04 test sentence(s) per request`],
      ['batching', `maxBatch ${maxBatch}, maxWaitMs ${maxWaitMs}; ${calls} runtime calls for ${items} documents (mean batch ${(items / Math.max(1, calls)).toFixed(1)}, largest ${stats.largest})`],
      ['threads', threads === undefined ? 'onnxruntime default' : String(threads)],
      ['requests', `${result.requests.total} total, ${result['2xx']} 2xx, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`],
      ['throughput', `${result.requests.average.toFixed(1)} req/s, ${(result.requests.average * docsPerRequest).toFixed(1)} documents/s`],
      ['latency', `p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`],
      ['memory before', `rss ${mb(before.rss)} MiB, heap ${mb(before.heapUsed)} MiB, external ${mb(before.external)} MiB`],
      ['memory after', `rss ${mb(after.rss)} MiB, heap ${mb(after.heapUsed)} MiB, external ${mb(after.external)} MiB`],
      ['machine', `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}`],
    ];
    console.log('| measure | value |\n|---|---|');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
