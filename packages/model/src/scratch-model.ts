import type { Document, TypesSchema } from '@spert/core';
import { makeBertConfig } from '@spert/checkpoint';
import { BertEncoder } from '@spert/encoder';
import { BertWordPieceTokenizer, buildVocab } from '@spert/tokenizer';
import { SPERT_DEFAULTS, type SpertSettings } from '@spert/core';
import { SpertModel } from './spert-model';

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
  lowercase?: boolean;
  seed?: number;
  settings?: Partial<Omit<SpertSettings, 'types'>>;
}

/**
 * A SpERT model with a randomly initialised BERT encoder and a WordPiece vocabulary built from
 * the given documents (special tokens, every character and its ## form, then words by
 * frequency), for training from scratch where no pretrained checkpoint is at hand.
 */
export function createScratchModel(o: CreateScratchModelOptions): SpertModel {
  const vocab = buildVocab({ words: o.documents.flatMap((d) => d.tokens), maxSize: o.maxVocab ?? 30000, lowercase: o.lowercase });
  const tokenizer = new BertWordPieceTokenizer({ vocab, lowercase: o.lowercase ?? false, maxLength: o.maxPositions ?? 512 });
  const config = makeBertConfig({
    vocab_size: vocab.length,
    hidden_size: o.hiddenSize,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    intermediate_size: o.intermediateSize,
    max_position_embeddings: o.maxPositions ?? 512,
  });
  const encoder = BertEncoder.create({ config, seed: o.seed ?? 0 });
  return SpertModel.create({ encoder, tokenizer, settings: { ...SPERT_DEFAULTS, ...o.settings, types: o.types }, seed: o.seed ?? 0 });
}
