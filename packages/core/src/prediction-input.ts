/** One item of a prediction request: words given by the caller, or raw text to split into words. */
export type PredictionInput = { kind: 'tokens'; tokens: string[] } | { kind: 'text'; text: string };

function checkWords(words: unknown[], where: string): string[] {
  if (words.length === 0) throw new Error(`${where}: the list of words is empty`);
  words.forEach((w, i) => {
    if (typeof w !== 'string') throw new Error(`${where}[${i}]: a word must be a string, got ${JSON.stringify(w)}`);
  });
  return words as string[];
}

/**
 * Parses the reference's predict input (SPERT_REFERENCE 4.2): an array whose items are
 * `{tokens: [...]}` (other keys ignored), a plain array of words, or a raw string.
 */
export function parsePredictionInput(json: unknown, options: { source?: string } = {}): PredictionInput[] {
  const source = options.source ?? 'input';
  if (!Array.isArray(json)) {
    throw new Error(`${source}: prediction input must be a JSON array of documents ({tokens: [...]}, [words...] or "text"), got ${json === null ? 'null' : typeof json}`);
  }
  return json.map((item: unknown, i): PredictionInput => {
    const where = `${source}: item ${i}`;
    if (typeof item === 'string') {
      if (item.trim().length === 0) throw new Error(`${where}: the text is empty`);
      return { kind: 'text', text: item };
    }
    if (Array.isArray(item)) return { kind: 'tokens', tokens: checkWords(item, where) };
    if (typeof item === 'object' && item !== null) {
      const tokens = (item as Record<string, unknown>).tokens;
      if (!Array.isArray(tokens)) throw new Error(`${where}.tokens: must be an array of words, got ${tokens === undefined ? 'nothing' : JSON.stringify(tokens)}`);
      return { kind: 'tokens', tokens: checkWords(tokens, `${where}.tokens`) };
    }
    throw new Error(`${where}: expected {tokens: [...]}, an array of words or a string, got ${JSON.stringify(item)}`);
  });
}
