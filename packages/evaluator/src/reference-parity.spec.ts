import { readFileSync } from 'node:fs';
import { parseDataset, parseTypes, type Document, type TypesSchema } from '@spert/core';
import { sharedPath } from '../../../tools/testing/shared';
import { EVAL_CSV_COLUMNS, evalCsvHeader, evalCsvRow, evalMetricValues, parseEvalCsv } from './csv';
import { evaluate } from './evaluate';
import { formatEvaluation } from './report';

const json = (p: string): unknown => JSON.parse(readFileSync(sharedPath(p), 'utf8'));
const FIX = 'fixtures/spert-scratch-conll04';

describe('scoring the reference model\'s CoNLL04 test predictions', () => {
  let types: TypesSchema;
  let gold: Document[];
  let predicted: Document[];
  beforeAll(() => {
    types = parseTypes(json('datasets/conll04/conll04_types.json'));
    gold = parseDataset(json('datasets/conll04/conll04_test.json'), types).documents;
    predicted = parseDataset(json(`${FIX}/predictions_test.json`), types).documents;
  });
  // The row order of that run (a Python set's order, seeded per process by string hashing).
  const runOrder = { entities: ['Loc', 'Org', 'Peop', 'Other'], relations: ['Live_In', 'Work_For', 'Located_In', 'OrgBased_In', 'Kill'] };

  it('gives every number of eval_test.csv within 1e-9 (default row order)', () => {
    const [expected] = parseEvalCsv(readFileSync(sharedPath(`${FIX}/eval_test.csv`), 'utf8'));
    const values = evalMetricValues(evaluate({ gold, predicted, types }));
    expect(values).toHaveLength(18);
    values.forEach((v, i) => {
      const col = EVAL_CSV_COLUMNS[i];
      expect([col, Math.abs(v - expected[col]) <= 1e-9]).toEqual([col, true]);
    });
  });

  it('writes eval_test.csv byte for byte when the macro averages are summed in that run\'s order', () => {
    const r = evaluate({ gold, predicted, types, order: runOrder });
    expect(evalCsvHeader() + evalCsvRow(r, { epoch: 20, iteration: 0, globalIteration: 9220 })).toBe(readFileSync(sharedPath(`${FIX}/eval_test.csv`), 'utf8'));
  });

  it('prints the console tables of eval_test_console.txt exactly', () => {
    const expected = readFileSync(sharedPath(`${FIX}/eval_test_console.txt`), 'utf8');
    expect(formatEvaluation(evaluate({ gold, predicted, types, order: runOrder }))).toBe(expected);
    // in the default (class-index) order the same lines appear, only the type rows move
    const sorted = (s: string): string[] => s.split('\n').sort();
    expect(sorted(formatEvaluation(evaluate({ gold, predicted, types })))).toEqual(sorted(expected));
  });

  it('scores gold against gold as 100 everywhere with the test supports', () => {
    const r = evaluate({ gold, predicted: gold, types });
    for (const s of [r.ner, r.rel, r.relNec]) {
      for (const m of [s.micro, s.macro, ...s.perType]) expect([m.precision, m.recall, m.f1]).toEqual([100, 100, 100]);
    }
    expect([r.ner.micro.support, r.ner.macro.support, r.rel.micro.support, r.relNec.macro.support]).toEqual([1079, 1079, 422, 422]);
    expect(Object.fromEntries(r.ner.perType.map((t) => [t.type, t.support]))).toEqual({ Loc: 427, Org: 198, Peop: 321, Other: 133 });
    expect(r.ner.perType.map((t) => t.type)).toEqual(['Loc', 'Org', 'Peop', 'Other']);
    expect(Object.fromEntries(r.rel.perType.map((t) => [t.short, t.support]))).toEqual({ Work: 76, Kill: 47, OrgBI: 105, Live: 100, LocIn: 94 });
  });

  it('rejects misaligned inputs naming the document', () => {
    expect(() => evaluate({ gold, predicted: predicted.slice(1), types })).toThrow('gold has 288 documents but predictions have 287');
    const shifted = [...predicted];
    shifted[5] = { ...shifted[5], tokens: ['x', ...shifted[5].tokens.slice(1)] };
    expect(() => evaluate({ gold, predicted: shifted, types })).toThrow(/^document 5: gold and predicted tokens differ at word 0/);
  });
});
