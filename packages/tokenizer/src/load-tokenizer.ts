import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { BertWordPieceTokenizer, type SpecialTokens } from './bert-tokenizer';
import { TokenizerConfigError } from './errors';
import { parseVocab } from './vocab-file';

/** Where the casing decision came from, reported so that a wrong-casing run is easy to diagnose. */
export type CasingSource =
  | 'option'
  | 'tokenizer_config.json'
  | 'tokenizer.json'
  | 'config.json'
  | 'vocabulary';

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions {
  /** Checkpoint directory holding tokenizer.json and/or vocab.txt (+ tokenizer_config.json, config.json). */
  dir: string;
  /** Overrides the checkpoint's casing, like the reference's --lowercase flag. */
  lowercase?: boolean;
  /** Encoder's maximum sequence length (default: config.json max_position_embeddings, else tokenizer_config.json model_max_length, else 512). */
  maxLength?: number;
  /** Injectable reader: the file's text, or undefined when it does not exist. */
  readTextFile?: (file: string) => Promise<string | undefined>;
}

/** A loaded tokenizer and how its casing was decided. */
export interface LoadedTokenizer {
  tokenizer: BertWordPieceTokenizer;
  /** Which file (or the option, or the vocabulary's content) decided lowercase. */
  casingSource: CasingSource;
  /** Which file the vocabulary came from. */
  vocabFile: 'tokenizer.json' | 'vocab.txt';
}

type Json = Record<string, unknown>;

async function defaultReadTextFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parseJsonObject(text: string, file: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TokenizerConfigError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenizerConfigError(`${file}: expected a JSON object`);
  }
  return value as Json;
}

function optionalBoolean(obj: Json | undefined, key: string, file: string): boolean | undefined {
  const v = obj?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new TokenizerConfigError(`${file}: field "${key}" must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

// tokenizer_config.json writes special tokens as a string or as an AddedToken object {content, ...}.
function specialTokenName(obj: Json | undefined, key: string, file: string): string | undefined {
  const v = obj?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  throw new TokenizerConfigError(`${file}: field "${key}" must be a string or {"content": string}`);
}

/** True when no regular vocabulary entry has an upper-case letter, the mark of an uncased BERT vocabulary. */
export function looksUncased(vocab: readonly string[]): boolean {
  return !vocab.some((t) => !/^\[.*\]$/.test(t) && /\p{Lu}/u.test(t));
}

/** The BERT WordPiece settings read from a tokenizer.json. */
export interface TokenizerJsonParts {
  vocab: string[];
  lowercase: boolean | undefined;
  stripAccents: boolean | undefined;
  handleChineseChars: boolean | undefined;
  unk: string | undefined;
  prefix: string | undefined;
  maxInputCharsPerWord: number | undefined;
  addedTokens: string[];
}

/** Reads the parts of a Hugging Face tokenizer.json this package supports (BERT WordPiece only). */
export function parseTokenizerJson(json: Json, file = 'tokenizer.json'): TokenizerJsonParts {
  const model = json.model as Json | undefined;
  if (!model || model.type !== 'WordPiece') {
    throw new TokenizerConfigError(
      `${file}: model.type is ${JSON.stringify(model?.type)}; only BERT WordPiece tokenizers are supported (SpERT uses BertTokenizer)`,
    );
  }
  const normalizer = json.normalizer as Json | null | undefined;
  if (normalizer && normalizer.type !== 'BertNormalizer') {
    throw new TokenizerConfigError(`${file}: normalizer.type is ${JSON.stringify(normalizer.type)}; only BertNormalizer is supported`);
  }
  const pre = json.pre_tokenizer as Json | null | undefined;
  if (pre && pre.type !== 'BertPreTokenizer') {
    throw new TokenizerConfigError(`${file}: pre_tokenizer.type is ${JSON.stringify(pre.type)}; only BertPreTokenizer is supported`);
  }
  const rawVocab = model.vocab;
  if (typeof rawVocab !== 'object' || rawVocab === null || Array.isArray(rawVocab)) {
    throw new TokenizerConfigError(`${file}: model.vocab must be an object of token -> id`);
  }
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(rawVocab as Json)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerConfigError(`${file}: model.vocab[${JSON.stringify(token)}] must be a non-negative integer id`);
    }
    vocab[id] = token;
  }
  const added: string[] = [];
  for (const [i, t] of ((json.added_tokens as Json[] | undefined) ?? []).entries()) {
    if (typeof t.content !== 'string' || typeof t.id !== 'number') {
      throw new TokenizerConfigError(`${file}: added_tokens[${i}] needs a string content and a numeric id`);
    }
    if (vocab[t.id] !== undefined && vocab[t.id] !== t.content) {
      throw new TokenizerConfigError(`${file}: added_tokens[${i}] (${t.content}) reuses id ${t.id} of ${vocab[t.id]}`);
    }
    vocab[t.id] = t.content;
    added.push(t.content);
  }
  for (let id = 0; id < vocab.length; id++) {
    if (vocab[id] === undefined) throw new TokenizerConfigError(`${file}: model.vocab has no token with id ${id} (ids must be 0..n-1)`);
  }
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    vocab,
    lowercase: optionalBoolean(normalizer ?? undefined, 'lowercase', `${file} normalizer`),
    stripAccents: optionalBoolean(normalizer ?? undefined, 'strip_accents', `${file} normalizer`),
    handleChineseChars: optionalBoolean(normalizer ?? undefined, 'handle_chinese_chars', `${file} normalizer`),
    unk: typeof model.unk_token === 'string' ? model.unk_token : undefined,
    prefix: typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : undefined,
    maxInputCharsPerWord: num(model.max_input_chars_per_word),
    addedTokens: added,
  };
}

/**
 * Loads a BERT tokenizer from a checkpoint directory: tokenizer.json when present, else vocab.txt.
 * Casing: the `lowercase` option, else tokenizer_config.json do_lower_case, else the tokenizer.json
 * normalizer, else config.json do_lower_case, else inferred from the vocabulary (no upper-case
 * letters = uncased). Accent stripping follows casing unless strip_accents says otherwise.
 */
export async function loadTokenizer(options: LoadTokenizerOptions): Promise<LoadedTokenizer> {
  const read = options.readTextFile ?? defaultReadTextFile;
  const file = (name: string) => path.join(options.dir, name);
  const [tokJsonText, vocabText, tokConfigText, configText] = await Promise.all(
    ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'config.json'].map((n) => read(file(n))),
  );
  if (tokJsonText === undefined && vocabText === undefined) {
    throw new TokenizerConfigError(`${options.dir}: neither tokenizer.json nor vocab.txt found; a BERT WordPiece checkpoint needs one`);
  }
  const tokConfig = tokConfigText === undefined ? undefined : parseJsonObject(tokConfigText, file('tokenizer_config.json'));
  const config = configText === undefined ? undefined : parseJsonObject(configText, file('config.json'));
  const fromJson =
    tokJsonText === undefined ? undefined : parseTokenizerJson(parseJsonObject(tokJsonText, file('tokenizer.json')), file('tokenizer.json'));
  const vocab = fromJson ? fromJson.vocab : parseVocab(vocabText as string, file('vocab.txt'));

  const tcFile = file('tokenizer_config.json');
  let lowercase: boolean | undefined;
  let casingSource: CasingSource;
  const fromConfig = optionalBoolean(tokConfig, 'do_lower_case', tcFile);
  const fromModelConfig = optionalBoolean(config, 'do_lower_case', file('config.json'));
  if (options.lowercase !== undefined) [lowercase, casingSource] = [options.lowercase, 'option'];
  else if (fromConfig !== undefined) [lowercase, casingSource] = [fromConfig, 'tokenizer_config.json'];
  else if (fromJson?.lowercase !== undefined) [lowercase, casingSource] = [fromJson.lowercase, 'tokenizer.json'];
  else if (fromModelConfig !== undefined) [lowercase, casingSource] = [fromModelConfig, 'config.json'];
  else [lowercase, casingSource] = [looksUncased(vocab), 'vocabulary'];

  const specialTokens: Partial<SpecialTokens> = {};
  for (const [name, key] of [['cls', 'cls_token'], ['sep', 'sep_token'], ['pad', 'pad_token'], ['unk', 'unk_token'], ['mask', 'mask_token']] as const) {
    const v = specialTokenName(tokConfig, key, tcFile);
    if (v !== undefined) specialTokens[name] = v;
  }
  if (specialTokens.unk === undefined && fromJson?.unk !== undefined) specialTokens.unk = fromJson.unk;

  let maxLength = options.maxLength;
  if (maxLength === undefined && config && typeof config.max_position_embeddings === 'number') {
    maxLength = config.max_position_embeddings;
  }
  // transformers writes a huge placeholder (1e30) when a checkpoint sets no model_max_length.
  const modelMax = tokConfig?.model_max_length;
  if (maxLength === undefined && typeof modelMax === 'number' && Number.isInteger(modelMax) && modelMax >= 2 && modelMax <= 1e6) {
    maxLength = modelMax;
  }
  const tokenizer = new BertWordPieceTokenizer({
    vocab,
    lowercase,
    stripAccents: optionalBoolean(tokConfig, 'strip_accents', tcFile) ?? fromJson?.stripAccents,
    handleChineseChars: optionalBoolean(tokConfig, 'tokenize_chinese_chars', tcFile) ?? fromJson?.handleChineseChars,
    maxInputCharsPerWord: fromJson?.maxInputCharsPerWord,
    continuingSubwordPrefix: fromJson?.prefix,
    specialTokens,
    noSplitTokens: fromJson?.addedTokens,
    maxLength: maxLength ?? 512,
  });
  return { tokenizer, casingSource, vocabFile: fromJson ? 'tokenizer.json' : 'vocab.txt' };
}
