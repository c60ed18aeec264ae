import { parseTypes, SPERT_DEFAULTS, type BatchScores, type PairScoringInput, type ScoredBatch, type SpanScoringInput, type SpertRuntime, type SpertSettings } from '@spert/core';
import { decodeRelations } from './decode/decode-relations';
import { relationDecoding } from './decode/relation-decoding';
import { decodeScores } from './predict';
import { scoreDocuments } from './score-documents';

const types = parseTypes({
  entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } },
  relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false }, Near: { short: 'Near', verbose: 'Near', symmetric: true } },
});
const [Loc, Peop] = [1, 2];

/**
 * A hand-made runtime: word 0 is a person, every other word a location (one-word spans only), and
 * every pair gets probability 0.9 for Live_In and 0.5 for Near. It records what scorePairs received.
 */
function handMadeRuntime(settings: SpertSettings): SpertRuntime & { pairInputs: PairScoringInput[] } {
  const pairInputs: PairScoringInput[] = [];
  const C = types.entities.length + 1;
  return {
    settings,
    pairInputs,
    async scoreSpans(input: SpanScoringInput): Promise<ScoredBatch> {
      const [B, S] = input.spanWidths.shape;
      const probs = new Float32Array(B * S * C);
      for (let i = 0; i < B * S; i++) {
        const width = input.spanWidths.data[i];
        const first = input.spanRanges.data[2 * i] === 1;
        probs[i * C + (width !== 1 ? 0 : first ? Peop : Loc)] = 1;
      }
      return {
        entities: { logits: probs, probs, shape: [B, S, C] },
        async scorePairs(p: PairScoringInput): Promise<BatchScores> {
          pairInputs.push(p);
          const [b, n] = p.pairs.shape;
          const out = new Float32Array(b * n * 2);
          for (let i = 0; i < b * n; i++) out.set([0.9, 0.5], 2 * i);
          return { logits: out, probs: out, shape: [b, n, 2] };
        },
        dispose() {},
      };
    },
  };
}

const words = ['Ann', 'Rome', 'Oslo'];
// One subword per word after [CLS] (id 1), then [SEP].
const encoding = { inputIds: [101, 5, 6, 7, 102], wordRanges: [[1, 2], [2, 3], [3, 4]] as Array<[number, number]> };

async function predictWith(settings: SpertSettings) {
  const runtime = handMadeRuntime(settings);
  const [scores] = await scoreDocuments({ runtime, encodings: [encoding] });
  return { runtime, prediction: decodeScores(runtime, words, scores) };
}

describe('relation type constraints in decoding', () => {
  it('never emits a forbidden triple, however probable, and keeps the allowed ones', async () => {
    const settings: SpertSettings = { ...SPERT_DEFAULTS, types, relationTypeConstraints: 'train', relationTriples: [['Peop', 'Live_In', 'Loc'], ['Loc', 'Near', 'Loc']] };
    const { prediction } = await predictWith(settings);
    const rels = prediction.relations.map((r) => `${prediction.entities[r.head].type}-${r.type}-${prediction.entities[r.tail].type}`);
    // Without constraints, Loc-Live_In-Peop, Loc-Live_In-Loc and Peop-Near-Loc would be emitted too (probability 0.9/0.5).
    const { prediction: free } = await predictWith({ ...SPERT_DEFAULTS, types });
    expect(free.relations.map((r) => `${free.entities[r.head].type}-${r.type}-${free.entities[r.tail].type}`)).toEqual(
      expect.arrayContaining(['Loc-Live_In-Peop', 'Loc-Live_In-Loc', 'Peop-Near-Loc']),
    );
    expect(new Set(rels)).toEqual(new Set(['Peop-Live_In-Loc', 'Loc-Near-Loc']));
    expect(rels.filter((r) => r === 'Peop-Live_In-Loc')).toHaveLength(2);
  });
  it('allows a symmetric relation in either direction of its stored triple', () => {
    const constraints = relationDecoding({ ...SPERT_DEFAULTS, types, relationTypeConstraints: 'train', relationTriples: [['Peop', 'Near', 'Loc']] }).constraints;
    const out = decodeRelations({ pairs: [[1, 0]], relationProbs: [[0, 0.9]], spans: [[0, 1], [1, 2]], entityTypes: [Peop, Loc], symmetric: [false, true], constraints });
    expect(out).toEqual([{ head: 0, tail: 1, type: 2, score: 0.9 }]);
  });
});

describe('per-type thresholds in decoding', () => {
  it('applies each type its stored threshold, the global one to types it does not list', async () => {
    const { prediction: reference } = await predictWith({ ...SPERT_DEFAULTS, types });
    expect(new Set(reference.relations.map((r) => r.type))).toEqual(new Set(['Live_In', 'Near']));
    const { prediction: tuned } = await predictWith({ ...SPERT_DEFAULTS, types, relThresholds: { Near: 0.6 } });
    expect(new Set(tuned.relations.map((r) => r.type))).toEqual(new Set(['Live_In']));
    const { prediction: high } = await predictWith({ ...SPERT_DEFAULTS, types, relFilterThreshold: 0.95, relThresholds: { Near: 0.45 } });
    expect(new Set(high.relations.map((r) => r.type))).toEqual(new Set(['Near']));
    expect(relationDecoding({ ...SPERT_DEFAULTS, types, relThresholds: { Near: 0.6 } }).thresholds).toEqual([0.4, 0.6]);
  });
});

describe('entity types for the relation head', () => {
  it('hands the predicted type of every candidate span to scorePairs only when the model reads them', async () => {
    const { runtime: on } = await predictWith({ ...SPERT_DEFAULTS, types, relationEntityTypes: 'embedding' });
    const spanTypes = on.pairInputs[0].spanTypes;
    expect(spanTypes?.shape[0]).toBe(1);
    // Candidates in the reference's order: width 1 first ([0,1), [1,2), [2,3)), then wider spans (not kept: 0).
    expect(Array.from(spanTypes?.data ?? []).slice(0, 3)).toEqual([Peop, Loc, Loc]);
    expect(Array.from(spanTypes?.data ?? []).slice(3).every((t) => t === 0)).toBe(true);
    const { runtime: off } = await predictWith({ ...SPERT_DEFAULTS, types });
    expect(off.pairInputs[0]).not.toHaveProperty('spanTypes');
  });
  it("gives a given entity's own type, not the predicted one", async () => {
    const runtime = handMadeRuntime({ ...SPERT_DEFAULTS, types, relationEntityTypes: 'embedding' });
    // "Rome" (candidate 1, predicted Loc) given as Peop; merged with the predicted ones.
    await scoreDocuments({ runtime, encodings: [encoding], requests: [{ given: [{ start: 1, end: 2, type: Peop }], entitiesMode: 'merged' }] });
    expect(Array.from(runtime.pairInputs[0].spanTypes?.data ?? []).slice(0, 3)).toEqual([Peop, Peop, Loc]);
  });
});
