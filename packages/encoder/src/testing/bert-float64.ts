// Independent float64 BERT forward pass in plain loops: the reference the tfjs encoder is tested
// against (tests only; not exported from the package).
import type { BertConfig } from '@spert/checkpoint';
import { erf } from './erf';

/** PyTorch-layout parameters by encoder name, as numbers. */
export type Float64Weights = Map<string, { shape: number[]; data: ArrayLike<number> }>;

/** The float64 building blocks both references use: parameter lookup, PyTorch Linear, LayerNorm, erf GELU. */
export function float64Ops(w: Float64Weights, layerNormEps: number) {
  const get = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: missing ${n}`);
    return t.data;
  };
  // y = x W^T + b with W [out, in] (PyTorch Linear)
  const linear = (x: number[], name: string): number[] => {
    const W = get(`${name}.weight`);
    const b = get(`${name}.bias`);
    const out = b.length;
    const inp = x.length;
    const y = new Array<number>(out);
    for (let o = 0; o < out; o++) {
      let s = b[o];
      for (let i = 0; i < inp; i++) s += W[o * inp + i] * x[i];
      y[o] = s;
    }
    return y;
  };
  const norm = (x: number[], name: string): number[] => {
    const g = get(`${name}.weight`);
    const b = get(`${name}.bias`);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + layerNormEps)) * g[i] + b[i]);
  };
  const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
  return { get, linear, norm, gelu };
}

/** Last hidden state [B][T][H] computed in float64 with Hugging Face BertModel semantics (eval mode). */
export function bertForwardFloat64(config: BertConfig, w: Float64Weights, ids: number[][], mask: number[][], types?: number[][]): number[][][] {
  const H = config.hidden_size;
  const nh = config.num_attention_heads;
  const dh = H / nh;
  const { get, linear, norm, gelu } = float64Ops(w, config.layer_norm_eps);
  const we = get('embeddings.word_embeddings.weight');
  const pe = get('embeddings.position_embeddings.weight');
  const te = get('embeddings.token_type_embeddings.weight');
  return ids.map((row, b) => {
    let hs = row.map((id, t) => {
      const tt = types ? types[b][t] : 0;
      const e = new Array<number>(H);
      for (let h = 0; h < H; h++) e[h] = we[id * H + h] + pe[t * H + h] + te[tt * H + h];
      return norm(e, 'embeddings.LayerNorm');
    });
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}`;
      const q = hs.map((x) => linear(x, `${p}.attention.self.query`));
      const k = hs.map((x) => linear(x, `${p}.attention.self.key`));
      const v = hs.map((x) => linear(x, `${p}.attention.self.value`));
      const ctx = hs.map(() => new Array<number>(H).fill(0));
      for (let head = 0; head < nh; head++) {
        for (let i = 0; i < row.length; i++) {
          const scores = row.map((_, j) => {
            let s = 0;
            for (let d = 0; d < dh; d++) s += q[i][head * dh + d] * k[j][head * dh + d];
            return mask[b][j] ? s / Math.sqrt(dh) : -Infinity;
          });
          const m = Math.max(...scores);
          const ex = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
          const z = ex.reduce((a, x) => a + x, 0);
          for (let j = 0; j < row.length; j++) for (let d = 0; d < dh; d++) ctx[i][head * dh + d] += (ex[j] / z) * v[j][head * dh + d];
        }
      }
      hs = hs.map((x, i) => {
        const a = norm(linear(ctx[i], `${p}.attention.output.dense`).map((y, h) => y + x[h]), `${p}.attention.output.LayerNorm`);
        const inter = linear(a, `${p}.intermediate.dense`).map(gelu);
        return norm(linear(inter, `${p}.output.dense`).map((y, h) => y + a[h]), `${p}.output.LayerNorm`);
      });
    }
    return hs;
  });
}

