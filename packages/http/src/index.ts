export { HttpError } from './http-error';
export { basicAuthChecker, bearerChecker, secretsEqual } from './credentials';
export { errorReply, reasonPhrase, type ErrorBody } from './error-reply';
export { findForbiddenKey, forbiddenKeyMessage, type ForbiddenKey } from './forbidden-key';
export { jsonBodies } from './json-bodies';
export { notFoundHandler } from './not-found';
export { documentsError } from './documents-error';
export { installGracefulShutdown, type GracefulShutdownOptions, type SignalSource } from './shutdown';
