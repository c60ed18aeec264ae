// Resolving a model id to a local directory through the Hugging Face Hub cache
// (@huggingface/hub's downloadFileToCacheDir), with an offline mode and fast, clear failures.
import { homedir } from 'node:os';
import * as path from 'node:path';
import { downloadFileToCacheDir, getHFHubCachePath, getRepoFolderName, pathsInfo } from '@huggingface/hub';
import { SpertError, writeFileAtomic } from '@spert/core';
import { nodeFs, type CheckpointFs } from './checkpoint-fs';

/** Options of resolveModelDir. */
export interface ResolveModelOptions {
  /** A local directory, or a Hub model id (`bert-base-cased`, `allenai/scibert_scivocab_cased`). */
  id: string;
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Hub cache directory (default: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Never touch the network (default: env HF_HUB_OFFLINE=1). */
  offline?: boolean;
  /** Hub endpoint (default: env HF_ENDPOINT or https://huggingface.co). */
  hubUrl?: string;
  /** Access token for gated or private models (default: env HF_TOKEN). */
  accessToken?: string;
  /** fetch implementation (default: global fetch). */
  fetch?: typeof fetch;
  /** Give up when a request has no response headers after this long (default 20000 ms). */
  timeoutMs?: number;
  /** Environment variables (default: process.env). */
  env?: Record<string, string | undefined>;
  fs?: CheckpointFs;
  /** Progress messages (default: none). */
  log?: (message: string) => void;
}

const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'];
const OPTIONAL_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Turns a local directory or Hub id into a local directory holding config.json, weights and tokenizer files. */
export async function resolveModelDir(options: ResolveModelOptions): Promise<string> {
  const fs = options.fs ?? nodeFs;
  const env = options.env ?? process.env;
  const { id } = options;
  if (await fs.exists(path.join(id, 'config.json'))) return id;
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id) || id.includes('..')) {
    throw new SpertError('FILE_NOT_FOUND', `"${id}" is neither a directory with a config.json nor a Hugging Face model id`);
  }
  const revision = options.revision ?? 'main';
  const cacheDir = options.cacheDir ?? (env === process.env ? getHFHubCachePath() : env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? path.join(env.HF_HOME ?? path.join(env.HOME ?? homedir(), '.cache', 'huggingface'), 'hub'));
  const offline = options.offline ?? ['1', 'true', 'yes', 'on'].includes((env.HF_HUB_OFFLINE ?? '').toLowerCase());
  const repoFolder = path.join(cacheDir, getRepoFolderName({ type: 'model', name: id }));
  const cached = await cachedSnapshot(repoFolder, revision, fs);

  if (offline) {
    if (cached) return cached;
    throw new SpertError('FILE_NOT_FOUND', `model "${id}" (revision ${revision}) is not in the Hub cache ${repoFolder} and offline mode is on (HF_HUB_OFFLINE or offline option); download it once with network access`);
  }
  const hubUrl = options.hubUrl ?? env.HF_ENDPOINT ?? 'https://huggingface.co';
  const accessToken = options.accessToken ?? env.HF_TOKEN;
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 20000;
  // Abort only while waiting for response headers: large bodies may take long, dead hosts must not.
  const timedFetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    try {
      return await baseFetch(input, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  }) as typeof fetch;
  const common = { repo: { type: 'model' as const, name: id }, revision, hubUrl, fetch: timedFetch, ...(accessToken ? { accessToken } : {}) };
  let present: Set<string>;
  try {
    const info = await pathsInfo({ ...common, paths: ['config.json', ...WEIGHT_FILES, ...OPTIONAL_FILES] });
    present = new Set(info.filter((f) => f.type === 'file').map((f) => f.path));
  } catch (e) {
    if (cached) {
      options.log?.(`Hub unreachable for "${id}" (${describe(e)}); using the cached snapshot ${cached}`);
      return cached;
    }
    throw new SpertError('DOWNLOAD_FAILED', `could not reach the Hugging Face Hub (${hubUrl}) for model "${id}": ${describe(e)}; it is not in the cache ${repoFolder} either (set HF_HUB_OFFLINE=1 to use only the cache)`);
  }
  if (!present.has('config.json')) throw new SpertError('INVALID_CHECKPOINT', `model "${id}" (revision ${revision}) on ${hubUrl} has no config.json`);
  const weights = WEIGHT_FILES.find((f) => present.has(f));
  if (!weights) throw new SpertError('INVALID_CHECKPOINT', `model "${id}" (revision ${revision}) on ${hubUrl} has neither model.safetensors nor pytorch_model.bin`);
  let dir = '';
  for (const file of ['config.json', weights, ...OPTIONAL_FILES.filter((f) => present.has(f))]) {
    options.log?.(`fetching ${id}/${file}`);
    let pointer: string;
    try {
      pointer = await downloadFileToCacheDir({ ...common, path: file, cacheDir });
    } catch (e) {
      throw new SpertError('DOWNLOAD_FAILED', `downloading ${file} of model "${id}" from ${hubUrl} into ${repoFolder} failed: ${describe(e)}`);
    }
    dir = path.dirname(pointer);
  }
  // record the snapshot for this revision, as the Python cache does, so offline mode finds it
  await writeFileAtomic({ path: path.join(repoFolder, 'refs', revision), data: path.basename(dir), fs });
  return dir;
}

async function cachedSnapshot(repoFolder: string, revision: string, fs: CheckpointFs): Promise<string | undefined> {
  let snapshot = revision;
  const ref = path.join(repoFolder, 'refs', revision);
  if (await fs.exists(ref)) snapshot = new TextDecoder().decode(await fs.readBytes(ref)).trim();
  const dir = path.join(repoFolder, 'snapshots', snapshot);
  if (!(await fs.exists(path.join(dir, 'config.json')))) return undefined;
  for (const w of WEIGHT_FILES) if (await fs.exists(path.join(dir, w))) return dir;
  return undefined;
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : String(err.message ?? e);
}
