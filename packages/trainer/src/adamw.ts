import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdateMany } from '@spert/backend';
import { adamwUpdate, type AdamWUpdateArgs, type AdamWUpdateFn } from './adamw-update';

/** Names SpERT exempts from weight decay (substring match, as the reference's `no_decay`). */
export const NO_DECAY_PATTERNS: readonly string[] = ['bias', 'LayerNorm.bias', 'LayerNorm.weight'];

/** SpERT's weight-decay groups: `weightDecay` for every parameter except biases and LayerNorm weights. */
export function spertWeightDecay(name: string, weightDecay = 0.01): number {
  return NO_DECAY_PATTERNS.some((p) => name.includes(p)) ? 0 : weightDecay;
}

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Parameters by name (names drive the weight-decay groups and the saved state). */
  params: ReadonlyMap<string, tf.Variable>;
  beta1?: number;
  beta2?: number;
  /** Default 1e-6 (transformers' AdamW default, which SpERT keeps). */
  eps?: number;
  /** Decay of the parameters that decay (default 0.01). */
  weightDecay?: number;
  /** Per-name decay; default {@link spertWeightDecay} with `weightDecay`. */
  weightDecayFor?: (name: string) => number;
  /** Per-parameter update; default @spert/backend's `adamwUpdate` (the running backend's kernel, else tfjs ops). */
  update?: AdamWUpdateFn;
}

/** Saveable optimizer state: step count and per-parameter moments (flat float32, parameter shape). */
export interface AdamWState {
  step: number;
  expAvg: Map<string, Float32Array>;
  expAvgSq: Map<string, Float32Array>;
}

// The initial tensor is freed once the (non-trainable) variable holds its data.
function newVariable(init: () => tf.Tensor): tf.Variable {
  const t = init();
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

interface Slot {
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

/** transformers' AdamW with correct_bias=False (no Adam bias correction), as SpERT trains. */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly decayFor: (name: string) => number;
  private readonly update: AdamWUpdateFn;
  private readonly slots = new Map<string, Slot>();
  private stepCount = 0;

  /** Creates the optimizer; moments are allocated lazily at a parameter's first gradient, as torch does. */
  constructor({ params, beta1 = 0.9, beta2 = 0.999, eps = 1e-6, weightDecay = 0.01, weightDecayFor, update = adamwUpdate }: AdamWOptions) {
    for (const [k, v] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new Error(`AdamW: ${k} must be in [0, 1), got ${v}`);
    }
    if (!(eps > 0)) throw new Error(`AdamW: eps must be > 0, got ${eps}`);
    this.params = params;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.decayFor = weightDecayFor ?? ((name) => spertWeightDecay(name, weightDecay));
    this.update = update;
  }

  /** Number of steps taken. */
  get step(): number {
    return this.stepCount;
  }

  /** Weight decay that applies to parameter `name`. */
  weightDecayOf(name: string): number {
    return this.decayFor(name);
  }

  /**
   * One update of every parameter that has a gradient in `grads` (keyed by parameter name; others
   * are skipped like torch's `p.grad is None`). `gradScale` multiplies the gradients first (fold the
   * clip coefficient here to save a pass over the weights). Gradients are not disposed.
   */
  applyGradients(grads: ReadonlyMap<string, tf.Tensor>, lr: number, gradScale = 1): void {
    for (const name of grads.keys()) {
      if (!this.params.has(name)) throw new Error(`AdamW.applyGradients: gradient for unknown parameter "${name}"`);
    }
    const updates: AdamWUpdateArgs[] = [];
    for (const [name, param] of this.params) {
      const grad = grads.get(name);
      if (!grad) continue;
      if (grad.size !== param.size) throw new Error(`AdamW.applyGradients: gradient of "${name}" has shape [${grad.shape}], parameter has [${param.shape}]`);
      const slot = this.slotOf(name, param);
      updates.push({ param, grad, expAvg: slot.expAvg, expAvgSq: slot.expAvgSq, lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.decayFor(name), gradScale });
    }
    // the default update in one job for all parameters (the same values as one call each)
    if (this.update === adamwUpdate) adamwUpdateMany(updates);
    else updates.forEach((u) => this.update(u));
    this.stepCount++;
  }

  /** Copies the state out (moments as float32 arrays by parameter name). */
  getState(): AdamWState {
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    for (const [name, s] of this.slots) {
      expAvg.set(name, s.expAvg.dataSync() as Float32Array);
      expAvgSq.set(name, s.expAvgSq.dataSync() as Float32Array);
    }
    return { step: this.stepCount, expAvg, expAvgSq };
  }

  /** Replaces the state with a saved one; checks names and sizes against the parameters. */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW.setState: step must be a non-negative integer, got ${state.step}`);
    for (const [name, m] of state.expAvg) {
      const p = this.params.get(name);
      if (!p) throw new Error(`AdamW.setState: state for unknown parameter "${name}"`);
      const v = state.expAvgSq.get(name);
      if (!v) throw new Error(`AdamW.setState: "${name}" has exp_avg but no exp_avg_sq`);
      if (m.length !== p.size || v.length !== p.size) throw new Error(`AdamW.setState: state of "${name}" has ${m.length}/${v.length} values, parameter has ${p.size}`);
    }
    for (const name of state.expAvgSq.keys()) {
      if (!state.expAvg.has(name)) throw new Error(`AdamW.setState: "${name}" has exp_avg_sq but no exp_avg`);
    }
    this.dispose();
    for (const [name, m] of state.expAvg) {
      const p = this.params.get(name) as tf.Variable;
      const v = state.expAvgSq.get(name) as Float32Array;
      this.slots.set(name, {
        expAvg: newVariable(() => tf.tensor(m, p.shape, 'float32')),
        expAvgSq: newVariable(() => tf.tensor(v, p.shape, 'float32')),
      });
    }
    this.stepCount = state.step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
    }
    this.slots.clear();
  }

  private slotOf(name: string, param: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { expAvg: newVariable(() => tf.zerosLike(param)), expAvgSq: newVariable(() => tf.zerosLike(param)) };
      this.slots.set(name, slot);
    }
    return slot;
  }
}
