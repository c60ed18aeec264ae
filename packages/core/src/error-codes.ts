/** What one error code means: the row of docs/errors.md, and the HTTP status a service answers with. */
export interface ErrorCodeInfo {
  /** A few words, the heading of the code's entry. */
  title: string;
  /** When the error is thrown. */
  meaning: string;
  /** What the user should do about it. */
  action: string;
  /**
   * Status an HTTP service answers when the error reaches a request: 4xx when the request (or
   * the data it names) is at fault, 5xx when the server's own files, model or load are.
   */
  http: number;
}

/**
 * Every error code of the project, the one table: {@link SpertError} takes its code from here,
 * @spert/http maps codes to statuses with it, and docs/errors.md is generated from it
 * (`npm run docs:errors`). Codes are names, not numbers (spaCy's `E###` need a lookup to mean
 * anything; `DOCUMENT_TOO_LONG` says it in a log line), and the ones spert-serve already
 * answered with (`QUEUE_FULL`, `DOCUMENT_TOO_LONG`, ...) keep their names. A code is never
 * renamed or reused: add a new one instead.
 */
export const ERROR_CODES = {
  INVALID_INPUT: {
    title: 'Invalid input',
    meaning: 'A value passed to a function is malformed: a document or prediction input of the wrong shape, an empty list, a value of the wrong type.',
    action: 'Fix the value the message names (argument and field); the API reference gives the expected shape.',
    http: 400,
  },
  INVALID_OPTION: {
    title: 'Invalid option',
    meaning: 'An option, command-line flag or configuration value is unknown, out of range, or conflicts with another one.',
    action: 'Use a value in the range the message gives; `<command> --help` lists the flags and their ranges.',
    http: 400,
  },
  INVALID_REQUEST: {
    title: 'Invalid request',
    meaning: 'An HTTP request body does not match the API schema (spert-serve, spert-label-studio).',
    action: 'Send a body of the documented shape; the message names the field (`/openapi.json` has the schema).',
    http: 400,
  },
  FORBIDDEN_KEY: {
    title: 'Forbidden key in request',
    meaning: 'The request JSON has a key such as `__proto__` or `constructor` that could change objects of the service.',
    action: 'Remove the key the message names from the request.',
    http: 400,
  },
  UNAUTHORIZED: {
    title: 'Missing or wrong credentials',
    meaning: 'The service requires an API key or basic auth and the request had none or a wrong one.',
    action: 'Send `Authorization: Bearer <key>` (spert-serve) or the basic-auth user and password (spert-label-studio).',
    http: 401,
  },
  NOT_FOUND: {
    title: 'No such route',
    meaning: 'The HTTP method and path name no endpoint of the service.',
    action: 'Check the path; `GET /openapi.json` lists the endpoints.',
    http: 404,
  },
  TOO_MANY_DOCUMENTS: {
    title: 'Too many documents in one request',
    meaning: 'A request carries more documents than the service accepts at once (`--max-documents`).',
    action: 'Send the documents in several requests, or raise the limit on the server.',
    http: 422,
  },
  TEXT_TOO_LONG: {
    title: 'Text too long',
    meaning: 'A document has more characters than the service accepts (`--max-chars`).',
    action: 'Split the document, or raise the limit on the server.',
    http: 422,
  },
  TOO_MANY_WORDS: {
    title: 'Too many words',
    meaning: 'A document has more words than the service accepts (`--max-words`).',
    action: 'Split the document, or raise the limit on the server.',
    http: 422,
  },
  DOCUMENT_TOO_LONG: {
    title: 'Document too long for the encoder',
    meaning:
      "A document's wordpieces (with the special tokens) exceed the encoder's maximum sequence length (512 for BERT). `details.documentIndex` names the document (in an HTTP answer: its index in the request).",
    action: "Split the document, or predict with `onTooLong: 'truncate'` (drops trailing words) or a window (`window`/`stride`, spert-predict `--window`).",
    http: 422,
  },
  INVALID_DATASET: {
    title: 'Invalid dataset',
    meaning: 'Documents of a dataset break the SpERT format or the types file: spans out of range, unknown types, empty tokens. The message lists the first problems by file, document and field.',
    action: 'Fix the documents listed, or read leniently (`lenient: true`, `--lenient`) to skip bad documents with a log line.',
    http: 422,
  },
  LABEL_MISMATCH: {
    title: 'Labels do not match the model',
    meaning: "The labels of a Label Studio project do not match the model's entity and relation types.",
    action: "Make the project's labeling config name the model's types (the message lists both), or train a model with the project's labels.",
    http: 422,
  },
  INVALID_CONFIG: {
    title: 'Unusable Label Studio labeling config',
    meaning: 'The Label Studio labeling config is not a text labeling config the backend can use (no `<Labels>` on a `<Text>`, unparsable XML).',
    action: 'Use a config with `<Text>`, `<Labels>` and optionally `<Relations>`, as in the spert-label-studio README.',
    http: 422,
  },
  QUEUE_FULL: {
    title: 'Queue full',
    meaning: 'The service has as many documents waiting as its queue holds (`--max-queue`).',
    action: 'Retry after the `Retry-After` seconds; add workers or instances if it persists.',
    http: 429,
  },
  FILE_NOT_FOUND: {
    title: 'File or folder not found',
    meaning: 'A file or folder the command needs (dataset, model folder, checkpoint file, vocabulary) does not exist.',
    action: 'Check the path the message names; `spert-data download` fetches the datasets, spert-train writes model folders.',
    http: 500,
  },
  INVALID_FILE: {
    title: 'Invalid file',
    meaning: 'A file exists but cannot be used: not valid JSON, nested too deep, or not the kind of file expected.',
    action: 'Fix or replace the file the message names; the message says what was wrong and where.',
    http: 500,
  },
  INVALID_MODEL_CONFIG: {
    title: 'Invalid model configuration',
    meaning: "A model's configuration (config.json, its `spert` settings, an encoder config) is missing a field or has a value out of range.",
    action: 'Fix the field the message names, or re-export the model with the current version.',
    http: 500,
  },
  INVALID_CHECKPOINT: {
    title: 'Invalid checkpoint',
    meaning: 'Checkpoint files (safetensors, PyTorch, TF.js, ONNX) miss a tensor, have one of the wrong shape or type, or belong to another model family.',
    action: 'Use a complete checkpoint of a supported family; re-download or re-export it if it was cut short.',
    http: 500,
  },
  INVALID_TOKENIZER: {
    title: 'Invalid tokenizer files',
    meaning: 'A vocabulary or tokenizer file (vocab.txt, tokenizer.json) is missing entries or fields the encoder needs.',
    action: "Use the tokenizer files saved with the checkpoint; the message names the file and field.",
    http: 500,
  },
  INVALID_CORPUS: {
    title: 'Invalid corpus or sequence store',
    meaning: 'A pre-training corpus or sequence store is incomplete (never finished writing) or its files do not belong together.',
    action: 'Write the store again (the command that made it); an interrupted write leaves no complete store.',
    http: 500,
  },
  DOWNLOAD_FAILED: {
    title: 'Download failed',
    meaning: 'A dataset or checkpoint download failed: host unreachable, HTTP error, or content that did not validate.',
    action: 'Check the network and the URL in the message and run again; nothing partial was written.',
    http: 502,
  },
  UNSUPPORTED: {
    title: 'Not supported',
    meaning: 'The combination asked for is not supported: a model family, operation or format this package does not handle.',
    action: 'Use a supported family or format (the message lists them).',
    http: 400,
  },
  RUNTIME_UNAVAILABLE: {
    title: 'Runtime not available',
    meaning: 'A runtime the call needs is missing or failed to start: a TF.js backend, onnxruntime or one of its execution providers, a worker thread.',
    action: 'Install the package or provider the message names, or pick another backend/provider.',
    http: 503,
  },
  OUT_OF_MEMORY: {
    title: 'Out of memory',
    meaning: 'A runtime ran out of memory: the wasm heap (at most 4 GiB) cannot hold the tensors of this batch.',
    action: 'Use a smaller batch (with `--accumulate` for the same effective batch), shorter sequences, or a native backend.',
    http: 503,
  },
  NOT_READY: {
    title: 'Service not ready',
    meaning: 'The service is still loading or warming up its model, or is shutting down.',
    action: 'Retry after the `Retry-After` seconds; `/health/ready` answers 200 once it is ready.',
    http: 503,
  },
  TIMEOUT: {
    title: 'Timed out',
    meaning: 'No answer within the request timeout (`--request-timeout-ms`): the service is overloaded.',
    action: 'Retry later, or send fewer or shorter documents per request.',
    http: 503,
  },
  CLOSED: {
    title: 'Used after close',
    meaning: 'A model, runtime, pool or store was used after it was disposed or closed.',
    action: 'Do not call it after `dispose()`/`close()`; create a new one.',
    http: 503,
  },
  TRAINING_DIVERGED: {
    title: 'Training diverged',
    meaning: 'A loss or gradient became NaN or infinite during training.',
    action: 'Lower the learning rate or lengthen the warm-up, and check the data for empty or extreme documents.',
    http: 500,
  },
  INTERNAL: {
    title: 'Internal error',
    meaning: "Something that cannot happen did: an invariant of the code broke. This is a bug, not the user's input.",
    action: 'Report it with the message and the command or request that caused it.',
    http: 500,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable error code: a key of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `code` is one of {@link ERROR_CODES}. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
