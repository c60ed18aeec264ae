// The AdamW update op lives in @spert/backend (its kernel per backend and the one tfjs-ops
// fallback); the trainer names its signature, the swap point of `AdamW`'s `update` option.
import type { AdamWUpdateArgs } from '@spert/backend';

export type { AdamWUpdateArgs };
export { adamwUpdate, adamwUpdateLoop, adamwUpdateMany, adamwUpdateOps } from '@spert/backend';

/** Signature of a per-parameter AdamW update (default: @spert/backend's `adamwUpdate`). */
export type AdamWUpdateFn = (args: AdamWUpdateArgs) => void;
