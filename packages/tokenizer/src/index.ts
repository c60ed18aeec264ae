export { SequenceTooLongError, TokenizerConfigError } from './errors';
export { basicTokenize, cleanText, type BasicTokenizerOptions } from './basic-tokenizer';
export { isChineseChar, isControl, isPunctuation, isWhitespace, stripAccents } from './unicode';
export { parseVocab, formatVocab, writeVocab, type WriteVocabOptions } from './vocab-file';
export {
  encodeFramedWords,
  FramedWordEncoder,
  WordIdCache,
  type SubwordTokenizer,
  type TokenizerKind,
  type WordFraming,
} from './subword-tokenizer';
export { PrecompiledCharsMap } from './spm-charsmap';
export { HfTokenizer, SUPPORTED_MODEL_TYPES, type HfSpecialTokens, type HfTokenizerSettings } from './hf-tokenizer';
export {
  BertWordPieceTokenizer,
  type BertTokenizerSettings,
  type EncodeResult,
  type EncodeWordsOptions,
  type SpecialIds,
  type SpecialTokens,
  type TooLongPolicy,
} from './bert-tokenizer';
export {
  byteLevelBpeTokenizerJson,
  isBertTokenizerJson,
  loadBertTokenizer,
  loadTokenizer,
  looksUncased,
  parseTokenizerJson,
  type CasingSource,
  type LoadTokenizerOptions,
  type LoadedBertTokenizer,
  type LoadedTokenizer,
  type TokenizerJsonParts,
} from './load-tokenizer';
export { buildVocab, DEFAULT_SPECIAL_TOKENS, type BuildVocabOptions } from './build-vocab';
export { splitWords, DEFAULT_ABBREVIATIONS, type SplitWordsOptions, type WordSpan } from './split-words';
export { type TrainedTokenizer, type TrainingWords, type TrainVocabularyOptions, type WordCounts } from './train-common';
export { trainByteLevelBpe, type TrainByteLevelBpeOptions } from './train-bpe';
export { trainUnigram, type TrainUnigramOptions } from './train-unigram';
