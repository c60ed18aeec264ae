// Exports a SpERT model directory (Hugging Face layout, reference parameter names) to the
// directory SpertOnnxRuntime loads: encoder.onnx, entity_head.onnx, relation_head.onnx,
// config.json (+ "spert" object), and the tokenizer files copied over.
import * as path from 'node:path';
import type { TypesSchema } from '@spert/core';
import { checkpointFamily, loadCheckpoint, nodeFs, parseEncoderConfig, type CheckpointFs } from '@spert/checkpoint';
import { buildEncoderGraph } from './export-encoder';
import type { Quantization } from './quantize';
import { buildEntityHeadGraph, buildRelationHeadGraph } from './export-heads';
import { ONNX_FILES } from './onnx-files';
import { readSettings, settingsToJson, SpertError, writeFileAtomic, type SpertSettings } from '@spert/core';
import { weightShape, type WeightMap } from './weights';

/** Options of exportSpertOnnx. */
export interface ExportSpertOnnxOptions {
  /** Model directory: config.json, model.safetensors (or shards) or pytorch_model.bin, vocab.txt/tokenizer files. */
  modelDir: string;
  /** Output directory (created). */
  outDir: string;
  /** Types (class order) when config.json lacks the "spert" object (reference directories). */
  types?: TypesSchema;
  /** Parameters already in memory under the reference's names (skips reading the weights file). */
  weights?: WeightMap;
  /** File access (default node:fs), the same interface @spert/checkpoint's functions take. */
  fs?: CheckpointFs;
  /** Export weights holding NaN or infinite values instead of refusing them (default false). */
  allowNonFinite?: boolean;
  /** 'int8': dynamically quantized encoder MatMuls (smaller, faster on CPU; see README for the F1 change). */
  quantization?: Quantization;
  /** Give encoder.onnx a token_type_ids input (default true; SpERT always feeds zeros). */
  tokenTypeIds?: boolean;
}

/** What was written. */
export interface ExportResult {
  outDir: string;
  files: string[];
  settings: SpertSettings;
}

const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a SpERT checkpoint's parameters under the reference's names (the family prefix, `bert.*` for BERT, + heads). */
export async function readCheckpointWeights({ modelDir, fs = nodeFs, allowNonFinite }: { modelDir: string; fs?: CheckpointFs; allowNonFinite?: boolean }): Promise<WeightMap> {
  const ckpt = await loadCheckpoint({ dir: modelDir, fs, allowNonFinite });
  const { prefix } = checkpointFamily(ckpt.config.model_type, path.join(modelDir, 'config.json'));
  const weights: WeightMap = new Map();
  for (const [k, v] of ckpt.encoderTensors) weights.set(`${prefix}${k}`, v);
  for (const [k, v] of ckpt.extraTensors) weights.set(k, v);
  return weights;
}

/** Exports a SpERT model directory to ONNX graphs plus config and tokenizer files. */
export async function exportSpertOnnx(options: ExportSpertOnnxOptions): Promise<ExportResult> {
  const fs = options.fs ?? nodeFs;
  const { modelDir, outDir } = options;
  const configFile = path.join(modelDir, 'config.json');
  if (!(await fs.exists(configFile))) throw new SpertError('FILE_NOT_FOUND', `${configFile}: missing; a SpERT model directory needs config.json`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(new TextDecoder().decode(await fs.readBytes(configFile))) as Record<string, unknown>;
  } catch (e) {
    throw new SpertError('INVALID_FILE', `${configFile}: not valid JSON: ${(e as Error).message}`);
  }
  const { spert: _spert, ...bertFields } = raw;
  const config = parseEncoderConfig(bertFields, configFile);
  const settings = readSettings(raw, { types: options.types, source: configFile });
  const weights = options.weights ?? (await readCheckpointWeights({ modelDir, fs, allowNonFinite: options.allowNonFinite }));

  const H = config.hidden_size;
  const E = settings.types.entities.length;
  const R = settings.types.relations.length;
  const [entOut] = weightShape(weights, 'entity_classifier.weight');
  if (entOut !== E + 1) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: entity_classifier has ${entOut} outputs but the types list ${E} entity types (+ none = ${E + 1}); wrong types file?`);
  const [relOut] = weightShape(weights, 'rel_classifier.weight');
  if (relOut !== R) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: rel_classifier has ${relOut} outputs but the types list ${R} relation types; wrong types file?`);
  const [, sizeDim] = weightShape(weights, 'size_embeddings.weight');
  if (sizeDim !== settings.sizeEmbedding) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: size_embeddings width ${sizeDim} differs from spert.size_embedding ${settings.sizeEmbedding}`);
  if (settings.relationEntityTypes === 'embedding') {
    if (!weights.has('rel_type_embeddings.weight')) throw new SpertError('INVALID_CHECKPOINT', 'checkpoint: config.json says spert.relation_entity_types "embedding" but the weights have no rel_type_embeddings.weight');
    const [rows, dim] = weightShape(weights, 'rel_type_embeddings.weight');
    if (rows !== E + 1 || dim !== settings.typeEmbedding) {
      throw new SpertError('INVALID_CHECKPOINT', `checkpoint: rel_type_embeddings.weight is [${rows}, ${dim}] but the settings say [${E + 1}, ${settings.typeEmbedding}] (${E} entity types + none, spert.type_embedding_size)`);
    }
  }

  await fs.mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, data: Uint8Array | string) => {
    await writeFileAtomic({ path: path.join(outDir, name), data, fs });
    files.push(name);
  };
  const heads = {
    weights,
    hiddenSize: H,
    maxSequenceLength: checkpointFamily(config.model_type, configFile).maxSequenceLength(config),
    // The ablation variants live in the graphs; one they cannot build fails the export (checkVariant).
    spanPooling: settings.spanPooling,
    relationContext: settings.relationContext,
    relationEntityTypes: settings.relationEntityTypes,
  };
  await write(ONNX_FILES.encoder, buildEncoderGraph({ config, weights, quantization: options.quantization ?? 'none', tokenTypeIds: options.tokenTypeIds ?? true }));
  await write(ONNX_FILES.entityHead, buildEntityHeadGraph(heads));
  await write(ONNX_FILES.relationHead, buildRelationHeadGraph(heads));
  await write('config.json', JSON.stringify({ ...bertFields, spert_version: '1.1', spert: { ...(isObject(raw.spert) ? raw.spert : {}), ...settingsToJson(settings) } }, null, 2) + '\n');
  let hasVocab = false;
  for (const name of TOKENIZER_FILES) {
    const file = path.join(modelDir, name);
    if (!(await fs.exists(file))) continue;
    hasVocab ||= name === 'vocab.txt' || name === 'tokenizer.json';
    await write(name, await fs.readBytes(file));
  }
  if (!hasVocab) throw new SpertError('FILE_NOT_FOUND', `${modelDir}: no vocab.txt or tokenizer.json to copy; the runtime needs the tokenizer`);
  return { outDir, files, settings };
}
