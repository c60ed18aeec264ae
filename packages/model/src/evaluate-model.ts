import * as path from 'node:path';
import { writeFileAtomic, type Document, type PredictedDocument } from '@spert/core';
import { appendEvalCsv, evaluate, formatEvaluation, metricsToJson, renderExamplesHtml, writePredictions, type EvaluationResult } from '@spert/evaluator';
import type { SpertModel } from './spert-model';

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  model: SpertModel;
  /** Gold documents. */
  documents: readonly Document[];
  /** The reference's no_overlapping evaluation (ADE). */
  noOverlapping?: boolean;
  /** Documents per forward pass. */
  batchSize?: number;
  /** Where to write predictions, metrics, CSV and the HTML examples page (optional). */
  outDir?: string;
  /** Label of the files (e.g. "test" -> predictions_test.json). */
  label?: string;
  /** Epoch and step recorded in the CSV row. */
  epoch?: number;
  step?: number;
  onProgress?: (done: number, total: number) => void;
  /** Where the gold documents came from (a file path), named in errors. */
  source?: string;
}

/** What {@link evaluateModel} computed. */
export interface ModelEvaluation {
  result: EvaluationResult;
  predictions: PredictedDocument[];
  /** The reference's three console tables. */
  tables: string;
  /** Files written (when outDir was given). */
  files: string[];
}

/** Predicts a gold dataset and scores it with the reference's protocol; optionally writes the reports. */
export async function evaluateModel(o: EvaluateModelOptions): Promise<ModelEvaluation> {
  const predictions = o.model.predict(o.documents.map((d) => d.tokens), { batchSize: o.batchSize, onProgress: o.onProgress, source: o.source });
  const gold = o.documents.slice();
  const result = evaluate({ gold, predicted: predictions, types: o.model.settings.types, noOverlapping: o.noOverlapping });
  const tables = formatEvaluation(result);
  const files: string[] = [];
  if (o.outDir) {
    const label = o.label ?? 'eval';
    const file = (f: string) => {
      const p = path.join(o.outDir as string, f);
      files.push(p);
      return p;
    };
    await writePredictions({ path: file(`predictions_${label}.json`), documents: predictions });
    await writeFileAtomic({ path: file(`metrics_${label}.json`), data: `${JSON.stringify(metricsToJson(result), null, 2)}\n` });
    await appendEvalCsv({ path: file(`eval_${label}.csv`), result, epoch: o.epoch ?? 0, iteration: 0, globalIteration: o.step ?? 0 });
    await writeFileAtomic({ path: file(`examples_${label}.html`), data: renderExamplesHtml({ gold, predicted: predictions, types: o.model.settings.types, title: `SpERT: ${label}` }) });
    await writeFileAtomic({ path: file(`eval_${label}.txt`), data: `${tables}\n` });
  }
  return { result, predictions, tables, files };
}
