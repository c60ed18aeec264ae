/**
 * Python's `repr(float)` (what the reference's csv writer emits): shortest round-trip digits
 * like JS, but integral values keep `.0` and small magnitudes switch to exponent form at 1e-4.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mant, exp] = x.toExponential().split('e');
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(x);
}

/**
 * Python's `'%.2f' % x`: exact decimal rounding with ties to even. JS toFixed breaks exact
 * ties upwards (12.125 -> "12.13" where Python prints "12.12"), so ties are detected on the
 * exact decimal expansion of the double and resolved to the even digit.
 */
export function pyFixed2(x: number): string {
  const s = x.toFixed(2);
  const exact = Math.abs(x).toFixed(100);
  const frac = exact.slice(exact.indexOf('.') + 1);
  if (frac[2] === '5' && /^0*$/.test(frac.slice(3))) {
    // ties to even: an even last digit stays, i.e. the exact expansion is truncated
    if (Number(frac[1]) % 2 === 0) return `${x < 0 ? '-' : ''}${exact.slice(0, exact.indexOf('.') + 3)}`;
  }
  return s;
}
