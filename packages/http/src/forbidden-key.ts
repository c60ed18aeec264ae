/** A key of a JSON body that could change the prototype of the objects built from it. */
export interface ForbiddenKey {
  /** Where it is, as in the other error messages (`documents[0]`; empty at the top level). */
  path: string;
  key: '__proto__' | 'constructor.prototype';
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Finds the first key fastify's JSON parser (secure-json-parse) refuses in a value parsed by
 * JSON.parse: an own `__proto__`, or a `constructor` object with a `prototype`. Iterative, so a
 * body nested thousands deep cannot overflow the stack.
 */
export function findForbiddenKey(value: unknown): ForbiddenKey | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, at] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
      continue;
    }
    if (own(v, '__proto__')) return { path: at, key: '__proto__' };
    const ctor = own(v, 'constructor') ? (v as Record<string, unknown>).constructor : undefined;
    if (typeof ctor === 'object' && ctor !== null && own(ctor, 'prototype')) return { path: at ? `${at}.constructor` : 'constructor', key: 'constructor.prototype' };
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string;
      stack.push([(v as Record<string, unknown>)[k], at ? `${at}.${k}` : k]);
    }
  }
  return undefined;
}

/** The 400 message for a refused key: what, where, why. */
export function forbiddenKeyMessage(f: ForbiddenKey): string {
  const where = f.path ? ` (at ${f.path})` : ' (at the top level)';
  const what = f.key === '__proto__' ? 'the "__proto__" key is refused' : 'a "constructor" key holding "prototype" is refused';
  return `${what}${where}: such keys can change the prototype of objects built from the request; remove it`;
}
