import { SpertError, type ErrorCode } from '@spert/core';

/**
 * Thrown when an encoded document does not fit the encoder's maximum sequence length (code
 * `DOCUMENT_TOO_LONG`); `documentIndex` (from {@link SpertError}) names the document.
 */
export class SequenceTooLongError extends SpertError {
  /** Where the document came from (a file path), when the caller said. */
  readonly source: string | undefined;
  /** Number of words of the document. */
  readonly wordCount: number;
  /** Wordpiece length including [CLS] and [SEP]. */
  readonly wordpieceLength: number;
  /** The maximum sequence length that was exceeded. */
  readonly maxLength: number;

  /** Builds the error; `details` carries every field (documentIndex, file, wordCount, wordpieceLength, limit). */
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
      'DOCUMENT_TOO_LONG',
      `${where} is too long for the encoder: ${args.wordCount} words give ${args.wordpieceLength} wordpieces ` +
        `(with ${args.specialNames ?? '[CLS] and [SEP]'}) but the maximum is ${args.maxLength}; split the document, or encode with ` +
        `onTooLong: 'truncate' to drop its trailing words`,
      { documentIndex: args.documentIndex, file: args.source, wordCount: args.wordCount, wordpieceLength: args.wordpieceLength, limit: args.maxLength },
    );
    this.name = 'SequenceTooLongError';
    this.source = args.source;
    this.wordCount = args.wordCount;
    this.wordpieceLength = args.wordpieceLength;
    this.maxLength = args.maxLength;
  }
}

/**
 * Thrown when a vocabulary or tokenizer checkpoint cannot be used (code `INVALID_TOKENIZER`), or
 * tokenizer training is given unusable words or options (`code` `INVALID_OPTION`/`INVALID_INPUT`);
 * the message names the file and field.
 */
export class TokenizerConfigError extends SpertError {
  /** Builds the error; `code` defaults to `INVALID_TOKENIZER`. */
  constructor(message: string, options: { code?: ErrorCode; file?: string; field?: string } = {}) {
    super(options.code ?? 'INVALID_TOKENIZER', message, { file: options.file, field: options.field });
    this.name = 'TokenizerConfigError';
  }
}
