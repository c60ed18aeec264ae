// Float64 masked-LM head and loss in plain loops (tests only): the reference the TF.js head is
// checked against for every family, on top of that family's float64 encoder.
import type { EncoderConfig, MaskedLmHeadParams } from '@spert/checkpoint';
import { float64Ops, type Float64Weights } from './bert-float64';

/** Logits [N][V] of hidden rows [N][H]: dense, erf GELU, LayerNorm, decoder = word embeddings, plus bias. */
export function maskedLmLogitsFloat64(config: EncoderConfig, w: Float64Weights, names: MaskedLmHeadParams, rows: number[][]): number[][] {
  const { get, linear, norm, gelu } = float64Ops(w, config.layer_norm_eps);
  const dense = names.denseWeight.replace(/\.weight$/, '');
  const ln = names.layerNormWeight.replace(/\.weight$/, '');
  const E = get('embeddings.word_embeddings.weight');
  const bias = get(names.bias);
  const H = config.hidden_size;
  return rows.map((x) => {
    const h = norm(linear(x, dense).map(gelu), ln);
    const out = new Array<number>(config.vocab_size);
    for (let v = 0; v < config.vocab_size; v++) {
      let s = bias[v];
      for (let k = 0; k < H; k++) s += E[v * H + k] * h[k];
      out[v] = s;
    }
    return out;
  });
}

/** Mean cross-entropy of logits rows against labels. */
export function meanCrossEntropyFloat64(logits: number[][], labels: number[]): number {
  let total = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
    total += lse - row[labels[i]];
  });
  return total / logits.length;
}
