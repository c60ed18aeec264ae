import { Normalizer, PrecompiledNormalizer, SequenceNormalizer, Tokenizer } from '@huggingface/tokenizers';
import { TokenizerConfigError } from './errors';
import { CharsMapNormalizer } from './spm-charsmap';
import { FramedWordEncoder, type SpecialIds, type SubwordTokenizer, type TokenizerKind, type WordFraming } from './subword-tokenizer';

type Json = Record<string, unknown>;

/** tokenizer.json model types the generic tokenizer runs (through @huggingface/tokenizers). */
export const SUPPORTED_MODEL_TYPES = ['BPE', 'Unigram', 'WordPiece'] as const;

/** Everything {@link HfTokenizer} needs: the parsed checkpoint files. */
export interface HfTokenizerSettings {
  /** The parsed tokenizer.json. */
  tokenizerJson: Json;
  /** The parsed tokenizer_config.json, when the checkpoint has one (special token names, model_max_length). */
  tokenizerConfig?: Json;
  /** Encoder positions, special tokens included (default: tokenizer_config.json model_max_length, else 512). */
  maxLength?: number;
  /** Lower-case every word before encoding, like the reference's --lowercase (default false: the tokenizer.json decides). */
  lowercase?: boolean;
  /** Where tokenizer.json came from, named in errors (default 'tokenizer.json'). */
  source?: string;
  /** Where tokenizer_config.json came from, named in errors (default 'tokenizer_config.json'). */
  configSource?: string;
}

/** Names of the special tokens of an {@link HfTokenizer}. */
export interface HfSpecialTokens {
  /** Tokens before the first word (the sentence-start token first). */
  prefix: string[];
  /** Tokens after the last word. */
  suffix: string[];
  pad: string;
  unk: string;
  mask: string | undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// tokenizer_config.json writes special tokens as a string or as an AddedToken object {content, ...}.
function configToken(config: Json | undefined, key: string, file: string): string | undefined {
  const v = config?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  throw new TokenizerConfigError(`${file}: field "${key}" must be a string or {"content": string}`);
}

/** The special tokens a post_processor puts before and after a single sequence, or undefined when it adds none. */
function framingFromPostProcessor(pp: unknown, file: string): { prefix: string[]; suffix: string[] } | undefined {
  if (!isObject(pp)) return undefined;
  const where = `${file} post_processor (${String(pp.type)})`;
  switch (pp.type) {
    case 'RobertaProcessing':
    case 'BertProcessing': {
      const name = (key: string): string => {
        const v = pp[key];
        if (!Array.isArray(v) || typeof v[0] !== 'string') throw new TokenizerConfigError(`${where}: "${key}" must be [token, id]`);
        return v[0];
      };
      return { prefix: [name('cls')], suffix: [name('sep')] };
    }
    case 'TemplateProcessing': {
      const single = pp.single;
      if (!Array.isArray(single)) throw new TokenizerConfigError(`${where}: "single" must be an array`);
      const specials = isObject(pp.special_tokens) ? pp.special_tokens : {};
      const prefix: string[] = [];
      const suffix: string[] = [];
      let seenSequence = false;
      single.forEach((item: unknown, i) => {
        if (isObject(item) && isObject(item.Sequence)) {
          if (seenSequence) throw new TokenizerConfigError(`${where}: "single" has more than one sequence`);
          seenSequence = true;
          return;
        }
        const special = isObject(item) && isObject(item.SpecialToken) ? item.SpecialToken : undefined;
        if (!special || typeof special.id !== 'string') {
          throw new TokenizerConfigError(`${where}: single[${i}] is neither {"Sequence": ...} nor {"SpecialToken": {"id": string}}`);
        }
        // A template name maps to one or more tokens in special_tokens (usually itself).
        const entry = specials[special.id];
        const tokens = isObject(entry) && Array.isArray(entry.tokens) ? (entry.tokens as unknown[]).map(String) : [special.id];
        (seenSequence ? suffix : prefix).push(...tokens);
      });
      if (!seenSequence) throw new TokenizerConfigError(`${where}: "single" has no {"Sequence": {"id": "A"}}`);
      return prefix.length + suffix.length > 0 ? { prefix, suffix } : undefined;
    }
    case 'Sequence': {
      const processors = Array.isArray(pp.processors) ? pp.processors : [];
      for (const p of processors) {
        const found = framingFromPostProcessor(p, file);
        if (found) return found;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Walks a pre_tokenizer (and Sequence members) in place. */
function visitPreTokenizers(pre: unknown, visit: (p: Json) => void): void {
  if (!isObject(pre)) return;
  visit(pre);
  if (pre.type === 'Sequence' && Array.isArray(pre.pretokenizers)) for (const p of pre.pretokenizers) visitPreTokenizers(p, visit);
}

/** The normalizer with every Precompiled step replaced by one that applies its charsmap exactly. */
function withExactCharsMaps(normalizer: Normalizer | null, file: string): Normalizer | null {
  if (normalizer instanceof PrecompiledNormalizer) {
    return new CharsMapNormalizer(normalizer.config as ConstructorParameters<typeof PrecompiledNormalizer>[0], `${file} normalizer`);
  }
  if (normalizer instanceof SequenceNormalizer) normalizer.normalizers = normalizer.normalizers.map((n) => withExactCharsMaps(n, file));
  return normalizer;
}

/**
 * A tokenizer from any Hugging Face tokenizer.json (byte-level BPE as RoBERTa, SentencePiece
 * Unigram as DeBERTa-v3, WordPiece with non-BERT parts), run by @huggingface/tokenizers, with
 * SpERT's word-by-word encoding. Each word is encoded as transformers does with
 * `is_split_into_words=True`: as if preceded by a space (ByteLevel gets add_prefix_space, Metaspace
 * prepends '▁' to every word), without special tokens; the post_processor's special tokens frame the
 * document.
 */
export class HfTokenizer extends FramedWordEncoder implements SubwordTokenizer {
  /** Always 'tokenizer-json'. */
  readonly kind: TokenizerKind = 'tokenizer-json';
  /** tokenizer.json model.type: 'BPE', 'Unigram' or 'WordPiece'. */
  readonly modelType: string;
  readonly maxLength: number;
  readonly vocabSize: number;
  readonly specialIds: SpecialIds;
  /** Names of the special tokens. */
  readonly specialTokens: HfSpecialTokens;
  readonly numSpecialTokens: number;
  /** Whether words are lower-cased before the tokenizer.json pipeline (the `lowercase` setting). */
  readonly lowercase: boolean;

  private readonly original: Json;
  private readonly config: Json;
  private readonly tokenizer: Tokenizer;
  private readonly framing: Omit<WordFraming, 'encodeWord'>;
  /** Id of Metaspace's bare replacement piece ('▁'), when the pre-tokenizer is Metaspace. */
  private readonly bareMetaspaceId: number | undefined;
  constructor(settings: HfTokenizerSettings) {
    super();
    const file = settings.source ?? 'tokenizer.json';
    const configFile = settings.configSource ?? 'tokenizer_config.json';
    const json = settings.tokenizerJson;
    if (!isObject(json)) throw new TokenizerConfigError(`${file}: expected a JSON object`);
    const model = json.model;
    if (!isObject(model)) throw new TokenizerConfigError(`${file}: no "model" object`);
    const type = model.type;
    if (typeof type !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(type)) {
      throw new TokenizerConfigError(
        `${file}: model.type is ${JSON.stringify(type)}; supported tokenizer models are ${SUPPORTED_MODEL_TYPES.join(', ')}`,
      );
    }
    this.modelType = type;
    this.original = structuredClone(json);
    this.config = settings.tokenizerConfig ?? {};
    this.lowercase = settings.lowercase ?? false;

    // transformers' is_split_into_words: every word as if preceded by a space (the fast RoBERTa
    // tokenizer sets add_prefix_space on its ByteLevel pre-tokenizer for this; Metaspace "always").
    const patched = structuredClone(json);
    patched.added_tokens ??= [];
    let metaspace: string | undefined;
    visitPreTokenizers(patched.pre_tokenizer, (p) => {
      if (p.type === 'ByteLevel') p.add_prefix_space = true;
      if (p.type === 'Metaspace') {
        p.prepend_scheme = 'always';
        p.add_prefix_space = true;
        metaspace = typeof p.replacement === 'string' ? p.replacement : '\u2581';
      }
    });
    try {
      this.tokenizer = new Tokenizer(patched, this.config);
    } catch (e) {
      throw new TokenizerConfigError(`${file}: @huggingface/tokenizers cannot load it (${(e as Error).message})`);
    }
    this.tokenizer.normalizer = withExactCharsMaps(this.tokenizer.normalizer, file);

    let maxId = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    if (this.vocabSize === 0) throw new TokenizerConfigError(`${file}: the vocabulary is empty`);

    const framing = framingFromPostProcessor(json.post_processor, file);
    const cls = configToken(this.config, 'cls_token', configFile) ?? configToken(this.config, 'bos_token', configFile);
    const sep = configToken(this.config, 'sep_token', configFile) ?? configToken(this.config, 'eos_token', configFile);
    // Without a post_processor that adds special tokens, tokenizer_config.json names them.
    const prefix = framing?.prefix ?? (cls === undefined ? [] : [cls]);
    const suffix = framing?.suffix ?? (sep === undefined ? [] : [sep]);
    if (prefix.length === 0) {
      throw new TokenizerConfigError(
        (framing
          ? `${file}: no sentence-start token: the post_processor adds none before the words`
          : `${file}: no sentence-start token: the post_processor adds none and ${configFile} names no cls_token`) +
          ` (SpERT reads its context from the first position, [CLS] or <s>)`,
      );
    }
    if (suffix.length === 0) {
      throw new TokenizerConfigError(
        framing
          ? `${file}: no sentence-end token: the post_processor adds none after the words`
          : `${file}: no sentence-end token: the post_processor adds none and ${configFile} names no sep_token`,
      );
    }
    const unkName =
      configToken(this.config, 'unk_token', configFile) ??
      (typeof model.unk_token === 'string' ? model.unk_token : undefined) ??
      (typeof model.unk_id === 'number' ? this.tokenizer.id_to_token(model.unk_id) : undefined);
    if (unkName === undefined) {
      throw new TokenizerConfigError(`${file}: no unknown token (model.unk_token / model.unk_id), and ${configFile} names no unk_token`);
    }
    const padding = isObject(json.padding) && typeof json.padding.pad_token === 'string' ? json.padding.pad_token : undefined;
    const padName = configToken(this.config, 'pad_token', configFile) ?? padding;
    if (padName === undefined) {
      throw new TokenizerConfigError(`${file}: no padding token: ${configFile} names no pad_token and tokenizer.json has no padding.pad_token`);
    }
    const maskName = configToken(this.config, 'mask_token', configFile);
    const idOf = (token: string, what: string): number => {
      const id = this.tokenizer.token_to_id(token);
      if (id === undefined) throw new TokenizerConfigError(`${file}: the ${what} token ${JSON.stringify(token)} is not in the vocabulary`);
      return id;
    };
    const prefixIds = prefix.map((t) => idOf(t, 'sentence-start'));
    const suffixIds = suffix.map((t) => idOf(t, 'sentence-end'));
    this.specialTokens = { prefix, suffix, pad: padName, unk: unkName, mask: maskName };
    this.specialIds = {
      cls: prefixIds[0],
      sep: suffixIds[suffixIds.length - 1],
      pad: idOf(padName, 'padding'),
      unk: idOf(unkName, 'unknown'),
      mask: maskName === undefined ? undefined : idOf(maskName, 'mask'),
    };
    this.numSpecialTokens = prefixIds.length + suffixIds.length;
    this.bareMetaspaceId = metaspace === undefined ? undefined : this.tokenizer.token_to_id(metaspace);

    let maxLength = settings.maxLength;
    // transformers writes a huge placeholder (1e30) when a checkpoint sets no model_max_length.
    const modelMax = this.config.model_max_length;
    if (maxLength === undefined && typeof modelMax === 'number' && Number.isInteger(modelMax) && modelMax >= 2 && modelMax <= 1e6) {
      maxLength = modelMax;
    }
    this.maxLength = maxLength ?? 512;
    if (!Number.isInteger(this.maxLength) || this.maxLength < this.numSpecialTokens) {
      throw new TokenizerConfigError(`maxLength must be an integer >= ${this.numSpecialTokens} (room for the special tokens), got ${this.maxLength}`);
    }
    const names = [...prefix, ...suffix];
    this.framing = {
      prefix: prefixIds,
      suffix: suffixIds,
      maxLength: this.maxLength,
      specialNames: names.length === 2 ? `${names[0]} and ${names[1]}` : names.join(', '),
    };
  }

  /** Id of a token (added tokens included), or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** Token of an id; throws a RangeError for an id outside the vocabulary. */
  idToToken(id: number): string {
    const token = Number.isInteger(id) && id >= 0 && id < this.vocabSize ? this.tokenizer.id_to_token(id) : undefined;
    if (token === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    return token;
  }

  /** Subword tokens of one word as it is encoded inside a document (possibly none). */
  tokenizeWord(word: string): string[] {
    return this.idsToTokens(this.wordIds(word));
  }

  /** Ids of one word without special tokens, as transformers' is_split_into_words gives them (possibly none). */
  protected pieceIds(word: string): number[] {
    return this.wordIds(word);
  }

  /** The post_processor's special tokens around the words. */
  protected frame(): Omit<WordFraming, 'encodeWord'> {
    return this.framing;
  }

  /** tokenizer.json (as loaded) and tokenizer_config.json (with the resolved special tokens and maxLength). */
  files(): Record<string, string> {
    const s = this.specialTokens;
    const config: Json = { ...this.config, model_max_length: this.maxLength };
    config.cls_token ??= s.prefix[0];
    config.sep_token ??= s.suffix[s.suffix.length - 1];
    config.pad_token ??= s.pad;
    config.unk_token ??= s.unk;
    if (s.mask !== undefined) config.mask_token ??= s.mask;
    return {
      'tokenizer.json': `${JSON.stringify(this.original)}\n`,
      'tokenizer_config.json': `${JSON.stringify(config, null, 2)}\n`,
    };
  }

  private wordIds(word: string): number[] {
    const text = this.lowercase ? word.toLowerCase() : word;
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids.map((id) => id ?? this.specialIds.unk);
    // A word that normalizes to nothing visible gives sentencepiece no piece at all; the library's
    // Metaspace still emits the bare prefix '▁' for it, which no word of the training text ever got alone.
    if (this.bareMetaspaceId !== undefined && ids.length === 1 && ids[0] === this.bareMetaspaceId && this.isBlankAfterNormalization(text)) {
      return [];
    }
    return ids;
  }

  private isBlankAfterNormalization(text: string): boolean {
    const normalized = this.tokenizer.normalizer ? this.tokenizer.normalizer.normalize(text) : text;
    return normalized.trim() === '';
  }
}
