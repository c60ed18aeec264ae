import { Xoshiro128, permutation } from './xoshiro128';
import { SpertError } from '@spert/core';

/** Options of {@link epochBatches}. */
export interface EpochBatchesOptions {
  /** Number of training documents. */
  numItems: number;
  /** Documents per batch. */
  batchSize: number;
  /** Run seed. */
  seed: number;
  /** Zero-based epoch. */
  epoch: number;
  /** Shuffle the documents (default true, as the reference's DataLoader). */
  shuffle?: boolean;
}

/**
 * Document indices of every batch of one epoch: shuffled with a generator derived from
 * (seed, epoch) only, and the last incomplete batch dropped (drop_last), so a resumed run
 * rebuilds the same batches without storing them.
 */
export function epochBatches({ numItems, batchSize, seed, epoch, shuffle = true }: EpochBatchesOptions): number[][] {
  if (!Number.isInteger(numItems) || numItems < 0) throw new SpertError('INVALID_OPTION', `epochBatches: numItems must be a non-negative integer, got ${numItems}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new SpertError('INVALID_OPTION', `epochBatches: batchSize must be a positive integer, got ${batchSize}`);
  const order = shuffle
    ? permutation(numItems, new Xoshiro128((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0))
    : Array.from({ length: numItems }, (_, i) => i);
  const batches: number[][] = [];
  for (let b = 0; b + batchSize <= numItems; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

/** Optimizer updates of a run: floor(numDocs / batchSize) * epochs (the reference drops the last batch). */
export function totalUpdates({ numDocs, batchSize, epochs }: { numDocs: number; batchSize: number; epochs: number }): number {
  return Math.floor(numDocs / batchSize) * epochs;
}
