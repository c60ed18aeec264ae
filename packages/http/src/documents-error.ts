import { isSpertError, SpertError } from '@spert/core';

/**
 * An error of a predict call over a request's documents, worded in the request's terms: a
 * too-long document (`DOCUMENT_TOO_LONG`) is named `documents[i]` by its `documentIndex`
 * (relative to the request: the micro-batcher maps it back) and the message says what the
 * client can do (split it), not the library's `onTooLong` option. Code and details stay; other
 * errors are returned as they are (their messages already say "document i").
 */
export function documentsError(err: unknown, field = 'documents'): unknown {
  if (!isSpertError(err)) return err;
  const i = err.documentIndex;
  const where = i === undefined ? 'a document' : `${field}[${i}]`;
  const d = err.details;
  if (err.code === 'DOCUMENT_TOO_LONG' && typeof d.wordCount === 'number' && typeof d.wordpieceLength === 'number' && typeof d.limit === 'number') {
    return new SpertError(err.code, `${where}: ${d.wordCount} words give ${d.wordpieceLength} wordpieces, the model takes at most ${d.limit}; split the document`, { ...d });
  }
  return err;
}
