import { WordPiece } from '@huggingface/tokenizers';
import { basicTokenize } from './basic-tokenizer';
import { TokenizerConfigError } from './errors';
import { FramedWordEncoder, type SpecialIds, type SubwordTokenizer, type TokenizerKind, type WordFraming } from './subword-tokenizer';
import { formatVocab } from './vocab-file';

export type { EncodeResult, EncodeWordsOptions, SpecialIds, TooLongPolicy } from './subword-tokenizer';

/** Names of the special tokens in the vocabulary. */
export interface SpecialTokens {
  cls: string;
  sep: string;
  pad: string;
  unk: string;
  mask: string;
}

/** Everything a BERT WordPiece tokenizer needs; loaders fill it from checkpoint files. */
export interface BertTokenizerSettings {
  /** Tokens by id (vocab.txt order). */
  vocab: readonly string[];
  /** Lower-case (and, unless stripAccents is false, strip accents) before WordPiece. */
  lowercase: boolean;
  /** Strip accents; undefined follows `lowercase` (BertTokenizer's strip_accents=None). */
  stripAccents?: boolean;
  /** Space CJK ideographs (default true). */
  handleChineseChars?: boolean;
  /** Longer basic tokens become [UNK] (default 100, as BertTokenizer). */
  maxInputCharsPerWord?: number;
  /** Prefix of word-continuation pieces (default '##'). */
  continuingSubwordPrefix?: string;
  /** Special token names (defaults [CLS] [SEP] [PAD] [UNK] [MASK]). */
  specialTokens?: Partial<SpecialTokens>;
  /** Extra tokens that are never split (added tokens of a tokenizer.json). */
  noSplitTokens?: readonly string[];
  /** Encoder's maximum sequence length including [CLS] and [SEP] (default 512). */
  maxLength?: number;
}

const DEFAULT_SPECIALS: SpecialTokens = { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', unk: '[UNK]', mask: '[MASK]' };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * BERT WordPiece tokenizer with SpERT's word-by-word encoding: the same pieces as transformers'
 * BertTokenizer (basic tokenization here, greedy longest-match WordPiece from @huggingface/tokenizers).
 */
export class BertWordPieceTokenizer extends FramedWordEncoder implements SubwordTokenizer {
  /** Always 'bert-wordpiece'. */
  readonly kind: TokenizerKind = 'bert-wordpiece';
  /** [CLS] and [SEP]. */
  readonly numSpecialTokens = 2;
  /** Number of entries of the vocabulary (the embedding table size). */
  readonly vocabSize: number;
  /** Ids of [CLS], [SEP], [PAD], [UNK], [MASK]. */
  readonly specialIds: SpecialIds;
  /** Names of the special tokens. */
  readonly specialTokens: SpecialTokens;
  /** Whether words are lower-cased before WordPiece. */
  readonly lowercase: boolean;
  /** Whether accents are stripped (resolved from lowercase when not given). */
  readonly stripAccents: boolean;
  /** Whether CJK ideographs are split into single characters. */
  readonly handleChineseChars: boolean;
  /** Default maximum sequence length (with [CLS] and [SEP]). */
  readonly maxLength: number;
  /** Longest basic token WordPiece tries; longer ones become [UNK]. */
  readonly maxInputCharsPerWord: number;
  /** Prefix of continuation pieces. */
  readonly continuingSubwordPrefix: string;

  private readonly vocab: readonly string[];
  private readonly stripAccentsSetting: boolean | undefined;
  private readonly ids: Map<string, number>;
  private readonly model: WordPiece;
  private readonly noSplit: ReadonlySet<string>;
  private readonly noSplitPattern: RegExp | undefined;
  constructor(settings: BertTokenizerSettings) {
    super();
    const { vocab } = settings;
    if (vocab.length === 0) throw new TokenizerConfigError('the vocabulary is empty');
    this.vocab = vocab.slice();
    this.vocabSize = vocab.length;
    // A duplicated line keeps its last id, as BertTokenizer's load_vocab does.
    this.ids = new Map();
    vocab.forEach((token, id) => this.ids.set(token, id));
    this.specialTokens = { ...DEFAULT_SPECIALS, ...settings.specialTokens };
    const need = (name: keyof SpecialTokens): number => {
      const id = this.ids.get(this.specialTokens[name]);
      if (id === undefined) {
        throw new TokenizerConfigError(
          `the vocabulary has no ${name} token ${JSON.stringify(this.specialTokens[name])} ` +
            `(BERT vocabularies start with [PAD] [UNK] [CLS] [SEP] [MASK] or [PAD] [unused..] ... [UNK] [CLS] [SEP] [MASK])`,
        );
      }
      return id;
    };
    this.specialIds = {
      cls: need('cls'),
      sep: need('sep'),
      pad: need('pad'),
      unk: need('unk'),
      mask: this.ids.get(this.specialTokens.mask),
    };
    this.lowercase = settings.lowercase;
    this.stripAccents = settings.stripAccents ?? settings.lowercase;
    this.stripAccentsSetting = settings.stripAccents;
    this.handleChineseChars = settings.handleChineseChars ?? true;
    this.maxLength = settings.maxLength ?? 512;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) {
      throw new TokenizerConfigError(`maxLength must be an integer >= 2 (room for [CLS] and [SEP]), got ${this.maxLength}`, { code: 'INVALID_OPTION', field: 'maxLength' });
    }
    this.maxInputCharsPerWord = settings.maxInputCharsPerWord ?? 100;
    this.continuingSubwordPrefix = settings.continuingSubwordPrefix ?? '##';
    const record: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [token, id] of this.ids) record[token] = id;
    this.model = new WordPiece({
      type: 'WordPiece',
      vocab: record,
      unk_token: this.specialTokens.unk,
      continuing_subword_prefix: this.continuingSubwordPrefix,
      max_input_chars_per_word: this.maxInputCharsPerWord,
    });
    const specials = Object.values(this.specialTokens).filter((t) => this.ids.has(t));
    this.noSplit = new Set([...specials, ...(settings.noSplitTokens ?? [])]);
    const alternatives = [...this.noSplit].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.noSplitPattern = alternatives.length > 0 ? new RegExp(`(${alternatives.join('|')})`) : undefined;
  }

  /** Id of a token, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Token of an id; throws a RangeError for an id outside the vocabulary. */
  idToToken(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    }
    return this.vocab[id];
  }

  /** A copy of the vocabulary, tokens by id. */
  getVocab(): string[] {
    return this.vocab.slice();
  }

  /** WordPiece tokens of a text exactly as BertTokenizer.tokenize gives them (possibly none). */
  tokenize(text: string): string[] {
    const out: string[] = [];
    const parts = this.noSplitPattern ? text.split(this.noSplitPattern) : [text];
    for (const part of parts) {
      if (!part) continue;
      if (this.noSplit.has(part)) {
        out.push(part);
        continue;
      }
      const basic = basicTokenize(part, {
        lowercase: this.lowercase,
        stripAccents: this.stripAccents,
        handleChineseChars: this.handleChineseChars,
      });
      if (basic.length > 0) out.push(...this.model.encode(basic));
    }
    return out;
  }

  /** WordPiece ids of one word (possibly none); encodeWord, inherited, caches them and gives [UNK] for none. */
  protected pieceIds(word: string): number[] {
    return this.tokenize(word).map((p) => this.ids.get(p) ?? this.specialIds.unk);
  }

  /** [CLS] and [SEP] around the words (encodeWords, inherited, encodes documents with it). */
  protected frame(): Omit<WordFraming, 'encodeWord'> {
    return {
      prefix: [this.specialIds.cls],
      suffix: [this.specialIds.sep],
      maxLength: this.maxLength,
      specialNames: `${this.specialTokens.cls} and ${this.specialTokens.sep}`,
    };
  }

  /** vocab.txt and tokenizer_config.json, the files transformers' BertTokenizer saves (loadTokenizer reads them back). */
  files(): Record<string, string> {
    return {
      'vocab.txt': formatVocab(this.vocab),
      'tokenizer_config.json': `${JSON.stringify(this.toTokenizerConfig(), null, 2)}\n`,
    };
  }

  /**
   * tokenizer_config.json content as transformers' save_pretrained writes it for BertTokenizer;
   * strip_accents stays null unless set explicitly, so a later lowercase override strips accents.
   */
  toTokenizerConfig(): Record<string, unknown> {
    const s = this.specialTokens;
    const config: Record<string, unknown> = {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: this.lowercase,
      strip_accents: this.stripAccentsSetting ?? null,
      tokenize_chinese_chars: this.handleChineseChars,
      model_max_length: this.maxLength,
      cls_token: s.cls,
      sep_token: s.sep,
      pad_token: s.pad,
      unk_token: s.unk,
    };
    if (this.specialIds.mask !== undefined) config.mask_token = s.mask;
    return config;
  }

  /** The equivalent Hugging Face tokenizer.json object (BertNormalizer, BertPreTokenizer, WordPiece). */
  toTokenizerJson(): Record<string, unknown> {
    const vocab: Record<string, number> = {};
    for (const [token, id] of this.ids) vocab[token] = id;
    const s = this.specialTokens;
    const tokenId = (t: string): number => this.ids.get(t) ?? -1;
    const special = (t: string) => ({ id: t, ids: [tokenId(t)], tokens: [t] });
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...this.noSplit]
        .map((t) => ({ id: tokenId(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
        .sort((a, b) => a.id - b.id),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: this.handleChineseChars,
        // null keeps "follow lowercase", so a later lowercase override strips accents as BertTokenizer does.
        strip_accents: this.stripAccentsSetting ?? null,
        lowercase: this.lowercase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: s.cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: s.sep, type_id: 0 } }],
        pair: [
          { SpecialToken: { id: s.cls, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: s.sep, type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: s.sep, type_id: 1 } },
        ],
        special_tokens: { [s.cls]: special(s.cls), [s.sep]: special(s.sep) },
      },
      decoder: { type: 'WordPiece', prefix: this.continuingSubwordPrefix, cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: s.unk,
        continuing_subword_prefix: this.continuingSubwordPrefix,
        max_input_chars_per_word: this.maxInputCharsPerWord,
        vocab,
      },
    };
  }
}
