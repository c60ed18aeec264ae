import type { SpanBatch, SpanSample } from './types';
import { SpertError, internalError } from '@spert/core';

/**
 * Pads samples into one batch of typed arrays (the reference's `padded_stack`). S and P are at
 * least 1 so that a batch without spans or pairs still has a (masked) row to compute on.
 */
export function collate(samples: readonly SpanSample[]): SpanBatch {
  if (samples.length === 0) throw new SpertError('INVALID_INPUT', 'collate: needs at least one sample');
  const B = samples.length;
  const R = samples[0].numRelationTypes;
  samples.forEach((s, b) => {
    if (s.numRelationTypes !== R) {
      throw internalError(`collate: sample ${b} has ${s.numRelationTypes} relation types, sample 0 has ${R}`);
    }
    const n = s.spanWords.length;
    if (s.spanRanges.length !== n || s.spanWidths.length !== n || s.spanLabels.length !== n) {
      throw internalError(`collate: sample ${b} has span arrays of different lengths`);
    }
    if (s.pairContexts.length !== s.pairs.length || s.pairLabels.length !== s.pairs.length) {
      throw internalError(`collate: sample ${b} has pair arrays of different lengths`);
    }
    s.pairs.forEach(([h, t], p) => {
      if (h < 0 || t < 0 || h >= n || t >= n) throw internalError(`collate: sample ${b}, pair ${p} indexes a missing span`);
    });
    s.pairLabels.forEach((row, p) => {
      if (row.length !== R) throw internalError(`collate: sample ${b}, pair ${p} has ${row.length} labels, expected ${R}`);
    });
  });
  const T = Math.max(...samples.map((s) => s.inputIds.length));
  const S = Math.max(1, ...samples.map((s) => s.spanWords.length));
  const P = Math.max(1, ...samples.map((s) => s.pairs.length));

  const inputIds = new Int32Array(B * T);
  const attentionMask = new Int32Array(B * T);
  const spanRanges = new Int32Array(B * S * 2);
  const spanWidths = new Int32Array(B * S);
  const spanLabels = new Int32Array(B * S);
  const spanMask = new Int32Array(B * S);
  const pairIndices = new Int32Array(B * P * 2);
  const pairContexts = new Int32Array(B * P * 2);
  const pairLabels = new Float32Array(B * P * R);
  const pairMask = new Int32Array(B * P);

  samples.forEach((s, b) => {
    s.inputIds.forEach((id, t) => {
      inputIds[b * T + t] = id;
      attentionMask[b * T + t] = 1;
    });
    for (let i = 0; i < s.spanWords.length; i++) {
      const o = b * S + i;
      spanRanges[2 * o] = s.spanRanges[i][0];
      spanRanges[2 * o + 1] = s.spanRanges[i][1];
      spanWidths[o] = s.spanWidths[i];
      spanLabels[o] = s.spanLabels[i];
      spanMask[o] = 1;
    }
    for (let p = 0; p < s.pairs.length; p++) {
      const o = b * P + p;
      pairIndices[2 * o] = s.pairs[p][0];
      pairIndices[2 * o + 1] = s.pairs[p][1];
      pairContexts[2 * o] = s.pairContexts[p][0];
      pairContexts[2 * o + 1] = s.pairContexts[p][1];
      pairLabels.set(s.pairLabels[p], o * R);
      pairMask[o] = 1;
    }
  });

  return {
    batchSize: B,
    inputIds: { data: inputIds, shape: [B, T] },
    attentionMask: { data: attentionMask, shape: [B, T] },
    spanRanges: { data: spanRanges, shape: [B, S, 2] },
    spanWidths: { data: spanWidths, shape: [B, S] },
    spanLabels: { data: spanLabels, shape: [B, S] },
    spanMask: { data: spanMask, shape: [B, S] },
    pairIndices: { data: pairIndices, shape: [B, P, 2] },
    pairContexts: { data: pairContexts, shape: [B, P, 2] },
    pairLabels: { data: pairLabels, shape: [B, P, R] },
    pairMask: { data: pairMask, shape: [B, P] },
    spanWords: samples.map((s) => s.spanWords.map((w) => [w[0], w[1]])),
  };
}
