// The tokenizer of an exported model folder, as every runtime loads it (onnxruntime-node here,
// onnxruntime-web in @spert/web): browser-safe, it reads files only through the caller's reader.
import { encoderMaxLength, parseEncoderConfig } from '@spert/checkpoint';
import { loadTokenizer, type SubwordTokenizer } from '@spert/tokenizer';

/** Options of {@link loadModelTokenizer}. */
export interface LoadModelTokenizerOptions {
  /** The folder, joined with posix rules to the file names the reader is asked for. */
  dir: string;
  /** The folder's parsed config.json (the encoder's fields; a `spert` object beside them is ignored). */
  config: Record<string, unknown>;
  /** Where config.json came from, named in errors. */
  source: string;
  /** Reads one file of the folder; undefined when it does not exist. */
  readTextFile(file: string): Promise<string | undefined>;
  /** Overrides the tokenizer's casing. */
  lowercase?: boolean;
}

/**
 * Loads the tokenizer of an exported model with the longest input its encoder accepts: the
 * tokenizer knows no family, and RoBERTa's position table starts after padding_idx, so only the
 * family says how many positions a tokenizer without model_max_length may use.
 */
export async function loadModelTokenizer(options: LoadModelTokenizerOptions): Promise<SubwordTokenizer> {
  const longest = encoderMaxLength(parseEncoderConfig(options.config, options.source));
  const { tokenizer } = await loadTokenizer({ dir: options.dir, lowercase: options.lowercase, readTextFile: options.readTextFile, encoderMaxLength: longest });
  return tokenizer;
}
