/** An error with an HTTP status, a stable code and a message that says what to fix. */
export class HttpError extends Error {
  /** Builds an error answered as `{ statusCode, error, code, message }`. */
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
