// JSON schemas of the endpoints: fastify validates requests with them and @fastify/swagger turns
// them into the OpenAPI description, so the documentation cannot drift from the checks.
import { PREDICTION_RECORD_SCHEMA, PREDICTION_RECORD_SCHEMA_ID } from '@spert/core';

const errorBody = {
  type: 'object',
  description: 'Every error, whatever its status',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', description: 'HTTP reason phrase' },
    code: { type: 'string', description: 'Stable machine-readable code (docs/errors.md lists them with what to do)' },
    message: { type: 'string', description: 'What was wrong and where (field path)' },
    details: {
      type: 'object',
      description: 'The facts of the message as fields, when the error has any: documentIndex (in this request), field, limit, ...',
      additionalProperties: true,
    },
  },
  required: ['statusCode', 'error', 'code', 'message'],
} as const;

/** Response schema shared by every error status. */
export const errorSchema = errorBody;

// The response's documents are the one prediction record; OpenAPI 3.0 schema objects take no
// `$schema` or `$id`, the rest of the published schema is embedded as is.
const { $schema: _draft, $id: _published, ...predictionRecord } = PREDICTION_RECORD_SCHEMA;

/** `POST /predict` schema. */
export const predictSchema = {
  summary: 'Extract entities and relations',
  description:
    'One or many documents, each raw text (split into words by the server) or a list of words. ' +
    'Limits (documents per request, words and characters per document) answer 422; a body over ' +
    'the byte limit answers 413. Concurrent requests are batched into shared model calls.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['documents'],
    properties: {
      documents: {
        type: 'array',
        description:
          'Each document is raw text ("..." or {"text": "..."}, split into words by the server) or a list of words ' +
          '({"tokens": [...]} or [...]), validated by the same rules as spert-eval predict input: a bad one answers 400 naming the field.',
        items: {},
      },
      entitiesMode: {
        type: 'string',
        enum: ['given', 'merged'],
        description:
          'Read each document\'s "entities" as given entities ({"type", "start", "end"} word indices for words, {"type", "charStart", "charEnd"} ' +
          'character offsets on word boundaries for text): "given" keeps exactly them, in their order, and scores relations among them; ' +
          '"merged" adds them to the predicted ones. Without it, "entities" in a document is ignored.',
      },
      relations: { type: 'boolean', description: 'false: entities only; the relation head is not run (default true)' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        documents: {
          type: 'array',
          description: `One prediction record per document, in request order: the record batch prediction and spert-eval predict write too (JSON Schema: ${PREDICTION_RECORD_SCHEMA_ID})`,
          items: predictionRecord,
        },
      },
      required: ['documents'],
    },
    '4xx': errorBody,
    '5xx': errorBody,
  },
} as const;

// `/health` and `/health/live` give the same answer: the process is up, and for how long.
const aliveBody = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } },
  required: ['status'],
} as const;

/** `GET /health` schema. */
export const healthSchema = {
  summary: 'Liveness and readiness',
  response: {
    200: aliveBody,
  },
} as const;

/** `GET /metadata` schema. */
export const metadataSchema = {
  summary: 'Model, types, limits and versions',
  response: {
    200: {
      type: 'object',
      additionalProperties: true,
      properties: {
        model: { type: 'object', additionalProperties: true },
        entityTypes: { type: 'array', items: { type: 'string' } },
        relationTypes: { type: 'array', items: { type: 'string' } },
        limits: { type: 'object', additionalProperties: true },
        batching: { type: 'object', additionalProperties: true },
        versions: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['model', 'entityTypes', 'relationTypes', 'limits', 'batching', 'versions'],
    },
  },
} as const;

// The probes and /metrics are for the platform, not API clients: kept out of the OpenAPI document.

/** `GET /health/live` schema: the process answers. */
export const livenessSchema = {
  hide: true,
  response: {
    200: aliveBody,
  },
} as const;

/** `GET /health/ready` schema: 200 once the model is loaded and warmed up, 503 before, after a failed warm-up and while closing. */
export const readinessSchema = {
  hide: true,
  response: {
    200: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } }, required: ['status'] },
    503: { type: 'object', properties: { status: { type: 'string', enum: ['warming-up', 'failed', 'closing'] } }, required: ['status'] },
  },
} as const;
