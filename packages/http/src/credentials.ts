import { createHash, timingSafeEqual } from 'node:crypto';
import { SpertError } from '@spert/core';

// Hashing both sides first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison time does not depend on how much of a secret a caller guessed (nor on its length).
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Compares a secret a client sent with the expected one in constant time. */
export function secretsEqual(sent: string, expected: string): boolean {
  return timingSafeEqual(digest(sent), digest(expected));
}

/** Returns a checker of `Authorization` headers against `apiKey` (a bearer token), comparing in constant time. */
export function bearerChecker(apiKey: string): (authorization: string | undefined) => boolean {
  if (apiKey.length === 0) throw new SpertError('INVALID_OPTION', 'api key: must not be empty (leave it unset to turn authentication off)');
  return (authorization) => {
    if (typeof authorization !== 'string') return false;
    const m = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
    if (!m) return false;
    return secretsEqual((m[1] as string).trim(), apiKey);
  };
}

/**
 * Returns a checker of `Authorization: Basic <base64 user:pass>` headers against `credentials`
 * ("user:pass", as Label Studio's ML backend settings and the Python SDK's --basic-auth take
 * them), comparing user and password in constant time. Throws when `credentials` has no colon.
 */
export function basicAuthChecker(credentials: string): (authorization: string | undefined) => boolean {
  const colon = credentials.indexOf(':');
  if (colon <= 0 || colon === credentials.length - 1) throw new SpertError('INVALID_OPTION', 'basic auth: expected "user:password" with both parts non-empty');
  const user = credentials.slice(0, colon);
  const pass = credentials.slice(colon + 1);
  return (authorization) => {
    if (typeof authorization !== 'string') return false;
    const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
    if (!m) return false;
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at < 0) return false;
    // Both compared, always: which part was wrong must not show in the time taken.
    const userOk = secretsEqual(decoded.slice(0, at), user);
    const passOk = secretsEqual(decoded.slice(at + 1), pass);
    return userOk && passOk;
  };
}
