import { assertSameTypes, readSettings, SETTING_CHOICES, settingsToJson, SPERT_DEFAULTS } from './model-settings';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readTypes } from './dataset-io';
import { parseTypes, typesToJson } from './types-schema';

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
  it('round-trips every ablation variant under its config.json key', () => {
    for (const relationNegatives of SETTING_CHOICES.relationNegatives) {
      for (const relationContext of SETTING_CHOICES.relationContext) {
        for (const spanPooling of SETTING_CHOICES.spanPooling) {
          const s = { ...SPERT_DEFAULTS, types, relationNegatives, relationContext, spanPooling };
          const json = settingsToJson(s);
          expect([json.relation_negatives, json.relation_context, json.span_pooling]).toEqual([relationNegatives, relationContext, spanPooling]);
          expect(readSettings(JSON.parse(JSON.stringify({ spert_version: '1.1', spert: json })) as Record<string, unknown>)).toEqual(s);
        }
      }
    }
  });
  it('reads absent ablation keys as the reference (strong negatives, localized context, max pooling)', () => {
    const { relation_negatives: _n, relation_context: _c, span_pooling: _p, ...older } = settingsToJson({ ...SPERT_DEFAULTS, types });
    const s = readSettings({ spert: older });
    expect([s.relationNegatives, s.relationContext, s.spanPooling]).toEqual(['strong', 'localized', 'max']);
    expect(SPERT_DEFAULTS).toMatchObject({ relationNegatives: 'strong', relationContext: 'localized', spanPooling: 'max' });
  });
  it('refuses an unknown ablation value, naming the file and the key', () => {
    expect(() => readSettings({ spert: { relation_context: 'global' } }, { types, source: 'm/config.json' })).toThrow(
      'm/config.json: spert.relation_context must be one of "localized", "sentence", "cls", "none", got "global"',
    );
    expect(() => readSettings({ spert: { relation_negatives: 'Weak' } }, { types })).toThrow(/config.json: spert.relation_negatives must be one of "strong", "weak", got "Weak"/);
    expect(() => readSettings({ spert: { span_pooling: 1 } }, { types })).toThrow(/spert.span_pooling must be one of "max", "mean", "sum", got 1/);
  });
  it('rejects old versions, bad fields and a types file that disagrees with the stored types', () => {
    expect(() => readSettings({ spert_version: '1.0' }, { types })).toThrow(/spert_version "1.0"/);
    expect(() => readSettings({ spert: { max_span_size: 100 } }, { types })).toThrow(/max_span_size/);
    expect(() => readSettings({ spert: { size_embedding: 'x' } }, { types })).toThrow(/spert.size_embedding must be a number/);
    const swapped = parseTypes({ entities: { Peop: { short: 'Peop', verbose: 'People' }, Loc: { short: 'Loc', verbose: 'Location' } }, relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false } } });
    expect(() => assertSameTypes(types, swapped)).toThrow(/entity 1 is Loc in the model but Peop in the types file/);
    expect(() => readSettings({ spert: settingsToJson({ ...SPERT_DEFAULTS, types }) }, { types: swapped })).toThrow(/does not match/);
  });
  it('names the types file and the model directory, and compares entities with entities and relations with relations', () => {
    // The case: the types file has one entity fewer, so a flat list compared an entity with a relation.
    const fewer = parseTypes({ entities: { Loc: { short: 'Loc', verbose: 'Location' } }, relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false } } });
    const config = { spert: settingsToJson({ ...SPERT_DEFAULTS, types }) };
    expect(() => readSettings(config, { types: fewer, source: '/runs/m/config.json', typesFile: '/data/x_types.json' })).toThrow(
      '/runs/m/config.json: the types file /data/x_types.json does not match the model in /runs/m: the model has 2 entity type(s) (Loc, Peop), the types file 1 (Loc).',
    );
    const otherRelation = parseTypes({ entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } }, relations: { Kill: { short: 'Kill', verbose: 'Kill', symmetric: false } } });
    expect(() => assertSameTypes(types, otherRelation, { source: 'm/config.json' })).toThrow(/relation 1 is Live_In in the model but Kill in the types file/);
    const symmetric = parseTypes({ entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } }, relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: true } } });
    expect(() => assertSameTypes(types, symmetric)).toThrow(/relation 1 is Live_In in the model but Live_In \(symmetric\) in the types file/);
    expect(() => assertSameTypes(types, parseTypes(typesToJson(types)))).not.toThrow();
  });
  it('names the file readTypes read the schema from when no typesFile is given', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spert-settings-'));
    try {
      const file = path.join(dir, 'swapped_types.json');
      writeFileSync(file, JSON.stringify({ entities: { Peop: { short: 'Peop', verbose: 'People' }, Loc: { short: 'Loc', verbose: 'Location' } }, relations: {} }));
      const given = await readTypes({ path: file });
      expect(() => readSettings({ spert: settingsToJson({ ...SPERT_DEFAULTS, types }) }, { types: given, source: path.join(dir, 'model', 'config.json') })).toThrow(
        `the types file ${file} does not match the model in ${path.join(dir, 'model')}: entity 1 is Loc in the model but Peop in the types file`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
