// A checker of Label Studio task JSON against the documented import format, for exports and tests.
import Ajv from 'ajv';
import type { LabelStudioTask } from './label-studio';

// Label Studio's documented import format (guide "Import pre-annotated data", "Label Studio JSON
// format of annotated tasks" and "How Label Studio saves results in annotations"): a task has a
// `data` object holding the value the <Text value="$text"> object reads; `annotations` and
// `predictions` hold `result` lists, a prediction also `score` and `model_version`; a text span is a
// `labels` region with `value.start`/`end`/`text`/`labels` (and an optional per-region `score`);
// a relation is a `relation` result with `from_id`, `to_id`, `direction` (left, right, bi) and
// `labels`; region ids use the characters A-Za-z0-9_-.
const regionId = { type: 'string', pattern: '^[A-Za-z0-9_-]+$' };
const labelsRegion = {
  type: 'object',
  required: ['id', 'from_name', 'to_name', 'type', 'value'],
  properties: {
    id: regionId,
    from_name: { type: 'string', minLength: 1 },
    to_name: { type: 'string', minLength: 1 },
    type: { const: 'labels' },
    value: {
      type: 'object',
      required: ['start', 'end', 'text', 'labels'],
      properties: {
        start: { type: 'integer', minimum: 0 },
        end: { type: 'integer', minimum: 1 },
        text: { type: 'string', minLength: 1 },
        labels: { type: 'array', minItems: 1, items: { type: 'string' } },
        score: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
  },
};
const relationResult = {
  type: 'object',
  required: ['type', 'from_id', 'to_id', 'direction', 'labels'],
  properties: {
    type: { const: 'relation' },
    from_id: regionId,
    to_id: regionId,
    direction: { enum: ['left', 'right', 'bi'] },
    labels: { type: 'array', items: { type: 'string' } },
  },
};
const resultSet = (prediction: boolean) => ({
  type: 'object',
  required: prediction ? ['result', 'score', 'model_version'] : ['result'],
  properties: {
    result: { type: 'array', items: { oneOf: [labelsRegion, relationResult] } },
    score: { type: 'number', minimum: 0, maximum: 1 },
    model_version: { type: 'string', minLength: 1 },
  },
});
const taskSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['data'],
    properties: {
      data: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
      annotations: { type: 'array', items: resultSet(false) },
      predictions: { type: 'array', minItems: 1, items: resultSet(true) },
    },
  },
};

/** Checks tasks against the schema, plus what a schema cannot say: names and labels match the config, ids resolve, text matches the offsets. */
export function labelStudioTaskErrors(tasks: unknown, config: string): string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(taskSchema);
  if (!validate(tasks)) return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const controls = [...config.matchAll(/<Labels name="([^"]+)" toName="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  const labels = new Set([...config.matchAll(/<Label value="([^"]+)"/g)].map((m) => m[1]));
  const relations = new Set([...config.matchAll(/<Relation value="([^"]+)"/g)].map((m) => m[1]));
  const errors: string[] = [];
  (tasks as LabelStudioTask[]).forEach((t, i) => {
    const ids = new Set<string>();
    for (const set of [...(t.annotations ?? []), ...(t.predictions ?? [])]) {
      for (const r of set.result) {
        if (r.type !== 'labels') continue;
        if (ids.has(r.id)) errors.push(`task ${i}: region id ${r.id} used twice`);
        ids.add(r.id);
        if (!controls.some(([f, to]) => f === r.from_name && to === r.to_name)) errors.push(`task ${i}: ${r.from_name} -> ${r.to_name} is not a <Labels> of the config`);
        for (const l of r.value.labels) if (!labels.has(l)) errors.push(`task ${i}: label ${l} not in the config`);
        if (t.data.text.slice(r.value.start, r.value.end) !== r.value.text) errors.push(`task ${i}: region ${r.id} text does not match its offsets`);
      }
      for (const r of set.result) {
        if (r.type !== 'relation') continue;
        if (!ids.has(r.from_id) || !ids.has(r.to_id)) errors.push(`task ${i}: relation ${r.from_id} -> ${r.to_id} points to no region`);
        for (const l of r.labels) if (!relations.has(l)) errors.push(`task ${i}: relation label ${l} not in the config`);
      }
    }
  });
  return errors;
}
