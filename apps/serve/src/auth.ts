import { createHash, timingSafeEqual } from 'node:crypto';

/** Environment variable spert-serve reads the API key from when `--api-key` is not given. */
export const API_KEY_ENV = 'SPERT_API_KEY';

// Hashing both sides first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison time does not depend on how much of the key a caller guessed (nor on its length).
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Returns a checker of `Authorization` headers against `apiKey` (a bearer token), comparing in constant time. */
export function bearerChecker(apiKey: string): (authorization: string | undefined) => boolean {
  if (apiKey.length === 0) throw new Error('api key: must not be empty (leave it unset to turn authentication off)');
  const want = digest(apiKey);
  return (authorization) => {
    if (typeof authorization !== 'string') return false;
    const m = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
    if (!m) return false;
    return timingSafeEqual(digest((m[1] as string).trim()), want);
  };
}
