/**
 * The confidence of a prediction, the task-level `score` Label Studio sorts by: the lowest score
 * of any decision the model made in the document, the softmax probability of each entity's type
 * and the sigmoid probability of each relation. Sorting ascending (Label Studio's data manager,
 * "Prediction score") puts the documents whose least sure decision is least sure first. A
 * document with words and nothing predicted scores 0 (the model found nothing: worth a look);
 * a document without words (an empty text) scores 1 (there is nothing to decide).
 */
export function documentConfidence(doc: { tokens: readonly string[]; entities: ReadonlyArray<{ score?: number }>; relations: ReadonlyArray<{ score?: number }> }): number {
  // A loop, not Math.min(...scores): a long document can hold more decisions than a call takes arguments.
  let lowest = Infinity;
  for (const x of doc.entities) lowest = Math.min(lowest, x.score ?? 1);
  for (const x of doc.relations) lowest = Math.min(lowest, x.score ?? 1);
  if (lowest !== Infinity) return lowest;
  return doc.tokens.length === 0 ? 1 : 0;
}

/**
 * The `n` least certain of scored items (lowest {@link documentConfidence} first; ties keep input
 * order): what active learning asks a person to annotate next.
 */
export function leastConfident<T extends { confidence: number }>(items: readonly T[], n: number): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.confidence - b.item.confidence || a.i - b.i)
    .slice(0, Math.max(0, n))
    .map((x) => x.item);
}
