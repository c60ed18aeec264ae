// Hugging Face model directories: config.json + model.safetensors (or sharded, or
// pytorch_model.bin) + tokenizer files. Loading splits encoder tensors from extra ones (SpERT's
// classifiers); saving writes what transformers' from_pretrained reads. The encoder family
// (config fields, parameter names, prefix) comes from the registry by config.json model_type.
import * as path from 'node:path';
import { parseJsonLimited, SpertError, writeFileAtomic } from '@spert/core';
import { nodeFs, type CheckpointFs } from './checkpoint-fs';
import type { EncoderConfig } from './family';
import { maskedLmTensorRole } from './masked-lm';
import { assertFiniteTensors } from './non-finite';
import { readPytorchBin } from './pytorch-bin';
import { checkpointFamily, DEFAULT_MODEL_TYPE, familyOfConfig, parseEncoderConfig } from './registry';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** A loaded checkpoint directory. */
export interface Checkpoint {
  dir: string;
  /** The encoder's config, parsed by the family its model_type names. */
  config: EncoderConfig;
  /** Encoder tensors under encoder names (no family prefix such as `bert.`, LayerNorm.weight/bias), PyTorch layout. */
  encoderTensors: Map<string, NamedTensor>;
  /** Every other kept tensor under its checkpoint name (e.g. `entity_classifier.weight`). */
  extraTensors: Map<string, NamedTensor>;
  /** Tensors dropped because encoders never use them (`cls.*`, `position_ids`). */
  ignored: string[];
  /**
   * The family's masked-LM head among the ignored tensors, under Hugging Face names with legacy
   * LayerNorm names normalised; the tied decoder copies (`*.decoder.weight`, `*.decoder.bias`) are
   * kept under their names so a loader can check that they equal what they are tied to.
   */
  maskedLmTensors: Map<string, NamedTensor>;
  /** The weights file(s) read. */
  weightsFiles: string[];
  /** Tokenizer files present in the directory. */
  vocabPath?: string;
  tokenizerJsonPath?: string;
  tokenizerConfigPath?: string;
}

/** Options of loadCheckpoint. */
export interface LoadCheckpointOptions {
  dir: string;
  fs?: CheckpointFs;
  /** Load tensors holding NaN or infinite values instead of refusing them (default false). */
  allowNonFinite?: boolean;
}

/**
 * Splits raw checkpoint tensors into encoder, extra and ignored ones (names normalised by the
 * family of `modelType`, default "bert"); `source` names the file in errors.
 */
export function splitCheckpointTensors(raw: Map<string, NamedTensor>, source: string, modelType = DEFAULT_MODEL_TYPE): Pick<Checkpoint, 'encoderTensors' | 'extraTensors' | 'ignored' | 'maskedLmTensors'> {
  const family = checkpointFamily(modelType, source);
  const encoderTensors = new Map<string, NamedTensor>();
  const extraTensors = new Map<string, NamedTensor>();
  const maskedLmTensors = new Map<string, NamedTensor>();
  const ignored: string[] = [];
  for (const [name, t] of raw) {
    const head = maskedLmTensorRole(family.maskedLm, name);
    if (head) {
      const key = head.kind === 'param' ? head.name : name;
      if (maskedLmTensors.has(key)) throw new SpertError('INVALID_CHECKPOINT', `${source}: tensor "${name}" duplicates "${key}" (two legacy spellings of one masked-LM head tensor)`);
      maskedLmTensors.set(key, t);
    }
    if (family.isIgnoredTensor(name) || head) {
      ignored.push(name);
      continue;
    }
    const enc = family.encoderParamName(name);
    if (enc === null) {
      extraTensors.set(name, t);
    } else {
      if (encoderTensors.has(enc)) throw new SpertError('INVALID_CHECKPOINT', `${source}: tensor "${name}" duplicates "${enc}" (both prefixed and unprefixed, or two legacy spellings)`);
      encoderTensors.set(enc, t);
    }
  }
  return { encoderTensors, extraTensors, ignored, maskedLmTensors };
}

/** Loads a Hugging Face encoder directory of a registered family (safetensors preferred, then sharded safetensors, then pytorch_model.bin). */
export async function loadCheckpoint({ dir, fs = nodeFs, allowNonFinite = false }: LoadCheckpointOptions): Promise<Checkpoint> {
  const file = (f: string) => path.join(dir, f);
  if (!(await fs.exists(file('config.json')))) throw new SpertError('FILE_NOT_FOUND', `checkpoint ${dir}: config.json is missing`);
  const config = parseEncoderConfig(new TextDecoder().decode(await fs.readBytes(file('config.json'))), file('config.json'));
  const raw = new Map<string, NamedTensor>();
  const weightsFiles: string[] = [];
  const addAll = (tensors: Map<string, NamedTensor>, from: string) => {
    for (const [k, v] of tensors) {
      if (raw.has(k)) throw new SpertError('INVALID_CHECKPOINT', `${from}: tensor "${k}" appears in more than one shard`);
      raw.set(k, v);
    }
    weightsFiles.push(from);
  };
  if (await fs.exists(file('model.safetensors'))) {
    addAll(readSafetensors(await fs.readBytes(file('model.safetensors')), file('model.safetensors')).tensors, file('model.safetensors'));
  } else if (await fs.exists(file('model.safetensors.index.json'))) {
    const indexPath = file('model.safetensors.index.json');
    let weightMap: Record<string, string>;
    try {
      weightMap = (parseJsonLimited(new TextDecoder().decode(await fs.readBytes(indexPath))) as { weight_map: Record<string, string> }).weight_map;
    } catch (e) {
      throw new SpertError('INVALID_FILE', `${indexPath}: not valid JSON: ${(e as Error).message}`);
    }
    if (typeof weightMap !== 'object' || weightMap === null) throw new SpertError('INVALID_CHECKPOINT', `${indexPath}: "weight_map" is missing`);
    for (const shard of [...new Set(Object.values(weightMap))].sort()) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) throw new SpertError('INVALID_CHECKPOINT', `${indexPath}: bad shard name ${JSON.stringify(shard)}`);
      addAll(readSafetensors(await fs.readBytes(file(shard)), file(shard)).tensors, file(shard));
    }
  } else if (await fs.exists(file('pytorch_model.bin'))) {
    addAll(readPytorchBin(await fs.readBytes(file('pytorch_model.bin')), file('pytorch_model.bin')), file('pytorch_model.bin'));
  } else {
    throw new SpertError('FILE_NOT_FOUND', `checkpoint ${dir}: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)`);
  }
  if (!allowNonFinite) assertFiniteTensors(raw, weightsFiles.join(', '));
  const split = splitCheckpointTensors(raw, weightsFiles.join(', '), config.model_type);
  const optional = async (f: string) => ((await fs.exists(file(f))) ? file(f) : undefined);
  return {
    dir,
    config,
    ...split,
    weightsFiles,
    vocabPath: await optional('vocab.txt'),
    tokenizerJsonPath: await optional('tokenizer.json'),
    tokenizerConfigPath: await optional('tokenizer_config.json'),
  };
}

/** Options of saveCheckpoint. */
export interface SaveCheckpointOptions {
  dir: string;
  /** The encoder's config; its model_type picks the family that writes config.json and names tensors. */
  config: EncoderConfig;
  /** Encoder tensors (PyTorch layout, encoder names without prefix), e.g. from an encoder's toTensors(). */
  encoderTensors: Map<string, NamedTensor>;
  /** Further tensors saved under their own names (e.g. SpERT's classifiers). */
  extraTensors?: Map<string, NamedTensor>;
  /** Prefix encoder names with the family's prefix, `bert.` for BERT (default false, as BertModel.save_pretrained). */
  prefix?: boolean;
  /** Fields merged into config.json (e.g. SpERT's settings). */
  extraConfig?: Record<string, unknown>;
  /** vocab.txt lines to write beside the weights. */
  vocab?: string[];
  fs?: CheckpointFs;
}

/** Writes config.json and model.safetensors ({"format":"pt"}) atomically; returns the files written. */
export async function saveCheckpoint({ dir, config, encoderTensors, extraTensors, prefix = false, extraConfig, vocab, fs = nodeFs }: SaveCheckpointOptions): Promise<string[]> {
  const family = familyOfConfig(config, 'saveCheckpoint');
  const all = new Map<string, NamedTensor>();
  for (const [k, v] of encoderTensors) {
    const enc = family.encoderParamName(k);
    if (enc === null) throw new SpertError('INVALID_INPUT', `saveCheckpoint: "${k}" is not a ${family.modelType} encoder tensor name`);
    all.set(prefix ? `${family.prefix}${enc}` : enc, v);
  }
  for (const [k, v] of extraTensors ?? []) {
    if (all.has(k) || family.encoderParamName(k) !== null) throw new SpertError('INVALID_INPUT', `saveCheckpoint: extra tensor "${k}" clashes with an encoder tensor`);
    all.set(k, v);
  }
  const written: string[] = [];
  const out = async (name: string, data: Uint8Array | string) => {
    await writeFileAtomic({ path: path.join(dir, name), data, fs });
    written.push(path.join(dir, name));
  };
  await out('model.safetensors', writeSafetensors(all, { format: 'pt' }));
  await out('config.json', `${JSON.stringify({ ...family.configToJson(config), ...extraConfig }, null, 2)}\n`);
  if (vocab) await out('vocab.txt', `${vocab.join('\n')}\n`);
  return written;
}
