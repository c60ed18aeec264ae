import { readFileSync } from 'node:fs';
import { createRng, parseDataset, parseTypes, type Document, type EncodedDocument, type TypesSchema } from '@spert/core';
import { evaluate } from '@spert/evaluator';
import { buildPrediction } from '@spert/pipeline';
import { createTrainSample } from '@spert/span-sampler';
import { sharedPath } from '../../../../tools/testing/shared';

// SciERC's Conjunction and Compare are symmetric (scierc_types.json); the experiment's relation
// numbers depend on them being sampled, decoded and scored as the reference does.
const types: TypesSchema = parseTypes(JSON.parse(readFileSync(sharedPath('datasets', 'scierc', 'scierc_types.json'), 'utf8')));
const load = (file: string): Document[] => parseDataset(JSON.parse(readFileSync(sharedPath('datasets', 'scierc', file), 'utf8')), types).documents;
const isSymmetric = (type: string) => types.relations.find((r) => r.key === type)?.symmetric === true;
const typeIndex = (type: string) => types.relations.find((r) => r.key === type)?.index as number;
const entityIndex = (type: string) => types.entities.find((e) => e.key === type)?.index as number;
const tailFirst = (d: Document, r: Document['relations'][number]) => d.entities[r.tail].start < d.entities[r.head].start;
// One wordpiece per word after [CLS]: the sampler only needs the word -> wordpiece ranges.
const encode = (d: Document): EncodedDocument => ({ inputIds: [101, ...d.tokens.map((_, i) => 1000 + i), 102], wordRanges: d.tokens.map((_, i) => [i + 1, i + 2]) });

describe('SciERC symmetric relations (Conjunction, Compare)', () => {
  it('the types file marks exactly Conjunction and Compare symmetric', () => {
    expect(types.relations.filter((r) => r.symmetric).map((r) => r.key)).toEqual(['Conjunction', 'Compare']);
  });

  it('sampling: every symmetric relation given tail-first in SciERC train becomes a head-first positive pair; asymmetric ones keep their direction', () => {
    const train = load('scierc_train.json');
    let symmetricTailFirst = 0;
    let asymmetricTailFirst = 0;
    train.forEach((d, i) => {
      if (!d.relations.some((r) => tailFirst(d, r))) return;
      const s = createTrainSample({ document: d, encoding: encode(d), types, rng: createRng(i), documentIndex: i });
      const label = (h: number, t: number, type: string) => {
        const p = s.pairs.findIndex(([a, b]) => s.spanWords[a][0] === d.entities[h].start && s.spanWords[a][1] === d.entities[h].end && s.spanWords[b][0] === d.entities[t].start && s.spanWords[b][1] === d.entities[t].end);
        return p < 0 ? 0 : s.pairLabels[p][typeIndex(type) - 1];
      };
      for (const r of d.relations) {
        if (!tailFirst(d, r)) continue;
        if (isSymmetric(r.type)) {
          symmetricTailFirst++;
          expect([`document ${i}`, r.type, label(r.tail, r.head, r.type), label(r.head, r.tail, r.type)]).toEqual([`document ${i}`, r.type, 1, 0]);
        } else {
          asymmetricTailFirst++;
          expect([`document ${i}`, r.type, label(r.head, r.tail, r.type)]).toEqual([`document ${i}`, r.type, 1]);
        }
      }
      // No positive pair of a symmetric type points backwards.
      s.pairs.forEach(([a, b], p) => {
        if (s.spanWords[b][0] < s.spanWords[a][0]) for (const t of ['Conjunction', 'Compare']) expect(s.pairLabels[p][typeIndex(t) - 1]).toBe(0);
      });
    });
    // Counted on scierc_train.json: 52 symmetric relations are written tail-first there.
    expect(symmetricTailFirst).toBe(52);
    expect(asymmetricTailFirst).toBeGreaterThan(0);
  });

  it('decoding: a symmetric relation scored in both directions comes out once, head-first; an asymmetric one as scored', () => {
    // Test documents with a symmetric and an asymmetric relation and no two entities on one span.
    const docs = load('scierc_test.json').filter(
      (d) => d.relations.some((r) => isSymmetric(r.type)) && d.relations.some((r) => !isSymmetric(r.type)) && new Set(d.entities.map((e) => `${e.start},${e.end}`)).size === d.entities.length,
    ).slice(0, 5);
    expect(docs).toHaveLength(5);
    const predicted = docs.map((d) => {
      const spans = d.entities.map((e) => [e.start, e.end] as [number, number]);
      const E = types.entities.length + 1;
      const entityProbs = d.entities.map((e) => Array.from({ length: E }, (_, k) => (k === entityIndex(e.type) ? 0.9 : 0.1 / (E - 1))));
      const pairs: Array<[number, number]> = [];
      spans.forEach((_, a) => spans.forEach((__, b) => a !== b && pairs.push([a, b])));
      const relationProbs = pairs.map(() => new Array<number>(types.relations.length).fill(0.01));
      const at = (h: number, t: number) => pairs.findIndex(([a, b]) => a === h && b === t);
      for (const r of d.relations) {
        relationProbs[at(r.head, r.tail)][typeIndex(r.type) - 1] = 0.9;
        // The model scores both orders of a pair: for a symmetric type both pass the threshold.
        if (isSymmetric(r.type)) relationProbs[at(r.tail, r.head)][typeIndex(r.type) - 1] = 0.8;
      }
      return buildPrediction({ tokens: d.tokens, spans, entityProbs, pairs, relationProbs, types });
    });
    predicted.forEach((p, k) => {
      const g = docs[k];
      const key = (d: Document, r: Document['relations'][number]) => `${r.type}:${d.entities[r.head].start},${d.entities[r.head].end}>${d.entities[r.tail].start},${d.entities[r.tail].end}`;
      const expected = g.relations.map((r) => (isSymmetric(r.type) && tailFirst(g, r) ? { ...r, head: r.tail, tail: r.head } : r)).map((r) => key(g, r));
      const got = p.relations.map((r) => key(p, r));
      expect(got.sort()).toEqual([...new Set(expected)].sort());
      for (const r of p.relations) if (isSymmetric(r.type)) expect(p.entities[r.head].start).toBeLessThan(p.entities[r.tail].start);
    });
    const r = evaluate({ gold: docs, predicted, types });
    expect([r.ner.micro.f1, r.rel.micro.f1, r.relNec.micro.f1]).toEqual([100, 100, 100]);
  });

  it('evaluation on SciERC test: a reversed symmetric prediction counts as correct, a reversed asymmetric one as wrong', () => {
    const gold = load('scierc_test.json');
    const reverse = (d: Document, which: (type: string) => boolean): Document => ({ ...d, relations: d.relations.map((r) => (which(r.type) ? { ...r, head: r.tail, tail: r.head } : r)) });
    const allSymmetricReversed = gold.map((d) => reverse(d, isSymmetric));
    expect(allSymmetricReversed.some((d, i) => d.relations.some((r, k) => r.head !== gold[i].relations[k].head))).toBe(true);
    const same = evaluate({ gold, predicted: allSymmetricReversed, types });
    expect([same.rel.micro.f1, same.relNec.micro.f1, same.rel.micro.support]).toEqual([100, 100, 974]);
    // One asymmetric relation reversed (in a document where the reversed one is not also gold).
    const i = gold.findIndex((d) => d.relations.some((r) => !isSymmetric(r.type) && !d.relations.some((o) => o.type === r.type && o.head === r.tail && o.tail === r.head)));
    const k = gold[i].relations.findIndex((r) => !isSymmetric(r.type));
    const predicted = gold.map((d, j) => (j === i ? { ...d, relations: d.relations.map((r, m) => (m === k ? { ...r, head: r.tail, tail: r.head } : r)) } : d));
    const one = evaluate({ gold, predicted, types });
    for (const s of [one.rel, one.relNec]) {
      expect(s.micro.precision).toBeCloseTo((973 / 974) * 100, 10);
      expect(s.micro.recall).toBeCloseTo((973 / 974) * 100, 10);
    }
    const type = gold[i].relations[k].type;
    const row = one.rel.perType.find((t) => t.type === type);
    expect(row?.recall).toBeLessThan(100);
    expect(one.ner.micro.f1).toBe(100);
  });
});
