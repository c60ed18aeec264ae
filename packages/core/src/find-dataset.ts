import * as path from 'node:path';
import type { DatasetName } from './dataset-files';
import { datasetFiles } from './dataset-files';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';

/** Where a dataset lives (or would be downloaded to) and whether it is there. */
export interface FoundDataset {
  dir: string;
  found: boolean;
  /** Directories looked at, in order. */
  candidates: string[];
}

/**
 * Resolves a dataset directory: `$SPERT_SHARED/datasets/<name>`, then `../shared/datasets/<name>`
 * (beside the working directory), else the user data dir `./data/datasets/<name>` (where
 * `npm run download` puts it). `found` tells whether its types file is present.
 */
export async function findDataset(params: {
  name: DatasetName;
  cwd?: string;
  env?: Record<string, string | undefined>;
  dataDir?: string;
  fs?: FileSystem;
}): Promise<FoundDataset> {
  const fs = params.fs ?? nodeFileSystem;
  const cwd = params.cwd ?? process.cwd();
  const env = params.env ?? process.env;
  const userDir = path.resolve(cwd, params.dataDir ?? path.join('data', 'datasets'), params.name);
  const candidates = [
    ...(env.SPERT_SHARED ? [path.resolve(cwd, env.SPERT_SHARED, 'datasets', params.name)] : []),
    path.resolve(cwd, '..', 'shared', 'datasets', params.name),
    userDir,
  ];
  const typesFile = datasetFiles(params.name)[0];
  for (const dir of candidates) {
    const ok = await fs.stat(path.join(dir, typesFile)).then((s) => s.isFile(), () => false);
    if (ok) return { dir, found: true, candidates };
  }
  return { dir: userDir, found: false, candidates };
}
