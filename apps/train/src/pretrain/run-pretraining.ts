import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { backendReport, formatBackendReport, useBackend } from '@spert/backend';
import { checkpointFamily, encoderMaxLength } from '@spert/checkpoint';
import { SpertError, writeFileAtomic } from '@spert/core';
import { countCorpusWords, formatCorpusReport, maskedBatch, openOrBuildSequenceStore, readCorpus, type CorpusSplit, type ReadCorpusOptions, type SequenceStore, type SequenceStoreResult } from '@spert/corpus';
import { loadMaskedLm, MaskedLmHead, type Encoder } from '@spert/encoder';
import { createScratchEncoder, saveMaskedLmModel } from '@spert/model';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';
import { evaluateMaskedLm, listCheckpoints, loadVariables, maskedLmParams, pretrainMaskedLm, type MaskedLmSource } from '@spert/trainer';
import { resolvePretrainConfig, type PretrainConfig } from './options';
import { readConfigFile } from '../options';

const CONFIG_FILE = 'pretrain_config.json';

/** What a pre-training run produced. */
export interface PretrainingRun {
  /** The pre-trained checkpoint (`spert-train --encoder` takes it). */
  encoderDir: string;
  /** Updates done in total. */
  steps: number;
  /** Real tokens of the training sequences, times the epochs run. */
  trainTokens: number;
  /** Final validation loss and masked-token accuracy (absent without validation text). */
  validation?: { loss: number; accuracy: number };
  seconds: number;
}

/** The batches of a store, masked per (seed, epoch, sequence) as @spert/corpus defines it. */
function storeSource(store: SequenceStore, tokenizer: SubwordTokenizer, config: PretrainConfig): MaskedLmSource {
  return {
    length: store.length,
    batch: (indices, epoch) => {
      const b = maskedBatch({ store, indices, epoch, seed: config.seed, specialIds: tokenizer.specialIds, vocabSize: tokenizer.vocabSize, maskProbability: config.maskProbability, wholeWord: config.wholeWord });
      return { batchSize: b.batchSize, seqLen: b.sequenceLength, inputIds: b.inputIds, attentionMask: b.attentionMask, positions: b.maskedPositions, labels: b.maskedLabels, tokens: b.realTokens };
    },
  };
}

/** How the run reads its training and validation text. */
function readings(config: PretrainConfig): { trainReading: ReadCorpusOptions; validationReading?: ReadCorpusOptions } {
  const reading = { paths: config.corpus, textMode: config.textMode, textField: config.textField } as const;
  const split = (part: CorpusSplit['part']): CorpusSplit | undefined => (config.validationCorpus || config.validationFraction === 0 ? undefined : { validationFraction: config.validationFraction, seed: config.seed, part });
  const trainReading: ReadCorpusOptions = { ...reading, split: split('train') };
  const validationReading: ReadCorpusOptions | undefined = config.validationCorpus
    ? { ...reading, paths: config.validationCorpus }
    : config.validationFraction > 0
      ? { ...reading, split: split('validation') }
      : undefined;
  return { trainReading, validationReading };
}

/** The `spert_pretraining` block of the written config.json: where the weights came from and how they were trained. */
function pretrainingRecord(config: PretrainConfig, source: string, steps: number, train: SequenceStoreResult, validation: { loss: number; accuracy: number } | undefined): { record: Record<string, unknown>; trainTokens: number } {
  const sequencesSeen = steps * config.batchSize * config.accumulate;
  const trainTokens = Math.round((train.meta.counts.tokens / Math.max(1, train.store.length)) * sequencesSeen);
  return {
    trainTokens,
    record: {
      from: source,
      steps,
      tokens: trainTokens,
      corpus: train.meta.inputs.map((i) => ({ path: i.path, sha256: i.sha256 })),
      max_length: config.maxLength,
      mask_probability: config.maskProbability,
      whole_word: config.wholeWord,
      validation_loss: validation?.loss,
      validation_accuracy: validation?.accuracy,
    },
  };
}

/** The encoder, its head and tokenizer: from a checkpoint, from a resumed scratch run's start, or new from the corpus. */
async function openEncoder(config: PretrainConfig, trainReading: ReadCorpusOptions, initDir: string, log: (s: string) => void): Promise<{ encoder: Encoder; head: MaskedLmHead; tokenizer: SubwordTokenizer; source: string }> {
  if (config.encoder) {
    const { encoder, head, checkpoint, headFromCheckpoint } = await loadMaskedLm({ id: config.encoder, seed: config.seed });
    const { tokenizer } = await loadTokenizer({ dir: checkpoint.dir, lowercase: config.lowercase, encoderMaxLength: encoderMaxLength(encoder.config) });
    log(`encoder: ${checkpoint.dir} (${encoder.config.model_type}); masked-LM head ${headFromCheckpoint ? 'from the checkpoint' : 'new (the checkpoint has none)'}`);
    return { encoder, head, tokenizer, source: config.encoder };
  }
  // A scratch run keeps its starting point (tokenizer and initial weights): a resume reopens it
  // instead of counting the corpus and training the tokenizer again.
  if (config.resume && existsSync(path.join(initDir, 'config.json'))) {
    const { encoder, head } = await loadMaskedLm({ id: initDir, seed: config.seed });
    const { tokenizer } = await loadTokenizer({ dir: initDir, encoderMaxLength: encoderMaxLength(encoder.config) });
    log(`encoder: the run's starting point ${initDir} (resume)`);
    // Named as the uninterrupted run names it, so that both write the same config.json.
    return { encoder, head, tokenizer, source: `random ${config.family ?? 'bert'}` };
  }
  log('counting the training text\'s words for the tokenizer');
  const counts = await countCorpusWords(readCorpus(trainReading));
  const family = config.family ?? 'bert';
  const { encoder, tokenizer } = createScratchEncoder({
    family,
    wordCounts: counts,
    hiddenSize: config.hiddenSize,
    layers: config.layers,
    heads: config.heads,
    intermediateSize: config.intermediateSize,
    maxVocab: config.maxVocab,
    maxPositions: config.maxPositions,
    lowercase: config.lowercase,
    seed: config.seed,
  });
  const head = MaskedLmHead.create({ encoder, seed: config.seed });
  await saveMaskedLmModel({ dir: initDir, encoder, head, tokenizer });
  log(`encoder: random ${family} from scratch, tokenizer trained on ${counts.size.toLocaleString('en')} distinct words (vocabulary ${tokenizer.vocabSize}); starting point saved to ${initDir}`);
  return { encoder, head, tokenizer, source: `random ${family}` };
}

/** Builds (or reuses) a sequence store, logging progress and the corpus report. */
async function store(dir: string, corpus: ReadCorpusOptions, tokenizer: SubwordTokenizer, maxLength: number, what: string, log: (s: string) => void, signal: AbortSignal): Promise<SequenceStoreResult> {
  let next = 10_000;
  const result = await openOrBuildSequenceStore({
    dir,
    corpus,
    tokenizer,
    maxLength,
    signal,
    onProgress: (p) => {
      if (p.documents >= next) {
        log(`packing ${what}: ${p.documents.toLocaleString('en')} documents, ${p.sequences.toLocaleString('en')} sequences, ${p.tokens.toLocaleString('en')} tokens`);
        next += 10_000;
      }
    },
  });
  const c = result.meta.counts;
  log(`${what}: ${result.reused ? 'reused' : 'built'} ${dir}: ${c.documents.toLocaleString('en')} documents -> ${c.sequences.toLocaleString('en')} sequences of up to ${maxLength} subwords (${c.tokens.toLocaleString('en')} tokens)`);
  log(formatCorpusReport({ files: result.meta.files, documents: c.documents, words: c.words, badLines: c.badLines, otherPart: c.otherPart, complete: true }));
  return result;
}

/**
 * Pre-trains an encoder as configured: tokenizer and encoder (from a checkpoint, or from scratch on
 * the corpus), packed train and validation stores under <out>/data, masked-LM training with
 * checkpoints and logs, and the pre-trained checkpoint in <out>/encoder.
 */
export async function runPretraining(config: PretrainConfig, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<PretrainingRun> {
  const started = Date.now();
  await useBackend(config.backend);
  log(formatBackendReport(await backendReport(), { verbose: config.verbose }));
  const out = path.resolve(config.out);
  await writeFileAtomic({ path: path.join(out, CONFIG_FILE), data: `${JSON.stringify(config, null, 2)}\n` });
  const { trainReading, validationReading } = readings(config);

  const controller = new AbortController();
  const onSignal = () => {
    log('interrupted: stopping after this step and writing a checkpoint (run again with --resume to continue)');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const { encoder, head, tokenizer, source } = await openEncoder(config, trainReading, path.join(out, 'init'), log);
  const stores: SequenceStore[] = [];
  try {
    const family = checkpointFamily(encoder.config.model_type);
    const longest = Math.min(family.maxSequenceLength(encoder.config), tokenizer.maxLength);
    if (config.maxLength > longest) throw new SpertError('INVALID_OPTION', `--max-length ${config.maxLength} is longer than the encoder accepts (${longest} subwords)`);
    log(`encoder: hidden ${encoder.config.hidden_size}, ${encoder.config.num_hidden_layers} layers, ${encoder.config.num_attention_heads} heads, vocabulary ${tokenizer.vocabSize}, ${(encoder.parameterCount() + head.parameterCount()).toLocaleString('en')} parameters with the head`);
    const train = await store(path.join(out, 'data', 'train'), trainReading, tokenizer, config.maxLength, 'training text', log, controller.signal);
    stores.push(train.store);
    const validation = validationReading ? await store(path.join(out, 'data', 'validation'), validationReading, tokenizer, config.maxLength, 'validation text', log, controller.signal) : undefined;
    if (validation) stores.push(validation.store);
    if (validation && validation.store.length === 0) throw new SpertError('INVALID_CORPUS', 'the validation text gave no sequence: raise --validation-fraction, pass --validation-corpus, or set --validation-fraction 0');
    const trainSource = storeSource(train.store, tokenizer, config);
    const validationSource = validation ? storeSource(validation.store, tokenizer, config) : undefined;
    const result = await pretrainMaskedLm({
      encoder,
      head,
      train: trainSource,
      validation: validationSource,
      epochs: config.epochs,
      maxSteps: config.maxSteps,
      batchSize: config.batchSize,
      accumulate: config.accumulate,
      lr: config.lr,
      warmupFraction: config.lrWarmup,
      weightDecay: config.weightDecay,
      maxGradNorm: config.maxGradNorm,
      seed: config.seed,
      checkpointDir: path.join(out, 'checkpoints'),
      checkpointEverySteps: config.checkpointEvery,
      evaluateEverySteps: config.evalEvery ?? config.checkpointEvery,
      resume: config.resume,
      logDir: path.join(out, 'log'),
      progress: config.progress,
      progressEvery: config.progressEvery,
      log,
      signal: controller.signal,
      // A resume must see the same data and masking: the stores' identities (corpus sha256s, tokenizer, length) and the masking rules.
      settings: {
        trainStore: JSON.stringify(train.meta.identity),
        validationStore: validation ? JSON.stringify(validation.meta.identity) : 'none',
        maskProbability: config.maskProbability,
        wholeWord: config.wholeWord,
      },
    });
    if (result.stopped) throw new Error(`pre-training stopped at step ${result.steps}; checkpoint: ${result.lastCheckpoint ?? 'none'} (run again with --resume)`);
    const last = result.evals.at(-1)?.metrics;
    const final = validationSource
      ? last && result.evals.at(-1)!.step === result.steps
        ? { loss: last.validation_loss, accuracy: last.validation_accuracy }
        : (({ loss, accuracy }) => ({ loss, accuracy }))(evaluateMaskedLm({ encoder, head, source: validationSource, batchSize: config.batchSize }))
      : undefined;
    const updates = result.steps;
    const { record, trainTokens } = pretrainingRecord(config, source, updates, train, final);
    const encoderDir = path.join(out, 'encoder');
    await saveMaskedLmModel({ dir: encoderDir, encoder, head, tokenizer, extraConfig: { spert_pretraining: record } });
    return { encoderDir, steps: updates, trainTokens, validation: final, seconds: (Date.now() - started) / 1000 };
  } finally {
    process.removeListener('SIGINT', onSignal);
    for (const s of stores) s.close();
    head.dispose();
    encoder.dispose();
  }
}

/** What exporting one of a run's checkpoints wrote. */
export interface ExportedCheckpoint {
  /** The fine-tunable checkpoint directory, `<out>/encoder-step-N`. */
  encoderDir: string;
  step: number;
  /** Real tokens of the training sequences seen up to that step. */
  trainTokens: number;
  /** Validation loss and masked-token accuracy at that step (absent when the run has no validation text). */
  validation?: { loss: number; accuracy: number };
}

/**
 * Writes the weights of checkpoint `step` (default: the newest) of the pre-training run in `out`
 * as a checkpoint directory that `spert-train --encoder` takes, `<out>/encoder-step-N`, with its
 * validation loss and accuracy: an intermediate point of a long run can be fine-tuned while
 * (or instead of) running the rest.
 */
export async function exportPretrainingCheckpoint({ out, step, backend, log = (s) => process.stderr.write(`${s}\n`) }: { out: string; step?: number; backend?: PretrainConfig['backend']; log?: (s: string) => void }): Promise<ExportedCheckpoint> {
  const runDir = path.resolve(out);
  const configPath = path.join(runDir, CONFIG_FILE);
  if (!existsSync(configPath)) throw new SpertError('FILE_NOT_FOUND', `${runDir} is not a spert-pretrain run directory: it has no ${CONFIG_FILE} (--out names the run to export from)`);
  const config = resolvePretrainConfig([readConfigFile(configPath)], configPath);
  const all = await listCheckpoints({ root: path.join(runDir, 'checkpoints') });
  if (all.length === 0) throw new SpertError('FILE_NOT_FOUND', `${runDir}/checkpoints holds no complete checkpoint to export`);
  const chosen = step === undefined ? all.at(-1)! : all.find((c) => c.step === step);
  if (!chosen) throw new SpertError('INVALID_OPTION', `--export-checkpoint ${step}: ${runDir}/checkpoints has steps ${all.map((c) => c.step).join(', ')} (older ones are pruned as the run goes)`);
  await useBackend(backend ?? config.backend);
  const initDir = path.join(runDir, 'init');
  if (!config.encoder && !existsSync(path.join(initDir, 'config.json'))) throw new SpertError('FILE_NOT_FOUND', `${initDir} is missing: a scratch run's tokenizer and configuration live there`);
  const { trainReading, validationReading } = readings(config);
  const controller = new AbortController();
  // resume: true reopens the run's own starting point (tokenizer, configuration) instead of building one.
  const { encoder, head, tokenizer, source } = await openEncoder({ ...config, resume: true }, trainReading, initDir, log);
  const stores: SequenceStore[] = [];
  try {
    await loadVariables({ dir: chosen.path, params: maskedLmParams(encoder, head) });
    log(`weights: ${chosen.path} (step ${chosen.step})`);
    const train = await store(path.join(runDir, 'data', 'train'), trainReading, tokenizer, config.maxLength, 'training text', log, controller.signal);
    stores.push(train.store);
    let validation: { loss: number; accuracy: number } | undefined;
    if (validationReading) {
      const v = await store(path.join(runDir, 'data', 'validation'), validationReading, tokenizer, config.maxLength, 'validation text', log, controller.signal);
      stores.push(v.store);
      const m = evaluateMaskedLm({ encoder, head, source: storeSource(v.store, tokenizer, config), batchSize: config.batchSize });
      validation = { loss: m.loss, accuracy: m.accuracy };
    }
    const { record, trainTokens } = pretrainingRecord(config, source, chosen.step, train, validation);
    const encoderDir = path.join(runDir, `encoder-step-${chosen.step}`);
    await saveMaskedLmModel({ dir: encoderDir, encoder, head, tokenizer, extraConfig: { spert_pretraining: record } });
    return { encoderDir, step: chosen.step, trainTokens, validation };
  } finally {
    for (const s of stores) s.close();
    head.dispose();
    encoder.dispose();
  }
}
