import { fetchCached, type CacheLike, type DownloadProgress } from './fetch-cached';

function memoryCache(): CacheLike & { store: Map<string, Response> } {
  const store = new Map<string, Response>();
  return {
    store,
    match: async (url) => store.get(url)?.clone(),
    put: async (url, res) => void store.set(url, res),
  };
}

function countingFetch(files: Record<string, Uint8Array>, calls: string[]): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    const body = files[url];
    if (!body) return new Response('no', { status: 404, statusText: 'Not Found' });
    // Two chunks, so progress is reported more than once.
    const half = Math.floor(body.length / 2);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body.slice(0, half));
        c.enqueue(body.slice(half));
        c.close();
      },
    });
    return new Response(stream, { headers: { 'content-length': String(body.length) } });
  }) as typeof fetch;
}

describe('fetchCached', () => {
  const url = 'http://127.0.0.1:1/model/encoder.onnx';
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

  it('downloads once with progress, then serves the cached copy without a request', async () => {
    const cache = memoryCache();
    const calls: string[] = [];
    const seen: DownloadProgress[] = [];
    const first = await fetchCached(url, { cache, fetch: countingFetch({ [url]: bytes }, calls), onProgress: (p) => seen.push(p) });
    expect(first).toMatchObject({ fromCache: false, missing: false });
    expect(Array.from(first.bytes)).toEqual(Array.from(bytes));
    expect(seen.map((p) => [p.file, p.loaded, p.total, p.done])).toEqual([['encoder.onnx', 500, 1000, false], ['encoder.onnx', 1000, 1000, false], ['encoder.onnx', 1000, 1000, true]]);
    const second = await fetchCached(url, { cache, fetch: countingFetch({}, calls), onProgress: (p) => seen.push(p) });
    expect(second.fromCache).toBe(true);
    expect(Array.from(second.bytes)).toEqual(Array.from(bytes));
    expect(calls).toEqual([url]);
    expect(seen.at(-1)).toMatchObject({ fromCache: true, done: true, loaded: 1000 });
  });

  it('names the URL and the status of a failed download, and caches the absence of an optional file', async () => {
    const cache = memoryCache();
    const calls: string[] = [];
    await expect(fetchCached(url, { cache, fetch: countingFetch({}, calls), what: 'is it a spert-export folder?' })).rejects.toThrow(`${url}: HTTP 404 Not Found; is it a spert-export folder?`);
    const optional = 'http://127.0.0.1:1/model/tokenizer.json';
    expect(await fetchCached(optional, { cache, fetch: countingFetch({}, calls), optional: true })).toMatchObject({ missing: true, fromCache: false });
    expect(await fetchCached(optional, { cache, fetch: countingFetch({}, calls), optional: true })).toMatchObject({ missing: true, fromCache: true });
    expect(calls).toEqual([url, optional]);
    const down: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchCached(url, { cache: null, fetch: down })).rejects.toThrow(`${url}: cannot fetch (Failed to fetch)`);
  });
});
