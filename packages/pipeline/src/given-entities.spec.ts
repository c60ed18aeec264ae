import { parsePredictionInput, readDataset, readTypes, SPERT_DEFAULTS, type Document, type PredictionInput, type SpertSettings } from '@spert/core';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import { sharedPath } from '../../../tools/testing/shared';
import { contextFreeRuntime } from './context-free-runtime';
import { predictDocuments } from './predict';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
let tokenizer: SubwordTokenizer;
let settings: SpertSettings;
let test: Document[];

beforeAll(async () => {
  const types = await readTypes({ path: conll('conll04_types.json') });
  settings = { ...SPERT_DEFAULTS, types };
  tokenizer = (await loadTokenizer({ dir: sharedPath('fixtures', 'spert-scratch-conll04') })).tokenizer;
  test = (await readDataset({ path: conll('conll04_test.json'), types })).documents;
});

/** Gold entities of a test document as given entities, in reverse order (so the caller's order differs from the start order). */
const goldGiven = (d: Document) => d.entities.map((e) => ({ type: e.type, start: e.start, end: e.end })).reverse();

describe('relations over given entities', () => {
  it('given mode keeps the entities verbatim in the caller order and scores only pairs among them', async () => {
    const docs = test.filter((d) => d.entities.length >= 3).slice(0, 20);
    const runtime = contextFreeRuntime(settings, 0.3);
    const out = await predictDocuments({ runtime, tokenizer, inputs: docs.map((d) => ({ kind: 'tokens', tokens: d.tokens, entities: goldGiven(d) })) });
    let relations = 0;
    out.forEach((p, i) => {
      const given = goldGiven(docs[i]);
      expect(p.entities).toEqual(given.map((g) => ({ ...g, score: 1, given: true })));
      for (const r of p.relations) {
        expect(r.head).not.toBe(r.tail);
        expect(r.head).toBeLessThan(given.length);
        expect(r.tail).toBeLessThan(given.length);
      }
      relations += p.relations.length;
    });
    // The context-free runtime scores a relation for many pairs; some must survive the threshold.
    expect(relations).toBeGreaterThan(0);
  });

  it('relations among given entities are the ones the model gives those spans when it predicts them itself', async () => {
    // With every span predicted as an entity of the runtime's hashed type, given = those same spans
    // and types must give exactly the relations of the plain prediction, re-indexed.
    const runtime = contextFreeRuntime(settings, 0.08);
    const docs = test.slice(0, 40).map((d) => d.tokens);
    const plain = await predictDocuments({ runtime, tokenizer, inputs: docs.map((tokens) => ({ kind: 'tokens', tokens })) });
    const inputs: PredictionInput[] = plain.map((p, i) => ({ kind: 'tokens', tokens: docs[i], entities: p.entities.map((e) => ({ type: e.type, start: e.start, end: e.end })) }));
    const given = await predictDocuments({ runtime, tokenizer, inputs });
    let compared = 0;
    const sorted = (rs: typeof plain[number]['relations']) => [...rs].sort((a, b) => a.head - b.head || a.tail - b.tail || a.type.localeCompare(b.type));
    plain.forEach((p, i) => {
      expect(sorted(given[i].relations)).toEqual(sorted(p.relations));
      compared += p.relations.length;
    });
    expect(compared).toBeGreaterThan(3);
  });

  it('merged mode adds the given entities to the predicted ones; a given span keeps its given type', async () => {
    const runtime = contextFreeRuntime(settings, 0.08);
    const tokens = test[0].tokens;
    const [plain] = await predictDocuments({ runtime, tokenizer, inputs: [{ kind: 'tokens', tokens }] });
    expect(plain.entities.length).toBeGreaterThan(0);
    const first = plain.entities[0];
    const other = settings.types.entities.find((t) => t.key !== first.type)!.key;
    const extra = { type: 'Loc', start: tokens.length - 1, end: tokens.length };
    const [merged] = await predictDocuments({ runtime, tokenizer, inputs: [{ kind: 'tokens', tokens, entitiesMode: 'merged', entities: [{ type: other, start: first.start, end: first.end }, extra] }] });
    const key = (e: { start: number; end: number }) => `${e.start}:${e.end}`;
    expect(merged.entities.map(key).sort()).toEqual([...new Set([...plain.entities.map(key), key(extra)])].sort());
    const retyped = merged.entities.find((e) => key(e) === key(first))!;
    expect(retyped).toEqual({ type: other, start: first.start, end: first.end, score: 1, given: true });
    for (const e of merged.entities.filter((x) => key(x) !== key(first) && key(x) !== key(extra))) expect(e.given).toBeUndefined();
  });

  it('a given entity wider than the model span size is scored as a candidate too', async () => {
    const tokens = test.find((d) => d.tokens.length > 16)!.tokens;
    const runtime = contextFreeRuntime(settings, 0);
    const wide = { type: 'Org', start: 0, end: 14 };
    const [p] = await predictDocuments({ runtime, tokenizer, inputs: [{ kind: 'tokens', tokens, entities: [wide, { type: 'Peop', start: 15, end: 16 }] }] });
    expect(p.entities[0]).toEqual({ ...wide, score: 1, given: true });
    expect(runtime.pairCalls).toBe(1);
  });

  it('raw text: character offsets on word boundaries become words, and come back as characters', async () => {
    const text = 'John Smith works for Acme Corp in Boston.';
    const runtime = contextFreeRuntime(settings, 0.3);
    const [p] = await predictDocuments({
      runtime,
      tokenizer,
      inputs: [{ kind: 'text', text, entities: [{ type: 'Peop', charStart: 0, charEnd: 10 }, { type: 'Org', charStart: 21, charEnd: 30 }, { type: 'Loc', charStart: 34, charEnd: 40 }] }],
    });
    expect(p.entities.map((e) => [e.type, e.start, e.end, e.charStart, e.charEnd])).toEqual([
      ['Peop', 0, 2, 0, 10],
      ['Org', 4, 6, 21, 30],
      ['Loc', 7, 8, 34, 40],
    ]);
  });

  it('entity-only mode never runs the relation head', async () => {
    const runtime = contextFreeRuntime(settings, 0.3);
    const docs = test.slice(0, 10);
    const out = await predictDocuments({ runtime, tokenizer, relations: false, inputs: docs.map((d) => ({ kind: 'tokens', tokens: d.tokens })) });
    expect(runtime.spanCalls).toBeGreaterThan(0);
    expect(runtime.pairCalls).toBe(0);
    expect(out.every((p) => p.relations.length === 0)).toBe(true);
    expect(out.reduce((n, p) => n + p.entities.length, 0)).toBeGreaterThan(10);
    // A document may ask for relations back; the others still skip the head.
    const mixed = await predictDocuments({ runtime, tokenizer, relations: false, inputs: docs.map((d, i) => ({ kind: 'tokens', tokens: d.tokens, relations: i === 0 ? true : undefined })) });
    expect(runtime.pairCalls).toBeGreaterThan(0);
    expect(mixed.slice(1).every((p) => p.relations.length === 0)).toBe(true);
  });

  it('documents longer than the encoder: given entities in every window, all of them in the output', async () => {
    const sentences = test.slice(0, 80);
    const tokens = sentences.flatMap((d) => d.tokens);
    const entities = sentences.flatMap((d, i) => {
      const offset = sentences.slice(0, i).reduce((n, s) => n + s.tokens.length, 0);
      return d.entities.map((e) => ({ type: e.type, start: e.start + offset, end: e.end + offset }));
    });
    const runtime = contextFreeRuntime(settings, 0.3);
    const [p] = await predictDocuments({ runtime, tokenizer, stride: 100, inputs: [{ kind: 'tokens', tokens, entities }] });
    expect(p.windows).toBeGreaterThan(1);
    expect(p.entities).toEqual(entities.map((e) => ({ ...e, score: 1, given: true })));
    expect(p.relations.length).toBeGreaterThan(0);
  });

  it('bad given entities fail with where and what', async () => {
    const runtime = contextFreeRuntime(settings);
    const tokens = ['John', 'works', 'in', 'Boston'];
    const run = (input: PredictionInput) => predictDocuments({ runtime, tokenizer, inputs: [input], source: 'docs.json' });
    await expect(run({ kind: 'tokens', tokens, entities: [{ type: 'City', start: 3, end: 4 }] })).rejects.toThrow(/docs\.json: document 0, entities\[0\]: unknown entity type "City"; the model knows "Loc"/);
    await expect(run({ kind: 'tokens', tokens, entities: [{ type: 'Loc', start: 3, end: 5 }] })).rejects.toThrow(/entities\[0\]: words \[3, 5\) are not inside the document's 4 words/);
    await expect(run({ kind: 'tokens', tokens, entities: [{ type: 'Loc', start: 3, end: 4 }, { type: 'Org', start: 3, end: 4 }] })).rejects.toThrow(/entities\[1\]: the same words as entities\[0\]/);
    await expect(run({ kind: 'text', text: 'John works in Boston', entities: [{ type: 'Loc', charStart: 15, charEnd: 20 }] })).rejects.toThrow(/characters \[15, 20\) do not start and end on word boundaries/);
    await expect(run({ kind: 'text', text: 'John works in Boston', entities: [{ type: 'Loc', start: 3, end: 4 }] })).rejects.toThrow(/needs "charStart"\/"charEnd"/);
  });

  it('input files read given entities only when asked, so a dataset file never leaks its gold entities', () => {
    const json = [{ tokens: ['John', 'left'], entities: [{ type: 'Peop', start: 0, end: 1 }], relations: [] }];
    expect(parsePredictionInput(json)).toEqual([{ kind: 'tokens', tokens: ['John', 'left'] }]);
    expect(parsePredictionInput(json, { entitiesMode: 'given' })).toEqual([{ kind: 'tokens', tokens: ['John', 'left'], entities: [{ type: 'Peop', start: 0, end: 1 }], entitiesMode: 'given' }]);
    expect(() => parsePredictionInput([{ tokens: ['a'], entities: [{ type: 'Peop', start: 0, end: 2 }] }], { entitiesMode: 'given', source: 'in.json' })).toThrow(
      'in.json: [0].entities[0].end: 2 is past the document\'s 1 words',
    );
    expect(() => parsePredictionInput([{ text: 'a b', entities: [{ type: 'Peop', start: 0, end: 1 }] }], { entitiesMode: 'given', source: 'in.json' })).toThrow(
      /in\.json: \[0\]\.entities\[0\]: the document is raw text, so its entities need "charStart" and "charEnd"/,
    );
  });
});
