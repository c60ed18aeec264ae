import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { BertWordPieceTokenizer, type SpecialTokens } from './bert-tokenizer';
import { parseJsonLimited } from '@spert/core';
import { TokenizerConfigError } from './errors';
import { HfTokenizer } from './hf-tokenizer';
import type { SubwordTokenizer } from './subword-tokenizer';
import { byteLevelBpeJson } from './train-common';
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
  /** Checkpoint directory holding tokenizer.json, vocab.txt or vocab.json + merges.txt (+ tokenizer_config.json, config.json). */
  dir: string;
  /** Overrides the checkpoint's casing, like the reference's --lowercase flag. */
  lowercase?: boolean;
  /** Encoder positions (default for BERT: config.json max_position_embeddings, else tokenizer_config.json model_max_length, else 512; see the README for other families). */
  maxLength?: number;
  /**
   * Longest input the checkpoint's encoder accepts, as its family declares it (@spert/checkpoint
   * `encoderMaxLength(config)`: RoBERTa's position table starts after padding_idx). Without it,
   * config.json max_position_embeddings stands for it. `maxLength` overrides both.
   */
  encoderMaxLength?: number;
  /** Injectable reader: the file's text, or undefined when it does not exist. */
  readTextFile?: (file: string) => Promise<string | undefined>;
}

/** A loaded tokenizer of any family and how its casing was decided. */
export interface LoadedTokenizer {
  /** BertWordPieceTokenizer for BERT WordPiece checkpoints, HfTokenizer for any other tokenizer.json. */
  tokenizer: SubwordTokenizer;
  /** Which file (or the option, or the vocabulary's content) decided lowercase. */
  casingSource: CasingSource;
  /** Which file the vocabulary came from. */
  vocabFile: 'tokenizer.json' | 'vocab.txt' | 'vocab.json';
}

/** A loaded BERT WordPiece tokenizer and how its casing was decided (what loadTokenizer returned before other families). */
export interface LoadedBertTokenizer {
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
    // with a depth limit: hostile nesting would overflow the stack in the recursive readers of its parts
    value = parseJsonLimited(text);
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

/** True when a tokenizer.json is BERT WordPiece (BertNormalizer and BertPreTokenizer, or none), which BertWordPieceTokenizer runs exactly. */
export function isBertTokenizerJson(json: Json): boolean {
  const model = json.model as Json | undefined;
  const normalizer = json.normalizer as Json | null | undefined;
  const pre = json.pre_tokenizer as Json | null | undefined;
  return model?.type === 'WordPiece' && (!normalizer || normalizer.type === 'BertNormalizer') && (!pre || pre.type === 'BertPreTokenizer');
}

/** Reads the parts of a BERT WordPiece tokenizer.json (see isBertTokenizerJson; other tokenizer.json files go to HfTokenizer). */
export function parseTokenizerJson(json: Json, file = 'tokenizer.json'): TokenizerJsonParts {
  const model = json.model as Json | undefined;
  if (!model || model.type !== 'WordPiece') {
    throw new TokenizerConfigError(
      `${file}: model.type is ${JSON.stringify(model?.type)}; parseTokenizerJson reads BERT WordPiece tokenizers only (loadTokenizer runs other tokenizer.json files with HfTokenizer)`,
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
 * Positions the encoder accepts: what the caller knows from the encoder's family (RoBERTa's
 * position ids start after padding_idx, so it has fewer than max_position_embeddings), else
 * config.json's max_position_embeddings when it says.
 */
function encoderPositions(config: Json | undefined, options: LoadTokenizerOptions): number | undefined {
  if (options.encoderMaxLength !== undefined) return options.encoderMaxLength;
  const mpe = config?.max_position_embeddings;
  return typeof mpe === 'number' ? mpe : undefined;
}

/** model_max_length of a tokenizer_config.json, ignoring transformers' 1e30 placeholder for "not set". */
function configuredMaxLength(tokConfig: Json | undefined): number | undefined {
  const v = tokConfig?.model_max_length;
  return typeof v === 'number' && Number.isInteger(v) && v >= 2 && v <= 1e6 ? v : undefined;
}

/** A byte-level BPE tokenizer.json laid out as transformers' RobertaConverter does, from the slow files vocab.json + merges.txt. */
export function byteLevelBpeTokenizerJson(vocabJson: string, mergesTxt: string, tokConfig: Json | undefined, dir = '.'): Json {
  const vocabFile = path.join(dir, 'vocab.json');
  const vocab = parseJsonObject(vocabJson, vocabFile);
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerConfigError(`${vocabFile}: entry ${JSON.stringify(token)} must map to a non-negative integer id`);
    }
  }
  const merges = mergesTxt
    .split(/\r?\n/)
    .filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
  merges.forEach((line, i) => {
    if (line.split(' ').length !== 2) throw new TokenizerConfigError(`${path.join(dir, 'merges.txt')}: line ${i + 2} is not "left right": ${JSON.stringify(line)}`);
  });
  const tcFile = path.join(dir, 'tokenizer_config.json');
  const named = (key: string, fallback: string): string => specialTokenName(tokConfig, key, tcFile) ?? fallback;
  const cls = named('cls_token', named('bos_token', '<s>'));
  const sep = named('sep_token', named('eos_token', '</s>'));
  const mask = named('mask_token', '<mask>');
  const specials = [cls, sep, named('bos_token', '<s>'), named('eos_token', '</s>'), named('unk_token', '<unk>'), named('pad_token', '<pad>'), mask];
  const ids = vocab as Record<string, number>;
  const addedTokens = [...new Set(specials)]
    .filter((t) => ids[t] !== undefined)
    .map((t) => ({ id: ids[t], content: t, single_word: false, lstrip: t === mask, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const addPrefixSpace = optionalBoolean(tokConfig, 'add_prefix_space', tcFile) ?? false;
  return byteLevelBpeJson({
    vocab: ids,
    merges,
    addedTokens,
    ...(ids[cls] !== undefined && ids[sep] !== undefined ? { cls: [cls, ids[cls]] as [string, number], sep: [sep, ids[sep]] as [string, number] } : {}),
    addPrefixSpace,
  });
}

interface CheckpointFiles {
  dir: string;
  file: (name: string) => string;
  tokConfig: Json | undefined;
  config: Json | undefined;
}

/** A BERT WordPiece tokenizer from vocab.txt or a BERT tokenizer.json, with the casing rules of the README. */
function bertTokenizer(
  files: CheckpointFiles,
  source: { json: Json } | { vocabText: string },
  options: LoadTokenizerOptions,
): LoadedBertTokenizer {
  const { file, tokConfig, config } = files;
  const fromJson = 'json' in source ? parseTokenizerJson(source.json, file('tokenizer.json')) : undefined;
  const vocab = fromJson ? fromJson.vocab : parseVocab((source as { vocabText: string }).vocabText, file('vocab.txt'));

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

  const maxLength = options.maxLength ?? encoderPositions(config, options) ?? configuredMaxLength(tokConfig);
  const vocabFile = fromJson ? file('tokenizer.json') : file('vocab.txt');
  const tokenizer = withFileName(vocabFile, () => new BertWordPieceTokenizer({
    vocab,
    lowercase,
    stripAccents: optionalBoolean(tokConfig, 'strip_accents', tcFile) ?? fromJson?.stripAccents,
    handleChineseChars: optionalBoolean(tokConfig, 'tokenize_chinese_chars', tcFile) ?? fromJson?.handleChineseChars,
    maxInputCharsPerWord: fromJson?.maxInputCharsPerWord,
    continuingSubwordPrefix: fromJson?.prefix,
    specialTokens,
    noSplitTokens: fromJson?.addedTokens,
    maxLength: maxLength ?? 512,
  }));
  return { tokenizer, casingSource, vocabFile: fromJson ? 'tokenizer.json' : 'vocab.txt' };
}

/** Runs `make`; a TokenizerConfigError it throws without naming a file gets `file` in front (what a user must fix). */
function withFileName<T>(file: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof TokenizerConfigError && !e.message.includes(file)) throw new TokenizerConfigError(`${file}: ${e.message}`);
    throw e;
  }
}

/** The generic tokenizer.json tokenizer; maxLength is the smallest limit the checkpoint states. */
function genericTokenizer(files: CheckpointFiles, json: Json, source: string, options: LoadTokenizerOptions): HfTokenizer {
  const limits = [configuredMaxLength(files.tokConfig), encoderPositions(files.config, options)].filter((v): v is number => v !== undefined);
  return new HfTokenizer({
    tokenizerJson: json,
    tokenizerConfig: files.tokConfig,
    maxLength: options.maxLength ?? (limits.length > 0 ? Math.min(...limits) : 512),
    lowercase: options.lowercase,
    source,
    configSource: files.file('tokenizer_config.json'),
  });
}

async function readCheckpoint(options: LoadTokenizerOptions) {
  const read = options.readTextFile ?? defaultReadTextFile;
  const file = (name: string) => path.join(options.dir, name);
  const [tokJsonText, vocabText, tokConfigText, configText] = await Promise.all(
    ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'config.json'].map((n) => read(file(n))),
  );
  const files: CheckpointFiles = {
    dir: options.dir,
    file,
    tokConfig: tokConfigText === undefined ? undefined : parseJsonObject(tokConfigText, file('tokenizer_config.json')),
    config: configText === undefined ? undefined : parseJsonObject(configText, file('config.json')),
  };
  return { read, file, files, tokJsonText, vocabText };
}

/**
 * Loads the tokenizer of a checkpoint directory, whatever its family: a BERT WordPiece tokenizer.json
 * or vocab.txt gives a BertWordPieceTokenizer (casing: the `lowercase` option, else
 * tokenizer_config.json do_lower_case, else the tokenizer.json normalizer, else config.json
 * do_lower_case, else inferred from the vocabulary); any other tokenizer.json (BPE, Unigram,
 * WordPiece with other parts), or vocab.json + merges.txt, gives an HfTokenizer.
 */
export async function loadTokenizer(options: LoadTokenizerOptions): Promise<LoadedTokenizer> {
  const { read, file, files, tokJsonText, vocabText } = await readCheckpoint(options);
  if (tokJsonText !== undefined) {
    const json = parseJsonObject(tokJsonText, file('tokenizer.json'));
    if (isBertTokenizerJson(json)) return bertTokenizer(files, { json }, options);
    return {
      tokenizer: genericTokenizer(files, json, file('tokenizer.json'), options),
      casingSource: options.lowercase === undefined ? 'tokenizer.json' : 'option',
      vocabFile: 'tokenizer.json',
    };
  }
  if (vocabText !== undefined) return bertTokenizer(files, { vocabText }, options);
  const [vocabJson, merges] = await Promise.all([read(file('vocab.json')), read(file('merges.txt'))]);
  if (vocabJson !== undefined && merges !== undefined) {
    const json = byteLevelBpeTokenizerJson(vocabJson, merges, files.tokConfig, options.dir);
    return {
      tokenizer: genericTokenizer(files, json, file('vocab.json'), options),
      casingSource: options.lowercase === undefined ? 'tokenizer.json' : 'option',
      vocabFile: 'vocab.json',
    };
  }
  for (const name of ['spm.model', 'sentencepiece.bpe.model', 'spiece.model']) {
    if ((await read(file(name))) !== undefined) {
      throw new TokenizerConfigError(
        `${file(name)}: a SentencePiece model alone cannot be read here; the checkpoint needs a tokenizer.json. ` +
          `Write one with transformers (needs sentencepiece and protobuf): python -c "from transformers import AutoTokenizer; ` +
          `AutoTokenizer.from_pretrained('${options.dir}', use_fast=True).save_pretrained('${options.dir}')"`,
        { code: 'UNSUPPORTED', file: file(name) },
      );
    }
  }
  throw new TokenizerConfigError(
    `${options.dir}: neither tokenizer.json nor vocab.txt found (nor vocab.json + merges.txt); a checkpoint needs one of them`,
    { code: 'FILE_NOT_FOUND', file: options.dir },
  );
}

/**
 * Loads a BERT WordPiece tokenizer (vocab.txt or a BERT tokenizer.json) with the casing rules of
 * loadTokenizer; a checkpoint of another family is refused, naming its tokenizer file.
 */
export async function loadBertTokenizer(options: LoadTokenizerOptions): Promise<LoadedBertTokenizer> {
  const { file, files, tokJsonText, vocabText } = await readCheckpoint(options);
  if (tokJsonText !== undefined) {
    const json = parseJsonObject(tokJsonText, file('tokenizer.json'));
    if (!isBertTokenizerJson(json)) {
      throw new TokenizerConfigError(
        `${file('tokenizer.json')}: not a BERT WordPiece tokenizer (model ${JSON.stringify((json.model as Json | undefined)?.type)}); use loadTokenizer`,
      );
    }
    return bertTokenizer(files, { json }, options);
  }
  if (vocabText !== undefined) return bertTokenizer(files, { vocabText }, options);
  throw new TokenizerConfigError(`${options.dir}: neither tokenizer.json nor vocab.txt found; a BERT WordPiece checkpoint needs one`, { code: 'FILE_NOT_FOUND', file: options.dir });
}
