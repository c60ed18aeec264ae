// Public types of the onnxruntime-node runtime.
import type { DocumentScores, Prediction, TypesSchema } from '@spert/core';
import type { TooLongPolicy } from '@spert/pipeline';

/** Execution providers the runtime knows how to ask onnxruntime-node for. */
export type ExecutionProvider = 'cpu' | 'cuda';

/** Options of SpertOnnxRuntime.load. */
export interface SpertOnnxLoadOptions {
  /** Intra-op threads per session (default: onnxruntime's choice, all cores). */
  threads?: number;
  /** Providers in order of preference (default ['cpu']); 'cuda' needs the CUDA build of onnxruntime. */
  executionProviders?: ExecutionProvider[];
  /** Documents per encoder call (default 16); documents are grouped by length to limit padding. */
  batchSize?: number;
  /** Relation pairs per relation-head call and document (default: config.json's spert.max_pairs, 1000). */
  maxPairs?: number;
  /** Types to use when config.json has no "spert" object (a reference directory). */
  types?: TypesSchema;
  /** Overrides the tokenizer's casing (like the reference's --lowercase flag). */
  lowercase?: boolean;
  /** Documents longer than the encoder (default 'window': overlapping windows, merged). */
  onTooLong?: TooLongPolicy;
  /** Window size and stride for long documents, in `windowUnit`s (defaults: the encoder's length, half of it). */
  window?: number;
  stride?: number;
  windowUnit?: 'subwords' | 'words';
  /** Reads a file (default node:fs/promises readFile); inject for tests or other storage. */
  readFile?: (path: string) => Promise<Uint8Array>;
}

/** A prediction for raw text: word AND character offsets of every word and entity. */
export interface TextPrediction extends Prediction {
  /** Character [start, end) of every word in `tokens`. */
  charOffsets: Array<[number, number]>;
  /** Entities with their character range added. */
  entities: Array<Prediction['entities'][number] & { charStart: number; charEnd: number }>;
}

/** What the runtime reports about the model it serves. */
export interface SpertOnnxMetadata {
  /** The model directory. */
  model: string;
  entityTypes: string[];
  relationTypes: string[];
  types: TypesSchema;
  maxSpanSize: number;
  relFilterThreshold: number;
  /** The encoder's config.json fields (hidden size, layers, ...). */
  config: Record<string, unknown>;
  onnxruntimeVersion: string;
  opset: number;
  executionProviders: ExecutionProvider[];
  threads: number | undefined;
  batchSize: number;
  [key: string]: unknown;
}

/** The raw model outputs for one document, before decoding (@spert/core's DocumentScores, shared with @spert/model). */
export type RawDocumentOutput = DocumentScores;
