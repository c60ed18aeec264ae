import { transpose2d } from './transpose';

describe('transpose2d', () => {
  it('turns [rows, cols] into [cols, rows] and back', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
    expect(Array.from(transpose2d(m, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(transpose2d(transpose2d(m, 2, 3), 3, 2))).toEqual(Array.from(m));
  });

  it('refuses a size that does not match the shape', () => {
    expect(() => transpose2d(new Float32Array(5), 2, 3)).toThrow(/5 values do not form a \[2, 3\] matrix/);
  });
});
