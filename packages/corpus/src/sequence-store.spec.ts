// The default import is the module object itself (a namespace import is a copy), so a spy on it sees the store's calls.
import nodeFs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { openOrBuildSequenceStore, type SequenceStoreMeta } from './build-store';
import { packDocuments, type PackedSequence } from './pack';
import { readCorpus } from './read-corpus';
import { recordBytes, SequenceStore, SequenceStoreWriter, STORE_FILES } from './sequence-store';

const seq = (ids: number[], wordIds: number[]): PackedSequence => ({ ids: Int32Array.from(ids), wordIds: Int32Array.from(wordIds) });

describe('sequence store', () => {
  let dir: string;
  let tok: SubwordTokenizer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-corpus-store-'));
    tok = (await loadTokenizer({ dir: sharedPath('fixtures/tiny-bert') })).tokenizer;
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips fixed-size records (large ids, word ids, lengths) and reads the same twice', async () => {
    const store = path.join(dir, 'round');
    const writer = await SequenceStoreWriter.create({ dir: store, maxLength: 6 });
    const written = [seq([2, 100000, 7, 3], [-1, 0, 0, -1]), seq([2, 5, 3, 9, 3, 3], [-1, 0, -1, 1, -1, -1]), seq([2, 3], [-1, -1])];
    // Enough records to cross the writer's 1 MiB buffer.
    const many = Array.from({ length: 40000 }, (_, i) => seq([2, i, 3], [-1, 0, -1]));
    for (const s of [...written, ...many]) await writer.append(s);
    const sidecar = await writer.finish({ note: 'test' });
    expect(sidecar).toMatchObject({ sequences: 40003, maxLength: 6, recordBytes: recordBytes(6), tokens: 12 + 3 * 40000, meta: { note: 'test' } });
    expect((await nodeFs.promises.stat(path.join(store, STORE_FILES.sequences))).size).toBe(64 + 40003 * recordBytes(6));
    const s = await SequenceStore.open(store);
    expect(s.length).toBe(40003);
    for (let i = 0; i < 3; i++) {
      expect(s.get(i)).toEqual({ length: written[i].ids.length, ids: written[i].ids, wordIds: written[i].wordIds });
    }
    expect(s.get(40002).ids).toEqual(Int32Array.from([2, 39999, 3]));
    expect(s.get(1)).toEqual(s.get(1));
    expect(() => s.get(40003)).toThrow(/outside the store's 0\.\.40002/);
    s.close();
    expect(() => s.get(0)).toThrow(/closed/);
  });

  it('reads one record per get by a positioned read, whatever the store size', async () => {
    const store = path.join(dir, 'bounded');
    const writer = await SequenceStoreWriter.create({ dir: store, maxLength: 8 });
    for (let i = 0; i < 1000; i++) await writer.append(seq([1, i, 2], [-1, 0, -1]));
    await writer.finish({});
    const s = await SequenceStore.open(store);
    const spy = jest.spyOn(nodeFs, 'readSync');
    try {
      s.get(777);
      expect(spy).toHaveBeenCalledTimes(1);
      const [, , offset, length, position] = spy.mock.calls[0] as unknown as [number, Buffer, number, number, number];
      expect([offset, length, position]).toEqual([0, recordBytes(8), 64 + 777 * recordBytes(8)]);
    } finally {
      spy.mockRestore();
      s.close();
    }
  });

  it('never looks complete when a build is interrupted, and refuses a data file that does not match its sidecar', async () => {
    const store = path.join(dir, 'interrupted');
    const first = await SequenceStoreWriter.create({ dir: store, maxLength: 4 });
    await first.append(seq([1, 5, 2], [-1, 0, -1]));
    await first.finish({});
    // A rebuild removes the old sidecar first; dying before finish leaves no complete store.
    const second = await SequenceStoreWriter.create({ dir: store, maxLength: 4 });
    await second.append(seq([1, 6, 2], [-1, 0, -1]));
    await expect(SequenceStore.open(store)).rejects.toThrow(/holds no complete sequence store/);
    await second.abort();
    expect(nodeFs.readdirSync(store).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The temporary file of a killed build (never aborted) is removed by the next build.
    const killed = await SequenceStoreWriter.create({ dir: store, maxLength: 4 });
    await killed.append(seq([1, 6, 2], [-1, 0, -1]));
    expect(nodeFs.readdirSync(store).filter((f) => f.endsWith('.tmp'))).toHaveLength(1);

    // A sidecar from another build beside a data file (or a truncated file) is refused.
    const third = await SequenceStoreWriter.create({ dir: store, maxLength: 4 });
    await third.append(seq([1, 7, 2], [-1, 0, -1]));
    await third.finish({});
    await killed.abort().catch(() => undefined);
    expect(nodeFs.readdirSync(store).sort()).toEqual([STORE_FILES.sequences, STORE_FILES.sidecar]);
    const sidecarPath = path.join(store, STORE_FILES.sidecar);
    const sidecar = JSON.parse(await readFile(sidecarPath, 'utf8')) as { buildId: string; sequences: number };
    await writeFile(sidecarPath, JSON.stringify({ ...sidecar, buildId: '0'.repeat(32) }));
    await expect(SequenceStore.open(store)).rejects.toThrow(/written by another build than the sidecar/);
    await writeFile(sidecarPath, JSON.stringify({ ...sidecar, sequences: 2 }));
    await expect(SequenceStore.open(store)).rejects.toThrow(/bytes where the sidecar's 2 sequences make/);
  });

  it('openOrBuildSequenceStore packs a corpus, records its inputs, and reuses the store only for the same inputs, tokenizer and maxLength', async () => {
    const corpusFile = path.join(dir, 'corpus.txt');
    await writeFile(corpusFile, 'John Smith works for IBM in New York .\n{bad line? no, text is fine}\n\nShort one .\n');
    const store = path.join(dir, 'built');
    const built = await openOrBuildSequenceStore({ dir: store, corpus: { paths: [corpusFile] }, tokenizer: tok, maxLength: 12 });
    expect(built.reused).toBe(false);
    const meta = built.meta;
    expect(meta.inputs).toEqual([{ path: corpusFile, format: 'text', bytes: (await readFile(corpusFile)).length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(meta.identity.tokenizer).toMatchObject({ kind: 'bert-wordpiece', vocabSize: tok.vocabSize });
    expect(meta.counts).toMatchObject({ documents: 3, badLines: 0 });
    // The stored sequences are what packing gives.
    const expected: PackedSequence[] = [];
    for await (const s of packDocuments({ documents: readCorpus({ paths: [corpusFile] }), tokenizer: tok, maxLength: 12 })) expected.push(s);
    expect(built.store.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(built.store.get(i).ids).toEqual(expected[i].ids);
    built.store.close();

    const again = await openOrBuildSequenceStore({ dir: store, corpus: { paths: [corpusFile] }, tokenizer: tok, maxLength: 12 });
    expect(again.reused).toBe(true);
    expect(again.sidecar.buildId).toBe(built.sidecar.buildId);
    again.store.close();

    const longer = await openOrBuildSequenceStore({ dir: store, corpus: { paths: [corpusFile] }, tokenizer: tok, maxLength: 16 });
    expect(longer.reused).toBe(false);
    longer.store.close();
    await writeFile(corpusFile, 'Different text now .\n');
    const changed = await openOrBuildSequenceStore({ dir: store, corpus: { paths: [corpusFile] }, tokenizer: tok, maxLength: 16 });
    expect(changed.reused).toBe(false);
    expect((changed.meta as SequenceStoreMeta).counts.documents).toBe(1);
    changed.store.close();
    const roberta = (await loadTokenizer({ dir: sharedPath('fixtures/tiny-roberta') })).tokenizer;
    const other = await openOrBuildSequenceStore({ dir: store, corpus: { paths: [corpusFile] }, tokenizer: roberta, maxLength: 16 });
    expect(other.reused).toBe(false);
    expect(other.store.get(0).ids[0]).toBe(roberta.specialIds.cls);
    other.store.close();
  });

  it('an aborted build leaves no store behind', async () => {
    const corpusFile = path.join(dir, 'abort.txt');
    await writeFile(corpusFile, Array.from({ length: 50 }, (_, i) => `line ${i} with words`).join('\n'));
    const store = path.join(dir, 'aborted');
    const controller = new AbortController();
    await expect(
      openOrBuildSequenceStore({
        dir: store,
        corpus: { paths: [corpusFile] },
        tokenizer: tok,
        maxLength: 8,
        signal: controller.signal,
        onProgress: (p) => p.sequences >= 3 && controller.abort(new Error('stopped by the test')),
      }),
    ).rejects.toThrow('stopped by the test');
    await expect(SequenceStore.open(store)).rejects.toThrow(/holds no complete sequence store/);
    expect(nodeFs.readdirSync(store)).toEqual([]);
  });
});
