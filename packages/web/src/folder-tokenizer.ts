// The tokenizer of a model folder served over HTTP: its files through the Cache API, then the
// loader every runtime shares (@spert/onnx's loadModelTokenizer), so the page gets the same
// longest input as onnxruntime-node (RoBERTa's position offset comes from the encoder's family).
import { loadModelTokenizer } from '@spert/onnx';
import type { SubwordTokenizer } from '@spert/tokenizer';
import { fetchCached, type FetchCachedOptions, type FetchedFile } from './fetch-cached';

/** Options of {@link loadFolderTokenizer}. */
export interface FolderTokenizerOptions {
  /** The folder's URL, ending in '/'. */
  base: string;
  /** config.json as downloaded, and parsed. */
  configText: string;
  config: Record<string, unknown>;
  /** How the tokenizer files are fetched (cache, fetch, progress). */
  fetch: Pick<FetchCachedOptions, 'cache' | 'fetch' | 'onProgress'>;
  /** Overrides the tokenizer's casing. */
  lowercase?: boolean;
  /** Counts the files read, each as downloaded or from the cache. */
  stats: FetchStats;
}

/** Which files a load read from the cache and which it downloaded (with their bytes). */
export interface FetchStats {
  downloadedBytes: number;
  downloadedFiles: string[];
  cachedFiles: string[];
}

/** Counts one fetched file in `stats`. */
export function countFile(stats: FetchStats, url: string, file: FetchedFile): void {
  if (file.fromCache) stats.cachedFiles.push(url);
  else {
    stats.downloadedFiles.push(url);
    stats.downloadedBytes += file.bytes.length;
  }
}

/** Loads the tokenizer of the model folder at `base` (tokenizer files absent from the server are absent, not errors). */
export async function loadFolderTokenizer(o: FolderTokenizerOptions): Promise<SubwordTokenizer> {
  // The tokenizer's loader joins file names onto `dir` with posix rules: give it the URL's path,
  // and resolve what it asks for against the folder's origin.
  const dir = new URL(o.base).pathname;
  const textFiles = new Map<string, string | undefined>([[`${dir}config.json`, o.configText]]);
  const readTextFile = async (file: string): Promise<string | undefined> => {
    if (textFiles.has(file)) return textFiles.get(file);
    const fileUrl = new URL(file, o.base).href;
    const f = await fetchCached(fileUrl, { ...o.fetch, optional: true });
    if (f.missing) return undefined;
    countFile(o.stats, fileUrl, f);
    return new TextDecoder().decode(f.bytes);
  };
  return loadModelTokenizer({ dir, config: o.config, source: `${o.base}config.json`, lowercase: o.lowercase, readTextFile });
}
