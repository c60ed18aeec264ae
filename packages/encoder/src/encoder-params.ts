// What every encoder family does with its parameters, apart from using them: checking checkpoint
// tensors against the family's specs, initialising what is missing, holding them as TF.js
// variables (Linear weights transposed to [in, out]) and copying them back out in PyTorch layout.
import * as tf from '@tensorflow/tfjs-core';
import type { SeededRng } from '@spert/core';
import { initRng, transpose2d, type EncoderConfig, type NamedTensor, type ParamSpec } from '@spert/checkpoint';

/** Options of {@link initialParamValues}. */
export interface InitialParamValuesOptions<C extends EncoderConfig> {
  config: C;
  specs: ParamSpec[];
  /** Checkpoint tensors (PyTorch layout); none: everything from the initialiser. */
  weights?: Map<string, NamedTensor>;
  /** Maps a checkpoint name to a spec name (null: not an encoder tensor, ignored). */
  paramName(name: string): string | null;
  /** A spec that may be absent from `weights` (then initialised), given the names that are present. */
  optional?(spec: ParamSpec, present: ReadonlySet<string>): boolean;
  /** Seeded initial value of one parameter. */
  initialValue(spec: ParamSpec, config: C, rng: SeededRng): Float32Array;
  /** Names the family in the mismatch error ("BERT"). */
  label: string;
  seed?: number;
}

/**
 * Every parameter's initial value: from `weights` after checking names, shapes and dtypes against
 * the specs (all problems in one error), the rest (or all) from the seeded initialiser.
 */
export function initialParamValues<C extends EncoderConfig>(o: InitialParamValuesOptions<C>): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  if (o.weights) {
    const problems: string[] = [];
    const known = new Set(o.specs.map((s) => s.name));
    const byName = new Map<string, NamedTensor>();
    for (const [name, t] of o.weights) {
      const n = o.paramName(name);
      if (n === null) continue;
      if (!known.has(n)) problems.push(`unexpected tensor "${name}"`);
      else byName.set(n, t);
    }
    const present = new Set(byName.keys());
    for (const spec of o.specs) {
      const t = byName.get(spec.name);
      if (!t) {
        if (o.optional?.(spec, present)) continue;
        problems.push(`missing tensor "${spec.name}" [${spec.shape}]`);
      } else if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
        problems.push(`tensor "${spec.name}" has shape [${t.shape}], expected [${spec.shape}]`);
      } else if (!(t.data instanceof Float32Array)) {
        problems.push(`tensor "${spec.name}" is not floating point`);
      } else {
        values.set(spec.name, t.data);
      }
    }
    if (problems.length) throw new Error(`${o.label} weights do not match the config: ${problems.join('; ')}`);
  }
  const rng = initRng(o.seed ?? 0);
  for (const spec of o.specs) if (!values.has(spec.name)) values.set(spec.name, o.initialValue(spec, o.config, rng));
  return values;
}

/** An encoder's trainable variables under Hugging Face names (no family prefix). */
export class EncoderParams {
  private readonly vars = new Map<string, tf.Variable>();
  private disposed = false;

  /** Creates one variable per spec from PyTorch-layout values; `owner` names the encoder in errors. */
  constructor(readonly specs: ParamSpec[], values: Map<string, Float32Array>, private readonly owner: string) {
    for (const spec of specs) {
      const v = values.get(spec.name)!;
      const shape = spec.layout === 'linear' ? [spec.shape[1], spec.shape[0]] : spec.shape;
      const data = spec.layout === 'linear' ? transpose2d(v, spec.shape[0], spec.shape[1]) : v;
      const initial = tf.tensor(data, shape, 'float32');
      this.vars.set(spec.name, tf.variable(initial, true));
      initial.dispose();
    }
  }

  /** One variable (Linear weights [in, out]). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`${this.owner}: no parameter "${name}"`);
    return v;
  }

  /** A copy of the name -> variable map. */
  variables(): Map<string, tf.Variable> {
    this.check();
    return new Map(this.vars);
  }

  /** Copies the parameters out in PyTorch layout under `prefix` + name, leaving out the names `skip` picks. */
  toTensors(prefix: string, skip: (name: string) => boolean = () => false): Map<string, NamedTensor> {
    this.check();
    const out = new Map<string, NamedTensor>();
    for (const spec of this.specs) {
      if (skip(spec.name)) continue;
      const raw = this.get(spec.name).dataSync() as Float32Array;
      const data = spec.layout === 'linear' ? transpose2d(raw, spec.shape[1], spec.shape[0]) : new Float32Array(raw);
      out.set(`${prefix}${spec.name}`, { shape: [...spec.shape], data });
    }
    return out;
  }

  /** Number of parameters. */
  count(): number {
    return this.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Frees the variables; using the encoder afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.vars.values()) v.dispose();
    this.disposed = true;
  }

  /** Throws once disposed. */
  check(): void {
    if (this.disposed) throw new Error(`${this.owner}: used after dispose()`);
  }
}
