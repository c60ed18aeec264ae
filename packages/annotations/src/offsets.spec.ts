import { offsetMap } from './offsets';

describe('offsetMap', () => {
  it('maps code points to UTF-16 units and back around astral characters', () => {
    const text = 'a😀b🇫🇷c'; // 😀: 2 units; the flag: two regional indicators, 2 units each
    const m = offsetMap(text, 'code-points');
    expect(m.length).toBe(6);
    expect([0, 1, 2, 3, 4, 5, 6].map((o) => m.toUtf16(o))).toEqual([0, 1, 3, 4, 6, 8, 9]);
    expect([0, 1, 3, 4, 6, 8, 9].map((i) => m.fromUtf16(i))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(m.toUtf16(7)).toBeUndefined();
    expect(m.toUtf16(-1)).toBeUndefined();
    expect(m.toUtf16(1.5)).toBeUndefined();
  });

  it('is the identity for UTF-16 and for texts without astral characters', () => {
    for (const m of [offsetMap('a😀b', 'utf16'), offsetMap('Zoë Müller 東京', 'code-points')]) {
      expect(m.toUtf16(2)).toBe(2);
      expect(m.fromUtf16(3)).toBe(3);
    }
    expect(offsetMap('a😀b', 'utf16').toUtf16(5)).toBeUndefined();
  });
});
