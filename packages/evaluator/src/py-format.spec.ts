import { pyFixed2, pyFloatRepr } from './py-format';

describe('Python number formatting', () => {
  it("repr(float) as Python's csv writer emits it", () => {
    expect(pyFloatRepr(50.039651070578905)).toBe('50.039651070578905');
    expect(pyFloatRepr(100)).toBe('100.0');
    expect(pyFloatRepr(0)).toBe('0.0');
    expect(pyFloatRepr(1e-5)).toBe('1e-05');
    expect(pyFloatRepr(2.5e-7)).toBe('2.5e-07');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
  });

  it("'%.2f' with exact ties to even, otherwise the nearest value of the exact binary number", () => {
    expect(pyFixed2(12.125)).toBe('12.12'); // exact tie, even digit stays (JS toFixed says 12.13)
    expect(pyFixed2(12.375)).toBe('12.38');
    expect(pyFixed2(0.125)).toBe('0.12');
    expect(pyFixed2(2.675)).toBe('2.67'); // 2.67499999... in binary
    expect(pyFixed2(1.005)).toBe('1.00');
    expect(pyFixed2(60.1405152224824)).toBe('60.14');
    expect(pyFixed2(100)).toBe('100.00');
    expect(pyFixed2(0)).toBe('0.00');
    expect(pyFixed2(-0.125)).toBe('-0.12');
  });
});
