// What the model, heads and trainer see of an encoder: a TF.js layer stack with named trainable
// variables, whatever its family. A family adds a folder under families/ implementing
// EncoderFamily, and one registration line in registry.ts.
import type * as tf from '@tensorflow/tfjs-core';
import type { EncoderConfig, NamedTensor } from '@spert/checkpoint';

/** Inputs of one forward pass; all [batch, seqLen]. */
export interface EncoderInputs {
  /** Subword ids, int32. */
  inputIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding (int32 or float32). */
  attentionMask: tf.Tensor2D;
  /** Segment ids, int32; zeros when omitted. */
  tokenTypeIds?: tf.Tensor2D;
}

/** Options of a forward pass. */
export interface ApplyOptions {
  /** Enables dropout. */
  training: boolean;
  /**
   * Seed of this pass's dropout masks; by default they come from the encoder's own generator. A
   * caller whose steps draw it from a checkpointed generator resumes exactly without replaying passes.
   */
  dropoutSeed?: number;
  /**
   * The caller never reads positions the attention mask leaves out, so the encoder may skip them:
   * the families here (BERT, RoBERTa, DeBERTa-v2) then run their token-wise layers on token rows
   * only and return zeros there, with every token position bit for bit what the full computation
   * gives.
   * Default false: every position as Hugging Face computes it.
   */
  skipPadding?: boolean;
}

/** Options of Encoder.toTensors. */
export interface ToTensorsOptions {
  /** Prefix names with the family's checkpoint prefix (`bert.` for BERT; default false). */
  prefix?: boolean;
  /** Leave the pooler out (default false). */
  withoutPooler?: boolean;
}

/** A TF.js encoder of any registered family. */
export interface Encoder {
  /** The config it was built from; `model_type` names its family. */
  readonly config: EncoderConfig;
  /** Forward pass: the last hidden state [batch, seqLen, hidden]. */
  apply(inputs: EncoderInputs, options: ApplyOptions): tf.Tensor3D;
  /** The trainable variables under checkpoint names without the family prefix. */
  variables(): Map<string, tf.Variable>;
  /** The parameters in PyTorch layout under checkpoint names, for saveCheckpoint. */
  toTensors(options?: ToTensorsOptions): Map<string, NamedTensor>;
  /** Number of scalar parameters. */
  parameterCount(): number;
  /** Frees the variables; the encoder is unusable afterwards. */
  dispose(): void;
}

/** Options of EncoderFamily.create and createEncoder. */
export interface CreateEncoderOptions {
  config: EncoderConfig;
  /** PyTorch-layout tensors under encoder names (prefixed or not); random initialisation when omitted. */
  tensors?: Map<string, NamedTensor>;
  /** Seed of the random initialisation and of the dropout masks (default 0). */
  seed?: number;
}

/** The TF.js part of an encoder family. */
export interface EncoderFamily {
  /** config.json `model_type`, the same key as in @spert/checkpoint's and @spert/onnx's registries. */
  readonly modelType: string;
  /** Builds the encoder; `options.config.model_type` is this family's (the registry guarantees it). */
  create(options: CreateEncoderOptions): Encoder;
}
