import * as path from 'node:path';
import { backendReport, formatBackendReport, useBackend } from '@spert/backend';
import { collectRelationTriples, findOrDownloadDataset, LENIENT_FLAG_HINT, loadDataset, readTypes, writeFileAtomic, type DatasetName, type Document } from '@spert/core';
import { evaluatePredictor, formatThresholdTuning, type PredictorEvaluation } from '@spert/evaluator';
import { createScratchModel, openModel, saveModel, type SpertModel } from '@spert/model';
import { trainSpert } from '@spert/trainer';
import type { TrainConfig } from './options';
import { readTuneSet, tuneModelThresholds } from './tune-thresholds';

/** The scores a run logs per evaluation (JSONL/CSV log and the training curve). */
function logMetrics(e: PredictorEvaluation): Record<string, number> {
  return { ner_f1_micro: e.result.ner.micro.f1, rel_f1_micro: e.result.rel.micro.f1, rel_nec_f1_micro: e.result.relNec.micro.f1 };
}

/** Where a run's files went and what it scored. */
export interface TrainingRun {
  modelDir: string;
  evalDir: string;
  tables: string;
  seconds: number;
}

async function datasetPaths(config: TrainConfig, log: (s: string) => void): Promise<{ train: string; valid: string; types: string }> {
  if (config.train && config.valid && config.types) return { train: config.train, valid: config.valid, types: config.types };
  const { dir, layout } = await findOrDownloadDataset({ name: config.dataset as DatasetName, log });
  return {
    train: config.train ?? path.join(dir, layout.train),
    valid: config.valid ?? path.join(dir, layout.valid),
    types: config.types ?? path.join(dir, layout.types),
  };
}

/** Trains a SpERT model as configured, evaluates it on the validation set and saves it under `out`. */
export async function runTraining(config: TrainConfig, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<TrainingRun> {
  const started = Date.now();
  await useBackend(config.backend);
  log(formatBackendReport(await backendReport(), { verbose: config.verbose }));
  const paths = await datasetPaths(config, log);
  const types = await readTypes({ path: paths.types });
  // Never silent: skipped documents are reported, and an empty set stops the run, naming the file.
  const read = (file: string, role: string) =>
    loadDataset({ path: file, types, lenient: config.lenient, lenientHint: LENIENT_FLAG_HINT, role, empty: 'refuse', log });
  let train: Document[] = (await read(paths.train, 'training set')).documents;
  if (config.limitTrain) train = train.slice(0, config.limitTrain);
  const valid = (await read(paths.valid, 'validation set')).documents;
  log(`train: ${paths.train} (${train.length} documents); validation: ${paths.valid} (${valid.length} documents)`);
  const settings = {
    maxSpanSize: config.maxSpanSize,
    sizeEmbedding: config.sizeEmbedding,
    propDrop: config.propDrop,
    relFilterThreshold: config.relFilterThreshold,
    maxPairs: config.maxPairs,
    relationNegatives: config.relationNegatives,
    relationContext: config.relationContext,
    spanPooling: config.spanPooling,
    relationEntityTypes: config.relationEntityTypes,
    typeEmbedding: config.typeEmbeddingSize,
    relationTypeConstraints: config.relationTypeConstraints,
    // The constraint table comes from the training set (as trainSpert would take it), so that it is saved with every checkpoint.
    ...(config.relationTypeConstraints === 'train' ? { relationTriples: collectRelationTriples(train, types, paths.train) } : {}),
  };
  const model: SpertModel = config.encoder
    ? await openModel({ id: config.encoder, types, settings, lowercase: config.lowercase, seed: config.seed, allowNonFinite: config.allowNonFinite })
    : createScratchModel({
        documents: train,
        types,
        family: config.family,
        hiddenSize: config.hiddenSize,
        layers: config.layers,
        heads: config.heads,
        intermediateSize: config.intermediateSize,
        maxVocab: config.maxVocab,
        lowercase: config.lowercase,
        seed: config.seed,
        settings,
      });
  const c = model.encoder.config;
  log(
    `encoder: ${config.encoder ?? `random ${c.model_type} (from scratch)`}: hidden ${c.hidden_size}, ${c.num_hidden_layers} layers, ${c.num_attention_heads} heads, ` +
      `vocabulary ${model.tokenizer.vocabSize}, ${model.encoder.parameterCount().toLocaleString('en')} parameters`,
  );
  // A validation document too long for the encoder must fail now, not after hours of training.
  model.encodeDocuments(valid.map((d) => d.tokens), { source: paths.valid });
  const tuning = config.tuneThresholds ? await readTuneSet(config, paths.valid, read) : undefined;
  if (tuning) model.encodeDocuments(tuning.documents.map((d) => d.tokens), { source: tuning.path });
  const out = path.resolve(config.out);
  await writeFileAtomic({ path: path.join(out, 'train_config.json'), data: `${JSON.stringify(config, null, 2)}\n` });
  const evalDir = path.join(out, 'eval');
  const controller = new AbortController();
  const onSignal = () => {
    log('interrupted: stopping after this step and writing a checkpoint (run again with --resume to continue)');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const modelDir = path.join(out, 'model');
  const saveAndEvaluate = async (step: number): Promise<PredictorEvaluation> => {
    if (tuning) {
      const tuned = await tuneModelThresholds(model, tuning.documents, { noOverlapping: config.noOverlapping, batchSize: config.evalBatchSize, source: tuning.path });
      const text = formatThresholdTuning(tuned, tuning.path);
      log(text);
      await writeFileAtomic({ path: path.join(evalDir, 'threshold_tuning.txt'), data: `${text}\n` });
      await writeFileAtomic({ path: path.join(evalDir, 'threshold_tuning.json'), data: `${JSON.stringify(tuned, null, 2)}\n` });
    }
    await saveModel(model, modelDir);
    log(`model saved to ${modelDir}; evaluating on ${paths.valid}`);
    return evaluatePredictor({
      predictor: model.asPredictor({ batchSize: config.evalBatchSize }),
      types: model.settings.types,
      documents: valid,
      noOverlapping: config.noOverlapping,
      source: paths.valid,
      outDir: evalDir,
      label: path.basename(paths.valid, '.json'),
      settings: model.settings,
      epoch: config.epochs,
      step,
    });
  };
  let final: PredictorEvaluation | undefined;
  try {
    const result = await trainSpert({
      model,
      documents: train,
      source: paths.train,
      epochs: config.epochs,
      batchSize: config.batchSize,
      lr: config.lr,
      lrWarmup: config.lrWarmup,
      weightDecay: config.weightDecay,
      maxGradNorm: config.maxGradNorm,
      negEntityCount: config.negEntityCount,
      negRelationCount: config.negRelationCount,
      freezeEncoder: config.freezeEncoder,
      seed: config.seed,
      logDir: path.join(out, 'log'),
      checkpointDir: path.join(out, 'checkpoints'),
      checkpointEverySteps: config.checkpointEvery,
      resume: config.resume,
      progress: config.progress,
      progressEvery: config.progressEvery,
      log,
      signal: controller.signal,
      evalEveryEpoch: config.evalEveryEpoch,
      // The last epoch's evaluation is the final one: the model is saved first (a failing
      // evaluation must not lose an hour of training), then the reports are written, and its
      // scores also land in the training log and curve. Nothing is evaluated twice.
      evaluate: async (epoch, step) => {
        if (epoch < config.epochs - 1) {
          const e = await evaluatePredictor({ predictor: model.asPredictor({ batchSize: config.evalBatchSize }), types: model.settings.types, documents: valid, noOverlapping: config.noOverlapping, source: paths.valid });
          log(`epoch ${epoch + 1}: NER micro F1 ${e.result.ner.micro.f1.toFixed(2)}, relations (with NEC) micro F1 ${e.result.relNec.micro.f1.toFixed(2)}`);
          return logMetrics(e);
        }
        final = await saveAndEvaluate(step);
        return logMetrics(final);
      },
    });
    if (result.stopped) throw new Error(`training stopped at step ${result.steps}; checkpoint: ${result.lastCheckpoint ?? 'none'}`);
    // A resumed run whose epochs were all done already gets its final evaluation here.
    const evaluation = final ?? (await saveAndEvaluate(result.steps));
    return { modelDir, evalDir, tables: evaluation.tables, seconds: (Date.now() - started) / 1000 };
  } finally {
    process.removeListener('SIGINT', onSignal);
    model.dispose();
  }
}
