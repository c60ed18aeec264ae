// Fuzzing of the annotation-tool importers (brat, Label Studio, doccano) on mutated exports of
// CoNLL04 documents: every input gives documents and problems, or a clear error naming the file.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTypes } from '@spert/core';
import { corpusRoot, runFuzzTarget } from '../../../tools/testing/fuzz';
import { importAnnotations, type AnnotationFileSystem } from './files';

/** An in-memory folder of files. */
function memoryFs(files: Record<string, string>): AnnotationFileSystem {
  const missing = (p: string) => Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
  return {
    readFile: async (p) => (p in files ? files[p] : Promise.reject(missing(p))),
    writeFile: async () => undefined,
    rename: async () => undefined,
    mkdir: async () => undefined,
    rm: async () => undefined,
    readdir: async (dir) =>
      Object.keys(files)
        .filter((f) => path.dirname(f) === dir)
        .map((f) => ({ name: path.basename(f), isDirectory: () => false, isFile: () => true })),
  };
}

describe('fuzzing the annotation importers (fast-check, mutated exports of CoNLL04)', () => {
  const schema = parseTypes(JSON.parse(readFileSync(path.join(corpusRoot, 'types', 'conll04_types.json'), 'utf8')));
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const count = (r: { documents: unknown[]; problems: unknown[] }) => r.documents.length + r.problems.length;

  it('brat (.txt + .ann + .spert.json)', async () => {
    await runFuzzTarget({
      name: 'brat', source: 'doc', runs: 100, timeLimitMs: 15_000,
      read: async (b) => {
        const [txt, ann, meta] = text(b).split('\x1e');
        const files: Record<string, string> = { '/b/doc.txt': txt };
        if (ann !== undefined) files['/b/doc.ann'] = ann;
        if (meta !== undefined) files['/b/doc.spert.json'] = meta;
        return count(await importAnnotations({ format: 'brat', path: '/b', schema, fs: memoryFs(files) }));
      },
    });
  });
  it('Label Studio JSON export', async () => {
    await runFuzzTarget({
      name: 'label-studio', source: 'tasks.json', runs: 500,
      read: async (b) => count(await importAnnotations({ format: 'label-studio', path: '/t/tasks.json', schema, fs: memoryFs({ '/t/tasks.json': text(b) }) })),
    });
  });
  it('doccano JSONL', async () => {
    await runFuzzTarget({
      name: 'doccano', source: 'data.jsonl', runs: 500,
      read: async (b) => count(await importAnnotations({ format: 'doccano', path: '/d/data.jsonl', schema, fs: memoryFs({ '/d/data.jsonl': text(b) }) })),
    });
  });
});
