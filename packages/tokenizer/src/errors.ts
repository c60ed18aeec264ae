/** Thrown when an encoded document does not fit the encoder's maximum sequence length. */
export class SequenceTooLongError extends Error {
  /** Index of the document (as given by the caller), or undefined when not given. */
  readonly documentIndex: number | undefined;
  /** Where the document came from (a file path), when the caller said. */
  readonly source: string | undefined;
  /** Number of words of the document. */
  readonly wordCount: number;
  /** Wordpiece length including [CLS] and [SEP]. */
  readonly wordpieceLength: number;
  /** The maximum sequence length that was exceeded. */
  readonly maxLength: number;

  constructor(args: {
    documentIndex?: number;
    source?: string;
    wordCount: number;
    wordpieceLength: number;
    maxLength: number;
    /** The framing special tokens as named in the message (default "[CLS] and [SEP]"). */
    specialNames?: string;
  }) {
    const where = (args.source ? `${args.source}: ` : '') + (args.documentIndex === undefined ? 'document' : `document ${args.documentIndex}`);
    super(
      `${where} is too long for the encoder: ${args.wordCount} words give ${args.wordpieceLength} wordpieces ` +
        `(with ${args.specialNames ?? '[CLS] and [SEP]'}) but the maximum is ${args.maxLength}; split the document, or encode with ` +
        `onTooLong: 'truncate' to drop its trailing words`,
    );
    this.name = 'SequenceTooLongError';
    this.documentIndex = args.documentIndex;
    this.source = args.source;
    this.wordCount = args.wordCount;
    this.wordpieceLength = args.wordpieceLength;
    this.maxLength = args.maxLength;
  }
}

/** Thrown when a vocabulary or tokenizer checkpoint cannot be used; the message names the file and field. */
export class TokenizerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerConfigError';
  }
}
