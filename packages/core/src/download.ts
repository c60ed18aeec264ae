import * as path from 'node:path';
import { SpertError } from './errors';
import { writeFileAtomic } from './atomic-write';
import type { DatasetName } from './dataset-files';
import { DATASET_NAMES, datasetFiles, isDatasetName } from './dataset-files';
import type { FileSystem } from './fs';
import { parseTypes } from './types-schema';
import type { TypesSchema } from './types';
import { parseDataset } from './validate';

/** Where the reference's download script fetches the datasets from. */
export const DEFAULT_DATASET_BASE_URL = 'http://lavis.cs.hs-rm.de/storage/spert/public/datasets/';

/** Progress of a download, reported once per file before and after its transfer. */
export interface DownloadProgress {
  file: string;
  url: string;
  /** 0-based index of the file and the number of files. */
  index: number;
  total: number;
  phase: 'start' | 'done';
  bytes?: number;
}

/** Parameters of {@link downloadDataset}. */
export interface DownloadDatasetParams {
  name: string;
  outDir: string;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Defaults to {@link DEFAULT_DATASET_BASE_URL}; files are fetched from `<baseUrl><name>/<file>`. */
  baseUrl?: string;
  /** Called when each file starts downloading and when it is done. */
  onProgress?: (p: DownloadProgress) => void;
  fs?: FileSystem;
}

/** A download that failed: unreachable host, HTTP error or invalid content. */
export class DatasetDownloadError extends SpertError {
  readonly url: string;

  /** Builds the error (code `DOWNLOAD_FAILED`, `details.url`). */
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super('DOWNLOAD_FAILED', message, { url }, options);
    this.name = 'DatasetDownloadError';
    this.url = url;
  }
}

function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

/**
 * Downloads a dataset (conll04, scierc, ade) from the reference's public copies, validates every
 * file against the types file, then writes them atomically into `outDir`. Nothing is written
 * unless every file arrived and validated.
 */
export async function downloadDataset(params: DownloadDatasetParams): Promise<{ dir: string; files: string[] }> {
  if (!isDatasetName(params.name)) {
    throw new SpertError('INVALID_OPTION', `unknown dataset "${params.name}" (known: ${DATASET_NAMES.join(', ')})`);
  }
  const name: DatasetName = params.name;
  const doFetch = params.fetch ?? globalThis.fetch;
  const base = (params.baseUrl ?? DEFAULT_DATASET_BASE_URL).replace(/\/?$/, '/');
  const files = datasetFiles(name);
  const byHand = `Download the files by hand (${files.join(', ')}) from ${base}${name}/ or another copy and place them in ${path.resolve(params.outDir)}.`;
  const received: Array<{ file: string; text: string }> = [];
  let types: TypesSchema | undefined;

  for (const [index, file] of files.entries()) {
    const url = `${base}${name}/${file}`;
    params.onProgress?.({ file, url, index, total: files.length, phase: 'start' });
    let res: Response;
    try {
      res = await doFetch(url);
    } catch (err) {
      throw new DatasetDownloadError(
        `cannot download ${url}: no network connection or the host is unreachable (${causeCode(err)}). ${byHand}`,
        url,
        { cause: err },
      );
    }
    if (!res.ok) {
      throw new DatasetDownloadError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}. ${byHand}`, url);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new DatasetDownloadError(`${url} did not return JSON (${(err as Error).message}); nothing was written. ${byHand}`, url);
    }
    try {
      if (types === undefined) types = parseTypes(json, { source: file });
      else parseDataset(json, types, { source: file });
    } catch (err) {
      throw new DatasetDownloadError(`${url} is not a valid SpERT file; nothing was written.\n${(err as Error).message}`, url, { cause: err });
    }
    received.push({ file, text });
    params.onProgress?.({ file, url, index, total: files.length, phase: 'done', bytes: Buffer.byteLength(text) });
  }
  const written: string[] = [];
  for (const { file, text } of received) {
    const target = path.join(params.outDir, file);
    await writeFileAtomic({ path: target, data: text, fs: params.fs });
    written.push(target);
  }
  return { dir: params.outDir, files: written };
}
