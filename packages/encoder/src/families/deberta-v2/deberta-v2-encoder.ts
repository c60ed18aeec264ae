// DeBERTa-v2/v3 (Hugging Face DebertaV2Model semantics) on TensorFlow.js ops: disentangled
// attention (content-to-content plus the c2p and p2c relative-position terms over log-bucketed
// relative positions, shared or own position projections), layer-normed relative embeddings,
// padded positions zeroed after the embedding LayerNorm, erf GELU, seeded dropout in training.
import { packTokens } from '../pack-tokens';
import { ParamEncoder } from '../param-encoder';
import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, layerNorm } from '@spert/backend';
import {
  checkpointFamily,
  normsRelativeEmbeddings,
  relativeEmbeddingRows,
  relativeGeometry,
  type DebertaV2Config,
  type EncoderConfig,
  type NamedTensor,
} from '@spert/checkpoint';
import { EncoderParams, initialParamValues } from '../../encoder-params';
import type { ApplyOptions, EncoderInputs, ToTensorsOptions } from '../../family';

/** The family's tensor-free half: names, parameter specs, initialisation, longest input. */
const CHECKPOINT = checkpointFamily<DebertaV2Config>('deberta-v2');

/** Options to build a DeBERTa-v2 encoder. */
export interface DebertaV2EncoderOptions {
  config: DebertaV2Config;
  /** PyTorch-layout tensors under encoder names (with or without `deberta.`); random init when omitted. */
  weights?: Map<string, NamedTensor>;
  /** Seed of the random initialisation and of the dropout masks (default 0). */
  seed?: number;
}

interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}

interface Layer {
  query: Linear;
  key: Linear;
  value: Linear;
  /** Projections of the relative embeddings for c2p (keys) and p2c (queries): the content ones when share_att_key. */
  posKey?: Linear;
  posQuery?: Linear;
  attnOut: Linear;
  ln1: Linear;
  inter: Linear;
  out: Linear;
  ln2: Linear;
}

const MASK_VALUE = -1e9;

/** A DeBERTa-v2/v3 encoder whose forward pass returns the last hidden state. */
export class DebertaV2Encoder extends ParamEncoder<DebertaV2Config> {
  private readonly layers: Layer[] = [];
  private readonly c2p: boolean;
  private readonly p2c: boolean;

  private constructor(config: DebertaV2Config, values: Map<string, Float32Array>, seed: number) {
    super(config, new EncoderParams(CHECKPOINT.paramSpecs(config), values, 'DebertaV2Encoder'), 'DebertaV2Encoder', seed);
    this.c2p = config.relative_attention && config.pos_att_type.includes('c2p');
    this.p2c = config.relative_attention && config.pos_att_type.includes('p2c');
    const lin = (n: string): Linear => ({ w: this.params.get(`${n}.weight`), b: this.params.get(`${n}.bias`) });
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}`;
      const query = lin(`${p}.attention.self.query_proj`);
      const key = lin(`${p}.attention.self.key_proj`);
      const shared = config.share_att_key;
      this.layers.push({
        query,
        key,
        value: lin(`${p}.attention.self.value_proj`),
        posKey: this.c2p ? (shared ? key : lin(`${p}.attention.self.pos_key_proj`)) : undefined,
        posQuery: this.p2c ? (shared ? query : lin(`${p}.attention.self.pos_query_proj`)) : undefined,
        attnOut: lin(`${p}.attention.output.dense`),
        ln1: lin(`${p}.attention.output.LayerNorm`),
        inter: lin(`${p}.intermediate.dense`),
        out: lin(`${p}.output.dense`),
        ln2: lin(`${p}.output.LayerNorm`),
      });
    }
  }

  /** Creates an encoder, randomly initialised (seeded) or from PyTorch-layout weights. */
  static create({ config, weights, seed = 0 }: DebertaV2EncoderOptions): DebertaV2Encoder {
    const values = initialParamValues({
      config,
      specs: CHECKPOINT.paramSpecs(config),
      weights,
      paramName: (name) => CHECKPOINT.encoderParamName(name),
      initialValue: (spec, c, rng) => CHECKPOINT.initialParamValue(spec, c, rng),
      label: 'DeBERTa-v2',
      seed,
    });
    return new DebertaV2Encoder(config, values, seed);
  }

  /** Builds an encoder from checkpoint tensors (names with or without `deberta.`); `config` must be a DeBERTa-v2 one. */
  static fromTensors(config: EncoderConfig, tensors: Map<string, NamedTensor>, options: { seed?: number } = {}): DebertaV2Encoder {
    return DebertaV2Encoder.create({ config: CHECKPOINT.asConfig(config, 'DebertaV2Encoder.fromTensors'), weights: tensors, ...options });
  }

  /** Copies the parameters out in PyTorch layout (Linear weights [out, in]); DebertaV2Model has no pooler, so `withoutPooler` changes nothing. */
  toTensors({ prefix = false }: ToTensorsOptions = {}): Map<string, NamedTensor> {
    return this.params.toTensors(prefix ? CHECKPOINT.prefix : '');
  }

  /**
   * Forward pass: the last hidden state [batch, seqLen, hidden]; rows of padded positions are not
   * meaningful (with `skipPadding` they are zeros and only token rows are computed; token
   * positions are bit for bit the padded computation's).
   */
  apply(inputs: EncoderInputs, options: ApplyOptions): tf.Tensor3D {
    const c = this.config;
    const maxLength = CHECKPOINT.maxSequenceLength(c);
    // type_vocab_size 0 (DeBERTa-v3): HF ignores token types; only zeros are meaningful then.
    const limits = { typeVocabSize: Math.max(c.type_vocab_size, 1), maxLength, describeMaxLength: `max_position_embeddings ${maxLength}` };
    const { batch: B, seqLen: T, hidden: H, heads: nh, headSize: dh } = this.checkInputs(inputs, limits);
    const { inputIds, attentionMask, tokenTypeIds } = inputs;
    const { hidden: hp, attention: ap, drop } = this.passDropout(options);
    const v = (n: string) => this.params.get(n);
    const linear = (x: tf.Tensor2D, L: Linear): tf.Tensor2D => dense(x, L.w as tf.Tensor2D, L.b as tf.Tensor1D);

    return tf.tidy(() => {
      let emb = tf.reshape(tf.gather(v('embeddings.word_embeddings.weight'), tf.reshape(inputIds, [B * T])), [B, T, H]) as tf.Tensor3D;
      if (c.position_biased_input) emb = tf.add(emb, tf.slice(v('embeddings.position_embeddings.weight'), [0, 0], [T, H]));
      if (c.type_vocab_size > 0) {
        const table = v('embeddings.token_type_embeddings.weight');
        emb = tf.add(emb, tokenTypeIds ? tf.reshape(tf.gather(table, tf.reshape(tokenTypeIds, [B * T])), [B, T, H]) : tf.slice(table, [0, 0], [1, H]));
      }
      const maskF = tf.cast(attentionMask, 'float32');
      const normed = layerNorm(tf.reshape(emb, [B * T, H]) as tf.Tensor2D, v('embeddings.LayerNorm.weight'), v('embeddings.LayerNorm.bias'), c.layer_norm_eps);
      // Token-wise layers run on the rows that hold tokens only when the caller allows (see packTokens).
      const tokens = packTokens(attentionMask, H, options.skipPadding === true);
      // DebertaV2Embeddings multiplies the LayerNormed embeddings by the mask: padded rows start at
      // zero. Packed, only token rows remain, where the mask is 1: the multiply is skipped.
      let x = drop(tokens.selection ? tokens.pack(normed) : (tf.mul(normed, tf.reshape(maskF, [B * T, 1])) as tf.Tensor2D), hp, tokens.selection);

      // Additive bias over keys; HF's XSoftmax also blanks padded query rows, which only changes those (meaningless) rows.
      const maskBias = tf.reshape(tf.mul(tf.sub(1, maskF), MASK_VALUE), [B, 1, 1, T]);
      const scaleFactor = 1 + c.pos_att_type.length;
      const scale = 1 / Math.sqrt(dh * scaleFactor);

      let relE: tf.Tensor2D | undefined;
      let c2pIndex: tf.Tensor1D | undefined;
      let p2cIndex: tf.Tensor1D | undefined;
      const span = relativeGeometry(c).span;
      if (this.c2p || this.p2c) {
        const table = v('encoder.rel_embeddings.weight') as tf.Tensor2D;
        relE = drop(normsRelativeEmbeddings(c) ? layerNorm(table, v('encoder.LayerNorm.weight'), v('encoder.LayerNorm.bias'), c.layer_norm_eps) : table, hp);
        // Flat indices into a [T, 2 span] block per head: c2p reads row (q, idx[q,k]) of Q·posK,
        // p2c reads row (k, idx[q,k]) of K·posQ (HF's p2c gather plus transpose, in one gather).
        const rows = relativeEmbeddingRows(c, T);
        const c2p = new Int32Array(T * T);
        const p2c = new Int32Array(T * T);
        for (let q = 0; q < T; q++) {
          for (let k = 0; k < T; k++) {
            c2p[q * T + k] = q * 2 * span + rows[q * T + k];
            p2c[q * T + k] = k * 2 * span + rows[q * T + k];
          }
        }
        c2pIndex = tf.tensor1d(c2p, 'int32');
        p2cIndex = tf.tensor1d(p2c, 'int32');
      }
      // [rows, H] -> [nh, rows / nPerHead..., dh] layouts for the per-head products
      const heads = (t: tf.Tensor2D, rows: number) => tf.transpose(tf.reshape(t, [rows, nh, dh]), [1, 0, 2]) as tf.Tensor3D; // [nh, rows, dh]
      // scores of every content row against every relative embedding, gathered to [B, nh, T, T]
      const relativeTerm = (content: tf.Tensor3D /* [nh, B*T, dh] */, pos: tf.Tensor3D /* [nh, 2span, dh] */, index: tf.Tensor1D) => {
        const all = tf.matMul(content, pos, false, true); // [nh, B*T, 2span]
        const perDoc = tf.reshape(tf.transpose(tf.reshape(all, [nh, B, T * 2 * span]), [1, 0, 2]), [B * nh, T * 2 * span]);
        return tf.reshape(tf.gather(perDoc, index, 1), [B, nh, T, T]);
      };

      for (const L of this.layers) {
        const qFlat = tokens.unpack(linear(x, L.query));
        const kFlat = tokens.unpack(linear(x, L.key));
        const toBHTD = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, T, nh, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
        const q = toBHTD(qFlat);
        const k = toBHTD(kFlat);
        const val = toBHTD(tokens.unpack(linear(x, L.value)));
        let scores: tf.Tensor4D = tf.matMul(q, k, false, true);
        if (relE && this.c2p && L.posKey && c2pIndex) {
          scores = tf.add(scores, relativeTerm(heads(qFlat, B * T), heads(linear(relE, L.posKey), 2 * span), c2pIndex));
        }
        if (relE && this.p2c && L.posQuery && p2cIndex) {
          scores = tf.add(scores, relativeTerm(heads(kFlat, B * T), heads(linear(relE, L.posQuery), 2 * span), p2cIndex));
        }
        const probs = drop(tf.softmax(tf.add(tf.mul(scores, scale), maskBias)), ap);
        const ctx = tokens.pack(tf.reshape(tf.transpose(tf.matMul(probs, val), [0, 2, 1, 3]), [B * T, H]) as tf.Tensor2D);
        const attnOut = drop(linear(ctx, L.attnOut), hp, tokens.selection);
        x = layerNorm(tf.add(attnOut, x) as tf.Tensor2D, L.ln1.w, L.ln1.b, c.layer_norm_eps);
        const inter = gelu(linear(x, L.inter));
        const out = drop(linear(inter, L.out), hp, tokens.selection);
        x = layerNorm(tf.add(out, x) as tf.Tensor2D, L.ln2.w, L.ln2.b, c.layer_norm_eps);
      }
      return tf.reshape(tokens.unpack(x), [B, T, H]) as tf.Tensor3D;
    });
  }
}
