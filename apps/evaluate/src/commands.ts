import * as path from 'node:path';
import { backendReport, formatBackendReport, useBackend, type BackendName } from '@spert/backend';
import { assertModelDir, LENIENT_FLAG_HINT, loadDataset, parsePredictionInput, readJsonFile, readTypes, toPredictionRecord, writeFileAtomic, type EntitiesMode, type ParsePredictionOptions, type PredictionRecord, type TypesSchema } from '@spert/core';
import { evaluatePredictor } from '@spert/evaluator';
import { SpertModel } from '@spert/model';
import type { PipelineOptions } from '@spert/pipeline';

/** Options shared by both commands. */
export interface ModelOptions {
  model: string;
  types?: string;
  lowercase?: boolean;
  /** Load weights holding NaN or infinite values (refused by default). */
  allowNonFinite?: boolean;
  backend?: BackendName;
  /** Batch size and the long-document policy of the one pipeline. */
  pipeline?: PipelineOptions;
  /** List the backend's kernel fixes at start-up (else one line). */
  verbose?: boolean;
  log?: (s: string) => void;
}

async function open(o: ModelOptions): Promise<{ model: SpertModel; types?: TypesSchema }> {
  await assertModelDir(o.model, { flag: '--model' });
  await useBackend(o.backend ?? 'auto');
  o.log?.(formatBackendReport(await backendReport(), { verbose: o.verbose }));
  const types = o.types ? await readTypes({ path: o.types }) : undefined;
  return { model: await SpertModel.load({ dir: o.model, types, lowercase: o.lowercase, allowNonFinite: o.allowNonFinite }), types };
}

/** `spert-eval eval`: scores a model on a gold dataset with the reference's protocol (with `entitiesMode`, relations over the gold entities). */
export async function evalCommand(o: ModelOptions & { dataset: string; out?: string; noOverlapping?: boolean; lenient?: boolean; entitiesMode?: EntitiesMode }): Promise<string> {
  const { model } = await open(o);
  try {
    const gold = await loadDataset({
      path: o.dataset,
      types: model.settings.types,
      lenient: o.lenient,
      lenientHint: LENIENT_FLAG_HINT,
      role: 'gold dataset',
      empty: 'warn',
      log: o.log ?? (() => undefined),
    });
    const e = await evaluatePredictor({
      predictor: model.asPredictor(o.pipeline),
      types: model.settings.types,
      documents: gold.documents,
      noOverlapping: o.noOverlapping,
      entitiesMode: o.entitiesMode,
      source: o.dataset,
      outDir: o.out,
      label: path.basename(o.dataset, '.json'),
      // The relation switches (constraint table, stored thresholds) are shown under the tables.
      settings: model.settings,
    });
    if (e.files.length) o.log?.(`wrote ${e.files.join(', ')}`);
    return e.tables;
  } finally {
    model.dispose();
  }
}

/**
 * `spert-eval predict`: reads a JSON array whose items are {tokens}, word arrays or raw strings
 * (split into words with character offsets) and writes one prediction record per item (the
 * dataset schema with scores, covered text and, for raw text, character offsets).
 */
export async function predictCommand(o: ModelOptions & { input: string; output: string; documents?: ParsePredictionOptions }): Promise<PredictionRecord[]> {
  const json = await readJsonFile(o.input, { what: 'prediction input' });
  const items = parsePredictionInput(json, { ...o.documents, source: o.input });
  const { model } = await open(o);
  try {
    const predicted = await model.asPredictor(o.pipeline).predict(items, { source: o.input });
    const out = predicted.map((p, i) => toPredictionRecord(p, { input: items[i], where: `item ${i} of ${o.input}` }));
    await writeFileAtomic({ path: o.output, data: `${JSON.stringify(out)}\n` });
    return out;
  } finally {
    model.dispose();
  }
}
