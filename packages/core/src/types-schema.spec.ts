import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTypes, typesToJson } from './types-schema';

describe('parseTypes', () => {
  it('assigns class indices 1..n in file order, as the reference does (CoNLL04)', () => {
    const json = JSON.parse(readFileSync(sharedPath('datasets/conll04/conll04_types.json'), 'utf8'));
    const t = parseTypes(json, { source: 'conll04_types.json' });
    expect(t.entities.map((e) => [e.key, e.index])).toEqual([['Loc', 1], ['Org', 2], ['Peop', 3], ['Other', 4]]);
    expect(t.relations.map((r) => [r.key, r.index, r.short])).toEqual([
      ['Work_For', 1, 'Work'],
      ['Kill', 2, 'Kill'],
      ['OrgBased_In', 3, 'OrgBI'],
      ['Live_In', 4, 'Live'],
      ['Located_In', 5, 'LocIn'],
    ]);
    expect(t.relations.every((r) => r.symmetric === false)).toBe(true);
    expect(typesToJson(t)).toEqual(json);
  });

  it('reads the symmetric flags of SciERC', () => {
    const json = JSON.parse(readFileSync(sharedPath('datasets/scierc/scierc_types.json'), 'utf8'));
    const t = parseTypes(json);
    expect(t.relations.filter((r) => r.symmetric).map((r) => r.key).sort()).toEqual(['Compare', 'Conjunction']);
  });

  it('reports every malformed field with the source name', () => {
    const bad = { entities: { A: { short: 1, verbose: 'a' }, B: 'x' }, relations: { R: { short: 'r', verbose: 'r', symmetric: 'yes' } } };
    expect(() => parseTypes(bad, { source: 't.json' })).toThrow(
      /t\.json: invalid types file:\n {2}- entities\.A\.short must be a string\n {2}- entities\.B must be an object\n {2}- relations\.R\.symmetric must be true or false/,
    );
    expect(() => parseTypes([], { source: 't.json' })).toThrow('t.json: a types file must be an object');
    expect(() => parseTypes({ entities: {}, relations: {} })).toThrow('"entities" lists no entity type');
  });
});
