import { precisionRecallFscoreSupport } from './prfs';

// Values worked out by hand from sklearn's definitions (labels restricted, zero_division=0).
describe('precisionRecallFscoreSupport', () => {
  it('computes per-label, micro and macro like sklearn', () => {
    const gold = [1, 1, 2, 0, 3, 2];
    const pred = [1, 2, 2, 1, 0, 0];
    const { perLabel, micro, macro } = precisionRecallFscoreSupport(gold, pred, [1, 2, 3]);
    // label 1: tp 1, pred 2, gold 2; label 2: tp 1, pred 2, gold 2; label 3: tp 0, pred 0, gold 1
    expect(perLabel).toEqual([
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { precision: 0, recall: 0, f1: 0, support: 1 },
    ]);
    expect(micro).toEqual({ precision: 2 / 4, recall: 2 / 5, f1: 4 / 9, support: 5 });
    expect(macro.precision).toBeCloseTo(1 / 3, 15);
    expect(macro.recall).toBeCloseTo(1 / 3, 15);
    expect(macro.f1).toBeCloseTo(1 / 3, 15);
    expect(macro.support).toBe(5);
  });

  it('ignores labels outside the list (as the none class 0) and rejects length mismatch', () => {
    const r = precisionRecallFscoreSupport([0, 4], [4, 0], [4]);
    expect(r.micro).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(() => precisionRecallFscoreSupport([1], [], [1])).toThrow('gold has 1 labels, predictions 0');
  });
});
