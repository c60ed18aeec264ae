import { parsePredictionDocument, type ParsePredictionOptions, type PredictionInput } from '@spert/core';
import { splitWords } from '@spert/tokenizer';
import { HttpError } from '@spert/http';
import type { ServeLimits } from './types';

/**
 * Validates the documents of a request with the same validator as the CLI's input (one short
 * line naming the field, 400) and enforces the per-request limits (422 naming the document).
 * Text is split with the one word splitter only to count words against the limit; the pipeline
 * splits it again for the model, which costs microseconds next to a forward pass.
 */
export function prepareDocuments(documents: unknown[], limits: ServeLimits, options: ParsePredictionOptions = {}): PredictionInput[] {
  if (documents.length > limits.documents) {
    throw new HttpError(422, 'TOO_MANY_DOCUMENTS', `documents: ${documents.length} documents in one request, the limit is ${limits.documents}`);
  }
  return documents.map((raw, i) => {
    let doc: PredictionInput;
    try {
      doc = parsePredictionDocument(raw, `documents[${i}]`, options);
    } catch (e) {
      throw new HttpError(400, 'INVALID_REQUEST', (e as Error).message);
    }
    if (doc.kind === 'text') {
      if (doc.text.length > limits.chars) {
        throw new HttpError(422, 'TEXT_TOO_LONG', `documents[${i}].text: ${doc.text.length} characters, the limit is ${limits.chars}`);
      }
      const words = splitWords(doc.text).length;
      if (words > limits.words) throw new HttpError(422, 'TOO_MANY_WORDS', `documents[${i}].text: ${words} words, the limit is ${limits.words}`);
      return doc;
    }
    if (doc.tokens.length > limits.words) {
      throw new HttpError(422, 'TOO_MANY_WORDS', `documents[${i}].tokens: ${doc.tokens.length} words, the limit is ${limits.words}`);
    }
    const chars = doc.tokens.reduce((n, t) => n + t.length, 0);
    if (chars > limits.chars) {
      throw new HttpError(422, 'TEXT_TOO_LONG', `documents[${i}].tokens: ${chars} characters in total, the limit is ${limits.chars}`);
    }
    return doc;
  });
}
