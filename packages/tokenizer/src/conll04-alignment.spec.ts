import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { sharedPath } from '../../../tools/testing/shared';
import { loadBertTokenizer as loadTokenizer } from './load-tokenizer';

interface Doc {
  tokens: string[];
  entities: Array<{ type: string; start: number; end: number }>;
}

// Every entity of all of CoNLL04 maps to a non-empty wordpiece range and back (SPERT_REFERENCE §1.1).
describe('CoNLL04 word <-> wordpiece alignment with the spert-scratch-conll04 vocabulary', () => {
  it.each(['train', 'dev', 'test'])('round-trips every entity span of %s', async (split) => {
    const { tokenizer } = await loadTokenizer({ dir: sharedPath('fixtures/spert-scratch-conll04') });
    const docs = JSON.parse(readFileSync(sharedPath(`datasets/conll04/conll04_${split}.json`), 'utf8')) as Doc[];
    // Problems are collected and asserted once: per-item expect() calls would dominate the run time.
    const problems: string[] = [];
    let entities = 0;
    docs.forEach((doc, documentIndex) => {
      const { inputIds, wordRanges } = tokenizer.encodeWords(doc.tokens, { documentIndex });
      const where = `${split} document ${documentIndex}`;
      if (inputIds[0] !== tokenizer.specialIds.cls || inputIds[inputIds.length - 1] !== tokenizer.specialIds.sep) {
        problems.push(`${where}: not framed by [CLS] ... [SEP]`);
      }
      if (wordRanges.length !== doc.tokens.length) problems.push(`${where}: ${wordRanges.length} ranges for ${doc.tokens.length} words`);
      // Word ranges tile positions 1 .. length-1 without gaps, each non-empty.
      let pos = 1;
      wordRanges.forEach(([s, e], w) => {
        if (s !== pos || e <= s) problems.push(`${where}, word ${w}: range [${s}, ${e}) after position ${pos}`);
        pos = e;
      });
      if (pos !== inputIds.length - 1) problems.push(`${where}: ranges end at ${pos}, [SEP] is at ${inputIds.length - 1}`);
      const wordStartingAt = new Map<number, number>();
      const wordEndingAt = new Map<number, number>();
      wordRanges.forEach(([s, e], w) => {
        wordStartingAt.set(s, w);
        wordEndingAt.set(e, w + 1);
      });
      doc.entities.forEach((ent, k) => {
        const start = wordRanges[ent.start][0];
        const end = wordRanges[ent.end - 1][1];
        const back = [wordStartingAt.get(start), wordEndingAt.get(end)];
        if (end <= start || back[0] !== ent.start || back[1] !== ent.end) {
          problems.push(`${where}, entity ${k}: words [${ent.start}, ${ent.end}) -> pieces [${start}, ${end}) -> words ${JSON.stringify(back)}`);
        }
        entities++;
      });
    });
    expect(problems).toEqual([]);
    expect(entities).toBe({ train: 3377, dev: 893, test: 1079 }[split]);
  });

  it('matches the input_ids the reference computed for the first test documents', async () => {
    const { tokenizer } = await loadTokenizer({ dir: sharedPath('fixtures/spert-scratch-conll04') });
    const expected = JSON.parse(
      readFileSync(sharedPath('fixtures/spert-scratch-conll04/expected_outputs.json'), 'utf8'),
    ) as { documents: Array<{ tokens: string[]; input_ids: number[] }> };
    const docs = JSON.parse(readFileSync(sharedPath('datasets/conll04/conll04_test.json'), 'utf8')) as Doc[];
    expect(expected.documents).toHaveLength(8);
    expected.documents.forEach((e, i) => {
      expect(e.tokens).toEqual(docs[i].tokens);
      expect(tokenizer.encodeWords(e.tokens, { documentIndex: i }).inputIds).toEqual(e.input_ids);
    });
  });

  it("agrees with @huggingface/tokenizers' own BERT pipeline on every distinct CoNLL04 word, cased and uncased", async () => {
    const words = new Set<string>();
    for (const split of ['train', 'dev', 'test']) {
      const docs = JSON.parse(readFileSync(sharedPath(`datasets/conll04/conll04_${split}.json`), 'utf8')) as Doc[];
      for (const d of docs) for (const w of d.tokens) words.add(w);
    }
    for (const lowercase of [false, true]) {
      const { tokenizer } = await loadTokenizer({ dir: sharedPath('fixtures/spert-scratch-conll04'), lowercase });
      const hf = new Tokenizer(tokenizer.toTokenizerJson(), { do_lower_case: lowercase });
      const differ = [...words].filter((w) => hf.tokenize(w).join(' ') !== tokenizer.tokenize(w).join(' '));
      expect(differ).toEqual([]);
    }
  });
});
