import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { readDataset, readTypes } from './dataset-io';
import { toPredictionRecord } from './prediction-record';
import { PREDICTION_RECORD_SCHEMA } from './prediction-record-schema';
import type { Prediction } from './predictor';

const SCHEMA_FILE = path.resolve(__dirname, '../../../docs/prediction-record.schema.json');

// "John Smith lives in Boston ." with its words' character ranges, as the pipeline returns it.
const text = 'John  Smith lives in\nBoston.';
const charOffsets: Array<[number, number]> = [[0, 4], [6, 11], [12, 17], [18, 20], [21, 27], [27, 28]];
const tokens = charOffsets.map(([s, e]) => text.slice(s, e));
const prediction: Prediction = {
  tokens,
  charOffsets,
  entities: [
    { type: 'Peop', start: 0, end: 2, score: 0.9 },
    { type: 'Loc', start: 4, end: 5, score: 0.8 },
  ],
  relations: [{ type: 'Live_In', head: 0, tail: 1, score: 0.7 }],
};

describe('toPredictionRecord', () => {
  it('gives text input character offsets, entity character spans and the covered text as written', () => {
    const record = toPredictionRecord(prediction, { input: { kind: 'text', text } });
    expect(record).toEqual({
      tokens,
      offsets: charOffsets,
      entities: [
        { type: 'Peop', start: 0, end: 2, text: 'John  Smith', charStart: 0, charEnd: 11, score: 0.9 },
        { type: 'Loc', start: 4, end: 5, text: 'Boston', charStart: 21, charEnd: 27, score: 0.8 },
      ],
      relations: [{ type: 'Live_In', head: 0, tail: 1, score: 0.7 }],
    });
    // The key order is the output's byte layout, the same as the schema's property order.
    expect(Object.keys(record)).toEqual(['tokens', 'offsets', 'entities', 'relations']);
  });

  it('gives word input the words joined by spaces, no character offsets; carries an id and a window count first and last', () => {
    const { charOffsets: _drop, ...words } = prediction;
    const record = toPredictionRecord({ ...words, windows: 3 }, { input: { kind: 'tokens', tokens }, id: 'doc-7' });
    expect(Object.keys(record)).toEqual(['id', 'tokens', 'entities', 'relations', 'windows']);
    expect(record.id).toBe('doc-7');
    expect(record.windows).toBe(3);
    expect(record.entities.map((e) => [e.text, e.charStart, e.charEnd])).toEqual([['John Smith', undefined, undefined], ['Boston', undefined, undefined]]);
    expect(record.entities[0]).not.toHaveProperty('charStart');
    // A document predicted in one piece says nothing about windows.
    expect(toPredictionRecord({ ...words, windows: 1 }, { input: { kind: 'tokens', tokens } })).not.toHaveProperty('windows');
  });

  it('refuses a prediction that breaks the predictor contract, naming the document and the field', () => {
    const input = { kind: 'text', text } as const;
    const where = { input, where: 'documents[2]' };
    expect(() => toPredictionRecord({ ...prediction, charOffsets: undefined }, where)).toThrow('predictor output for documents[2]: text input needs one character offset per word (6 words, 0 offsets)');
    expect(() => toPredictionRecord(prediction, { input: { kind: 'tokens', tokens: ['John'] }, id: 4 })).toThrow('predictor output for id 4: 6 words for 1 given');
    expect(() => toPredictionRecord({ ...prediction, entities: [{ type: 'Loc', start: 5, end: 7, score: 1 }], relations: [] }, where)).toThrow(
      'predictor output for documents[2]: entities[0] span [5, 7) is outside the 6 words',
    );
    expect(() => toPredictionRecord({ ...prediction, relations: [{ type: 'Live_In', head: 0, tail: 2, score: 1 }] }, { input })).toThrow(
      'predictor output for the document: relations[0] (head 0, tail 2) does not index its 2 entities',
    );
  });

  it('turns every CoNLL04 dev document (gold entities and relations as predictions) into a record that keeps them', async () => {
    const types = await readTypes({ path: sharedPath('datasets/conll04/conll04_types.json') });
    const { documents } = await readDataset({ path: sharedPath('datasets/conll04/conll04_dev.json'), types });
    let relations = 0;
    for (const [i, d] of documents.entries()) {
      const p: Prediction = { tokens: d.tokens, entities: d.entities.map((e) => ({ ...e, score: 1 })), relations: d.relations.map((r) => ({ ...r, score: 1 })) };
      const record = toPredictionRecord(p, { input: { kind: 'tokens', tokens: d.tokens }, id: i });
      expect(record.entities.map((e) => [e.type, e.start, e.end, e.text])).toEqual(d.entities.map((e) => [e.type, e.start, e.end, d.tokens.slice(e.start, e.end).join(' ')]));
      expect(record.relations.map((r) => [r.type, r.head, r.tail])).toEqual(d.relations.map((r) => [r.type, r.head, r.tail]));
      relations += record.relations.length;
    }
    expect(relations).toBeGreaterThan(200);
  });
});

describe('PREDICTION_RECORD_SCHEMA', () => {
  it('is what docs/prediction-record.schema.json publishes (SPERT_WRITE_SCHEMA=1 rewrites the file)', () => {
    const written = `${JSON.stringify(PREDICTION_RECORD_SCHEMA, null, 2)}\n`;
    if (process.env.SPERT_WRITE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, written);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(written);
  });

  it('describes exactly the fields toPredictionRecord writes, in its order', () => {
    const entities = prediction.entities.map((e, k) => (k === 0 ? { ...e, given: true } : e));
    const record = toPredictionRecord({ ...prediction, entities, windows: 2 }, { input: { kind: 'text', text }, id: 1 });
    expect(Object.keys(record)).toEqual(Object.keys(PREDICTION_RECORD_SCHEMA.properties));
    // A given entity says so; a predicted one has no `given` at all.
    expect(Object.keys(record.entities[0]!)).toEqual(Object.keys(PREDICTION_RECORD_SCHEMA.properties.entities.items.properties));
    expect(record.entities[1]).not.toHaveProperty('given');
    expect(Object.keys(record.relations[0]!)).toEqual(Object.keys(PREDICTION_RECORD_SCHEMA.properties.relations.items.properties));
  });
});
