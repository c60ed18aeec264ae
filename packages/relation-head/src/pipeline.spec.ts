// The three packages together, as the model will use them: sampler -> collate -> entity head ->
// relation head, in training (masked losses, gradients) and inference (filter, pairs, decode).
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { createRng, type Document, type EncodedDocument, type TypesSchema } from '@spert/core';
import { EntityHead } from '@spert/entity-head';
import { buildPrediction, filterSpans } from '@spert/pipeline';
import { buildInferencePairs, collate, createEvalSample, createTrainSample, type SpanBatch } from '@spert/span-sampler';
import { forwardHeads } from './index';
import { RelationHead } from './relation-head';

const types: TypesSchema = {
  entities: [
    { key: 'Peop', index: 1, short: 'Peop', verbose: 'People' },
    { key: 'Loc', index: 2, short: 'Loc', verbose: 'Location' },
  ],
  relations: [
    { key: 'Live_In', index: 1, short: 'Live', verbose: 'Live in', symmetric: false },
    { key: 'Near', index: 2, short: 'Near', verbose: 'Near', symmetric: true },
  ],
};
const docs: Document[] = [
  {
    tokens: ['John', 'Smith', 'lives', 'in', 'Paris', 'near', 'Versailles'],
    entities: [{ type: 'Peop', start: 0, end: 2 }, { type: 'Loc', start: 4, end: 5 }, { type: 'Loc', start: 6, end: 7 }],
    relations: [{ type: 'Live_In', head: 0, tail: 1 }, { type: 'Near', head: 2, tail: 1 }],
  },
  { tokens: ['Rain', '.'], entities: [], relations: [] },
];
const encode = (tokens: string[]): EncodedDocument => {
  const wordRanges: Array<[number, number]> = [];
  let pos = 1;
  tokens.forEach((w) => {
    const n = w.length > 4 ? 2 : 1;
    wordRanges.push([pos, pos + n]);
    pos += n;
  });
  return { inputIds: Array.from({ length: pos + 1 }, (_, i) => i + 5), wordRanges };
};
const H = 6;

function heads(): { entity: EntityHead; relation: RelationHead } {
  return {
    entity: new EntityHead({ hiddenSize: H, numEntityTypes: 2, sizeEmbedding: 4, seed: 1 }),
    relation: new RelationHead({ hiddenSize: H, numRelationTypes: 2, sizeEmbedding: 4, seed: 2 }),
  };
}

function run(batch: SpanBatch, hidden: tf.Tensor3D, h: ReturnType<typeof heads>, training: boolean) {
  return forwardHeads(h, hidden, batch, training);
}

/** SpERT's loss (reference loss.py): masked-mean CE over spans + masked-mean (type-averaged) BCE over pairs. */
function loss(batch: SpanBatch, out: ReturnType<typeof run>): tf.Scalar {
  return tf.tidy(() => {
    const [B, S] = batch.spanMask.shape;
    const spanMask = tf.tensor1d(Float32Array.from(batch.spanMask.data));
    const ce = tf.losses.softmaxCrossEntropy(
      tf.oneHot(tf.tensor1d(batch.spanLabels.data, 'int32'), 3),
      tf.reshape(out.entityLogits, [B * S, 3]),
      undefined,
      undefined,
      tf.Reduction.NONE,
    );
    const entityLoss = tf.div(tf.sum(tf.mul(ce, spanMask)), tf.sum(spanMask));
    const [, P, R] = batch.pairLabels.shape;
    const pairMask = tf.tensor1d(Float32Array.from(batch.pairMask.data));
    const bce = tf.mean(
      tf.reshape(
        tf.losses.sigmoidCrossEntropy(tf.tensor(batch.pairLabels.data, batch.pairLabels.shape), out.relationLogits, undefined, undefined, tf.Reduction.NONE),
        [B * P, R],
      ),
      1,
    );
    const relLoss = tf.div(tf.sum(tf.mul(bce, pairMask)), tf.maximum(tf.sum(pairMask), 1));
    return tf.add(entityLoss, relLoss) as tf.Scalar;
  });
}

describe('sampler + entity head + relation head', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('trains: gradients reach every parameter and plain SGD lowers the loss', () => {
    const rng = createRng(5);
    const batch = collate(docs.map((document) => createTrainSample({ document, encoding: encode(document.tokens), types, rng })));
    const [B, T] = batch.inputIds.shape;
    const hidden = tf.variable(tf.randomNormal([B, T, H], 0, 1, 'float32', 3)) as tf.Variable<tf.Rank.R3>;
    const h = heads();
    const params = [...h.entity.variables().values(), ...h.relation.variables().values(), hidden];
    const first = loss(batch, run(batch, hidden, h, false)).dataSync()[0];
    for (let step = 0; step < 30; step++) {
      const { grads } = tf.variableGrads(() => loss(batch, run(batch, hidden, h, true)), params);
      for (const p of params) {
        const g = grads[p.name];
        expect(g).toBeDefined();
        expect(g.dataSync().every(Number.isFinite)).toBe(true);
        if (step === 0 && p !== hidden) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
        p.assign(tf.sub(p, tf.mul(g, 0.5)));
      }
      tf.dispose(Object.values(grads));
    }
    const last = loss(batch, run(batch, hidden, h, false)).dataSync()[0];
    expect(last).toBeLessThan(first * 0.5);
  });

  it('gives each document the same outputs alone as inside a padded batch', () => {
    const samples = docs.map((document) => createTrainSample({ document, encoding: encode(document.tokens), types, rng: createRng(1) }));
    const batch = collate(samples);
    const [B, T] = batch.inputIds.shape;
    const hiddenData = tf.randomNormal([B, T, H], 0, 1, 'float32', 4);
    const h = heads();
    const both = run(batch, hiddenData as tf.Tensor3D, h, false);
    const alone = collate([samples[0]]);
    const T0 = alone.inputIds.shape[1];
    const one = run(alone, tf.slice(hiddenData, [0, 0, 0], [1, T0, H]) as tf.Tensor3D, h, false);
    const S0 = samples[0].spanWords.length;
    const P0 = samples[0].pairs.length;
    expect(Array.from(tf.slice(both.entityLogits, [0, 0, 0], [1, S0, 3]).dataSync())).toEqual(Array.from(one.entityLogits.dataSync()));
    expect(Array.from(tf.slice(both.relationLogits, [0, 0, 0], [1, P0, 2]).dataSync())).toEqual(Array.from(one.relationLogits.dataSync()));
  });

  it('infers: candidate spans -> filter -> ordered pairs -> decoded prediction in word coordinates', () => {
    const document = docs[0];
    const sample = createEvalSample({ encoding: encode(document.tokens), numRelationTypes: 2 });
    const batch = collate([sample]);
    const h = heads();
    const hidden = tf.randomNormal([1, batch.inputIds.shape[1], H], 0, 1, 'float32', 8) as tf.Tensor3D;
    const ent = h.entity.forward({ hidden, spanRanges: batch.spanRanges, spanWidths: batch.spanWidths });
    const S = sample.spanWords.length;
    expect(ent.logits.shape).toEqual([1, S, 3]);
    // Stand-in for a trained classifier: logits that pick exactly the gold spans and types.
    const logits = new Float32Array(S * 3);
    sample.spanWords.forEach(([s, e], i) => {
      const gold = document.entities.findIndex((x) => x.start === s && x.end === e);
      logits[i * 3 + (gold < 0 ? 0 : gold === 0 ? 1 : 2)] = 5;
    });
    const entityProbs = tf.softmax(tf.tensor2d(logits, [S, 3])).dataSync();
    const kept = filterSpans({ probs: entityProbs, numClasses: 3 }).indices;
    expect(kept.map((k) => sample.spanWords[k])).toEqual([[4, 5], [6, 7], [0, 2]]);
    const { pairs, contexts } = buildInferencePairs({ keptSpans: kept, spanRanges: sample.spanRanges });
    expect(pairs).toHaveLength(6);
    h.relation.weight.assign(tf.zeros(h.relation.weight.shape)); // every pair at sigmoid(0) = 0.5 >= 0.4
    const probs = h.relation
      .predictProbs({ hidden, spanPool: ent.spanPool, widthEmbeddings: ent.widthEmbeddings, pairs: { data: pairs.flat(), shape: [1, 6, 2] }, contexts: { data: contexts.flat(), shape: [1, 6, 2] } })
      .arraySync()[0];
    for (const row of probs) for (const p of row) expect(p).toBe(0.5);
    const pred = buildPrediction({ tokens: document.tokens, spans: sample.spanWords, entityProbs, pairs, relationProbs: probs, types });
    expect(pred.entities.map(({ type, start, end }) => ({ type, start, end }))).toEqual(document.entities);
    // 6 directed Live_In, and Near collapsed to 3 head-first pairs
    expect(pred.relations.filter((r) => r.type === 'Live_In')).toHaveLength(6);
    expect(pred.relations.filter((r) => r.type === 'Near').map((r) => [r.head, r.tail])).toEqual([[0, 1], [0, 2], [1, 2]]);
  });
});
