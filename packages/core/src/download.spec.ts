import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { DatasetDownloadError, downloadDataset, type DownloadProgress } from './download';

// A loopback HTTP server that serves the shared datasets as the public server lays them out,
// with an optional override to corrupt one file.
function serve(override: Record<string, string> = {}): Promise<{ server: Server; baseUrl: string; hits: string[] }> {
  const root = sharedPath('datasets');
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    hits.push(url);
    const rel = decodeURIComponent(url.replace(/^\/datasets\//, ''));
    if (override[rel] !== undefined) return void res.end(override[rel]);
    const file = path.join(root, rel);
    if (!rel.includes('..') && existsSync(file)) res.end(readFileSync(file));
    else res.writeHead(404, 'Not Found').end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/datasets/`, hits })),
  );
}

describe('downloadDataset', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(path.join(tmpdir(), 'spert-dl-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('downloads, validates and writes CoNLL04 from a loopback server', async () => {
    const { server, baseUrl, hits } = await serve();
    try {
      const progress: DownloadProgress[] = [];
      const r = await downloadDataset({ name: 'conll04', outDir: out, baseUrl, onProgress: (p) => progress.push(p) });
      const names = ['conll04_types.json', 'conll04_train.json', 'conll04_dev.json', 'conll04_test.json', 'conll04_train_dev.json'];
      expect(hits).toEqual(names.map((n) => `/datasets/conll04/${n}`));
      expect(r.files).toEqual(names.map((n) => path.join(out, n)));
      expect(readdirSync(out).sort()).toEqual([...names].sort());
      // Buffer.equals: jest's deep equality walks big buffers byte by byte (seconds per file)
      for (const n of names) expect([n, readFileSync(path.join(out, n)).equals(readFileSync(sharedPath('datasets/conll04', n)))]).toEqual([n, true]);
      expect(progress.filter((p) => p.phase === 'done').map((p) => [p.index, p.total, p.bytes])).toEqual(
        names.map((n, i) => [i, 5, readFileSync(sharedPath('datasets/conll04', n)).length]),
      );
    } finally {
      server.close();
    }
  });

  it('writes nothing when a file fails validation or is missing on the server', async () => {
    const { server, baseUrl } = await serve({ 'conll04/conll04_dev.json': '[{"tokens": [], "entities": [], "relations": []}]' });
    try {
      await expect(downloadDataset({ name: 'conll04', outDir: out, baseUrl })).rejects.toThrow(
        /conll04_dev\.json is not a valid SpERT file; nothing was written\.\nconll04_dev\.json: 1 problem\(s\).*\n {2}- conll04_dev\.json: document 0, tokens: is empty/,
      );
      expect(readdirSync(out)).toEqual([]);
      await expect(downloadDataset({ name: 'conll04', outDir: out, baseUrl: baseUrl.replace('/datasets/', '/missing/') })).rejects.toThrow(
        /HTTP 404 Not Found/,
      );
    } finally {
      server.close();
    }
  });

  it('says clearly when the host is unreachable, with the URL and where to put the files by hand', async () => {
    const { server, baseUrl } = await serve();
    await new Promise((r) => server.close(r)); // the port is now closed: connection refused
    const err = await downloadDataset({ name: 'scierc', outDir: out, baseUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetDownloadError);
    const msg = (err as Error).message;
    expect(msg).toContain(`cannot download ${baseUrl}scierc/scierc_types.json: no network connection or the host is unreachable (ECONNREFUSED)`);
    expect(msg).toContain(`place them in ${path.resolve(out)}`);
    expect(msg).toContain('scierc_train.json');
    expect((err as DatasetDownloadError).url).toBe(`${baseUrl}scierc/scierc_types.json`);
  });

  it('uses the injected fetch and rejects unknown dataset names', async () => {
    const urls: string[] = [];
    const fetch = (async (url: string) => {
      urls.push(url);
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
    }) as unknown as typeof globalThis.fetch;
    await expect(downloadDataset({ name: 'ade', outDir: out, fetch })).rejects.toThrow('(ENOTFOUND)');
    expect(urls).toEqual(['http://lavis.cs.hs-rm.de/storage/spert/public/datasets/ade/ade_types.json']);
    await expect(downloadDataset({ name: 'nyt', outDir: out, fetch })).rejects.toThrow('unknown dataset "nyt" (known: conll04, scierc, ade)');
  });
});
