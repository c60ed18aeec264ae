// Fuzzing of the SpERT dataset and types files (tools/testing/fuzz.ts explains the harness).
import { runFuzzTarget } from '../../../tools/testing/fuzz';
import { readDataset, readTypes } from './dataset-io';
import type { FileSystem } from './fs';
import { parseTypes } from './types-schema';
import { readFileSync } from 'node:fs';
import { corpusRoot } from '../../../tools/testing/fuzz';
import * as path from 'node:path';

/** A file system holding one file. */
const oneFile = (name: string, bytes: Uint8Array): Pick<FileSystem, 'readFile'> => ({
  readFile: async (p) => {
    if (p !== name) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return new TextDecoder().decode(bytes);
  },
});

describe('fuzzing the dataset files (fast-check, mutated CoNLL04 / SciERC)', () => {
  const types = parseTypes(JSON.parse(readFileSync(path.join(corpusRoot, 'types', 'conll04_types.json'), 'utf8')));
  it('dataset JSON (strict and lenient)', async () => {
    await runFuzzTarget({
      name: 'dataset', source: 'train.json', runs: 600,
      read: async (b) => {
        const lenient = await readDataset({ path: 'train.json', types, lenient: true, fs: oneFile('train.json', b) }).catch((e: Error) => e);
        if (!(lenient instanceof Error)) return (await readDataset({ path: 'train.json', types, fs: oneFile('train.json', b) })).documents.length;
        throw lenient;
      },
    });
  });
  it('types JSON', async () => {
    await runFuzzTarget({ name: 'types', source: 'types.json', runs: 600, read: async (b) => (await readTypes({ path: 'types.json', fs: oneFile('types.json', b) })).entities.length });
  });
});
