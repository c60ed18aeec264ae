import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Prediction, TypesSchema } from '@spert/core';
import { splitWords } from '@spert/tokenizer';
import { alignDocuments } from './align';
import { documentConfidence } from './confidence';
import { parseLabelStudio } from './label-studio';
import { assertConfigMatchesTypes, LabelStudioError, parseLabelStudioConfig } from './label-studio-config';
import { labelStudioTaskErrors } from './label-studio-format';
import { labelStudioProjectId, labelStudioTrainingDocuments, parsePredictRequest, parseSetupRequest, parseWebhook, toLabelStudioPrediction } from './label-studio-ml';

// Request bodies in the shapes Label Studio sends (test/fixtures/label-studio-ml/README.md names the sources).
const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'label-studio-ml');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as Record<string, unknown>;
const CONFIG = readFileSync(path.join(fixtures, 'config.xml'), 'utf8');

const TYPES: TypesSchema = {
  entities: ['Organization', 'Person', 'Datetime'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
  relations: ['org:founded_by', 'org:founded'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
};
const MODEL = { entityTypes: TYPES.entities.map((t) => t.key), relationTypes: TYPES.relations.map((t) => t.key) };

/** A prediction of raw text as the pipeline makes it: words from the one splitter, entities on words with their characters. */
function predictionOf(text: string, entities: Array<[string, string, number]>, relations: Array<[number, number, string, number]>): Prediction {
  const words = splitWords(text);
  const entityOut = entities.map(([surface, type, score]) => {
    const s = text.indexOf(surface);
    const start = words.findIndex((w) => w.start === s);
    const end = words.findIndex((w) => w.end === s + surface.length) + 1;
    if (start < 0 || end <= start) throw new Error(`test: "${surface}" is not on word boundaries`);
    return { type, start, end, score, charStart: words[start].start, charEnd: words[end - 1].end };
  });
  return {
    tokens: words.map((w) => w.text),
    charOffsets: words.map((w) => [w.start, w.end] as [number, number]),
    entities: entityOut,
    relations: relations.map(([head, tail, type, score]) => ({ head, tail, type, score })),
  };
}

describe('Label Studio labeling configs', () => {
  it('reads the relation extraction template: control, object, data key, labels and relations', () => {
    expect(parseLabelStudioConfig(CONFIG)).toEqual({
      fromName: 'label',
      toName: 'text',
      dataKey: 'text',
      entityLabels: ['Organization', 'Person', 'Datetime'],
      relationLabels: ['org:founded_by', 'org:founded'],
    });
  });
  it('finds the <Text> its <Labels> points at, whatever the data key, and uses a label\'s alias', () => {
    const cfg = parseLabelStudioConfig(fixture('predict-data-key.json').label_config as string);
    expect(cfg).toMatchObject({ fromName: 'answer', toName: 'doc', dataKey: 'ner', relationLabels: ['org:founded_by', 'org:founded'] });
    const aliased = '<View><Text name="t" value="$body"/><Choices name="c" toName="t"><Choice value="x"/></Choices><Labels name="l" toName="t"><Label value="Person" alias="PER"/><Label value="Org"/></Labels></View>';
    expect(parseLabelStudioConfig(aliased)).toEqual({ fromName: 'l', toName: 't', dataKey: 'body', entityLabels: ['PER', 'Org'], relationLabels: [] });
  });
  it('says what is wrong with a config it cannot use', () => {
    expect(() => parseLabelStudioConfig('<View><Labels name="l" toName="t"></View>')).toThrow(/labeling config: not well-formed XML at line 1, column \d+: Expected closing tag 'Labels'/);
    expect(() => parseLabelStudioConfig('<View><Image name="img" value="$image"/><RectangleLabels name="r" toName="img"><Label value="Car"/></RectangleLabels></View>')).toThrow(
      'labeling config: no <Labels> control over a <Text> object (found no <Labels>); entity and relation extraction needs <Labels name="label" toName="text"> and <Text name="text" value="$text"/>',
    );
    expect(() => parseLabelStudioConfig('<View><Labels name="l" toName="x"><Label value="A"/></Labels><Text name="t" value="$text"/></View>')).toThrow(
      'no <Labels> control over a <Text> object (found <Labels name="l" toName="x">; the <Text> objects are t)',
    );
    expect(() => parseLabelStudioConfig('<View><Labels name="l" toName="t"><Label value="A"/></Labels><Text name="t" value="Hello"/></View>')).toThrow('<Text name="t"> has value="Hello"; expected a task data key such as value="$text"');
    expect(() => parseLabelStudioConfig('')).toThrow(LabelStudioError);
  });
  it('refuses labels that do not match the model, listing both sides', () => {
    const cfg = parseLabelStudioConfig(CONFIG);
    expect(() => assertConfigMatchesTypes(cfg, MODEL)).not.toThrow();
    let err: unknown;
    try {
      assertConfigMatchesTypes(cfg, { entityTypes: ['Organization', 'Person', 'Location'], relationTypes: ['org:founded_by', 'org:founded', 'lives_in'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabelStudioError);
    expect((err as LabelStudioError).code).toBe('LABEL_MISMATCH');
    expect((err as Error).message).toBe(
      'labeling config: entity label "Datetime" the model does not know; model entity type "Location" missing from the config; model relation type "lives_in" missing from the config. ' +
        'Config: entities [Organization, Person, Datetime], relations [org:founded_by, org:founded]; model: entities [Organization, Person, Location], relations [org:founded_by, org:founded, lives_in]. ' +
        "Make the <Label>/<Relation> values the model's types (labelStudioConfig writes such a config), or train a model on this config.",
    );
  });
});

describe('Label Studio ML backend requests', () => {
  it('reads /setup as Label Studio sends it', () => {
    expect(parseSetupRequest(fixture('setup.json'))).toEqual({ projectId: '3', schema: CONFIG, hostname: 'http://localhost:8080', accessToken: '3a1c5e0b9f2d4e6a8b7c9d0e1f2a3b4c5d6e7f80' });
    expect(labelStudioProjectId(12)).toBe('12');
    expect(() => parseSetupRequest({ project: 'my project', schema: CONFIG })).toThrow('project: expected a Label Studio project id ("12.1700000000" or 12), got the string "my project"');
  });
  it('reads /predict: texts from the config\'s data key, unicode, emoji and empty texts as they are', () => {
    const body = fixture('predict.json');
    const { request, config } = parsePredictRequest(body, (xml) => parseLabelStudioConfig(xml as string));
    expect(config.dataKey).toBe('text');
    expect(request.projectId).toBe('3');
    expect(request.tasks.map((t) => t.id)).toEqual([101, 102, 103, 104]);
    expect(request.tasks[1].text).toBe('😀 Apple 🍎 was founded by Steve Jobs 👨‍💻 in 1976.');
    expect(request.tasks[3].text).toBe('');
    const keyed = parsePredictRequest(fixture('predict-data-key.json'), (xml) => parseLabelStudioConfig(xml as string));
    expect(keyed.request.tasks.map((t) => t.text)).toEqual(['Opossums like to be aloft \n\n\n\n\n\nin trees.', 'Opossums are opportunistic.']);
  });
  it('names the task and the keys it has when the text is missing', () => {
    const body = { ...fixture('predict-data-key.json'), label_config: CONFIG }; // the config reads $text, the tasks hold "ner"
    expect(() => parsePredictRequest(body, (xml) => parseLabelStudioConfig(xml as string))).toThrow(
      'tasks[0] (task 201).data.text: expected the text the <Text name="text" value="$text"> shows, got undefined (data keys: ner, note)',
    );
    expect(() => parsePredictRequest({ tasks: 'x' }, () => parseLabelStudioConfig(CONFIG))).toThrow('tasks: expected a list of tasks, got the string "x"');
  });
  it('reads webhooks: the four training events with their project, others as not training', () => {
    const created = parseWebhook(fixture('webhook-annotation-created.json'));
    expect(created).toEqual({ action: 'ANNOTATION_CREATED', trains: true, projectId: '3', labelConfig: CONFIG });
    expect(parseWebhook(fixture('webhook-start-training.json'))).toMatchObject({ action: 'START_TRAINING', trains: true, projectId: '3' });
    expect(parseWebhook(fixture('webhook-annotations-deleted.json'))).toMatchObject({ action: 'ANNOTATIONS_DELETED', trains: false });
    // api.py's own test body
    expect(parseWebhook({ action: 'ANNOTATION_CREATED', project: { id: 1, label_config: '<View></View>' } })).toMatchObject({ trains: true, projectId: '1' });
    expect(() => parseWebhook({ action: 'START_TRAINING' })).toThrow('project: a START_TRAINING webhook must name its project');
  });
});

describe('predictions in Label Studio\'s format', () => {
  const cfg = parseLabelStudioConfig(CONFIG);
  const texts = [
    'Microsoft was founded by Bill Gates and Paul Allen on April 4, 1975.',
    '😀 Apple 🍎 was founded by Steve Jobs 👨‍💻 in 1976.',
    '𠮷野家 was founded by 𝔐𝔞𝔯𝔶 Ann in 1899.',
  ];
  const predictions = [
    predictionOf(texts[0], [['Microsoft', 'Organization', 0.9], ['Bill Gates', 'Person', 0.8], ['Paul Allen', 'Person', 0.95]], [[0, 1, 'org:founded_by', 0.7], [0, 2, 'org:founded_by', 0.6]]),
    predictionOf(texts[1], [['Apple', 'Organization', 0.91], ['Steve Jobs', 'Person', 0.88], ['1976', 'Datetime', 0.99]], [[0, 1, 'org:founded_by', 0.55], [0, 2, 'org:founded', 0.75]]),
    predictionOf(texts[2], [['𠮷野家', 'Organization', 0.7], ['𝔐𝔞𝔯𝔶 Ann', 'Person', 0.65], ['1899', 'Datetime', 0.8]], [[0, 1, 'org:founded_by', 0.52]]),
  ];

  it('writes regions with UTF-16 offsets, scores, stable ids and relations; task score = least sure decision', () => {
    const out = predictions.map((p, i) => toLabelStudioPrediction(p, { text: texts[i], config: cfg, modelVersion: 'spert-abc' }));
    expect(out[1].result.slice(0, 1)).toEqual([
      { id: 'e0_3_8', from_name: 'label', to_name: 'text', type: 'labels', value: { start: 3, end: 8, text: 'Apple', labels: ['Organization'], score: 0.91 } },
    ]);
    // after 𠮷 (2 units) and 4 math letters of 2 units each
    expect(out[2].result[1]).toMatchObject({ value: { start: 20, end: 32, text: '𝔐𝔞𝔯𝔶 Ann' } });
    expect(out[1].result[3]).toEqual({ type: 'relation', from_id: 'e0_3_8', to_id: 'e1_27_37', direction: 'right', labels: ['org:founded_by'] });
    expect(out.map((o) => o.score)).toEqual([0.6, 0.55, 0.52]);
    expect(out.every((o) => o.model_version === 'spert-abc')).toBe(true);
    expect(toLabelStudioPrediction(predictions[1], { text: texts[1], config: cfg, modelVersion: 'x' }).result).toEqual(out[1].result); // same ids again
    const tasks = out.map((o, i) => ({ data: { text: texts[i] }, predictions: [o] }));
    expect(labelStudioTaskErrors(tasks, CONFIG)).toEqual([]);
  });

  it('round trip: the predictions imported as annotations and converted back give the same entities and relations', () => {
    const tasks = predictions.map((p, i) => ({ id: i + 1, data: { text: texts[i] }, annotations: [{ id: i + 1, completed_by: 1, result: toLabelStudioPrediction(p, { text: texts[i], config: cfg, modelVersion: 'm' }).result }] }));
    const back = alignDocuments({ ...parseLabelStudio(tasks, { source: 'tasks.json' }), schema: TYPES });
    expect(back.problems).toEqual([]);
    back.documents.forEach((d, i) => {
      expect(d.tokens).toEqual(predictions[i].tokens);
      expect(d.entities).toEqual(predictions[i].entities.map(({ type, start, end, score }) => ({ type, start, end, score })));
      expect(d.relations).toEqual(predictions[i].relations.map(({ type, head, tail }) => ({ type, head, tail })));
    });
  });

  it('an empty text or a text with nothing found still answers a result list', () => {
    const empty = toLabelStudioPrediction({ tokens: [], entities: [], relations: [] }, { text: '', config: cfg, modelVersion: 'm' });
    expect(empty).toEqual({ result: [], score: 1, model_version: 'm' });
    expect(documentConfidence({ tokens: ['Hello'], entities: [], relations: [] })).toBe(0);
    // more decisions than a function call takes arguments
    const many = Array.from({ length: 300_000 }, (_, i) => ({ score: 0.5 + (i % 1000) / 2001 }));
    expect(documentConfidence({ tokens: ['a'], entities: many, relations: [{ score: 0.4 }] })).toBe(0.4);
  });
});

describe('training documents from a Label Studio export', () => {
  it('takes annotated, not cancelled tasks, the latest annotation, UTF-16 offsets onto words; reports the rest', () => {
    const r = labelStudioTrainingDocuments(JSON.parse(readFileSync(path.join(fixtures, 'export.json'), 'utf8')), { config: { dataKey: 'text' }, types: TYPES, source: 'export' });
    expect(r.documents.map((d) => d.orig_id)).toEqual(['101', '102', '103']);
    const emoji = r.documents[1];
    expect(emoji.tokens).toEqual(['😀', 'Apple', '🍎', 'was', 'founded', 'by', 'Steve', 'Jobs', '👨‍💻', 'in', '1976', '.']);
    expect(emoji.entities).toEqual([
      { type: 'Organization', start: 1, end: 2 },
      { type: 'Person', start: 6, end: 8 },
      { type: 'Datetime', start: 10, end: 11 },
    ]);
    expect(emoji.relations).toEqual([
      { type: 'org:founded_by', head: 0, tail: 1 },
      { type: 'org:founded', head: 0, tail: 2 },
    ]);
    expect(r.documents[2].entities.map((e) => r.documents[2].tokens.slice(e.start, e.end).join('|'))).toEqual(['𠮷|野家', '𝔐𝔞𝔯𝔶|Ann', '1899']);
    expect(r.documents[0].relations).toHaveLength(2); // the template's relation without a label is left out, reported
    expect(r.problems.map((p) => [p.kind, p.document])).toEqual([['skipped-annotation', '101']]);
    expect(() => labelStudioTrainingDocuments({ detail: 'Authentication credentials were not provided.' }, { config: { dataKey: 'text' }, types: TYPES, source: 'http://ls/api/projects/3/export' })).toThrow(
      'http://ls/api/projects/3/export: expected Label Studio\'s JSON export (a list of tasks), got object',
    );
  });
});
