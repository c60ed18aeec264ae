import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PredictedDocument } from '@spert/core';
import { toPredictionDocuments, writePredictions } from './predictions';

const doc: PredictedDocument = {
  tokens: ['a', 'b', 'c', 'd'],
  entities: [
    { type: 'X', start: 3, end: 4, score: 0.9 },
    { type: 'Y', start: 0, end: 1, score: 0.8 },
    { type: 'X', start: 0, end: 2, score: 0.7 },
  ],
  relations: [
    { type: 'R', head: 0, tail: 1, score: 0.6 },
    { type: 'S', head: 2, tail: 0, score: 0.5 },
    { type: 'R', head: 1, tail: 0, score: 0.4 },
  ],
};

describe('predictions output', () => {
  it('sorts entities by start (stable), remaps relation arguments and sorts relations by head (stable)', () => {
    const [out] = toPredictionDocuments([doc]);
    expect(out.entities).toEqual([
      { type: 'Y', start: 0, end: 1, score: 0.8 },
      { type: 'X', start: 0, end: 2, score: 0.7 },
      { type: 'X', start: 3, end: 4, score: 0.9 },
    ]);
    // old 0 -> 2, old 1 -> 0, old 2 -> 1
    expect(out.relations).toEqual([
      { type: 'R', head: 0, tail: 2, score: 0.4 },
      { type: 'S', head: 1, tail: 2, score: 0.5 },
      { type: 'R', head: 2, tail: 0, score: 0.6 },
    ]);
  });

  it('writes them atomically as JSON and names a bad relation argument', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spert-pred-'));
    try {
      await writePredictions({ path: path.join(dir, 'p.json'), documents: [doc] });
      expect(JSON.parse(readFileSync(path.join(dir, 'p.json'), 'utf8'))).toEqual(toPredictionDocuments([doc]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => toPredictionDocuments([{ ...doc, relations: [{ type: 'R', head: 0, tail: 5 }] }])).toThrow('document 0, relations[0]: argument 5 is not an entity index');
  });
});
