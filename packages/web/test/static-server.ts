// Test helper: a plain static file server on 127.0.0.1 (sirv), logging every request path, with
// optional extra headers (COOP/COEP for a cross-origin isolated page).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

/** A running static server. */
export interface StaticServer {
  url: string;
  /** Paths requested so far (cleared by the test as it likes). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` on a free port of 127.0.0.1. */
export async function serveStatic(dir: string, headers: Record<string, string> = {}): Promise<StaticServer> {
  // dev: files are read per request (the test rewrites folders); no etag, so a hit in the
  // browser's HTTP cache cannot be mistaken for the Cache API.
  const handler = sirv(dir, { dev: true, etag: false });
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
