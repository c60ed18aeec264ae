// Max-pooling over many contiguous [start, end) ranges of hidden states with a sparse table:
// level k holds max(h[t .. t+2^k)), so a range max is the max of two overlapping level entries.
// Memory is O(levels * T * H) instead of the reference's O(ranges * T * H) masked broadcast,
// and max is exact, so results equal the reference's masked max bit for bit.
import type { GraphBuilder } from './graph-builder';

/** A built sparse table: stacked levels [B, L+1, T, H] and helpers' shared constants. */
export interface RangeMaxTable {
  levels: string;
  numLevels: number;
  lastIndex: string;
}

/** Number of doubling levels needed for ranges up to `maxLength` positions. */
export function levelsFor(maxLength: number): number {
  let l = 0;
  while (2 ** (l + 1) <= maxLength) l++;
  return l;
}

/** Adds the sparse table of `hidden` [B,T,H] with levels 0..numLevels. */
export function buildRangeMaxTable(g: GraphBuilder, hidden: string, numLevels: number): RangeMaxTable {
  const seqLen = g.op('Gather', [g.op('Shape', [hidden]), g.intTensor('rm_one_index', [], [1])], { axis: 0 });
  const lastIndex = g.op('Sub', [seqLen, g.intTensor('rm_one', [], [1])]);
  const positions = g.op('Range', [g.intTensor('rm_zero', [], [0]), seqLen, g.intTensor('rm_step', [], [1])]);
  const axis1 = g.intTensor('rm_axis1', [1], [1]);
  const stacked = [g.op('Unsqueeze', [hidden, axis1])];
  let level = hidden;
  for (let k = 0; k < numLevels; k++) {
    const idx = g.op('Min', [g.op('Add', [positions, g.intTensor(`rm_shift_${k}`, [], [2 ** k])]), lastIndex]);
    level = g.op('Max', [level, g.op('Gather', [level, idx], { axis: 1 })], {}, `rm_level_${k + 1}`);
    stacked.push(g.op('Unsqueeze', [level, axis1]));
  }
  const levels = stacked.length === 1 ? stacked[0] : g.op('Concat', stacked, { axis: 1 });
  return { levels, numLevels, lastIndex };
}

/**
 * Max over positions [start, end) for `starts`/`ends` int64 [B,N] -> float [B,N,H].
 * Rows with end <= start get an arbitrary finite value: callers mask them.
 */
export function rangeMax(g: GraphBuilder, table: RangeMaxTable, starts: string, ends: string): string {
  const zero = g.intTensor('rm_z', [], [0]);
  const lastAxis = g.intTensor('rm_last_axis', [1], [-1]);
  const start = g.op('Min', [g.op('Max', [starts, zero]), table.lastIndex]);
  const length = g.op('Sub', [ends, start]);
  let k: string;
  if (table.numLevels === 0) {
    k = g.op('Mul', [length, zero]);
  } else {
    // floor(log2(length)) exactly, by counting the powers 2^1..2^L that fit.
    const powers = g.intTensor('rm_powers', [table.numLevels], Array.from({ length: table.numLevels }, (_, i) => 2 ** (i + 1)));
    const fits = g.op('Cast', [g.op('GreaterOrEqual', [g.op('Unsqueeze', [length, lastAxis]), powers])], { to: 7 });
    k = g.op('ReduceSum', [fits, lastAxis], { keepdims: 0 });
  }
  const allPowers = g.intTensor('rm_all_powers', [table.numLevels + 1], Array.from({ length: table.numLevels + 1 }, (_, i) => 2 ** i));
  const second = g.op('Min', [g.op('Max', [g.op('Sub', [ends, g.op('Gather', [allPowers, k], { axis: 0 })]), zero]), table.lastIndex]);
  const kCol = g.op('Unsqueeze', [k, lastAxis]);
  const pick = (pos: string) =>
    g.op('GatherND', [table.levels, g.op('Concat', [kCol, g.op('Unsqueeze', [pos, lastAxis])], { axis: -1 })], { batch_dims: 1 });
  return g.op('Max', [pick(start), pick(second)]);
}
