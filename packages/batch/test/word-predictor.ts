// A deterministic stand-in for a model: capitalised words are entities, consecutive entities are
// related. It lets the batch tests assert exact output bytes; the real ONNX runtime runs in
// apps/predict's tests.
import type { ModelMetadata, Prediction, PredictionInput, Predictor } from '@spert/core';

/** Rule-based {@link Predictor} recording the size of every call. */
export class WordPredictor implements Predictor {
  readonly calls: number[] = [];
  disposed = 0;
  constructor(private readonly delayMs: () => number = () => 0) {}

  async predict(inputs: readonly PredictionInput[]): Promise<Prediction[]> {
    this.calls.push(inputs.length);
    const wait = this.delayMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return inputs.map((d) => {
      let tokens: string[];
      let charOffsets: Array<[number, number]> | undefined;
      if (d.kind === 'text') {
        const words = [...d.text.matchAll(/\S+/g)];
        tokens = words.map((m) => m[0]);
        charOffsets = words.map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
      } else tokens = d.tokens;
      if (tokens.includes('TOOLONG')) throw Object.assign(new Error('document too long for the encoder'), { name: 'SequenceTooLongError' });
      if (tokens.includes('CRASH')) throw new Error('the model crashed');
      const entities = tokens.flatMap((t, i) => (/^\p{Lu}/u.test(t) ? [{ type: t.length > 3 ? 'Org' : 'Peop', start: i, end: i + 1, score: 0.5 + i / 100 }] : []));
      const relations = entities.slice(1).map((_e, k) => ({ type: 'Rel', head: k, tail: k + 1, score: 0.25 }));
      return charOffsets ? { tokens, entities, relations, charOffsets } : { tokens, entities, relations };
    });
  }

  metadata(): ModelMetadata {
    return { model: 'words', entityTypes: ['Org', 'Peop'], relationTypes: ['Rel'] };
  }

  dispose(): void {
    this.disposed += 1;
  }
}
