import type { SubwordTokenizer } from '@spert/tokenizer';

/** What the pipeline needs of a subword tokenizer of any family (WordPiece, BPE, Unigram). */
export type PipelineTokenizer = Pick<SubwordTokenizer, 'maxLength' | 'numSpecialTokens' | 'encodeWord' | 'encodeWords'>;
