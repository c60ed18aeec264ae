// Hugging Face model directories: config.json + model.safetensors (or sharded, or
// pytorch_model.bin) + tokenizer files. Loading splits encoder tensors from extra ones (SpERT's
// classifiers); saving writes what transformers' from_pretrained reads.
import * as path from 'node:path';
import { bertConfigToJson, parseBertConfig, type BertConfig } from './bert-config';
import { encoderParamName, isIgnoredCheckpointTensor } from './bert-names';
import { nodeFs, writeFileAtomic, type CheckpointFs } from './checkpoint-fs';
import { readPytorchBin } from './pytorch-bin';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** A loaded checkpoint directory. */
export interface Checkpoint {
  dir: string;
  config: BertConfig;
  /** Encoder tensors under encoder names (no `bert.` prefix, LayerNorm.weight/bias), PyTorch layout. */
  encoderTensors: Map<string, NamedTensor>;
  /** Every other kept tensor under its checkpoint name (e.g. `entity_classifier.weight`). */
  extraTensors: Map<string, NamedTensor>;
  /** Tensors dropped because encoders never use them (`cls.*`, `position_ids`). */
  ignored: string[];
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
}

/** Splits raw checkpoint tensors into encoder, extra and ignored ones (names normalised); `source` names the file in errors. */
export function splitCheckpointTensors(raw: Map<string, NamedTensor>, source: string): Pick<Checkpoint, 'encoderTensors' | 'extraTensors' | 'ignored'> {
  const encoderTensors = new Map<string, NamedTensor>();
  const extraTensors = new Map<string, NamedTensor>();
  const ignored: string[] = [];
  for (const [name, t] of raw) {
    if (isIgnoredCheckpointTensor(name)) {
      ignored.push(name);
      continue;
    }
    const enc = encoderParamName(name);
    if (enc === null) {
      extraTensors.set(name, t);
    } else {
      if (encoderTensors.has(enc)) throw new Error(`${source}: tensor "${name}" duplicates "${enc}" (both prefixed and unprefixed, or both gamma and weight)`);
      encoderTensors.set(enc, t);
    }
  }
  return { encoderTensors, extraTensors, ignored };
}

/** Loads a Hugging Face BERT directory (safetensors preferred, then sharded safetensors, then pytorch_model.bin). */
export async function loadCheckpoint({ dir, fs = nodeFs }: LoadCheckpointOptions): Promise<Checkpoint> {
  const file = (f: string) => path.join(dir, f);
  if (!(await fs.exists(file('config.json')))) throw new Error(`checkpoint ${dir}: config.json is missing`);
  const config = parseBertConfig(new TextDecoder().decode(await fs.readFile(file('config.json'))), file('config.json'));
  const raw = new Map<string, NamedTensor>();
  const weightsFiles: string[] = [];
  const addAll = (tensors: Map<string, NamedTensor>, from: string) => {
    for (const [k, v] of tensors) {
      if (raw.has(k)) throw new Error(`${from}: tensor "${k}" appears in more than one shard`);
      raw.set(k, v);
    }
    weightsFiles.push(from);
  };
  if (await fs.exists(file('model.safetensors'))) {
    addAll(readSafetensors(await fs.readFile(file('model.safetensors')), file('model.safetensors')).tensors, file('model.safetensors'));
  } else if (await fs.exists(file('model.safetensors.index.json'))) {
    const indexPath = file('model.safetensors.index.json');
    let weightMap: Record<string, string>;
    try {
      weightMap = JSON.parse(new TextDecoder().decode(await fs.readFile(indexPath))).weight_map;
    } catch (e) {
      throw new Error(`${indexPath}: not valid JSON: ${(e as Error).message}`);
    }
    if (typeof weightMap !== 'object' || weightMap === null) throw new Error(`${indexPath}: "weight_map" is missing`);
    for (const shard of [...new Set(Object.values(weightMap))].sort()) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) throw new Error(`${indexPath}: bad shard name ${JSON.stringify(shard)}`);
      addAll(readSafetensors(await fs.readFile(file(shard)), file(shard)).tensors, file(shard));
    }
  } else if (await fs.exists(file('pytorch_model.bin'))) {
    addAll(readPytorchBin(await fs.readFile(file('pytorch_model.bin')), file('pytorch_model.bin')), file('pytorch_model.bin'));
  } else {
    throw new Error(`checkpoint ${dir}: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)`);
  }
  const split = splitCheckpointTensors(raw, weightsFiles.join(', '));
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
  config: BertConfig;
  /** Encoder tensors (PyTorch layout, encoder names without prefix), e.g. from BertEncoder.toTensors(). */
  encoderTensors: Map<string, NamedTensor>;
  /** Further tensors saved under their own names (e.g. SpERT's classifiers). */
  extraTensors?: Map<string, NamedTensor>;
  /** Prefix encoder names with `bert.` (default false, as BertModel.save_pretrained). */
  prefix?: boolean;
  /** Fields merged into config.json (e.g. SpERT's settings). */
  extraConfig?: Record<string, unknown>;
  /** vocab.txt lines to write beside the weights. */
  vocab?: string[];
  fs?: CheckpointFs;
}

/** Writes config.json and model.safetensors ({"format":"pt"}) atomically; returns the files written. */
export async function saveCheckpoint({ dir, config, encoderTensors, extraTensors, prefix = false, extraConfig, vocab, fs = nodeFs }: SaveCheckpointOptions): Promise<string[]> {
  const all = new Map<string, NamedTensor>();
  for (const [k, v] of encoderTensors) {
    const enc = encoderParamName(k);
    if (enc === null) throw new Error(`saveCheckpoint: "${k}" is not an encoder tensor name`);
    all.set(prefix ? `bert.${enc}` : enc, v);
  }
  for (const [k, v] of extraTensors ?? []) {
    if (all.has(k) || encoderParamName(k) !== null) throw new Error(`saveCheckpoint: extra tensor "${k}" clashes with an encoder tensor`);
    all.set(k, v);
  }
  const written: string[] = [];
  const out = async (name: string, data: Uint8Array | string) => {
    await writeFileAtomic(path.join(dir, name), data, fs);
    written.push(path.join(dir, name));
  };
  await out('model.safetensors', writeSafetensors(all, { format: 'pt' }));
  await out('config.json', `${JSON.stringify({ ...bertConfigToJson(config), ...extraConfig }, null, 2)}\n`);
  if (vocab) await out('vocab.txt', `${vocab.join('\n')}\n`);
  return written;
}
