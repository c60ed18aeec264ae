// Random BERT checkpoints of any size, written without tfjs (tests, benchmarks).
import { makeBertConfig, type BertConfig } from './bert-config';
import { initialParamValue } from './bert-init';
import { bertParamSpecs } from './bert-names';
import { saveCheckpoint } from './checkpoint';
import { nodeFs, type CheckpointFs } from './checkpoint-fs';
import { SeededRandom } from './random';
import type { NamedTensor } from './safetensors';

/** Options of writeRandomCheckpoint. */
export interface RandomCheckpointOptions {
  dir: string;
  /** Full config, or the sizes (defaults for the rest); vocab_size follows `vocab` when that is given. */
  config: BertConfig | Parameters<typeof makeBertConfig>[0];
  /** vocab.txt lines; generated (special tokens, characters, `##` forms, words) to vocab_size when omitted. */
  vocab?: string[];
  seed: number;
  /** Prefix names with `bert.` (default false). */
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

/** Writes config.json, model.safetensors and vocab.txt of a randomly initialised BERT; returns the config. */
export async function writeRandomCheckpoint({ dir, config, vocab, seed, prefix = false, fs = nodeFs }: RandomCheckpointOptions): Promise<BertConfig> {
  const { extra: _extra, ...fields } = 'extra' in config ? config : { ...config, extra: {} };
  const full = makeBertConfig({ ...fields, vocab_size: vocab ? vocab.length : fields.vocab_size });
  if ('extra' in config) full.extra = { ...config.extra };
  const words = vocab ?? syntheticVocab(full.vocab_size);
  const rng = new SeededRandom(seed);
  const tensors = new Map<string, NamedTensor>();
  for (const spec of bertParamSpecs(full)) tensors.set(spec.name, { shape: spec.shape, data: initialParamValue(spec, full, rng) });
  await saveCheckpoint({ dir, config: full, encoderTensors: tensors, prefix, vocab: words, fs });
  return full;
}
