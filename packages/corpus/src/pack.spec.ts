import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { packDocuments, SequencePacker, type PackedSequence, type PackStats } from './pack';

const DOCS: string[][] = [
  ['John', 'Smith', 'works', 'for', 'IBM', 'in', 'New', 'York', '.'],
  ['Short', '.'],
  // Long enough to span several sequences at maxLength 16.
  'The president of the company said on Tuesday that its profits rose sharply in the third quarter after a difficult year .'.split(' '),
  ['Antidisestablishmentarianism', 'is', 'long'],
  // One word with more pieces than a sequence holds (split across sequences).
  ['a', 'x'.repeat(5) + 'QqZzXxJj'.repeat(6) + 'ü'.repeat(5), 'b'],
  ['Last', 'one', '!'],
];

async function tokenizers(): Promise<Array<[string, SubwordTokenizer]>> {
  const bert = await loadTokenizer({ dir: sharedPath('fixtures/tiny-bert') });
  const roberta = await loadTokenizer({ dir: sharedPath('fixtures/tiny-roberta') });
  return [
    ['WordPiece (tiny-bert vocab.txt)', bert.tokenizer],
    ['byte-level BPE (tiny-roberta tokenizer.json)', roberta.tokenizer],
  ];
}

async function pack(tokenizer: SubwordTokenizer, docs: string[][], maxLength: number): Promise<{ seqs: PackedSequence[]; stats: PackStats }> {
  const stats = { documents: 0, sequences: 0, tokens: 0, pieces: 0, words: 0, splitWords: 0 };
  const seqs: PackedSequence[] = [];
  for await (const s of packDocuments({ documents: docs.map((words) => ({ words })), tokenizer, maxLength, stats })) seqs.push(s);
  return { seqs, stats };
}

describe('packing (FULL-SENTENCES)', () => {
  let all: Array<[string, SubwordTokenizer]>;
  beforeAll(async () => {
    all = await tokenizers();
  });

  it.each([16, 24, 64])('keeps every piece of every document exactly once, in order, with the family specials (maxLength %i)', async (maxLength) => {
    for (const [name, tok] of all) {
      const { cls, sep } = tok.specialIds;
      const { seqs, stats } = await pack(tok, DOCS, maxLength);
      const expectedPieces = DOCS.flatMap((d) => d.flatMap((w) => [...tok.encodeWord(w)]));
      const got: number[] = [];
      for (const s of seqs) {
        expect(s.ids.length).toBeLessThanOrEqual(maxLength);
        expect([name, s.ids[0], s.ids[s.ids.length - 1]]).toEqual([name, cls, sep]);
        s.ids.forEach((id, t) => {
          if (s.wordIds[t] >= 0) got.push(id);
          else expect([name, id === cls || id === sep]).toEqual([name, true]);
        });
      }
      expect([name, got]).toEqual([name, expectedPieces]);
      // Separators: one after each document, plus one closing each sequence a document runs past.
      const seps = seqs.reduce((n, s) => n + s.ids.filter((id, t) => s.wordIds[t] < 0 && id === sep).length, 0);
      expect(seps).toBeGreaterThanOrEqual(DOCS.length);
      expect(stats).toMatchObject({ documents: DOCS.length, sequences: seqs.length, pieces: expectedPieces.length, words: DOCS.flat().length });
      expect(stats.tokens).toBe(seqs.reduce((n, s) => n + s.ids.length, 0));
    }
  });

  it('never splits a word across sequences unless it alone is longer than maxLength - 2, and word ids group its pieces', async () => {
    for (const [name, tok] of all) {
      const maxLength = 16;
      const { seqs, stats } = await pack(tok, DOCS, maxLength);
      const long = DOCS.flat().filter((w) => tok.encodeWord(w).length > maxLength - 2);
      expect([name, long.length]).toEqual([name, 1]);
      expect(stats.splitWords).toBe(1);
      // Rebuild each word from consecutive positions with one word id; whole words match encodeWord.
      const words = DOCS.flat();
      let wi = 0;
      let partial: number[] = [];
      for (const s of seqs) {
        let t = 1;
        while (t < s.ids.length) {
          if (s.wordIds[t] < 0) {
            t++;
            continue;
          }
          const id = s.wordIds[t];
          const group: number[] = [];
          while (t < s.ids.length && s.wordIds[t] === id) group.push(s.ids[t++]);
          partial = [...partial, ...group];
          const want = [...tok.encodeWord(words[wi])];
          if (partial.length === want.length) {
            expect([name, words[wi], partial]).toEqual([name, words[wi], want]);
            partial = [];
            wi++;
          } else {
            // Only the over-long word may come in parts.
            expect([name, words[wi]]).toEqual([name, long[0]]);
          }
        }
        // Word ids are 0, 1, 2... in the sequence.
        const ids = [...new Set([...s.wordIds].filter((w) => w >= 0))];
        expect(ids).toEqual(ids.map((_, i) => i));
      }
      expect(wi).toBe(words.length);
    }
  });

  it('fills sequences: a sequence ends only where the next word (and its sep) does not fit', async () => {
    const [, tok] = all[0];
    const maxLength = 16;
    const { seqs } = await pack(tok, DOCS.slice(0, 3), maxLength);
    const flat = DOCS.slice(0, 3).flat();
    let wi = 0;
    for (let k = 0; k < seqs.length - 1; k++) {
      const s = seqs[k];
      const wordsHere = new Set([...s.wordIds].filter((w) => w >= 0)).size;
      wi += wordsHere;
      const next = tok.encodeWord(flat[wi]).length;
      // room for the next word's pieces plus a closing sep was missing (a sequence that ends with a
      // document's sep and is one short of full is closed too: nothing but a sep would fit).
      expect(s.ids.length + next).toBeGreaterThan(maxLength - 1);
    }
  });

  it('gives the same sequences for the same input, and checks maxLength', async () => {
    const [, tok] = all[1];
    expect((await pack(tok, DOCS, 20)).seqs).toEqual((await pack(tok, DOCS, 20)).seqs);
    expect(() => new SequencePacker(tok, 2)).toThrow(/maxLength must be an integer >= 3/);
    expect(() => new SequencePacker(tok, tok.maxLength + 1)).toThrow(/more than the tokenizer's maxLength/);
    const packer = new SequencePacker(tok, 8);
    expect(packer.add([])).toEqual([]);
    expect(packer.finish()).toEqual([]);
  });
});
