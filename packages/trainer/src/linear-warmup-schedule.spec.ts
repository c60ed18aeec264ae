import { linearWarmupSchedule } from './linear-warmup-schedule';
import { totalUpdates } from './epoch-batches';

describe('linearWarmupSchedule', () => {
  it('follows get_linear_schedule_with_warmup on the CoNLL04 example (1153 docs, batch 2, 20 epochs)', () => {
    const totalSteps = totalUpdates({ numDocs: 1153, batchSize: 2, epochs: 20 });
    expect(totalSteps).toBe(11520);
    const s = linearWarmupSchedule({ totalSteps, baseLr: 5e-5 });
    expect(s.warmupSteps).toBe(1152);
    expect(s.lrAt(0)).toBe(0); // LambdaLR: the first update runs at lambda(0) = 0
    expect(s.lrAt(1)).toBeCloseTo(5e-5 / 1152, 15);
    expect(s.lrAt(576)).toBeCloseTo(2.5e-5, 15);
    expect(s.lrAt(1152)).toBeCloseTo(5e-5, 15);
    expect(s.lrAt(1152 + 5184)).toBeCloseTo(2.5e-5, 15);
    expect(s.lrAt(11519)).toBeCloseTo(5e-5 / 10368, 15);
    expect(s.lrAt(11520)).toBe(0);
    expect(s.lrAt(20000)).toBe(0);
  });

  it('keeps a fractional warmup as the reference (0.1 * 461 * 3 = 138.3 steps)', () => {
    const s = linearWarmupSchedule({ totalSteps: 1383, warmupFraction: 0.1, baseLr: 1 });
    expect(s.warmupSteps).toBeCloseTo(138.3, 12);
    expect(s.lrAt(138)).toBeCloseTo(138 / 138.3, 12);
    expect(s.lrAt(139)).toBeCloseTo((1383 - 139) / (1383 - 138.3), 12);
  });

  it('without warmup starts at the peak', () => {
    const s = linearWarmupSchedule({ totalSteps: 10, warmupFraction: 0, baseLr: 2 });
    expect(s.lrAt(0)).toBe(2);
    expect(s.lrAt(5)).toBe(1);
  });

  it('rejects bad options', () => {
    expect(() => linearWarmupSchedule({ totalSteps: -1, baseLr: 1 })).toThrow(/totalSteps/);
    expect(() => linearWarmupSchedule({ totalSteps: 10, warmupFraction: 1.5, baseLr: 1 })).toThrow(/warmupFraction/);
    expect(() => linearWarmupSchedule({ totalSteps: 10, baseLr: NaN })).toThrow(/baseLr/);
  });
});
