import { assertSameTypes, readSettings, settingsToJson, SPERT_DEFAULTS } from './model-settings';
import { parseTypes } from './types-schema';

const types = parseTypes({ entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } }, relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false } } });

describe('model settings in config.json', () => {
  it('round-trips through the "spert" object, types in class order', () => {
    const s = { ...SPERT_DEFAULTS, maxSpanSize: 8, types };
    expect(readSettings({ spert_version: '1.1', spert: settingsToJson(s) })).toEqual(s);
  });
  it('needs a types file for the reference directories and falls back to the reference defaults', () => {
    expect(() => readSettings({ spert_version: '1.1' })).toThrow(/does not store its entity\/relation types/);
    expect(readSettings({}, { types })).toEqual({ ...SPERT_DEFAULTS, types });
  });
  it('rejects old versions, bad fields and a types file that disagrees with the stored types', () => {
    expect(() => readSettings({ spert_version: '1.0' }, { types })).toThrow(/spert_version "1.0"/);
    expect(() => readSettings({ spert: { max_span_size: 100 } }, { types })).toThrow(/max_span_size/);
    expect(() => readSettings({ spert: { size_embedding: 'x' } }, { types })).toThrow(/spert.size_embedding must be a number/);
    const swapped = parseTypes({ entities: { Peop: { short: 'Peop', verbose: 'People' }, Loc: { short: 'Loc', verbose: 'Location' } }, relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false } } });
    expect(() => assertSameTypes(types, swapped)).toThrow(/model has entity 1=Loc where the types file has entity 1=Peop/);
    expect(() => readSettings({ spert: settingsToJson({ ...SPERT_DEFAULTS, types }) }, { types: swapped })).toThrow(/does not match/);
  });
});
