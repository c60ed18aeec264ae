import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Document, TypesSchema } from '@spert/core';
import { appendEvalCsv, EVAL_CSV_COLUMNS, parseEvalCsv } from './csv';
import { evaluate } from './evaluate';

const types: TypesSchema = { entities: [{ key: 'A', index: 1, short: 'A', verbose: 'A' }], relations: [] };
const gold: Document[] = [{ tokens: ['x', 'y'], entities: [{ type: 'A', start: 0, end: 1 }], relations: [] }];
const pred: Document[] = [{ tokens: ['x', 'y'], entities: [{ type: 'A', start: 0, end: 1 }, { type: 'A', start: 1, end: 2 }], relations: [] }];

describe('eval csv', () => {
  it('creates the file with the header, then appends rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spert-csv-'));
    try {
      const file = path.join(dir, 'eval_test.csv');
      const result = evaluate({ gold, predicted: pred, types });
      await appendEvalCsv({ path: file, result, epoch: 1, iteration: 0, globalIteration: 10 });
      await appendEvalCsv({ path: file, result, epoch: 2, iteration: 0, globalIteration: 20 });
      const text = readFileSync(file, 'utf8');
      expect(text.split('\r\n')).toHaveLength(4);
      const rows = parseEvalCsv(text);
      expect(Object.keys(rows[0])).toEqual([...EVAL_CSV_COLUMNS]);
      expect(rows.map((r) => [r.ner_prec_micro, r.ner_rec_micro, r.rel_f1_micro, r.epoch, r.global_iteration])).toEqual([
        [50, 100, 0, 1, 10],
        [50, 100, 0, 2, 20],
      ]);
      expect(text).toContain(';50.0;100.0;66.66666666666666;'); // Python's repr of the floats
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
