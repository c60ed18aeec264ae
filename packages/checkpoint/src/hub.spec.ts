import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCheckpoint } from './checkpoint';
import { resolveModelDir } from './hub';
import { writeRandomCheckpoint } from './random-checkpoint';
import { startFakeHub, type FakeHub } from './testing/fake-hub';

let tmp: string;
let hub: FakeHub;
let served: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'encoder-hub-'));
  served = path.join(tmp, 'served');
  await writeRandomCheckpoint({ dir: served, seed: 3, config: { vocab_size: 50, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 } });
  hub = await startFakeHub({ 'org/tiny-bert': served, 'bert-tiny-cased': served });
  jest.spyOn(console, 'debug').mockImplementation(() => undefined); // @huggingface/hub logs each download
});
afterAll(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A port on 127.0.0.1 where nothing listens. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return `http://127.0.0.1:${port}`;
}

describe('resolveModelDir through the Hub', () => {
  it.each(['org/tiny-bert', 'bert-tiny-cased'])('downloads %s into the cache, then serves it offline without requests', async (id) => {
    const cacheDir = path.join(tmp, `cache-${id.replace('/', '_')}`);
    const checkpoint = await loadCheckpoint({ dir: await resolveModelDir({ id, cacheDir, hubUrl: hub.url, env: {} }) });
    expect(checkpoint.dir.startsWith(path.join(cacheDir, `models--${id.replace('/', '--')}`, 'snapshots'))).toBe(true);
    expect(checkpoint.vocabPath).toBeDefined();
    expect(checkpoint.config.vocab_size).toBe(50);
    expect(checkpoint.encoderTensors.get('embeddings.word_embeddings.weight')?.shape).toEqual([50, 8]);
    expect(hub.requests.some((r) => r.startsWith('POST /api/models/') && r.includes('/paths-info/main'))).toBe(true);
    const before = hub.requests.length;
    const offline = await resolveModelDir({ id, cacheDir, hubUrl: hub.url, env: { HF_HUB_OFFLINE: '1' } });
    expect(offline).toBe(checkpoint.dir);
    expect(hub.requests.length).toBe(before);
    // an unreachable Hub falls back to the cached snapshot
    expect(await resolveModelDir({ id, cacheDir, hubUrl: await deadUrl(), env: {} })).toBe(checkpoint.dir);
  });

  it('fails fast without network, naming the id and the cache path', async () => {
    const cacheDir = path.join(tmp, 'empty-cache');
    const started = Date.now();
    await expect(resolveModelDir({ id: 'allenai/scibert_scivocab_cased', cacheDir, hubUrl: await deadUrl(), env: {} })).rejects.toThrow(
      /could not reach the Hugging Face Hub .* for model "allenai\/scibert_scivocab_cased".*not in the cache .*empty-cache\/models--allenai--scibert_scivocab_cased/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(resolveModelDir({ id: 'bert-base-cased', cacheDir, offline: true, env: {} })).rejects.toThrow(
      /model "bert-base-cased" \(revision main\) is not in the Hub cache .*models--bert-base-cased and offline mode is on/,
    );
  });

  it('reports models the Hub does not have, and accepts local directories as they are', async () => {
    await expect(resolveModelDir({ id: 'org/missing', cacheDir: path.join(tmp, 'c2'), hubUrl: hub.url, env: {} })).rejects.toThrow(/org\/missing/);
    expect(await resolveModelDir({ id: served, env: {} })).toBe(served);
    await expect(resolveModelDir({ id: '/no/such/dir', env: {} })).rejects.toThrow(/neither a directory with a config\.json nor a Hugging Face model id/);
  });
});
