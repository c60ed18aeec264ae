import * as path from 'node:path';
import { writeFileAtomic, type Document, type EntitiesMode, type PredictedDocument, type PredictionInput, type Predictor, type SpertSettings, type TypesSchema } from '@spert/core';
import { appendEvalCsv } from './csv';
import { evaluate, type EvaluationResult } from './evaluate';
import { renderExamplesHtml } from './html';
import { metricsToJson } from './metrics-json';
import { writePredictions } from './predictions';
import { formatEvaluation } from './report';
import { formatRelationSwitches } from './switches-report';

/** Options of {@link evaluatePredictor}. */
export interface EvaluatePredictorOptions {
  /** Any runtime behind the Predictor contract (TF.js model, ONNX runtime, ...). */
  predictor: Predictor;
  /** The model's types schema (class order and symmetric flags). */
  types: TypesSchema;
  /** Gold documents. */
  documents: readonly Document[];
  /** The reference's no_overlapping evaluation (ADE). */
  noOverlapping?: boolean;
  /** Where to write predictions, metrics, CSV and the HTML examples page (optional). */
  outDir?: string;
  /** Label of the files (e.g. "test" -> predictions_test.json). */
  label?: string;
  /** Epoch and step recorded in the CSV row. */
  epoch?: number;
  step?: number;
  /** Reports the documents predicted so far out of all. */
  onProgress?: (done: number, total: number) => void;
  /** Where the gold documents came from (a file path), named in errors. */
  source?: string;
  /** The model's settings: its relation switches (type constraint table, tuned thresholds), if any, are added to the tables. */
  settings?: SpertSettings;
  /**
   * Give the model the gold entities (relation extraction over known entities): `given` scores
   * relations among exactly them, `merged` adds them to the predicted ones. Default: predict entities.
   */
  entitiesMode?: EntitiesMode;
}

/** What {@link evaluatePredictor} computed. */
export interface PredictorEvaluation {
  result: EvaluationResult;
  predictions: PredictedDocument[];
  /** The reference's three console tables. */
  tables: string;
  /** Files written (when outDir was given). */
  files: string[];
}

/** Predicts a gold dataset and scores it with the reference's protocol; optionally writes the reports. */
export async function evaluatePredictor(o: EvaluatePredictorOptions): Promise<PredictorEvaluation> {
  const inputs = o.documents.map((d): PredictionInput => {
    const tokens: PredictionInput = { kind: 'tokens', tokens: d.tokens };
    return o.entitiesMode ? { ...tokens, entities: d.entities.map(({ type, start, end }) => ({ type, start, end })), entitiesMode: o.entitiesMode } : tokens;
  });
  const predicted = await o.predictor.predict(inputs, { onProgress: o.onProgress, source: o.source });
  // The evaluator's files hold the reference's prediction fields only.
  const predictions: PredictedDocument[] = predicted.map((p) => ({ tokens: p.tokens, entities: p.entities.map(({ type, start, end, score }) => ({ type, start, end, score })), relations: p.relations }));
  const gold = o.documents.slice();
  const result = evaluate({ gold, predicted: predictions, types: o.types, noOverlapping: o.noOverlapping });
  const switches = o.settings ? formatRelationSwitches(o.settings) : '';
  const tables = switches ? `${formatEvaluation(result)}\n\n${switches}` : formatEvaluation(result);
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
    await writeFileAtomic({ path: file(`examples_${label}.html`), data: renderExamplesHtml({ gold, predicted: predictions, types: o.types, title: `SpERT: ${label}` }) });
    await writeFileAtomic({ path: file(`eval_${label}.txt`), data: `${tables}\n` });
  }
  return { result, predictions, tables, files };
}
