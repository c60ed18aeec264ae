// Float64 RoBERTa forward pass for the tests: RobertaModel is BertModel with gathered position
// ids, so each sequence runs through the plain-loops BERT reference with its position rows laid
// out in order (tests only; not exported from the package).
import type { BertConfig, RobertaConfig } from '@spert/checkpoint';
import { bertForwardFloat64, type Float64Weights } from '../../../testing/bert-float64';

/** Hugging Face's position ids of one sequence, from its mask: pad + 1, pad + 2, ... for real tokens, pad for padding. */
export function robertaPositionIds64(mask: number[], pad: number): number[] {
  let n = 0;
  return mask.map((m) => (m ? pad + ++n : pad));
}

/** Last hidden state [B][T][H] in float64 with Hugging Face RobertaModel semantics (eval mode). */
export function robertaForwardFloat64(config: RobertaConfig, w: Float64Weights, ids: number[][], mask: number[][], types?: number[][]): number[][][] {
  const H = config.hidden_size;
  const table = w.get('embeddings.position_embeddings.weight');
  if (!table) throw new Error('reference: missing embeddings.position_embeddings.weight');
  const bertView: BertConfig = { ...config, model_type: 'bert' };
  return ids.map((row, b) => {
    const pos = robertaPositionIds64(mask[b], config.pad_token_id);
    const rows = new Float64Array(row.length * H);
    pos.forEach((p, t) => {
      for (let h = 0; h < H; h++) rows[t * H + h] = table.data[p * H + h];
    });
    const perSequence: Float64Weights = new Map(w);
    perSequence.set('embeddings.position_embeddings.weight', { shape: [row.length, H], data: rows });
    return bertForwardFloat64(bertView, perSequence, [row], [mask[b]], types ? [types[b]] : undefined)[0];
  });
}
