import { collectRelationTriples, createTripleFilter } from './relation-triples';
import { readSettings, settingsToJson, SPERT_DEFAULTS, type SpertSettings } from './model-settings';
import { parseTypes } from './types-schema';
import type { Document } from './types';

const types = parseTypes({
  entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' }, Org: { short: 'Org', verbose: 'Organization' } },
  relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false }, Work_For: { short: 'Work', verbose: 'Work for', symmetric: false } },
});

// Two hand-made documents: Peop-Live_In-Loc twice (counted once), Peop-Work_For-Org once.
const docs: Document[] = [
  {
    tokens: ['Ann', 'lives', 'in', 'Rome', '.'],
    entities: [{ type: 'Peop', start: 0, end: 1 }, { type: 'Loc', start: 3, end: 4 }],
    relations: [{ type: 'Live_In', head: 0, tail: 1 }],
  },
  {
    tokens: ['Bob', 'of', 'Acme', 'lives', 'in', 'Oslo'],
    entities: [{ type: 'Peop', start: 0, end: 1 }, { type: 'Org', start: 2, end: 3 }, { type: 'Loc', start: 5, end: 6 }],
    relations: [{ type: 'Work_For', head: 0, tail: 1 }, { type: 'Live_In', head: 0, tail: 2 }],
  },
];

describe('relation type constraints', () => {
  it('collects the distinct (head type, relation, tail type) triples of a small dataset, sorted', () => {
    expect(collectRelationTriples(docs, types)).toEqual([
      ['Peop', 'Live_In', 'Loc'],
      ['Peop', 'Work_For', 'Org'],
    ]);
  });
  it('answers by class index: the seen triples and type pairs only, direction included', () => {
    const f = createTripleFilter(collectRelationTriples(docs, types), types);
    const [Loc, Peop, Org] = [1, 2, 3];
    const [LiveIn, WorkFor] = [1, 2];
    expect(f.allows(Peop, LiveIn, Loc)).toBe(true);
    expect(f.allows(Peop, WorkFor, Org)).toBe(true);
    expect(f.allows(Peop, WorkFor, Loc)).toBe(false);
    expect(f.allows(Loc, LiveIn, Peop)).toBe(false);
    expect(f.allowsPair(Peop, Org)).toBe(true);
    expect(f.allowsPair(Org, Peop)).toBe(false);
  });
  it('names the document of a relation pointing outside its entities', () => {
    const bad: Document[] = [{ tokens: ['a'], entities: [], relations: [{ type: 'Live_In', head: 0, tail: 1 }] }];
    expect(() => collectRelationTriples(bad, types, 'train.json')).toThrow('train.json: document 0, relations[0] points at entity 0, outside its 0 entities');
  });
});

describe('switch settings in config.json', () => {
  const on: SpertSettings = {
    ...SPERT_DEFAULTS,
    types,
    relationEntityTypes: 'embedding',
    typeEmbedding: 8,
    relationTypeConstraints: 'train',
    relationTriples: collectRelationTriples(docs, types),
    relThresholds: { Live_In: 0.3, Work_For: 0.55 },
  };
  it('round-trips every switch under its snake_case key', () => {
    const json = settingsToJson(on);
    expect(json).toMatchObject({ relation_entity_types: 'embedding', type_embedding_size: 8, relation_type_constraints: 'train', rel_thresholds: { Live_In: 0.3, Work_For: 0.55 } });
    expect(readSettings(JSON.parse(JSON.stringify({ spert: json })) as Record<string, unknown>)).toEqual(on);
  });
  it('writes none of the new keys for the reference configuration, and reads their absence as the reference', () => {
    const json = settingsToJson({ ...SPERT_DEFAULTS, types }) as unknown as Record<string, unknown>;
    for (const k of ['relation_entity_types', 'type_embedding_size', 'relation_type_constraints', 'relation_triples', 'rel_thresholds']) expect(json).not.toHaveProperty(k);
    const s = readSettings({ spert: json });
    expect([s.relationEntityTypes, s.relationTypeConstraints, s.relationTriples, s.relThresholds]).toEqual(['none', 'off', undefined, undefined]);
  });
  it('refuses a constraint switch without its table, a triple of unknown types and a threshold of an unknown relation, naming the key', () => {
    expect(() => readSettings({ spert: { ...settingsToJson(on), relation_triples: undefined } }, { source: 'm/config.json' })).toThrow(
      'm/config.json: spert.relation_type_constraints is "train" but spert.relation_triples is missing',
    );
    expect(() => readSettings({ spert: { ...settingsToJson(on), relation_triples: [['Peop', 'Born_In', 'Loc']] } }, { source: 'm/config.json' })).toThrow(
      'm/config.json: spert.relation_triples[0] must be [entity type, relation type, entity type]',
    );
    expect(() => readSettings({ spert: { ...settingsToJson(on), rel_thresholds: { Kill: 0.5 } } }, { source: 'm/config.json' })).toThrow(/rel_thresholds names "Kill"/);
    expect(() => readSettings({ spert: { ...settingsToJson(on), rel_thresholds: { Live_In: 2 } } }, { source: 'm/config.json' })).toThrow(/rel_thresholds.Live_In must be a number in \[0, 1\]/);
  });
});
