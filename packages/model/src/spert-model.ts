import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { readSettings, SPERT_VERSION, type DocumentScores, type EncodedDocument, type PredictedDocument, type SpertSettings, type TypesSchema } from '@spert/core';
import { loadCheckpoint, type Checkpoint, type NamedTensor } from '@spert/checkpoint';
import { createEncoder, type Encoder } from '@spert/encoder';
import { EntityHead, filterSpans } from '@spert/entity-head';
import { buildInferencePairs, buildPrediction, forwardHeads, RelationHead, type HeadsOutput } from '@spert/relation-head';
import { collate, createEvalSample, type SpanBatch } from '@spert/span-sampler';
import { loadTokenizer, type BertWordPieceTokenizer, type EncodeWordsOptions } from '@spert/tokenizer';
import { headTensorsFromCheckpoint, toTfTensors } from './head-tensors';

/** Logits of a training forward pass: entities [B,S,E+1], relations [B,P,R]. */
export type SpertTrainOutput = HeadsOutput;

/** Options of {@link SpertModel.create}. */
export interface CreateSpertModelOptions {
  encoder: Encoder;
  tokenizer: BertWordPieceTokenizer;
  settings: SpertSettings;
  /** Seed of the heads' initialisation and dropout. */
  seed?: number;
}

/** Options of {@link SpertModel.load}. */
export interface LoadSpertModelOptions {
  /** Model directory (ours, or one saved by the reference SpERT code). */
  dir: string;
  /** Types schema; required for the reference's directories, checked against ours. */
  types?: TypesSchema;
  /** Overrides the tokenizer's casing (the reference's --lowercase). */
  lowercase?: boolean;
  /** Seed of dropout when the loaded model is trained further. */
  seed?: number;
}

/** Options of {@link SpertModel.predict}. */
export interface PredictOptions {
  /** Documents per forward pass (default 8). */
  batchSize?: number;
  /** Called after each batch with the number of documents done. */
  onProgress?: (done: number, total: number) => void;
  /** Policy for documents longer than the encoder's positions (default 'error'). */
  onTooLong?: EncodeWordsOptions['onTooLong'];
  /** Where the documents came from (a file path), named in errors. */
  source?: string;
}

/** Options of {@link SpertModel.encodeDocuments} and {@link SpertModel.score}. */
export interface EncodeDocumentsOptions {
  /** Policy for documents longer than the encoder's positions (default 'error'). */
  onTooLong?: EncodeWordsOptions['onTooLong'];
  /** Index of the first document in its dataset, so errors name the right one. */
  offset?: number;
  /** Where the documents came from (a file path), named in errors. */
  source?: string;
}

/**
 * SpERT: a BERT encoder, the entity head and the relation head, with the tokenizer and settings
 * that belong to them. Parameters carry the reference's names (`bert.*`, `entity_classifier.*`,
 * `rel_classifier.*`, `size_embeddings.weight`).
 */
export class SpertModel {
  private constructor(
    readonly encoder: Encoder,
    readonly entityHead: EntityHead,
    readonly relationHead: RelationHead,
    readonly tokenizer: BertWordPieceTokenizer,
    readonly settings: SpertSettings,
  ) {}

  /** Builds a model around an encoder with freshly initialised heads. */
  static create({ encoder, tokenizer, settings, seed = 0 }: CreateSpertModelOptions): SpertModel {
    if (tokenizer.vocabSize > encoder.config.vocab_size) {
      throw new Error(`the tokenizer has ${tokenizer.vocabSize} entries but the encoder's embedding table only ${encoder.config.vocab_size}`);
    }
    const hiddenSize = encoder.config.hidden_size;
    const entityHead = new EntityHead({
      hiddenSize,
      numEntityTypes: settings.types.entities.length,
      sizeEmbedding: settings.sizeEmbedding,
      dropout: settings.propDrop,
      seed: seed * 2 + 1,
    });
    const relationHead = new RelationHead({
      hiddenSize,
      numRelationTypes: settings.types.relations.length,
      sizeEmbedding: settings.sizeEmbedding,
      dropout: settings.propDrop,
      maxPairs: settings.maxPairs,
      seed: seed * 2 + 2,
    });
    return new SpertModel(encoder, entityHead, relationHead, tokenizer, settings);
  }

  /**
   * Loads a model directory: config.json (+ our "spert" settings), model.safetensors or
   * pytorch_model.bin with the reference's names, and the tokenizer files.
   */
  static async load(options: LoadSpertModelOptions): Promise<SpertModel> {
    // Settings and version come from config.json first: a wrong directory fails before its weights are read.
    const settings = await readModelSettings(options.dir, options.types);
    return SpertModel.fromCheckpoint(await loadCheckpoint({ dir: options.dir }), settings, options);
  }

  /** {@link load} for a checkpoint already read (e.g. by openModel, which inspects it first). */
  static async fromCheckpoint(checkpoint: Checkpoint, settings: SpertSettings, { dir, lowercase, seed = 0 }: LoadSpertModelOptions): Promise<SpertModel> {
    const heads = headTensorsFromCheckpoint(checkpoint.extraTensors, checkpoint.weightsFiles.join(', '));
    const { tokenizer } = await loadTokenizer({ dir, lowercase });
    const encoder = createEncoder({ config: checkpoint.config, tensors: checkpoint.encoderTensors, seed });
    const model = SpertModel.create({ encoder, tokenizer, settings, seed });
    try {
      model.loadHeadTensors(heads, checkpoint.weightsFiles.join(', '));
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** All trainable parameters under the reference's names (encoder ones prefixed `bert.`). */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.encoder.variables()) out.set(`bert.${k}`, v);
    for (const [k, v] of this.entityHead.variables()) out.set(k, v);
    for (const [k, v] of this.relationHead.variables()) out.set(k, v);
    return out;
  }

  /** The heads' parameters as PyTorch-layout tensors, for saving. */
  headTensors(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const [k, v] of [...this.entityHead.variables(), ...this.relationHead.variables()]) {
      out.set(k, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
    }
    return out;
  }

  /** Assigns the heads' parameters, checking their shapes against the types schema. */
  loadHeadTensors(tensors: Map<string, NamedTensor>, source = 'checkpoint'): void {
    const E = this.settings.types.entities.length;
    const R = this.settings.types.relations.length;
    const ent = tensors.get('entity_classifier.weight');
    const rel = tensors.get('rel_classifier.weight');
    if (ent && ent.shape[0] !== E + 1) {
      throw new Error(`${source}: entity_classifier.weight has ${ent.shape[0]} rows (= ${ent.shape[0] - 1} entity types + none) but the types file lists ${E} entity types`);
    }
    if (rel && rel.shape[0] !== R) {
      throw new Error(`${source}: rel_classifier.weight has ${rel.shape[0]} rows (relation types) but the types file lists ${R} relation types`);
    }
    const size = tensors.get('size_embeddings.weight');
    if (size && size.shape[1] !== this.settings.sizeEmbedding) {
      throw new Error(`${source}: size_embeddings.weight has width ${size.shape[1]} but the settings say size_embedding = ${this.settings.sizeEmbedding}`);
    }
    const tfTensors = toTfTensors(tensors);
    try {
      this.entityHead.loadTensors(tfTensors);
      this.relationHead.loadTensors(tfTensors);
    } finally {
      for (const t of tfTensors.values()) t.dispose();
    }
  }

  /** Training forward pass (dropout on) over a collated batch of training samples. */
  forwardTrain(batch: SpanBatch, { training = true }: { training?: boolean } = {}): SpertTrainOutput {
    return tf.tidy(() => {
      const hidden = this.encode(batch, training);
      return forwardHeads({ entity: this.entityHead, relation: this.relationHead }, hidden, batch, training);
    });
  }

  /** Encodes documents (word lists) to wordpieces, naming the document index in errors. */
  encodeDocuments(docs: ReadonlyArray<readonly string[]>, options: EncodeDocumentsOptions = {}) {
    return docs.map((tokens, i) =>
      this.tokenizer.encodeWords(tokens, { documentIndex: (options.offset ?? 0) + i, onTooLong: options.onTooLong, source: options.source }),
    );
  }

  /** Inference scores of a batch of documents (entity and relation logits and probabilities, kept spans, pairs). */
  score(docs: ReadonlyArray<readonly string[]>, options: EncodeDocumentsOptions = {}): DocumentScores[] {
    return this.scoreEncoded(this.encodeDocuments(docs, options));
  }

  /** {@link score} for documents already encoded (one forward pass for the whole batch). */
  scoreEncoded(encodings: readonly EncodedDocument[]): DocumentScores[] {
    const R = this.settings.types.relations.length;
    const E1 = this.settings.types.entities.length + 1;
    const samples = encodings.map((encoding) => createEvalSample({ encoding, maxSpanSize: this.settings.maxSpanSize, numRelationTypes: R }));
    const batch = collate(samples);
    const S = batch.spanRanges.shape[1];
    const hidden = tf.tidy(() => this.encode(batch, false));
    try {
      const ent = this.entityHead.forward({ hidden, spanRanges: batch.spanRanges, spanWidths: batch.spanWidths, training: false });
      let probs: Float32Array;
      try {
        const p = tf.softmax(ent.logits);
        probs = p.dataSync() as Float32Array;
        p.dispose();
        const entLogits = ent.logits.dataSync() as Float32Array;
        const perDoc = samples.map((sample, b) => {
          const n = sample.spanWords.length;
          const entityProbs = probs.slice(b * S * E1, (b * S + n) * E1);
          const entityLogits = entLogits.slice(b * S * E1, (b * S + n) * E1);
          const keptSpans = filterSpans({ probs: entityProbs, numClasses: E1 }).indices;
          const { pairs, contexts } = buildInferencePairs({ keptSpans, spanRanges: sample.spanRanges });
          return { sample, entityProbs, entityLogits, keptSpans, pairs, contexts };
        });
        const P = Math.max(1, ...perDoc.map((d) => d.pairs.length));
        let relProbs: Float32Array | undefined;
        let relLogits: Float32Array | undefined;
        if (perDoc.some((d) => d.pairs.length > 0)) {
          const pairData = new Int32Array(encodings.length * P * 2);
          const ctxData = new Int32Array(encodings.length * P * 2);
          perDoc.forEach((d, b) => {
            d.pairs.forEach(([h, t], p) => {
              pairData.set([h, t], (b * P + p) * 2);
              ctxData.set(d.contexts[p], (b * P + p) * 2);
            });
          });
          const logits = this.relationHead.forward({
            hidden,
            spanPool: ent.spanPool,
            widthEmbeddings: ent.widthEmbeddings,
            pairs: { data: pairData, shape: [encodings.length, P, 2] },
            contexts: { data: ctxData, shape: [encodings.length, P, 2] },
            training: false,
          });
          const sig = tf.sigmoid(logits);
          relProbs = sig.dataSync() as Float32Array;
          relLogits = logits.dataSync() as Float32Array;
          logits.dispose();
          sig.dispose();
        }
        return perDoc.map((d, b) => ({
          spans: d.sample.spanWords,
          entityProbs: d.entityProbs,
          entityLogits: d.entityLogits,
          keptSpans: d.keptSpans,
          pairs: d.pairs,
          relationProbs: relProbs ? relProbs.slice(b * P * R, (b * P + d.pairs.length) * R) : new Float32Array(0),
          relationLogits: relLogits ? relLogits.slice(b * P * R, (b * P + d.pairs.length) * R) : new Float32Array(0),
        }));
      } finally {
        ent.logits.dispose();
        ent.spanPool.dispose();
        ent.widthEmbeddings.dispose();
      }
    } finally {
      hidden.dispose();
    }
  }

  /** Predicts entities and relations (word indices, end exclusive, with scores) for documents given as word lists. */
  predict(docs: ReadonlyArray<readonly string[]>, options: PredictOptions = {}): PredictedDocument[] {
    const batchSize = options.batchSize ?? 8;
    // Encode everything first: a too-long document fails before any batch runs.
    const encodings = this.encodeDocuments(docs, { onTooLong: options.onTooLong, source: options.source });
    const out: PredictedDocument[] = [];
    for (let i = 0; i < docs.length; i += batchSize) {
      const chunk = docs.slice(i, i + batchSize);
      const scores = this.scoreEncoded(encodings.slice(i, i + batchSize));
      scores.forEach((s, k) => out.push(this.decode(chunk[k], s)));
      options.onProgress?.(Math.min(i + batchSize, docs.length), docs.length);
    }
    return out;
  }

  /** Turns one document's scores into a predicted document (shared decoding of @spert/relation-head). */
  decode(tokens: readonly string[], scores: DocumentScores): PredictedDocument {
    return buildPrediction({
      tokens: tokens.slice(),
      spans: scores.spans,
      entityProbs: scores.entityProbs,
      keptSpans: scores.keptSpans,
      pairs: scores.pairs,
      relationProbs: scores.relationProbs,
      types: this.settings.types,
      threshold: this.settings.relFilterThreshold,
    });
  }

  /** Releases every tensor the model holds. */
  dispose(): void {
    this.encoder.dispose();
    this.entityHead.dispose();
    this.relationHead.dispose();
  }

  private encode(batch: SpanBatch, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const inputIds = tf.tensor2d(batch.inputIds.data, batch.inputIds.shape as [number, number], 'int32');
      const attentionMask = tf.tensor2d(batch.attentionMask.data, batch.attentionMask.shape as [number, number], 'int32');
      return this.encoder.apply({ inputIds, attentionMask }, { training });
    });
  }
}

/** Reads a model directory's SpERT settings (types checked against `types`) and checks its spert_version. */
export async function readModelSettings(dir: string, types?: TypesSchema): Promise<SpertSettings> {
  const configPath = `${dir}/config.json`;
  const rawConfig = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const version = rawConfig.spert_version ?? '1.0';
  if (version !== SPERT_VERSION) {
    throw new Error(`${configPath}: spert_version is ${JSON.stringify(version)}; only ${SPERT_VERSION} checkpoints are supported (the reference refuses older ones too)`);
  }
  return readSettings(rawConfig, { types, source: configPath });
}
