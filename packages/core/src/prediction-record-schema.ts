// The published JSON Schema of PredictionRecord (prediction-record.ts). It stays within what
// OpenAPI 3.0 schema objects accept besides `$schema`/`$id` (no type arrays, no `const`), so the
// service's OpenAPI description embeds it as is; docs/prediction-record.schema.json is this object
// written out, and a test keeps the two equal.

const wordIndex = { type: 'integer', minimum: 0 } as const;
const charIndex = { type: 'integer', minimum: 0, description: 'Character offset in UTF-16 code units' } as const;

/** Where the published schema lives (its `$id`). */
export const PREDICTION_RECORD_SCHEMA_ID = 'https://raw.githubusercontent.com/spert-ts/spert-ts/main/docs/prediction-record.schema.json';

/**
 * JSON Schema (draft-07) of one {@link PredictionRecord}: the `POST /predict` response's documents,
 * a line of batch prediction output, an item of `spert-eval predict` output, the browser build's result.
 */
export const PREDICTION_RECORD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: PREDICTION_RECORD_SCHEMA_ID,
  title: 'SpERT prediction record',
  description:
    'One predicted document: its words, the entities found in them (word span, covered text, character span for text input) ' +
    'and the relations between those entities.',
  type: 'object',
  additionalProperties: false,
  required: ['tokens', 'entities', 'relations'],
  properties: {
    id: { description: "The input's id (batch prediction only)", anyOf: [{ type: 'string' }, { type: 'number' }] },
    tokens: { type: 'array', description: 'The words (given, or split from the text)', items: { type: 'string' } },
    offsets: {
      type: 'array',
      description: 'Character [start, end) of every word in the input text (UTF-16 code units); text input only',
      items: { type: 'array', items: charIndex, minItems: 2, maxItems: 2 },
    },
    entities: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'start', 'end', 'text', 'score'],
        properties: {
          type: { type: 'string', description: 'Entity type' },
          start: { ...wordIndex, description: 'First word (inclusive)' },
          end: { type: 'integer', minimum: 1, description: 'Last word + 1 (exclusive)' },
          text: { type: 'string', description: 'Covered text: a slice of the input text, or the words joined by spaces for word input' },
          charStart: { ...charIndex, description: 'Character offset (UTF-16) of the first character; text input only' },
          charEnd: { ...charIndex, description: 'Exclusive character offset of the last character; text input only' },
          score: { type: 'number', minimum: 0, maximum: 1, description: 'Confidence in [0, 1]' },
          given: { type: 'boolean', description: 'true for an entity the input gave (entitiesMode), absent for a predicted one' },
        },
      },
    },
    relations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'head', 'tail', 'score'],
        properties: {
          type: { type: 'string', description: 'Relation type' },
          head: { ...wordIndex, description: "Index into this record's entities" },
          tail: { ...wordIndex, description: "Index into this record's entities" },
          score: { type: 'number', minimum: 0, maximum: 1, description: 'Confidence in [0, 1]' },
        },
      },
    },
    windows: { type: 'integer', minimum: 2, description: 'Overlapping windows the document was predicted in; only when it was longer than the encoder' },
  },
} as const;
