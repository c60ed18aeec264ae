import { readFileSync } from 'node:fs';
import { parseDataset, parseTypes, type Document, type TypesSchema } from '@spert/core';
import { sharedPath } from '../../../tools/testing/shared';
import { evaluate } from './evaluate';

function load(name: string, file: string): { types: TypesSchema; docs: Document[] } {
  const types = parseTypes(JSON.parse(readFileSync(sharedPath(`datasets/${name}/${name}_types.json`), 'utf8')));
  const docs = parseDataset(JSON.parse(readFileSync(sharedPath(`datasets/${name}/${file}`), 'utf8')), types).documents;
  return { types, docs };
}

describe('gold against gold on the other datasets', () => {
  it('SciERC test: 100 everywhere, supports = the SOURCE.md counts (symmetric types canonicalized)', () => {
    const { types, docs } = load('scierc', 'scierc_test.json');
    // reversing every symmetric relation must not change anything
    const flipped = docs.map((d) => ({
      ...d,
      relations: d.relations.map((r) => (types.relations.find((t) => t.key === r.type)?.symmetric ? { ...r, head: r.tail, tail: r.head } : r)),
    }));
    const r = evaluate({ gold: docs, predicted: flipped, types });
    expect([r.ner.micro.support, r.rel.micro.support, r.relNec.micro.support]).toEqual([1685, 974, 974]);
    for (const s of [r.ner, r.rel, r.relNec]) expect([s.micro.f1, s.macro.f1]).toEqual([100, 100]);
    expect(Object.fromEntries(r.rel.perType.map((t) => [t.type, t.support]))).toMatchObject({ Compare: 38, Conjunction: 123, 'Used-for': 533 });
  });

  // 24 and 12: counted with a plain loop over the file (reference rule: identical mentions do not overlap)
  it('ADE fold 0 test with noOverlapping: overlapping mentions (24) and relations between overlapping arguments (12) leave', () => {
    const { types, docs } = load('ade', 'ade_split_0_test.json');
    const all = evaluate({ gold: docs, predicted: docs, types });
    expect([all.ner.micro.support, all.relNec.micro.support]).toEqual([1070, 666]);
    const r = evaluate({ gold: docs, predicted: docs, types, noOverlapping: true });
    expect([r.ner.micro.support, r.relNec.micro.support]).toEqual([1070 - 24, 666 - 12]);
    expect([r.ner.macro.f1, r.rel.macro.f1, r.relNec.macro.f1]).toEqual([100, 100, 100]);
  });
});
