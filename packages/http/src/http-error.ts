import { SpertError, type ErrorCode, type ErrorDetails } from '@spert/core';

/**
 * A {@link SpertError} a route throws to answer with `statusCode` (normally the code's own status
 * in the codes table); answered as `{ statusCode, error, code, message, details? }`.
 */
export class HttpError extends SpertError {
  /** Builds the error; `details` become the answer's `details`. */
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
    this.name = 'HttpError';
  }
}
