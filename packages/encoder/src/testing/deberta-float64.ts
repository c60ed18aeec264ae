// Independent float64 DeBERTa-v2 forward pass in plain loops, written from Hugging Face's
// modeling_deberta_v2.py (its own log buckets, its literal p2c index): the reference the TF.js
// encoder and the ONNX graph are tested against (tests only; not exported from the package).
import type { DebertaV2Config } from '@spert/checkpoint';
import { float64Ops, type Float64Weights } from './bert-float64';

/** make_log_bucket_position + build_relative_position for one (query, key) pair, as HF writes it. */
function relativePosition64(q: number, k: number, bucketSize: number, maxPosition: number): number {
  const rel = q - k;
  if (!(bucketSize > 0 && maxPosition > 0)) return rel;
  const mid = Math.floor(bucketSize / 2);
  const absPos = rel < mid && rel > -mid ? mid - 1 : Math.abs(rel);
  const logPos = Math.ceil((Math.log(absPos / mid) / Math.log((maxPosition - 1) / mid)) * (mid - 1)) + mid;
  return absPos <= mid ? rel : logPos * Math.sign(rel);
}

/** Last hidden state [B][T][H] of DebertaV2Model in float64 (eval mode); rows of padded positions are HF's too (zero attention). */
export function debertaV2ForwardFloat64(config: DebertaV2Config, w: Float64Weights, ids: number[][], mask: number[][], types?: number[][]): number[][][] {
  const H = config.hidden_size;
  const nh = config.num_attention_heads;
  const dh = H / nh;
  const { get, linear, norm, gelu } = float64Ops(w, config.layer_norm_eps);
  const rel = config.relative_attention;
  const maxRel = config.max_relative_positions < 1 ? config.max_position_embeddings : config.max_relative_positions;
  const span = config.position_buckets > 0 ? config.position_buckets : maxRel;
  const c2p = rel && config.pos_att_type.includes('c2p');
  const p2c = rel && config.pos_att_type.includes('p2c');
  const scale = Math.sqrt(dh * (1 + config.pos_att_type.length));
  const clamp = (i: number) => Math.min(Math.max(i, 0), 2 * span - 1);
  const relEmb: number[][] = [];
  if (rel) {
    const table = get('encoder.rel_embeddings.weight');
    for (let r = 0; r < 2 * span; r++) {
      const row = Array.from({ length: H }, (_, h) => table[r * H + h]);
      relEmb.push(config.norm_rel_ebd.includes('layer_norm') ? norm(row, 'encoder.LayerNorm') : row);
    }
  }
  const we = get('embeddings.word_embeddings.weight');
  return ids.map((row, b) => {
    const T = row.length;
    let hs = row.map((id, t) => {
      const e = new Array<number>(H);
      for (let h = 0; h < H; h++) {
        e[h] = we[id * H + h];
        if (config.position_biased_input) e[h] += get('embeddings.position_embeddings.weight')[t * H + h];
        if (config.type_vocab_size > 0) e[h] += get('embeddings.token_type_embeddings.weight')[(types ? types[b][t] : 0) * H + h];
      }
      return norm(e, 'embeddings.LayerNorm').map((x) => x * mask[b][t]);
    });
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}.attention.self`;
      const q = hs.map((x) => linear(x, `${p}.query_proj`));
      const k = hs.map((x) => linear(x, `${p}.key_proj`));
      const v = hs.map((x) => linear(x, `${p}.value_proj`));
      const posKey = c2p ? relEmb.map((x) => linear(x, config.share_att_key ? `${p}.key_proj` : `${p}.pos_key_proj`)) : [];
      const posQuery = p2c ? relEmb.map((x) => linear(x, config.share_att_key ? `${p}.query_proj` : `${p}.pos_query_proj`)) : [];
      const ctx = hs.map(() => new Array<number>(H).fill(0));
      for (let head = 0; head < nh; head++) {
        const dot = (a: number[], c: number[]) => {
          let s = 0;
          for (let d = 0; d < dh; d++) s += a[head * dh + d] * c[head * dh + d];
          return s;
        };
        for (let i = 0; i < T; i++) {
          if (!mask[b][i]) continue; // XSoftmax gives padded query rows zero attention
          const scores = row.map((_, j) => {
            let s = dot(q[i], k[j]);
            // c2p: query i against the key-projected relative embedding of (i - j)
            if (c2p) s += dot(q[i], posKey[clamp(relativePosition64(i, j, config.position_buckets, maxRel) + span)]);
            // p2c: HF gathers K·posQ at clamp(-r(j, i) + span) per key row j, then transposes
            if (p2c) s += dot(k[j], posQuery[clamp(-relativePosition64(j, i, config.position_buckets, maxRel) + span)]);
            return mask[b][j] ? s / scale : -Infinity;
          });
          const m = Math.max(...scores);
          const ex = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
          const z = ex.reduce((a, x) => a + x, 0);
          for (let j = 0; j < T; j++) for (let d = 0; d < dh; d++) ctx[i][head * dh + d] += (ex[j] / z) * v[j][head * dh + d];
        }
      }
      const o = `encoder.layer.${l}`;
      hs = hs.map((x, i) => {
        const a = norm(linear(ctx[i], `${o}.attention.output.dense`).map((y, h) => y + x[h]), `${o}.attention.output.LayerNorm`);
        const inter = linear(a, `${o}.intermediate.dense`).map(gelu);
        return norm(linear(inter, `${o}.output.dense`).map((y, h) => y + a[h]), `${o}.output.LayerNorm`);
      });
    }
    return hs;
  });
}
