import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTypes } from './types-schema';
import { parseDataset } from './validate';
import { datasetStats, formatDatasetStats } from './stats';
import type { Document } from './types';

function load(name: string, file: string): Document[] {
  const types = parseTypes(JSON.parse(readFileSync(sharedPath(`datasets/${name}/${name}_types.json`), 'utf8')));
  return parseDataset(JSON.parse(readFileSync(sharedPath(`datasets/${name}/${file}`), 'utf8')), types, { source: file }).documents;
}

// Expected numbers are the "verified counts" of each dataset's SOURCE.md.
describe('datasetStats on the shared datasets', () => {
  it.each([
    ['conll04_train.json', 922, 3377, 1283, 114],
    ['conll04_dev.json', 231, 893, 343, 111],
    ['conll04_test.json', 288, 1079, 422, 118],
    ['conll04_train_dev.json', 922 + 231, 3377 + 893, 1283 + 343, 114],
  ])('CoNLL04 %s: %i documents, %i entities, %i relations, longest %i', (file, docs, ents, rels, longest) => {
    const s = datasetStats(load('conll04', file));
    expect([s.documents, s.entities, s.relations, s.longestDocument.tokens]).toEqual([docs, ents, rels, longest]);
  });

  it('CoNLL04 test per-type counts', () => {
    const s = datasetStats(load('conll04', 'conll04_test.json'));
    expect(s.entityTypes).toEqual({ Org: 198, Loc: 427, Other: 133, Peop: 321 });
    expect(s.relationTypes).toEqual({ Kill: 47, OrgBased_In: 105, Work_For: 76, Located_In: 94, Live_In: 100 });
  });

  it.each([
    ['scierc_train.json', 1861, 5598, 3219, 101, 13],
    ['scierc_dev.json', 275, 811, 455, 68, 3],
    ['scierc_test.json', 551, 1685, 974, 97, 3],
  ])('SciERC %s: %i / %i / %i, longest %i, %i entities > 10 words', (file, docs, ents, rels, longest, long) => {
    const s = datasetStats(load('scierc', file));
    expect([s.documents, s.entities, s.relations, s.longestDocument.tokens, s.entitiesLongerThanMaxSpan]).toEqual([docs, ents, rels, longest, long]);
  });

  it('SciERC test per-type counts', () => {
    const s = datasetStats(load('scierc', 'scierc_test.json'));
    expect(s.entityTypes).toEqual({ Generic: 241, Material: 158, Method: 430, Metric: 71, OtherScientificTerm: 522, Task: 263 });
    expect(s.relationTypes).toEqual({
      Compare: 38, Conjunction: 123, 'Evaluate-for': 91, 'Feature-of': 59, 'Hyponym-of': 67, 'Part-of': 63, 'Used-for': 533,
    });
  });

  it('ADE full and the 10 folds', () => {
    const full = datasetStats(load('ade', 'ade_full.json'));
    expect(full).toMatchObject({ documents: 4272, entities: 10839, relations: 6821, entitiesLongerThanMaxSpan: 5, overlappingEntityPairs: 120 });
    expect(full.longestDocument.tokens).toBe(97);
    expect(full.entityTypes).toEqual({ Drug: 5063, 'Adverse-Effect': 5776 });
    expect(full.relationTypes).toEqual({ 'Adverse-Effect': 6821 });
    for (let k = 0; k < 10; k++) {
      const train = datasetStats(load('ade', `ade_split_${k}_train.json`));
      const test = datasetStats(load('ade', `ade_split_${k}_test.json`));
      expect([train.documents, test.documents]).toEqual(k === 9 ? [3843, 429] : [3845, 427]);
      expect(train.entities + test.entities).toBe(10839);
      expect(train.relations + test.relations).toBe(6821);
    }
  });

  it('counts overlapping pairs, not identical mentions', () => {
    const doc: Document = {
      tokens: ['a', 'b', 'c', 'd'],
      entities: [
        { type: 'X', start: 0, end: 2 },
        { type: 'X', start: 0, end: 2 },
        { type: 'Y', start: 1, end: 3 },
        { type: 'Y', start: 3, end: 4 },
      ],
      relations: [],
    };
    expect(datasetStats([doc]).overlappingEntityPairs).toBe(2);
  });

  it('formats stats readably', () => {
    const s = datasetStats(load('conll04', 'conll04_test.json'));
    expect(formatDatasetStats(s, 'conll04_test.json')).toBe(
      [
        'conll04_test.json: 288 documents, 1079 entity mentions, 422 relations',
        '  entity types:   Org 198, Other 133, Loc 427, Peop 321',
        '  relation types: OrgBased_In 105, Located_In 94, Live_In 100, Work_For 76, Kill 47',
        '  longest document: 118 words (document 71)',
        '  entities longer than 10 words: 0',
        '  overlapping entity pairs: 0',
      ].join('\n'),
    );
  });
});
