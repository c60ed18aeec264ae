import { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorCodeInfo } from './error-codes';

/** A JSON value: what error details may hold, so that they survive JSON and worker threads unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Structured fields of an error, plain JSON. The common ones have fixed names so that code
 * (the HTTP mapping, the micro-batcher) and people can rely on them.
 */
export interface ErrorDetails {
  /** The file (or folder) at fault. */
  file?: string;
  /** Index of the document at fault, in the list the caller passed. */
  documentIndex?: number;
  /** The field, flag or option at fault (`entities[2].end`, `--port`, `maxBatch`). */
  field?: string;
  /** The limit that was exceeded. */
  limit?: number;
  /** Anything else the error carries (lengths, names, URLs). */
  [key: string]: JsonValue | undefined;
}

/** A {@link SpertError} as plain data (JSON, `postMessage`): what {@link SpertError.fromJSON} reads. */
export interface SerializedSpertError {
  /** The class name it had (`SequenceTooLongError`), for logs. */
  name: string;
  code: ErrorCode;
  message: string;
  details: ErrorDetails;
  /** The stack where it was thrown (another thread's, after a crossing). */
  stack?: string;
}

// Recognises SpertErrors from another copy of this package (an ESM and a CJS build loaded side by side).
const BRAND = Symbol.for('@spert/core:SpertError');

/**
 * The project's one error type: a stable `code` (a key of {@link ERROR_CODES}, whose entry in
 * docs/errors.md says what to do), a message that says what was wrong and where, and `details`
 * with the same facts as JSON fields (file, documentIndex, field, limit). `toJSON`/`fromJSON`
 * carry it across worker threads and processes. Catch by class (`instanceof SequenceTooLongError`)
 * in-process; match by `code` after a crossing, where the class is not rebuilt.
 */
export class SpertError extends Error {
  /** The stable code: what kind of error this is. */
  readonly code: ErrorCode;
  /** The facts of the message as JSON fields. */
  readonly details: Readonly<ErrorDetails>;

  /** Builds the error; `details` drops undefined fields (they would not survive JSON anyway). */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpertError';
    this.code = code;
    this.details = Object.freeze(definedFields(details));
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The document at fault (`details.documentIndex`), or undefined. */
  get documentIndex(): number | undefined {
    const i = this.details.documentIndex;
    return typeof i === 'number' ? i : undefined;
  }

  /** The code's entry of {@link ERROR_CODES}: title, meaning, what to do, HTTP status. */
  get info(): ErrorCodeInfo {
    return ERROR_CODES[this.code];
  }

  /** The error as plain data; `JSON.stringify(err)` uses it. */
  toJSON(): SerializedSpertError {
    return { name: this.name, code: this.code, message: this.message, details: { ...this.details }, ...(this.stack ? { stack: this.stack } : {}) };
  }

  /**
   * Rebuilds an error from {@link SpertError.toJSON}'s data (after `postMessage`, JSON, a
   * worker's reply): same code, message, details, name and stack, as a SpertError (match it by
   * `code`). Anything else becomes an `INTERNAL` error that keeps its message.
   */
  static fromJSON(data: unknown): SpertError {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Partial<Record<keyof SerializedSpertError, unknown>>;
    const message = typeof d.message === 'string' ? d.message : String(data);
    const details = typeof d.details === 'object' && d.details !== null && !Array.isArray(d.details) ? (d.details as ErrorDetails) : {};
    const err = isErrorCode(d.code)
      ? new SpertError(d.code, message, details)
      : new SpertError('INTERNAL', message, typeof d.code === 'string' ? { ...details, unknownCode: d.code } : details);
    if (typeof d.name === 'string') err.name = d.name;
    if (typeof d.stack === 'string') err.stack = d.stack;
    return err;
  }

  /**
   * A copy whose document is `documentIndex` (in the caller's numbering, e.g. after a batch of
   * several callers' documents failed): `details.documentIndex` and the message's
   * "document N" change, class and other fields stay.
   */
  atDocument(documentIndex: number): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object, Object.getOwnPropertyDescriptors(this)) as this;
    const before = this.documentIndex;
    const message = before === undefined ? this.message : this.message.replace(new RegExp(`\\bdocument ${before}\\b`), `document ${documentIndex}`);
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(copy, 'details', { value: Object.freeze({ ...this.details, documentIndex }), writable: false, configurable: true, enumerable: true });
    return copy;
  }
}

/** Whether `err` is a {@link SpertError} (also one from another copy of @spert/core); with `code`, of that code. */
export function isSpertError(err: unknown, code?: ErrorCode): err is SpertError {
  if (typeof err !== 'object' || err === null) return false;
  const yes = err instanceof SpertError || (err as Record<symbol, unknown>)[BRAND] === true;
  return yes && (code === undefined || (err as SpertError).code === code);
}

/** Any thrown value as a SpertError: itself if it is one, else an `INTERNAL` error with its message (and it as `cause`). */
export function toSpertError(err: unknown): SpertError {
  if (isSpertError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SpertError('INTERNAL', message, err instanceof Error && err.name !== 'Error' ? { name: err.name } : {}, { cause: err });
}

/**
 * The error for a broken invariant ("cannot happen"): code `INTERNAL`, so it reads as a bug to
 * report, not as the user's fault. See CONTRIBUTING.md ("Errors") for when to use it.
 */
export function internalError(message: string, details: ErrorDetails = {}): SpertError {
  return new SpertError('INTERNAL', message, details);
}

/** Throws {@link internalError} with `message` unless `condition` holds. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw internalError(message);
}

function definedFields(details: ErrorDetails): ErrorDetails {
  const out: ErrorDetails = {};
  for (const [k, v] of Object.entries(details)) if (v !== undefined) out[k] = v;
  return out;
}
