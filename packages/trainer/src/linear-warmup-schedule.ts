import { SpertError } from '@spert/core';
/** Options of {@link linearWarmupSchedule}. */
export interface LinearWarmupScheduleOptions {
  /** Optimizer updates of the whole run. */
  totalSteps: number;
  /** Fraction of the updates spent warming up (the reference's `lr_warmup`, default 0.1). */
  warmupFraction?: number;
  /** Peak learning rate. */
  baseLr: number;
}

/** A learning-rate schedule indexed by the number of updates already done. */
export interface LrSchedule {
  /** Learning rate used by the update that follows `step` completed updates. */
  lrAt(step: number): number;
  /** Warmup length in updates (fractional, as the reference passes `lr_warmup * total`). */
  warmupSteps: number;
  totalSteps: number;
  baseLr: number;
}

/**
 * transformers' get_linear_schedule_with_warmup: lr rises linearly from 0 over the warmup, then
 * falls linearly to 0 at `totalSteps`. As with torch's LambdaLR, the first update uses lrAt(0) = 0.
 */
export function linearWarmupSchedule({ totalSteps, warmupFraction = 0.1, baseLr }: LinearWarmupScheduleOptions): LrSchedule {
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new SpertError('INVALID_OPTION', `linearWarmupSchedule: totalSteps must be a non-negative integer, got ${totalSteps}`);
  if (!(warmupFraction >= 0 && warmupFraction <= 1)) throw new SpertError('INVALID_OPTION', `linearWarmupSchedule: warmupFraction must be in [0, 1], got ${warmupFraction}`);
  if (!(baseLr >= 0) || !Number.isFinite(baseLr)) throw new SpertError('INVALID_OPTION', `linearWarmupSchedule: baseLr must be a non-negative number, got ${baseLr}`);
  // SpERT passes the product unrounded (num_warmup_steps = lr_warmup * updates_total).
  const warmupSteps = warmupFraction * totalSteps;
  const lrAt = (step: number): number => {
    if (step < warmupSteps) return baseLr * (step / Math.max(1, warmupSteps));
    return baseLr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  };
  return { lrAt, warmupSteps, totalSteps, baseLr };
}
