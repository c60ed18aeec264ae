import type { Document, TypesSchema } from '@spert/core';
import { makeBertConfig, makeEncoderConfig } from '@spert/checkpoint';
import { BertEncoder, createEncoder, type Encoder } from '@spert/encoder';
import { BertWordPieceTokenizer, buildVocab, HfTokenizer, trainByteLevelBpe, trainUnigram, type SubwordTokenizer, type TrainingWords } from '@spert/tokenizer';
import { SPERT_DEFAULTS, type SpertSettings } from '@spert/core';
import { SpertModel } from './spert-model';

/** The encoder families a model can be created from scratch in. */
export const SCRATCH_FAMILIES = ['bert', 'roberta', 'deberta-v2'] as const;

/** An encoder family of {@link createScratchModel}. */
export type ScratchFamily = (typeof SCRATCH_FAMILIES)[number];

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
  if (!(SCRATCH_FAMILIES as readonly string[]).includes(family)) {
    throw new Error(`createScratchEncoder: family ${JSON.stringify(family)} is not one of ${SCRATCH_FAMILIES.join(', ')}`);
  }
  const words: TrainingWords = o.wordCounts ? { wordCounts: o.wordCounts } : { words: o.words };
  const maxVocab = o.maxVocab ?? 30000;
  const maxPositions = o.maxPositions ?? 512;
  const seed = o.seed ?? 0;
  const sizes = { hidden_size: o.hiddenSize, num_hidden_layers: o.layers, num_attention_heads: o.heads, intermediate_size: o.intermediateSize };
  if (family === 'bert') {
    const vocab = buildVocab({ ...words, maxSize: maxVocab, lowercase: o.lowercase });
    const tokenizer = new BertWordPieceTokenizer({ vocab, lowercase: o.lowercase ?? false, maxLength: maxPositions });
    const config = makeBertConfig({ vocab_size: vocab.length, ...sizes, max_position_embeddings: maxPositions });
    return { tokenizer, encoder: BertEncoder.create({ config, seed }) };
  }
  const train = family === 'roberta' ? trainByteLevelBpe : trainUnigram;
  const trained = train({ ...words, vocabSize: maxVocab, lowercase: o.lowercase, maxLength: maxPositions });
  const tokenizer = new HfTokenizer({ ...trained, maxLength: maxPositions, source: `${family} tokenizer trained on the documents` });
  // RoBERTa's position ids start at padding_idx + 1 = 2, so it needs two more rows than positions;
  // the DeBERTa-v3 fields (relative attention, 256 buckets, no absolute positions) are the family's defaults.
  const config =
    family === 'roberta'
      ? makeEncoderConfig({ model_type: 'roberta', vocab_size: tokenizer.vocabSize, ...sizes, max_position_embeddings: maxPositions + 2, type_vocab_size: 1 })
      : makeEncoderConfig({ model_type: 'deberta-v2', vocab_size: tokenizer.vocabSize, ...sizes, max_position_embeddings: maxPositions, type_vocab_size: 0 });
  return { tokenizer, encoder: createEncoder({ config, seed }) };
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
