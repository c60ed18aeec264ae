import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Prediction, PredictionInput, TypesSchema } from '@spert/core';
import { SpertModel } from '@spert/model';
import { SpertError } from '@spert/core';

/** Weight files a model directory may hold (ours write safetensors; the reference's pytorch_model.bin). */
const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'];

/** The model version Label Studio shows and stores with each prediction: `<name>-<first 12 hex of the weights' SHA-256>`. */
export async function modelVersionOf(dir: string, name: string): Promise<string> {
  const hash = createHash('sha256');
  let found = false;
  for (const file of WEIGHT_FILES) {
    const weights = await readFile(path.join(dir, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (weights) {
      hash.update(weights);
      found = true;
    }
  }
  if (!found) throw new SpertError('FILE_NOT_FOUND', `${dir}: no ${WEIGHT_FILES.join(' or ')} to name the model version by`);
  return `${name}-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * The model that answers predictions, swapped for a newer one after training. A version names
 * the weights (a hash), so a restarted backend with the same model keeps its version and a new
 * model always gets a new one. The old model is freed once the predictions running on it end.
 */
export class ServingModel {
  private inFlight = new Map<SpertModel, number>();
  private retired = new Set<SpertModel>();

  private constructor(
    private model: SpertModel,
    private current: { dir: string; version: string },
    private readonly name: string,
  ) {}

  /** Loads a SpERT model directory (its types must be `types` when given). */
  static async open(o: { dir: string; name?: string; types?: TypesSchema }): Promise<ServingModel> {
    const name = o.name ?? 'spert';
    const model = await SpertModel.load({ dir: o.dir, types: o.types });
    return new ServingModel(model, { dir: path.resolve(o.dir), version: await modelVersionOf(o.dir, name) }, name);
  }

  /** The version of the model answering now. */
  get version(): string {
    return this.current.version;
  }

  /** The directory of the model answering now. */
  get dir(): string {
    return this.current.dir;
  }

  /** The model's types (class order, symmetric flags). */
  get types(): TypesSchema {
    return this.model.settings.types;
  }

  /** Predicts raw texts with the model answering now; returns the version that answered. */
  async predict(inputs: readonly PredictionInput[]): Promise<{ predictions: Prediction[]; version: string }> {
    const model = this.model;
    const version = this.current.version;
    this.inFlight.set(model, (this.inFlight.get(model) ?? 0) + 1);
    try {
      return { predictions: await model.asPredictor().predict(inputs), version };
    } finally {
      const left = (this.inFlight.get(model) ?? 1) - 1;
      this.inFlight.set(model, left);
      if (left === 0) {
        this.inFlight.delete(model);
        if (this.retired.delete(model)) model.dispose();
      }
    }
  }

  /** Loads the model in `dir` and answers with it from now on; resolves to its version. */
  async swap(dir: string): Promise<string> {
    const next = await SpertModel.load({ dir, types: this.types });
    const version = await modelVersionOf(dir, this.name);
    const old = this.model;
    this.model = next;
    this.current = { dir: path.resolve(dir), version };
    if (this.inFlight.has(old)) this.retired.add(old);
    else old.dispose();
    return this.current.version;
  }

  /** Frees the model (after the predictions running on it). */
  dispose(): void {
    if (this.inFlight.has(this.model)) this.retired.add(this.model);
    else this.model.dispose();
  }
}
