import type { Document, TypesSchema } from '@spert/core';
import { checkpointFamily, makeEncoderConfigForLength, scratchModelTypes, type TokenizerTrainerKind } from '@spert/checkpoint';
import { createEncoder, type Encoder } from '@spert/encoder';
import { BertWordPieceTokenizer, buildVocab, HfTokenizer, trainByteLevelBpe, trainUnigram, type SubwordTokenizer, type TrainingWords } from '@spert/tokenizer';
import { SPERT_DEFAULTS, type SpertSettings } from '@spert/core';
import { SpertModel } from './spert-model';

/** The encoder families a model can be created from scratch in: those whose family declares a tokenizer trainer. */
export const SCRATCH_FAMILIES = scratchModelTypes() as [string, ...string[]];

/** The scratch families and their tokenizer trainers for help texts: "bert (wordpiece) | roberta (byte-level-bpe) | ...". */
export function describeScratchFamilies(): string {
  return SCRATCH_FAMILIES.map((f) => `${f} (${checkpointFamily(f).tokenizerTrainer})`).join(' | ');
}

/** An encoder family of {@link createScratchModel} (a model_type of {@link SCRATCH_FAMILIES}). */
export type ScratchFamily = string;

/** Size of a randomly initialised encoder. */
export interface ScratchEncoderSize {
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  /** Largest vocabulary (default 30000); built from the training words. */
  maxVocab?: number;
  /** Longest sequence in wordpieces (default 512). */
  maxPositions?: number;
}

/** Options of {@link createScratchModel}. */
export interface CreateScratchModelOptions extends ScratchEncoderSize {
  /** Documents whose words make the vocabulary (the training set). */
  documents: readonly Document[];
  types: TypesSchema;
  /**
   * Encoder family (default 'bert'): 'bert' (WordPiece from buildVocab), 'roberta' (byte-level BPE,
   * roberta-base's config shape) or 'deberta-v2' (SentencePiece Unigram, microsoft/deberta-v3-base's shape).
   */
  family?: ScratchFamily;
  lowercase?: boolean;
  seed?: number;
  settings?: Partial<Omit<SpertSettings, 'types'>>;
}

/** Options of {@link createScratchEncoder}: the family, the sizes and the words its tokenizer is trained on. */
export interface CreateScratchEncoderOptions extends ScratchEncoderSize, TrainingWords {
  /** Encoder family (default 'bert'); see {@link CreateScratchModelOptions.family}. */
  family?: ScratchFamily;
  lowercase?: boolean;
  seed?: number;
}

/**
 * A randomly initialised encoder of `family` and its tokenizer trained on the given words (a word
 * list, or counts for a corpus too large to hold: @spert/corpus countCorpusWords): BERT gets a
 * WordPiece vocabulary (buildVocab), RoBERTa a byte-level BPE, DeBERTa-v2 a Unigram, each family's
 * config shaped like its base checkpoint. Used by createScratchModel and by masked-LM pre-training.
 */
export function createScratchEncoder(o: CreateScratchEncoderOptions): { tokenizer: SubwordTokenizer; encoder: Encoder } {
  const family = o.family ?? 'bert';
  if (!SCRATCH_FAMILIES.includes(family)) {
    throw new Error(`createScratchEncoder: family ${JSON.stringify(family)} is not one of ${SCRATCH_FAMILIES.join(', ')}`);
  }
  const words: TrainingWords = o.wordCounts ? { wordCounts: o.wordCounts } : { words: o.words };
  const maxPositions = o.maxPositions ?? 512;
  const trainer = checkpointFamily(family, 'createScratchEncoder').tokenizerTrainer as TokenizerTrainerKind;
  const tokenizer = TRAINERS[trainer]({ words, maxVocab: o.maxVocab ?? 30000, lowercase: o.lowercase, maxPositions, family });
  // Each family's defaults shape the config like its base checkpoint (roberta-base, deberta-v3-base...);
  // the family adds its position offset so that the encoder takes the tokenizer's longest input.
  const sizes = { hidden_size: o.hiddenSize, num_hidden_layers: o.layers, num_attention_heads: o.heads, intermediate_size: o.intermediateSize };
  const config = makeEncoderConfigForLength({ model_type: family, vocab_size: tokenizer.vocabSize, ...sizes }, maxPositions);
  return { tokenizer, encoder: createEncoder({ config, seed: o.seed ?? 0 }) };
}

interface TrainTokenizerOptions {
  words: TrainingWords;
  maxVocab: number;
  lowercase: boolean | undefined;
  maxPositions: number;
  family: string;
}

/** The tokenizer trainers a family's descriptor can name. */
const TRAINERS: Record<TokenizerTrainerKind, (o: TrainTokenizerOptions) => SubwordTokenizer> = {
  wordpiece: ({ words, maxVocab, lowercase, maxPositions }) =>
    new BertWordPieceTokenizer({ vocab: buildVocab({ ...words, maxSize: maxVocab, lowercase }), lowercase: lowercase ?? false, maxLength: maxPositions }),
  'byte-level-bpe': (o) => trainedTokenizer(trainByteLevelBpe, o),
  unigram: (o) => trainedTokenizer(trainUnigram, o),
};

/** A tokenizer.json tokenizer trained by `train` (byte-level BPE or Unigram) on the words. */
function trainedTokenizer(train: typeof trainByteLevelBpe | typeof trainUnigram, o: TrainTokenizerOptions): SubwordTokenizer {
  const trained = train({ ...o.words, vocabSize: o.maxVocab, lowercase: o.lowercase, maxLength: o.maxPositions });
  return new HfTokenizer({ ...trained, maxLength: o.maxPositions, source: `${o.family} tokenizer trained on the documents` });
}

/**
 * A SpERT model with a randomly initialised encoder of the chosen family and a tokenizer trained on
 * the given documents' words, for training from scratch where no pretrained checkpoint is at hand:
 * BERT gets a WordPiece vocabulary (special tokens, every character and its ## form, then words by
 * frequency), RoBERTa a byte-level BPE (trainByteLevelBpe), DeBERTa-v2 a Unigram (trainUnigram).
 */
export function createScratchModel(o: CreateScratchModelOptions): SpertModel {
  const { tokenizer, encoder } = createScratchEncoder({ ...o, words: o.documents.flatMap((d) => d.tokens) });
  return SpertModel.create({ encoder, tokenizer, settings: { ...SPERT_DEFAULTS, ...o.settings, types: o.types }, seed: o.seed ?? 0 });
}
