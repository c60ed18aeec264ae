import { ERROR_CODES, isSpertError, type ErrorDetails } from '@spert/core';
import { HttpError } from './http-error';

/** The JSON body of every error answer: `{ statusCode, error, code, message, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  /** The error's structured fields (documentIndex, field, limit, ...), when it has any. */
  details?: ErrorDetails;
}

/** The reason phrase of a status code. */
export function reasonPhrase(status: number): string {
  const names: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
  return names[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * The answer to an error a route threw, by its code: a SpertError with the status of its code in
 * @spert/core's ERROR_CODES (an {@link HttpError} with its own `statusCode`), its message and
 * details (a too-long document answers 422 `DOCUMENT_TOO_LONG` with `details.documentIndex`);
 * fastify's schema validation as 400 `INVALID_REQUEST`; fastify's other client errors (413 body
 * too large, 415, malformed JSON) with their status and code; anything else as 500 `INTERNAL`.
 * `internal` is true for a 500 the server did not mean to send: the caller logs it.
 */
export function errorReply(err: Error): ErrorBody & { internal: boolean } {
  if (isSpertError(err)) {
    const status = err instanceof HttpError ? err.statusCode : ERROR_CODES[err.code].http;
    const message = err.code === 'INTERNAL' ? `internal error: ${err.message}` : err.message;
    const details = Object.keys(err.details).length > 0 ? { details: { ...err.details } } : {};
    return { statusCode: status, error: reasonPhrase(status), code: err.code, message, ...details, internal: status === 500 && !(err instanceof HttpError) };
  }
  let status = 500;
  let code = 'INTERNAL';
  let message = `internal error: ${err.message}`;
  if ('validation' in err && err.validation) {
    status = 400;
    code = 'INVALID_REQUEST';
    message = `request ${err.message}`;
  } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    status = err.statusCode;
    code = ('code' in err && typeof err.code === 'string' ? err.code : undefined) ?? 'BAD_REQUEST';
    message = err.message;
  }
  return { statusCode: status, error: reasonPhrase(status), code, message, internal: status === 500 };
}
