import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { HfTokenizer, trainUnigram } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { maskedBatch } from './batch';
import { openOrBuildSequenceStore } from './build-store';
import { countCorpusWords } from './count-words';
import { IGNORE_LABEL } from './mask';
import { readCorpus } from './read-corpus';

// The README's second example, on CoNLL04 training text: a Unigram tokenizer (DeBERTa-v3 layout,
// [CLS]/[SEP]) trained on the corpus's training part, a train and a validation store, batches.
describe('corpus -> tokenizer -> stores -> batches', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-corpus-e2e-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('trains a tokenizer from counted words, packs disjoint train and validation stores, and batches them', async () => {
    const docs = (JSON.parse(readFileSync(sharedPath('datasets/conll04/conll04_train.json'), 'utf8')) as Array<{ tokens: string[] }>).slice(0, 300);
    const corpusDir = path.join(dir, 'corpus');
    const lines = docs.map((d) => JSON.stringify({ text: d.tokens.join(' ') }));
    await mkdir(corpusDir);
    await writeFile(path.join(corpusDir, 'part-1.jsonl.gz'), gzipSync(Buffer.from(lines.slice(0, 150).join('\n'))));
    await writeFile(path.join(corpusDir, 'part-2.jsonl'), lines.slice(150).join('\n'));

    const split = { validationFraction: 0.1, seed: 5 };
    const reading = { paths: [corpusDir] };
    const counts = await countCorpusWords(readCorpus({ ...reading, split: { ...split, part: 'train' } }));
    const tokenizer = new HfTokenizer({ ...trainUnigram({ wordCounts: counts, vocabSize: 800, maxLength: 64 }), maxLength: 64 });
    expect(tokenizer.idToToken(tokenizer.specialIds.cls)).toBe('[CLS]');
    expect(tokenizer.idToToken(tokenizer.specialIds.sep)).toBe('[SEP]');

    const train = await openOrBuildSequenceStore({ dir: path.join(dir, 'data/train'), corpus: { ...reading, split: { ...split, part: 'train' } }, tokenizer, maxLength: 64 });
    const validation = await openOrBuildSequenceStore({ dir: path.join(dir, 'data/validation'), corpus: { ...reading, split: { ...split, part: 'validation' } }, tokenizer, maxLength: 64 });
    const trainDocs = train.meta.counts.documents;
    const validationDocs = validation.meta.counts.documents;
    expect(trainDocs + validationDocs).toBe(300);
    expect(validationDocs).toBeGreaterThan(10);
    expect(validationDocs).toBeLessThan(55);
    expect(train.meta.counts.otherPart).toBe(validationDocs);
    expect(train.meta.inputs.map((i) => path.basename(i.path))).toEqual(['part-1.jsonl.gz', 'part-2.jsonl']);

    // Every stored sequence is framed by [CLS] ... [SEP] and within 64 ids.
    for (const { store } of [train, validation]) {
      for (let i = 0; i < store.length; i++) {
        const s = store.get(i);
        expect(s.length).toBeLessThanOrEqual(64);
        expect([s.ids[0], s.ids[s.length - 1]]).toEqual([tokenizer.specialIds.cls, tokenizer.specialIds.sep]);
      }
    }
    // Pieces in the store = pieces of the training part's words.
    let pieces = 0;
    for await (const d of readCorpus({ ...reading, split: { ...split, part: 'train' } })) for (const w of d.words) pieces += tokenizer.encodeWord(w).length;
    expect(train.meta.counts.pieces).toBe(pieces);

    const indices = Array.from({ length: Math.min(8, train.store.length) }, (_, i) => i);
    const batch = maskedBatch({ store: train.store, indices, epoch: 0, seed: 1, specialIds: tokenizer.specialIds, vocabSize: tokenizer.vocabSize });
    const labelled = batch.maskedPositions.length;
    const realPieces = indices.reduce((n, i) => n + [...train.store.get(i).wordIds].filter((w) => w >= 0).length, 0);
    // About 15% of the pieces (whole words may fall a little short of each row's target).
    expect(labelled / realPieces).toBeGreaterThan(0.1);
    expect(labelled / realPieces).toBeLessThan(0.17);
    for (const p of batch.maskedPositions) expect(batch.labels[p]).not.toBe(IGNORE_LABEL);
    train.store.close();
    validation.store.close();
  });
});
