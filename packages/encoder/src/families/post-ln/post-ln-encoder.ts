// The post-LayerNorm transformer BERT and RoBERTa share (Hugging Face BertModel semantics) on
// TensorFlow.js ops: erf GELU, additive attention mask, trainable variables and seeded dropout in
// training mode. A family supplies its checkpoint layout, its names in errors and its position
// embeddings; everything else lives here once.
import { packTokens } from '../pack-tokens';
import { ParamEncoder } from '../param-encoder';
import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, hasPackedAttention, layerNorm, packedAttention } from '@spert/backend';
import type { CheckpointFamily, EncoderConfig, NamedTensor } from '@spert/checkpoint';
import { EncoderParams, initialParamValues } from '../../encoder-params';
import type { ApplyOptions, EncoderInputs, ToTensorsOptions } from '../../family';

/** Options to build a post-LayerNorm encoder of config type `C`. */
export interface PostLnEncoderOptions<C extends EncoderConfig> {
  config: C;
  /** PyTorch-layout tensors under encoder names (with or without the family prefix); random init when omitted. */
  weights?: Map<string, NamedTensor>;
  /** Seed of the random initialisation and of the dropout masks (default 0). */
  seed?: number;
  /**
   * Whether the pooler must be present in `weights` (default false: a checkpoint without one gets a
   * freshly initialised pooler, as Hugging Face does).
   */
  requirePooler?: boolean;
}

/** What one post-LayerNorm family adds to the shared stack, apart from its position embeddings. */
export interface PostLnFamily<C extends EncoderConfig> {
  /** Class name that prefixes error messages ("BertEncoder"). */
  readonly className: string;
  /** The tensor-free half of the family: parameter specs and names, initialisation, prefix, longest input. */
  readonly checkpoint: CheckpointFamily<C>;
  /** How a weights mismatch error names the family ("BERT"). */
  weightsName(config: C): string;
  /** How a too-long-input error states the limit ("max_position_embeddings 512"). */
  describeMaxLength(config: C): string;
}

interface Layer {
  qkvW: tf.Variable[];
  qkvB: tf.Variable[];
  aoW: tf.Variable;
  aoB: tf.Variable;
  ln1G: tf.Variable;
  ln1B: tf.Variable;
  iW: tf.Variable;
  iB: tf.Variable;
  oW: tf.Variable;
  oB: tf.Variable;
  ln2G: tf.Variable;
  ln2B: tf.Variable;
}

const MASK_VALUE = -1e9;

/** Every parameter's initial value (checked checkpoint tensors, the rest from the family's initialiser). */
function initialValues<C extends EncoderConfig>(family: PostLnFamily<C>, { config, weights, seed = 0, requirePooler = false }: PostLnEncoderOptions<C>): Map<string, Float32Array> {
  return initialParamValues({
    config,
    specs: family.checkpoint.paramSpecs(config),
    weights,
    paramName: (name) => family.checkpoint.encoderParamName(name),
    // a checkpoint without any pooler tensor gets a fresh pooler; one with half a pooler is an error
    optional: (spec, present) => spec.name.startsWith('pooler.') && !requirePooler && ![...present].some((n) => n.startsWith('pooler.')),
    initialValue: (spec, c, rng) => family.checkpoint.initialParamValue(spec, c, rng),
    label: family.weightsName(config),
    seed,
  });
}

/** A post-LayerNorm encoder whose forward pass returns the last hidden state; subclasses give the position embeddings. */
export abstract class PostLnEncoder<C extends EncoderConfig> extends ParamEncoder<C> {
  private readonly layers: Layer[] = [];

  /** Loads or initialises the variables; `options.weights` is checked against the family's specs first. */
  protected constructor(private readonly family: PostLnFamily<C>, options: PostLnEncoderOptions<C>) {
    super(options.config, new EncoderParams(family.checkpoint.paramSpecs(options.config), initialValues(family, options), family.className), family.className, options.seed ?? 0);
    const config = options.config;
    const g = (n: string) => this.params.get(n);
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}`;
      this.layers.push({
        qkvW: ['query', 'key', 'value'].map((x) => g(`${p}.attention.self.${x}.weight`)),
        qkvB: ['query', 'key', 'value'].map((x) => g(`${p}.attention.self.${x}.bias`)),
        aoW: g(`${p}.attention.output.dense.weight`),
        aoB: g(`${p}.attention.output.dense.bias`),
        ln1G: g(`${p}.attention.output.LayerNorm.weight`),
        ln1B: g(`${p}.attention.output.LayerNorm.bias`),
        iW: g(`${p}.intermediate.dense.weight`),
        iB: g(`${p}.intermediate.dense.bias`),
        oW: g(`${p}.output.dense.weight`),
        oB: g(`${p}.output.dense.bias`),
        ln2G: g(`${p}.output.LayerNorm.weight`),
        ln2B: g(`${p}.output.LayerNorm.bias`),
      });
    }
  }

  /**
   * The position embeddings of a batch, broadcastable to [batch, seqLen, hidden]; `table` is
   * embeddings.position_embeddings.weight. Called inside apply's tidy.
   */
  protected abstract positionEmbeddings(table: tf.Tensor2D, attentionMask: tf.Tensor2D, batch: number, seqLen: number): tf.Tensor;

  /** Copies the parameters out in PyTorch layout (Linear weights [out, in]). */
  toTensors({ prefix = false, withoutPooler = false }: ToTensorsOptions = {}): Map<string, NamedTensor> {
    return this.params.toTensors(prefix ? this.family.checkpoint.prefix : '', (name) => withoutPooler && name.startsWith('pooler.'));
  }

  /**
   * Forward pass: the last hidden state [batch, seqLen, hidden]. With `skipPadding`, positions the
   * attention mask leaves out are zeros and only token rows are computed; the token positions are
   * what the padded computation gives, bit for bit (each row's products and norms are its own, and
   * padding keys get exactly zero attention).
   */
  apply(inputs: EncoderInputs, options: ApplyOptions): tf.Tensor3D {
    const c = this.config;
    const limits = { typeVocabSize: c.type_vocab_size, maxLength: this.family.checkpoint.maxSequenceLength(c), describeMaxLength: this.family.describeMaxLength(c) };
    const { batch: B, seqLen: T, hidden: H, heads: nh, headSize: dh } = this.checkInputs(inputs, limits);
    const { inputIds, attentionMask, tokenTypeIds } = inputs;
    const { hidden: hp, attention: ap, drop, seed } = this.passDropout(options);
    const v = (n: string) => this.params.get(n);

    return tf.tidy(() => {
      const words = tf.gather(v('embeddings.word_embeddings.weight'), tf.reshape(inputIds, [B * T]));
      const positions = this.positionEmbeddings(v('embeddings.position_embeddings.weight') as tf.Tensor2D, attentionMask, B, T);
      const types = tokenTypeIds
        ? tf.gather(v('embeddings.token_type_embeddings.weight'), tf.reshape(tokenTypeIds, [B * T]))
        : tf.slice(v('embeddings.token_type_embeddings.weight'), [0, 0], [1, H]);
      const emb = tf.add(tf.add(tf.reshape(words, [B, T, H]), positions), tokenTypeIds ? tf.reshape(types, [B, T, H]) : types);
      // Token-wise layers run on the rows that hold tokens only (see packTokens); attention unpacks
      // them unless it runs fused on the packed rows.
      const tokens = packTokens(attentionMask, H, options.skipPadding === true);
      let x = drop(layerNorm(tokens.pack(tf.reshape(emb, [B * T, H]) as tf.Tensor2D), v('embeddings.LayerNorm.weight'), v('embeddings.LayerNorm.bias'), c.layer_norm_eps), hp, tokens.selection) as tf.Tensor2D;

      // With token rows packed sentence by sentence, attention is one fused kernel each way on
      // them (values to float32 rounding of the op chain below; see @spert/backend packedAttention).
      const lengths = options.skipPadding === true && hasPackedAttention() ? tokens.lengths : undefined;
      // additive bias over keys: 0 for tokens, a large negative number for padding
      const maskBias = lengths ? undefined : tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASK_VALUE), [B, 1, 1, T]);
      const scale = 1 / Math.sqrt(dh);
      for (const L of this.layers) {
        // separate products: each weight stays one long-lived matMul operand, which the wasm
        // backend (XNNPACK) packs once; a per-call concat of Q/K/V would be repacked every call
        const linear = (i: number) => dense(x, L.qkvW[i] as tf.Tensor2D, L.qkvB[i] as tf.Tensor1D);
        let ctx: tf.Tensor2D;
        if (lengths) {
          ctx = packedAttention(linear(0), linear(1), linear(2), { lengths, seqLen: T, heads: nh, rate: ap, seed: seed(ap) });
        } else {
          const project = (i: number, perm: number[]) => tf.transpose(tf.reshape(tokens.unpack(linear(i)), [B, T, nh, dh]), perm) as tf.Tensor4D;
          const q = project(0, [0, 2, 1, 3]); // [B, nh, T, dh]
          const kT = project(1, [0, 2, 3, 1]); // [B, nh, dh, T]: no transposed operand in the scores product
          const val = project(2, [0, 2, 1, 3]);
          const scores = tf.add(tf.matMul(tf.mul(q, scale), kT), maskBias as tf.Tensor);
          const probs = drop(tf.softmax(scores), ap);
          ctx = tokens.pack(tf.reshape(tf.transpose(tf.matMul(probs, val), [0, 2, 1, 3]), [B * T, H]) as tf.Tensor2D);
        }
        const attnOut = drop(dense(ctx, L.aoW as tf.Tensor2D, L.aoB as tf.Tensor1D), hp, tokens.selection);
        x = layerNorm(tf.add(attnOut, x) as tf.Tensor2D, L.ln1G, L.ln1B, c.layer_norm_eps);
        const inter = gelu(dense(x, L.iW as tf.Tensor2D, L.iB as tf.Tensor1D)); // exact (erf) GELU, one fused kernel
        const out = drop(dense(inter, L.oW as tf.Tensor2D, L.oB as tf.Tensor1D), hp, tokens.selection);
        x = layerNorm(tf.add(out, x) as tf.Tensor2D, L.ln2G, L.ln2B, c.layer_norm_eps);
      }
      return tf.reshape(tokens.unpack(x), [B, T, H]) as tf.Tensor3D;
    });
  }

  /** The pooler output tanh(W h_0 + b) [batch, hidden] on the first token ([CLS] / <s>; unused by SpERT, kept for completeness). */
  pool(hidden: tf.Tensor3D): tf.Tensor2D {
    this.params.check();
    return tf.tidy(() => {
      const [B, , H] = hidden.shape;
      const first = tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
      return tf.tanh(tf.fused.matMul({ a: first, b: this.params.get('pooler.dense.weight'), bias: this.params.get('pooler.dense.bias') })) as tf.Tensor2D;
    });
  }
}
