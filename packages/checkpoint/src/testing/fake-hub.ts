// A local HTTP server on 127.0.0.1 that imitates the Hugging Face Hub endpoints @huggingface/hub
// calls to download a file (paths-info, resolve with Range), serving model directories from disk.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** A running fake Hub. */
export interface FakeHub {
  url: string;
  /** Requests received, as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

const COMMIT = 'a'.repeat(40);

/** Serves `models` (id -> directory) until close(). */
export async function startFakeHub(models: Record<string, string>): Promise<FakeHub> {
  const requests: string[] = [];
  const fileOf = (id: string, file: string) => {
    const dir = models[id];
    const p = dir && path.join(dir, file);
    return p && !file.includes('..') && existsSync(p) ? p : undefined;
  };
  const oid = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}`);
    const info = /^\/api\/models\/(.+)\/paths-info\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && info) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { paths: string[] };
      const id = decodeURIComponent(info[1]);
      if (!models[id]) return send(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      const out = body.paths.flatMap((p) => {
        const f = fileOf(id, p);
        if (!f) return [];
        const bytes = readFileSync(f);
        return [{ type: 'file', path: p, oid: oid(bytes), size: bytes.length, lastCommit: { id: COMMIT, title: 'upload', date: '2024-01-01T00:00:00.000Z' } }];
      });
      return send(res, 200, out);
    }
    const resolve = /^\/(.+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && resolve) {
      const f = fileOf(decodeURIComponent(resolve[1]), decodeURIComponent(resolve[3]));
      if (!f) return send(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
      const bytes = readFileSync(f);
      const headers = { ETag: `"${oid(bytes)}"`, 'X-Repo-Commit': COMMIT, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
        res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': end - start + 1 });
        return res.end(bytes.subarray(start, end + 1));
      }
      res.writeHead(200, { ...headers, 'Content-Length': bytes.length });
      return res.end(bytes);
    }
    send(res, 404, { error: `not imitated: ${req.method} ${url.pathname}` });
  };
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((e: Error) => send(res, 500, { error: e.message }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
