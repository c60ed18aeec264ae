// A small deterministic predictor for HTTP-layer tests: capitalised word runs are entities,
// typed by a gazetteer, with relations between them. It stands in for a model so the tests can
// assert exact outputs; the real ONNX model is exercised in onnx-model.spec.ts.
import type { ModelMetadata, Prediction, PredictionInput, Predictor, ScoredEntity, ScoredRelation } from '@spert/core';
import { splitWords } from '@spert/tokenizer';

const LOC = new Set(['Berlin', 'Paris', 'London']);
const ORG_SUFFIX = new Set(['Corp', 'Inc', 'GmbH']);

/** Rule-based {@link Predictor} that records every batch it is called with. */
export class RulePredictor implements Predictor {
  readonly calls: string[][][] = [];
  disposed = 0;
  constructor(private readonly delayMs = 0) {}

  async predict(inputs: readonly PredictionInput[]): Promise<Prediction[]> {
    const split = inputs.map((d) => (d.kind === 'text' ? splitWords(d.text) : undefined));
    const docs = inputs.map((d, i) => (d.kind === 'text' ? (split[i] ?? []).map((w) => w.text) : d.tokens));
    this.calls.push(docs);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return docs.map((tokens, d) => {
      if (tokens.includes('FAIL')) throw new Error('rule predictor: asked to fail');
      const entities: ScoredEntity[] = [];
      let i = 0;
      while (i < tokens.length) {
        if (/^\p{Lu}/u.test(tokens[i] as string)) {
          let j = i + 1;
          while (j < tokens.length && /^\p{Lu}/u.test(tokens[j] as string)) j++;
          const last = tokens[j - 1] as string;
          const type = ORG_SUFFIX.has(last) ? 'Org' : LOC.has(last) ? 'Loc' : 'Peop';
          entities.push({ type, start: i, end: j, score: 0.9 });
          i = j;
        } else i++;
      }
      const relations: ScoredRelation[] = [];
      entities.forEach((h, hi) =>
        entities.forEach((t, ti) => {
          if (h.type === 'Peop' && t.type === 'Org') relations.push({ type: 'Work_For', head: hi, tail: ti, score: 0.8 });
          if (h.type === 'Org' && t.type === 'Loc') relations.push({ type: 'OrgBased_In', head: hi, tail: ti, score: 0.7 });
        }),
      );
      const words = split[d];
      return words ? { tokens, entities, relations, charOffsets: words.map((w) => [w.start, w.end] as [number, number]) } : { tokens, entities, relations };
    });
  }

  metadata(): ModelMetadata {
    return { model: 'rules', entityTypes: ['Loc', 'Org', 'Peop'], relationTypes: ['OrgBased_In', 'Work_For'] };
  }

  dispose(): void {
    this.disposed += 1;
  }
}
