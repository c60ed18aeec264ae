// Model files are tens of megabytes: fetch them once, report progress, and keep them in the Cache
// API so that the next page load reads them from disk instead of the network.

/** Progress of one file: bytes so far and the total when the server says it. */
export interface DownloadProgress {
  /** The file's URL. */
  url: string;
  /** The file's name (last path segment), for progress bars. */
  file: string;
  loaded: number;
  /** Content length, when known. */
  total: number | undefined;
  /** True when the bytes came from the cache (no download). */
  fromCache: boolean;
  /** True on the file's last report. */
  done: boolean;
}

/** The part of the Cache API used here (a `Cache` from `caches.open`). */
export interface CacheLike {
  /** The stored response for a URL, or undefined. */
  match(request: string): Promise<Response | undefined>;
  /** Stores a response for a URL. */
  put(request: string, response: Response): Promise<void>;
}

/** Options of {@link fetchCached}. */
export interface FetchCachedOptions {
  /** The cache to read and fill; null: always download. */
  cache: CacheLike | null;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Called with the bytes loaded so far of each file, last with `done` (also for a file read from the cache). */
  onProgress?: (p: DownloadProgress) => void;
  /** Names what the file is for in errors (e.g. "the model folder"). */
  what?: string;
  /** A 404 is an answer, not an error: the result says `missing`, and the absence is cached too. */
  optional?: boolean;
}

/** Bytes of a file and whether they came from the cache. */
export interface FetchedFile {
  bytes: Uint8Array<ArrayBuffer>;
  fromCache: boolean;
  /** True when an optional file does not exist (bytes empty). */
  missing: boolean;
}

// An optional file the server does not have is cached as this marker, so that a cached load
// asks the network for nothing at all.
const MISSING_HEADER = 'x-spert-missing';

function fileName(url: string): string {
  const p = new URL(url).pathname;
  return decodeURIComponent(p.slice(p.lastIndexOf('/') + 1));
}

async function readWithProgress(res: Response, report: (loaded: number, total: number | undefined) => void): Promise<Uint8Array<ArrayBuffer>> {
  const header = res.headers.get('content-length');
  // A compressed response's content-length counts the compressed bytes: no total then.
  const total = header !== null && !res.headers.get('content-encoding') ? Number(header) : undefined;
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    report(bytes.length, total);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded, total);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/** Fetches a file through the cache: the cached copy when there is one, else a download (with progress) that is then cached. */
export async function fetchCached(url: string, o: FetchCachedOptions): Promise<FetchedFile> {
  const file = fileName(url);
  const progress = (loaded: number, total: number | undefined, fromCache: boolean, done: boolean) => o.onProgress?.({ url, file, loaded, total, fromCache, done });
  const hit = await o.cache?.match(url);
  if (hit) {
    if (hit.headers.get(MISSING_HEADER) === '1') return { bytes: new Uint8Array(0), fromCache: true, missing: true };
    const bytes = new Uint8Array(await hit.arrayBuffer());
    progress(bytes.length, bytes.length, true, true);
    return { bytes, fromCache: true, missing: false };
  }
  let res: Response;
  try {
    res = await (o.fetch ?? globalThis.fetch)(url);
  } catch (e) {
    throw new Error(`${url}: cannot fetch${o.what ? ` ${o.what}` : ''} (${(e as Error).message})`);
  }
  if (res.status === 404 && o.optional) {
    await o.cache?.put(url, new Response('', { headers: { [MISSING_HEADER]: '1' } }));
    return { bytes: new Uint8Array(0), fromCache: false, missing: true };
  }
  if (!res.ok) {
    throw new Error(`${url}: HTTP ${res.status} ${res.statusText}${o.what ? `; ${o.what}` : ''}`);
  }
  const bytes = await readWithProgress(res, (loaded, total) => progress(loaded, total, false, false));
  progress(bytes.length, bytes.length, false, true);
  if (o.cache) {
    const headers = { 'content-type': res.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(bytes.length) };
    await o.cache.put(url, new Response(bytes, { headers }));
  }
  return { bytes, fromCache: false, missing: false };
}
