import { HttpError } from './http-error';
import type { InputDocument, ServeLimits } from './types';
import { splitWords } from './words';

/** A request document made ready for the model: words, and their character offsets for text. */
export interface PreparedDocument {
  tokens: string[];
  /** Present for text input. */
  text?: string;
  offsets?: Array<[number, number]>;
}

/**
 * Splits text documents into words and enforces the per-request limits (422 with the offending
 * document index), after the JSON schema has already checked the shape.
 */
export function prepareDocuments(documents: InputDocument[], limits: ServeLimits): PreparedDocument[] {
  if (documents.length > limits.documents) {
    throw new HttpError(422, 'TOO_MANY_DOCUMENTS', `documents: ${documents.length} documents in one request, the limit is ${limits.documents}`);
  }
  return documents.map((doc, i) => {
    if ('text' in doc) {
      if (doc.text.length > limits.chars) {
        throw new HttpError(422, 'TEXT_TOO_LONG', `documents[${i}].text: ${doc.text.length} characters, the limit is ${limits.chars}`);
      }
      const words = splitWords(doc.text);
      if (words.length > limits.words) {
        throw new HttpError(422, 'TOO_MANY_WORDS', `documents[${i}].text: ${words.length} words, the limit is ${limits.words}`);
      }
      return { tokens: words.map((w) => w.text), text: doc.text, offsets: words.map((w) => [w.start, w.end] as [number, number]) };
    }
    if (doc.tokens.length > limits.words) {
      throw new HttpError(422, 'TOO_MANY_WORDS', `documents[${i}].tokens: ${doc.tokens.length} words, the limit is ${limits.words}`);
    }
    const chars = doc.tokens.reduce((n, t) => n + t.length, 0);
    if (chars > limits.chars) {
      throw new HttpError(422, 'TEXT_TOO_LONG', `documents[${i}].tokens: ${chars} characters in total, the limit is ${limits.chars}`);
    }
    doc.tokens.forEach((t, j) => {
      // A token the word splitter would break or drop cannot be a word of the model's input.
      if (splitWords(t).length === 0) {
        throw new HttpError(422, 'BAD_TOKEN', `documents[${i}].tokens[${j}]: a token must contain a visible character (got ${JSON.stringify(t)})`);
      }
    });
    return { tokens: [...doc.tokens] };
  });
}
