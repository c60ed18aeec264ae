import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spert/core';
import { checkHeadConfig, maxPoolSpans, passDropout } from '@spert/entity-head';
import { assignNamed, gatherRows, linearOverParts, ownedVariable, type IntInput, type TensorMap } from '@spert/tfjs-ops';

/** Configuration of {@link RelationHead}. */
export interface RelationHeadConfig {
  /** H, the encoder's hidden size. */
  hiddenSize: number;
  /** R, the number of relation types (no "none" output). */
  numRelationTypes: number;
  /** Width-embedding size (reference: 25); must match the entity head's. */
  sizeEmbedding?: number;
  /** Dropout on the concatenated representation in training mode (reference prop_drop: 0.1). */
  dropout?: number;
  /** Pairs per chunk (reference max_pairs: 1000): bounds memory, never caps the pair count. */
  maxPairs?: number;
  /** Seed of the N(0, 0.02) initialisation and of the dropout masks. */
  seed?: number;
  /**
   * The relation_entity_types switch: when given, the classifier also reads a learned embedding
   * (`rel_type_embeddings.weight`, [count + 1, dim], row 0 = none) of the head's and the tail's
   * entity type, appended after the width embeddings (SpERT.PL's idea).
   */
  entityTypes?: { count: number; dim: number };
}

/** Inputs of {@link RelationHead.forward}. */
export interface RelationHeadInput {
  /** Encoder output [B,T,H]. */
  hidden: tf.Tensor3D;
  /** The entity head's max-pooled spans [B,S,H]. */
  spanPool: tf.Tensor3D;
  /** The entity head's width embeddings [B,S,sizeEmbedding]. */
  widthEmbeddings: tf.Tensor3D;
  /** [B,P,2] head/tail indices into each document's span list (int). */
  pairs: IntInput;
  /** [B,P,2] wordpiece context range of each pair (int; empty range -> zero context). */
  contexts: IntInput;
  /** Applies dropout when true (default false). */
  training?: boolean;
  /** Seed of this call's dropout masks (default: the next seed of the head's stream). */
  dropoutSeed?: number;
  /** [B,S] entity type of every span (0 = none; int): required when the head reads entity types, ignored otherwise. */
  spanTypes?: IntInput;
}

interface IntArray3 {
  data: ArrayLike<number>;
  shape: number[];
}

function read3(input: IntInput, what: string): IntArray3 {
  const shape = input instanceof tf.Tensor ? input.shape.slice() : input.shape.slice();
  const data = input instanceof tf.Tensor ? input.dataSync() : input.data;
  if (shape.length !== 3 || shape[2] !== 2) throw new Error(`RelationHead: ${what} must be [B,P,2], got [${shape.join(', ')}]`);
  if (data.length !== shape[0] * shape[1] * 2) throw new Error(`RelationHead: ${what} has ${data.length} values for [${shape.join(', ')}]`);
  return { data, shape };
}

function sliceChunk(a: IntArray3, from: number, to: number): { data: Int32Array; shape: [number, number, number] } {
  const [B, P] = a.shape;
  const n = to - from;
  const out = new Int32Array(B * n * 2);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < n; p++) {
      out[(b * n + p) * 2] = a.data[(b * P + from + p) * 2];
      out[(b * n + p) * 2 + 1] = a.data[(b * P + from + p) * 2 + 1];
    }
  }
  return { data: out, shape: [B, n, 2] };
}

/** Checks and reads the [B,S] span types of a head that reads entity types. */
function readSpanTypes(input: IntInput | undefined, B: number, S: number, rows: number): ArrayLike<number> {
  if (input === undefined) throw new Error('RelationHead: this head reads entity types (relation_entity_types "embedding"): spanTypes [B,S] is required');
  const shape = input instanceof tf.Tensor ? input.shape : input.shape;
  if (shape.length !== 2 || shape[0] !== B || shape[1] !== S) throw new Error(`RelationHead: spanTypes must be [${B},${S}], got [${shape.join(', ')}]`);
  const data = input instanceof tf.Tensor ? input.dataSync() : input.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i]) || data[i] < 0 || data[i] >= rows) throw new Error(`RelationHead: span type ${data[i]} at ${i} is outside [0, ${rows}) (none + ${rows - 1} entity types)`);
  }
  return data;
}

/**
 * SpERT's relation classifier: logits = Linear([ctx ; pool(head) ; pool(tail) ; width(head) ;
 * width(tail)]) with dropout on the concatenation, where ctx is the max-pool of the wordpieces
 * strictly between the spans (zeros when none). Parameters under the reference's names:
 * `rel_classifier.weight` [R, 3H + 2*sizeEmbedding], `rel_classifier.bias` [R]; with the
 * relation_entity_types switch, `[... ; type(head) ; type(tail)]` from `rel_type_embeddings.weight`
 * and a weight of [R, 3H + 2*sizeEmbedding + 2*typeEmbeddingSize].
 */
export class RelationHead {
  readonly hiddenSize: number;
  readonly numRelationTypes: number;
  readonly sizeEmbedding: number;
  readonly dropout: number;
  readonly maxPairs: number;
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  /** The entity-type embedding table [E+1, dim] when the head reads entity types. */
  readonly typeEmbeddings?: tf.Variable<tf.Rank.R2>;
  private readonly nextSeed: () => number;

  /** Creates the head with N(0, 0.02) weights and zero bias. */
  constructor(config: RelationHeadConfig) {
    const { hiddenSize, numRelationTypes } = config;
    this.hiddenSize = hiddenSize;
    this.numRelationTypes = numRelationTypes;
    this.sizeEmbedding = config.sizeEmbedding ?? 25;
    this.dropout = config.dropout ?? 0.1;
    this.maxPairs = config.maxPairs ?? 1000;
    checkHeadConfig('RelationHead', { hiddenSize, numRelationTypes, maxPairs: this.maxPairs }, this.dropout);
    const types = config.entityTypes;
    if (types && !(Number.isInteger(types.count) && types.count >= 1 && Number.isInteger(types.dim) && types.dim >= 1)) {
      throw new Error(`RelationHead: entityTypes needs a positive integer count and dim, got ${JSON.stringify(types)}`);
    }
    this.typeEmbeddingSize = types?.dim ?? 0;
    const seeds = createRng(config.seed ?? 1).uint32;
    this.weight = ownedVariable(tf.randomNormal([numRelationTypes, this.inputSize], 0, 0.02, 'float32', seeds()));
    this.bias = ownedVariable(tf.zeros([numRelationTypes]));
    // Drawn after the reference's parameters, so that without the switch the seed stream is the reference's.
    if (types) this.typeEmbeddings = ownedVariable(tf.randomNormal([types.count + 1, types.dim], 0, 0.02, 'float32', seeds()));
    this.nextSeed = seeds;
  }

  /** Width of the entity-type embedding (0 when the head does not read entity types). */
  readonly typeEmbeddingSize: number;

  /** 3H + 2 * sizeEmbedding (+ 2 * typeEmbeddingSize with entity types), the classifier's input size. */
  get inputSize(): number {
    return 3 * this.hiddenSize + 2 * this.sizeEmbedding + 2 * this.typeEmbeddingSize;
  }

  /** The trainable parameters under the reference's (PyTorch) names and layouts; the type embedding as `rel_type_embeddings.weight`. */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>([
      ['rel_classifier.weight', this.weight],
      ['rel_classifier.bias', this.bias],
    ]);
    if (this.typeEmbeddings) out.set('rel_type_embeddings.weight', this.typeEmbeddings);
    return out;
  }

  /** Loads `rel_classifier.{weight,bias}` (PyTorch layout); other names are ignored. */
  loadTensors(map: TensorMap): void {
    assignNamed(this.variables(), map, 'RelationHead');
  }

  /** Relation logits [B,P,R], computed in chunks of `maxPairs` pairs. */
  forward(input: RelationHeadInput): tf.Tensor3D {
    const { hidden, spanPool, widthEmbeddings } = input;
    const H = this.hiddenSize;
    if (hidden.rank !== 3 || hidden.shape[2] !== H) throw new Error(`RelationHead: hidden must be [B,T,${H}], got [${hidden.shape.join(', ')}]`);
    const [B] = hidden.shape;
    const S = spanPool.shape[1];
    if (spanPool.rank !== 3 || spanPool.shape[0] !== B || spanPool.shape[2] !== H) {
      throw new Error(`RelationHead: spanPool must be [${B},S,${H}], got [${spanPool.shape.join(', ')}]`);
    }
    if (widthEmbeddings.rank !== 3 || widthEmbeddings.shape[0] !== B || widthEmbeddings.shape[1] !== S || widthEmbeddings.shape[2] !== this.sizeEmbedding) {
      throw new Error(`RelationHead: widthEmbeddings must be [${B},${S},${this.sizeEmbedding}], got [${widthEmbeddings.shape.join(', ')}]`);
    }
    const pairs = read3(input.pairs, 'pairs');
    const contexts = read3(input.contexts, 'contexts');
    if (pairs.shape[0] !== B || contexts.shape[0] !== B || contexts.shape[1] !== pairs.shape[1]) {
      throw new Error(`RelationHead: pairs [${pairs.shape.join(', ')}] and contexts [${contexts.shape.join(', ')}] must both be [${B},P,2]`);
    }
    const P = pairs.shape[1];
    for (let i = 0; i < pairs.data.length; i++) {
      const s = pairs.data[i];
      if (!Number.isInteger(s) || s < 0 || s >= S) {
        const b = Math.floor(i / (2 * P));
        throw new Error(`RelationHead: pair ${Math.floor(i / 2) % P} of batch ${b} points at span ${s}, outside [0, ${S})`);
      }
    }
    const spanTypes = this.typeEmbeddings ? readSpanTypes(input.spanTypes, B, S, this.typeEmbeddings.shape[0]) : undefined;
    if (P === 0) return tf.zeros([B, 0, this.numRelationTypes]);
    const drop = passDropout(input, this.dropout, this.nextSeed);
    const chunks: tf.Tensor3D[] = [];
    for (let from = 0, c = 0; from < P; from += this.maxPairs, c++) {
      const to = Math.min(P, from + this.maxPairs);
      chunks.push(this.classifyChunk(input, sliceChunk(pairs, from, to), sliceChunk(contexts, from, to), { rate: drop.rate, seed: drop.seed + c }, spanTypes));
    }
    if (chunks.length === 1) return chunks[0];
    const logits = tf.concat(chunks, 1);
    chunks.forEach((t) => t.dispose());
    return logits;
  }

  /** Sigmoid of the logits: independent per-type probabilities (multi-label). */
  predictProbs(input: Omit<RelationHeadInput, 'training' | 'dropoutSeed'>): tf.Tensor3D {
    return tf.tidy(() => tf.sigmoid(this.forward(input)));
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const v of this.variables().values()) v.dispose();
  }

  private classifyChunk(
    input: RelationHeadInput,
    pairs: { data: Int32Array; shape: [number, number, number] },
    contexts: { data: Int32Array; shape: [number, number, number] },
    drop: { rate: number; seed: number },
    spanTypes?: ArrayLike<number>,
  ): tf.Tensor3D {
    const [B, n] = pairs.shape;
    const S = input.spanPool.shape[1];
    const H = this.hiddenSize;
    const headIdx = new Int32Array(B * n);
    const tailIdx = new Int32Array(B * n);
    for (let i = 0; i < B * n; i++) {
      const base = Math.floor(i / n) * S;
      headIdx[i] = base + pairs.data[2 * i];
      tailIdx[i] = base + pairs.data[2 * i + 1];
    }
    return tf.tidy(() => {
      const ctx = tf.reshape(maxPoolSpans(input.hidden, contexts), [B * n, H]) as tf.Tensor2D;
      const pool = tf.reshape(input.spanPool, [B * S, H]) as tf.Tensor2D;
      const width = tf.reshape(input.widthEmbeddings, [B * S, this.sizeEmbedding]) as tf.Tensor2D;
      const parts = [ctx, gatherRows(pool, headIdx), gatherRows(pool, tailIdx), gatherRows(width, headIdx), gatherRows(width, tailIdx)];
      if (this.typeEmbeddings && spanTypes) {
        const typeOf = (idx: Int32Array) => Int32Array.from(idx, (i) => spanTypes[i]);
        parts.push(gatherRows(this.typeEmbeddings, typeOf(headIdx)), gatherRows(this.typeEmbeddings, typeOf(tailIdx)));
      }
      const flat = linearOverParts(parts, this.weight, this.bias, { dropout: drop.rate, seed: drop.seed });
      return tf.reshape(flat, [B, n, this.numRelationTypes]) as tf.Tensor3D;
    });
  }
}
