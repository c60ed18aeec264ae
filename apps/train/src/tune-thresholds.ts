import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { findOrDownloadDataset, type DatasetName, type Document } from '@spert/core';
import { tuneThresholds, type ThresholdTuning } from '@spert/evaluator';
import type { SpertModel } from '@spert/model';
import { decodeScores, relationDecoding } from '@spert/pipeline';
import type { TrainConfig } from './options';

/**
 * The development set of --tune-thresholds: --tune-set, else the dataset's dev split. Never the
 * set the run reports (--valid): evaluation does not tune on the set it reports.
 */
export async function readTuneSet(
  config: Pick<TrainConfig, 'tuneSet' | 'dataset'>,
  validPath: string,
  read: (file: string, role: string) => Promise<{ documents: Document[] }>,
): Promise<{ path: string; documents: Document[] }> {
  let file = config.tuneSet;
  if (!file) {
    // The dataset's own layout says where its development split is (ADE has folds, none).
    const { dir, layout } = await findOrDownloadDataset({ name: config.dataset as DatasetName });
    const candidate = layout.dev ? path.join(dir, layout.dev) : undefined;
    if (!candidate || !existsSync(candidate)) {
      throw new Error(`--tune-thresholds: the dataset "${config.dataset}" has no development split${candidate ? ` (${candidate} is missing)` : ''}; pass one with --tune-set <file>`);
    }
    file = candidate;
  }
  if (path.resolve(file) === path.resolve(validPath)) {
    throw new Error(`--tune-thresholds: the tuning set ${file} is the set the run evaluates on (--valid); thresholds tuned on it would flatter its scores: pass a development set with --tune-set`);
  }
  return { path: file, documents: (await read(file, 'threshold-tuning set')).documents };
}

/**
 * Scores the development set once, chooses the relation thresholds on it (tuneThresholds: global
 * and per type, relation F1 with NEC) through the pipeline's own decoding, and stores them in the
 * model's settings (rel_filter_threshold, rel_thresholds when they help), so they are saved with it.
 */
export async function tuneModelThresholds(model: SpertModel, documents: readonly Document[], o: { noOverlapping?: boolean; batchSize?: number; source?: string } = {}): Promise<ThresholdTuning> {
  const scores = await model.score(documents.map((d) => d.tokens), { batchSize: o.batchSize, source: o.source });
  const base = relationDecoding(model.settings);
  const tuning = tuneThresholds({
    gold: documents,
    types: model.settings.types,
    noOverlapping: o.noOverlapping,
    predictAt: (thresholds) => documents.map((d, i) => decodeScores(model, d.tokens, scores[i], { ...base, threshold: thresholds[0], thresholds })),
  });
  model.settings.relFilterThreshold = tuning.global;
  if (tuning.usePerType) model.settings.relThresholds = { ...tuning.perType };
  else delete model.settings.relThresholds;
  return tuning;
}
