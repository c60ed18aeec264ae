// JSON schemas of the endpoints: fastify validates requests with them and @fastify/swagger turns
// them into the OpenAPI description, so the documentation cannot drift from the checks.

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

const entity = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    start: { type: 'integer', description: 'First word (inclusive)' },
    end: { type: 'integer', description: 'Last word + 1 (exclusive)' },
    score: { type: 'number' },
    text: { type: 'string', description: 'Covered text (tokens joined by spaces for token input)' },
    charStart: { type: 'integer', description: 'Character offset (UTF-16), text input only' },
    charEnd: { type: 'integer', description: 'Exclusive character offset, text input only' },
  },
  required: ['type', 'start', 'end', 'score', 'text'],
} as const;

const relation = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    head: { type: 'integer', description: 'Index into this document\'s entities' },
    tail: { type: 'integer', description: 'Index into this document\'s entities' },
    score: { type: 'number' },
  },
  required: ['type', 'head', 'tail', 'score'],
} as const;

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
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        documents: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              tokens: { type: 'array', items: { type: 'string' } },
              offsets: {
                type: 'array',
                description: 'Character [start, end) of each word, text input only',
                items: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
              },
              entities: { type: 'array', items: entity },
              relations: { type: 'array', items: relation },
            },
            required: ['tokens', 'entities', 'relations'],
          },
        },
      },
      required: ['documents'],
    },
    '4xx': errorBody,
    '5xx': errorBody,
  },
} as const;

/** `GET /health` schema. */
export const healthSchema = {
  summary: 'Liveness and readiness',
  response: {
    200: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } },
      required: ['status'],
    },
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
    200: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } },
      required: ['status'],
    },
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
