import { readFileSync } from 'node:fs';
import type { Document, TypesSchema } from '@spert/core';
import { filterSpans } from './filter-spans';
import { enumerateSpans, type Range } from '@spert/span-sampler';
import { sharedPath } from '../../../../tools/testing/shared';
import { buildPrediction } from './build-prediction';
import { buildInferencePairs } from '@spert/span-sampler';

interface FixtureDoc {
  tokens: string[];
  candidate_spans: Range[];
  entity_probs: number[][];
  relation_candidates: Array<[number, number]>;
  relation_probs: number[][];
}

function conllTypes(): TypesSchema {
  const raw = JSON.parse(readFileSync(sharedPath('datasets', 'conll04', 'conll04_types.json'), 'utf8')) as {
    entities: Record<string, { short: string; verbose: string }>;
    relations: Record<string, { short: string; verbose: string; symmetric: boolean }>;
  };
  return {
    entities: Object.entries(raw.entities).map(([key, v], i) => ({ key, index: i + 1, ...v })),
    relations: Object.entries(raw.relations).map(([key, v], i) => ({ key, index: i + 1, ...v })),
  };
}

const symTypes: TypesSchema = {
  entities: [
    { key: 'A', index: 1, short: 'A', verbose: 'A' },
    { key: 'B', index: 2, short: 'B', verbose: 'B' },
  ],
  relations: [
    { key: 'Dir', index: 1, short: 'Dir', verbose: 'Directed', symmetric: false },
    { key: 'Sym', index: 2, short: 'Sym', verbose: 'Symmetric', symmetric: true },
  ],
};

describe('buildPrediction', () => {
  it("reproduces the reference's predictions for the scratch CoNLL04 model's outputs (first 8 test documents)", () => {
    const fixture = JSON.parse(
      readFileSync(sharedPath('fixtures', 'spert-scratch-conll04', 'expected_outputs.json'), 'utf8'),
    ) as { entity_types: string[]; relation_types: string[]; documents: FixtureDoc[] };
    const predictions = JSON.parse(
      readFileSync(sharedPath('fixtures', 'spert-scratch-conll04', 'predictions_test.json'), 'utf8'),
    ) as Document[];
    const types = conllTypes();
    expect(['None', ...types.entities.map((t) => t.key)]).toEqual(fixture.entity_types);
    expect(types.relations.map((t) => t.key)).toEqual(fixture.relation_types);
    let relationsSeen = 0;
    fixture.documents.forEach((d, i) => {
      // the pair candidates we would score are exactly the reference's, in its order
      const kept = filterSpans({ probs: d.entity_probs }).indices;
      const { pairs } = buildInferencePairs({ keptSpans: kept, spanRanges: d.candidate_spans });
      expect(pairs).toEqual(d.relation_candidates);
      const pred = buildPrediction({
        tokens: d.tokens,
        spans: enumerateSpans(d.tokens.length),
        entityProbs: d.entity_probs,
        pairs: d.relation_candidates,
        relationProbs: d.relation_probs,
        types,
      });
      const strip = {
        tokens: pred.tokens,
        entities: pred.entities.map(({ type, start, end }) => ({ type, start, end })),
        relations: pred.relations.map(({ type, head, tail }) => ({ type, head, tail })),
      };
      expect(strip).toEqual(predictions[i]);
      relationsSeen += pred.relations.length;
      pred.entities.forEach((e) => {
        const s = d.candidate_spans.findIndex((c) => c[0] === e.start && c[1] === e.end);
        expect(e.score).toBeCloseTo(Math.max(...d.entity_probs[s]), 12);
      });
    });
    expect(relationsSeen).toBeGreaterThan(0);
  });

  it('orders entities by start, then candidate order (shorter first), and relations by head', () => {
    const spans = enumerateSpans(4); // [0,1],[1,2],[2,3],[3,4],[0,2],[1,3],[2,4],[0,3],[1,4],[0,4]
    const entityProbs = spans.map(() => [1, 0, 0]);
    entityProbs[3] = [0.1, 0.8, 0.1]; // [3,4] A
    entityProbs[7] = [0.1, 0.1, 0.8]; // [0,3] B
    entityProbs[0] = [0.2, 0.7, 0.1]; // [0,1] A
    const pairs = buildInferencePairs({ keptSpans: [0, 3, 7], spanRanges: spans }).pairs;
    // pairs: (0,3) (0,7) (3,0) (3,7) (7,0) (7,3)
    const relationProbs = [
      [0, 0],
      [0, 0],
      [0.9, 0],
      [0, 0],
      [0.5, 0],
      [0.6, 0],
    ];
    const pred = buildPrediction({ tokens: ['a', 'b', 'c', 'd'], spans, entityProbs, pairs, relationProbs, types: symTypes });
    expect(pred.entities.map((e) => [e.start, e.end, e.type])).toEqual([[0, 1, 'A'], [0, 3, 'B'], [3, 4, 'A']]);
    expect(pred.relations.map((r) => [r.head, r.tail, r.type])).toEqual([[1, 0, 'Dir'], [1, 2, 'Dir'], [2, 0, 'Dir']]);
    expect(pred.relations[0].score).toBe(0.5);
  });

  it('collapses both directions of a symmetric relation into one with the earlier span as head', () => {
    const spans: Range[] = [[0, 1], [2, 3], [1, 2]];
    const entityProbs = [[0, 1, 0], [0, 0, 1], [1, 0, 0]];
    const pairs: Array<[number, number]> = [[0, 1], [1, 0]];
    const pred = buildPrediction({ tokens: ['x', 'y', 'z'], spans, entityProbs, pairs, relationProbs: [[0.1, 0.7], [0.45, 0.9]], types: symTypes });
    expect(pred.relations).toEqual([
      { type: 'Sym', head: 0, tail: 1, score: 0.7 },
      { type: 'Dir', head: 1, tail: 0, score: 0.45 },
    ]);
  });

  it('says what is inconsistent', () => {
    const spans: Range[] = [[0, 1], [1, 2]];
    const base = { tokens: ['x', 'y'], spans, entityProbs: [[0, 1, 0], [1, 0, 0]], pairs: [], relationProbs: [], types: symTypes };
    expect(() => buildPrediction({ ...base, entityProbs: [[0, 1, 0]] })).toThrow(/1 entity probability rows for 2 spans/);
    expect(() => buildPrediction({ ...base, keptSpans: [1] })).toThrow(/kept span 1 has "none"/);
    expect(() => buildPrediction({ ...base, spans: [[0, 1], [1, 3]] })).toThrow(/span 1 \[1, 3\) is not inside the 2 tokens/);
    expect(() => buildPrediction({ ...base, pairs: [[0, 1]], relationProbs: [[0.9, 0]] })).toThrow(/links span 1, which is not a kept entity/);
    expect(buildPrediction({ ...base, origId: 'd1' })).toEqual({
      tokens: ['x', 'y'],
      entities: [{ type: 'A', start: 0, end: 1, score: 1 }],
      relations: [],
      orig_id: 'd1',
    });
  });
});
