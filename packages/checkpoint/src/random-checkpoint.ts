// Random checkpoints of any registered encoder family and size, written without tfjs (tests, benchmarks).
import { saveCheckpoint } from './checkpoint';
import { nodeFs, type CheckpointFs } from './checkpoint-fs';
import type { EncoderConfig, EncoderConfigFields } from './family';
import { initRng } from './random';
import { checkpointFamily, DEFAULT_MODEL_TYPE } from './registry';
import type { NamedTensor } from './safetensors';

/** Options of writeRandomCheckpoint. */
export interface RandomCheckpointOptions {
  dir: string;
  /** Full config, or the sizes (family defaults for the rest; model_type default "bert"); vocab_size follows `vocab` when that is given. */
  config: EncoderConfig | EncoderConfigFields;
  /** vocab.txt lines; generated (special tokens, characters, `##` forms, words) to vocab_size when omitted. */
  vocab?: string[];
  seed: number;
  /** Prefix names with the family's prefix, `bert.` for BERT (default false). */
  prefix?: boolean;
  fs?: CheckpointFs;
}

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** A WordPiece vocabulary of exactly `size` entries: special tokens, characters and their ## forms, then synthetic words. */
export function syntheticVocab(size: number): string[] {
  if (size < SPECIAL.length) throw new Error(`syntheticVocab: size ${size} is smaller than the ${SPECIAL.length} special tokens`);
  const out = [...SPECIAL];
  const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?\'"()-&/%$'];
  for (const c of chars) out.push(c);
  for (const c of chars) out.push(`##${c}`);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; out.length < size; i++) {
    let w = '';
    for (let n = i + 26 * 26; n > 0; n = Math.floor(n / 26)) w = letters[n % 26] + w;
    out.push(w, `##${w}`);
  }
  return out.slice(0, size);
}

/** Writes config.json, model.safetensors and vocab.txt of a randomly initialised encoder; returns the config. */
export async function writeRandomCheckpoint({ dir, config, vocab, seed, prefix = false, fs = nodeFs }: RandomCheckpointOptions): Promise<EncoderConfig> {
  const { extra: _extra, ...fields } = 'extra' in config ? config : { ...config, extra: {} };
  const family = checkpointFamily(fields.model_type ?? DEFAULT_MODEL_TYPE, 'writeRandomCheckpoint');
  const full = family.makeConfig({ ...fields, vocab_size: vocab ? vocab.length : fields.vocab_size });
  if ('extra' in config) full.extra = { ...config.extra };
  const words = vocab ?? syntheticVocab(full.vocab_size);
  const rng = initRng(seed);
  const tensors = new Map<string, NamedTensor>();
  for (const spec of family.paramSpecs(full)) tensors.set(spec.name, { shape: spec.shape, data: family.initialParamValue(spec, full, rng) });
  await saveCheckpoint({ dir, config: full, encoderTensors: tensors, prefix, vocab: words, fs });
  return full;
}
