import { findForbiddenKey, forbiddenKeyMessage } from './forbidden-key';

describe('findForbiddenKey', () => {
  it('finds an own "__proto__" key or a constructor holding prototype, with its path: an object\'s own keys first, then its values in order', () => {
    expect(findForbiddenKey(JSON.parse('{"a": 1, "__proto__": {}}'))).toEqual({ path: '', key: '__proto__' });
    expect(findForbiddenKey(JSON.parse('{"documents": [{"text": "x"}, {"tokens": [], "__proto__": null}]}'))).toEqual({ path: 'documents[1]', key: '__proto__' });
    // An object's own keys before what its values hold; values in order.
    expect(findForbiddenKey(JSON.parse('{"a": {"constructor": {"prototype": 1}}, "__proto__": 2}'))).toEqual({ path: '', key: '__proto__' });
    expect(findForbiddenKey(JSON.parse('{"a": {"constructor": {"prototype": 1}}, "b": {"__proto__": 2}}'))).toEqual({ path: 'a.constructor', key: 'constructor.prototype' });
    // A constructor that is not an object, or has no prototype, is an ordinary key.
    expect(findForbiddenKey(JSON.parse('{"constructor": "x", "b": {"constructor": {"name": 1}}, "c": [1, "__proto__"]}'))).toBeUndefined();
    expect(findForbiddenKey({ __proto__: { x: 1 } })).toBeUndefined(); // a literal sets the prototype: no own key
    expect(findForbiddenKey(null)).toBeUndefined();
  });

  it('walks a value nested far deeper than the call stack', () => {
    let deep: unknown = JSON.parse('{"__proto__": 1}');
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findForbiddenKey(deep)).toEqual({ path: '[0]'.repeat(200_000), key: '__proto__' });
  });

  it('says what is refused, where and why', () => {
    expect(forbiddenKeyMessage({ path: 'documents[0]', key: '__proto__' })).toBe('the "__proto__" key is refused (at documents[0]): such keys can change the prototype of objects built from the request; remove it');
    expect(forbiddenKeyMessage({ path: 'constructor', key: 'constructor.prototype' })).toBe('a "constructor" key holding "prototype" is refused (at constructor): such keys can change the prototype of objects built from the request; remove it');
  });
});
