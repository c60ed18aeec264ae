import * as tf from '@tensorflow/tfjs-core';
import { createRng, type SpanPooling } from '@spert/core';
import { assignNamed, gatherRows, linearOverParts, ownedVariable, readIntInput, type IntInput, type TensorMap } from '@spert/tfjs-ops';
import { checkHeadConfig, passDropout } from './head-config';
import { clsVectors } from './max-pool-spans';
import { poolSpans } from './pool-spans';

/** Configuration of {@link EntityHead}. */
export interface EntityHeadConfig {
  /** H, the encoder's hidden size. */
  hiddenSize: number;
  /** E, the number of entity types without "none": the classifier has E + 1 outputs. */
  numEntityTypes: number;
  /** Width-embedding size (reference: 25). */
  sizeEmbedding?: number;
  /** Rows of the width-embedding table (reference: 100; widths must be smaller). */
  widthTableSize?: number;
  /** Dropout on the concatenated representation in training mode (reference prop_drop: 0.1). */
  dropout?: number;
  /** Seed of the N(0, 0.02) initialisation and of the dropout masks. */
  seed?: number;
  /** Fusion of a span's wordpieces (default 'max', the reference; 'mean' and 'sum' are the paper's ablation). */
  spanPooling?: SpanPooling;
}

/** Inputs of {@link EntityHead.forward}. */
export interface EntityHeadInput {
  /** Encoder output [B,T,H]; position 0 must be [CLS]. */
  hidden: tf.Tensor3D;
  /** Wordpiece [start, end) of each span [B,S,2] (int). */
  spanRanges: IntInput;
  /** Width in words of each span [B,S] (int; 0 only on padding). */
  spanWidths: IntInput;
  /** Applies dropout when true (default false). */
  training?: boolean;
  /** Seed of this call's dropout mask (default: the next seed of the head's stream). */
  dropoutSeed?: number;
}

/** Outputs of {@link EntityHead.forward}; spanPool and widthEmbeddings feed the relation head. */
export interface EntityHeadOutput {
  /** [B,S,E+1] entity logits (index 0 = none). */
  logits: tf.Tensor3D;
  /** [B,S,H] pooled span representations (max-pooled unless the head's spanPooling says otherwise). */
  spanPool: tf.Tensor3D;
  /** [B,S,sizeEmbedding] width embeddings. */
  widthEmbeddings: tf.Tensor3D;
}

/**
 * SpERT's entity classifier: logits = Linear([CLS ; maxpool(span) ; widthEmb(width)]) with
 * dropout on the concatenation (mean- or sum-pooled spans with the spanPooling ablation).
 * Parameters live in PyTorch layout under the reference's names:
 * `size_embeddings.weight` [100,25], `entity_classifier.weight` [E+1, 2H+25], `.bias` [E+1].
 */
export class EntityHead {
  readonly hiddenSize: number;
  readonly numEntityTypes: number;
  readonly sizeEmbedding: number;
  readonly widthTableSize: number;
  readonly dropout: number;
  readonly spanPooling: SpanPooling;
  readonly sizeEmbeddings: tf.Variable<tf.Rank.R2>;
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  private readonly nextSeed: () => number;

  /** Creates the head with N(0, 0.02) weights and zero bias. */
  constructor(config: EntityHeadConfig) {
    const { hiddenSize, numEntityTypes } = config;
    this.hiddenSize = hiddenSize;
    this.numEntityTypes = numEntityTypes;
    this.sizeEmbedding = config.sizeEmbedding ?? 25;
    this.widthTableSize = config.widthTableSize ?? 100;
    this.dropout = config.dropout ?? 0.1;
    checkHeadConfig('EntityHead', { hiddenSize, numEntityTypes }, this.dropout);
    this.spanPooling = config.spanPooling ?? 'max';
    if (!['max', 'mean', 'sum'].includes(this.spanPooling)) throw new Error(`EntityHead: spanPooling must be max, mean or sum, got ${JSON.stringify(this.spanPooling)}`);
    const seeds = createRng(config.seed ?? 0).uint32;
    const inputSize = 2 * hiddenSize + this.sizeEmbedding;
    this.sizeEmbeddings = ownedVariable(tf.randomNormal([this.widthTableSize, this.sizeEmbedding], 0, 0.02, 'float32', seeds()));
    this.weight = ownedVariable(tf.randomNormal([numEntityTypes + 1, inputSize], 0, 0.02, 'float32', seeds()));
    this.bias = ownedVariable(tf.zeros([numEntityTypes + 1]));
    this.nextSeed = seeds;
  }

  /** The trainable parameters under the reference's (PyTorch) names and layouts. */
  variables(): Map<string, tf.Variable> {
    return new Map<string, tf.Variable>([
      ['size_embeddings.weight', this.sizeEmbeddings],
      ['entity_classifier.weight', this.weight],
      ['entity_classifier.bias', this.bias],
    ]);
  }

  /** Loads `size_embeddings.weight` and `entity_classifier.{weight,bias}` (PyTorch layout); other names are ignored. */
  loadTensors(map: TensorMap): void {
    assignNamed(this.variables(), map, 'EntityHead');
  }

  /** Looks up width embeddings: [B,S] int -> [B,S,sizeEmbedding]. */
  widthEmbeddings(widths: IntInput): tf.Tensor3D {
    const { data, shape } = readIntInput(widths, 'EntityHead spanWidths', 2);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(data[i]) || data[i] < 0 || data[i] >= this.widthTableSize) {
        throw new Error(
          `EntityHead: span width ${data[i]} at batch ${Math.floor(i / shape[1])}, span ${i % shape[1]} is outside the width table [0, ${this.widthTableSize})`,
        );
      }
    }
    return tf.tidy(() => {
      const rows = gatherRows(this.sizeEmbeddings, Int32Array.from(data));
      return tf.reshape(rows, [shape[0], shape[1], this.sizeEmbedding]) as tf.Tensor3D;
    });
  }

  /** Classifies every span; returns logits plus the pooled spans and width embeddings it used. */
  forward(input: EntityHeadInput): EntityHeadOutput {
    const { hidden } = input;
    if (hidden.rank !== 3 || hidden.shape[2] !== this.hiddenSize) {
      throw new Error(`EntityHead: hidden must be [B,T,${this.hiddenSize}], got [${hidden.shape.join(', ')}]`);
    }
    const [B] = hidden.shape;
    const drop = passDropout(input, this.dropout, this.nextSeed);
    const spanPool = poolSpans(hidden, input.spanRanges, this.spanPooling);
    const S = spanPool.shape[1];
    const widthEmbeddings = this.widthEmbeddings(input.spanWidths);
    if (widthEmbeddings.shape[0] !== B || widthEmbeddings.shape[1] !== S) {
      throw new Error(`EntityHead: spanWidths [${widthEmbeddings.shape.slice(0, 2).join(', ')}] must match spanRanges [${B}, ${S}]`);
    }
    const logits = tf.tidy(() => {
      // Each span row reads its document's [CLS] vector (gathered, not tiled: cheap gradient).
      const rowOfSpan = Int32Array.from({ length: B * S }, (_, i) => Math.floor(i / S));
      const parts = [
        gatherRows(clsVectors(hidden), rowOfSpan),
        tf.reshape(spanPool, [B * S, this.hiddenSize]) as tf.Tensor2D,
        tf.reshape(widthEmbeddings, [B * S, this.sizeEmbedding]) as tf.Tensor2D,
      ];
      const flat = linearOverParts(parts, this.weight, this.bias, { dropout: drop.rate, seed: drop.seed });
      return tf.reshape(flat, [B, S, this.numEntityTypes + 1]) as tf.Tensor3D;
    });
    return { logits, spanPool, widthEmbeddings };
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const v of this.variables().values()) v.dispose();
  }
}
