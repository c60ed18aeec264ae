import * as tf from '@tensorflow/tfjs-core';
import {
  readJsonFile,
  readSettings,
  SPERT_VERSION,
  type BatchScores,
  type DocumentScores,
  type PairScoringInput,
  type PredictCallOptions,
  type PredictedDocument,
  type Predictor,
  type ScoredBatch,
  type SpanScoringInput,
  type SpertRuntime,
  type SpertSettings,
  type TypesSchema,
  SpertError,
} from '@spert/core';
import { checkpointFamily, encoderMaxLength, loadCheckpoint, type Checkpoint, type NamedTensor } from '@spert/checkpoint';
import { createEncoder, type Encoder } from '@spert/encoder';
import { EntityHead, type EntityHeadOutput } from '@spert/entity-head';
import { createPredictor, predictDocuments, scoreWords, type PipelineOptions } from '@spert/pipeline';
import { forwardHeads, RelationHead, type HeadsOutput } from '@spert/relation-head';
import type { SpanBatch } from '@spert/span-sampler';
import { loadTokenizer, type EncodeWordsOptions, type SubwordTokenizer } from '@spert/tokenizer';
import { headTensorNames, headTensorsFromCheckpoint, toTfTensors } from './head-tensors';

/** Logits of a training forward pass: entities [B,S,E+1], relations [B,P,R]. */
export type SpertTrainOutput = HeadsOutput;

/** Options of {@link SpertModel.create}. */
export interface CreateSpertModelOptions {
  encoder: Encoder;
  tokenizer: SubwordTokenizer;
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
  /** Load weights holding NaN or infinite values instead of refusing them (default false). */
  allowNonFinite?: boolean;
}

/** Options of {@link SpertModel.predict}: the pipeline's (batch size, long-document policy and windows) and per-call ones. */
export type PredictOptions = PipelineOptions & PredictCallOptions;

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
 * SpERT: an encoder of any registered family, the entity head and the relation head, with the tokenizer and settings
 * that belong to them. Parameters carry the reference's names (`bert.*`, `entity_classifier.*`,
 * `rel_classifier.*`, `size_embeddings.weight`).
 */
export class SpertModel implements SpertRuntime {
  private constructor(
    readonly encoder: Encoder,
    readonly entityHead: EntityHead,
    readonly relationHead: RelationHead,
    readonly tokenizer: SubwordTokenizer,
    readonly settings: SpertSettings,
  ) {}

  /** Builds a model around an encoder with freshly initialised heads. */
  static create({ encoder, tokenizer, settings, seed = 0 }: CreateSpertModelOptions): SpertModel {
    if (tokenizer.vocabSize > encoder.config.vocab_size) {
      throw new SpertError('INVALID_CHECKPOINT', `the tokenizer has ${tokenizer.vocabSize} entries but the encoder's embedding table only ${encoder.config.vocab_size}`);
    }
    const hiddenSize = encoder.config.hidden_size;
    const entityHead = new EntityHead({
      hiddenSize,
      numEntityTypes: settings.types.entities.length,
      sizeEmbedding: settings.sizeEmbedding,
      dropout: settings.propDrop,
      seed: seed * 2 + 1,
      spanPooling: settings.spanPooling,
    });
    const relationHead = new RelationHead({
      hiddenSize,
      numRelationTypes: settings.types.relations.length,
      sizeEmbedding: settings.sizeEmbedding,
      dropout: settings.propDrop,
      maxPairs: settings.maxPairs,
      seed: seed * 2 + 2,
      ...(settings.relationEntityTypes === 'embedding' ? { entityTypes: { count: settings.types.entities.length, dim: settings.typeEmbedding } } : {}),
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
    return SpertModel.fromCheckpoint(await loadCheckpoint({ dir: options.dir, allowNonFinite: options.allowNonFinite }), settings, options);
  }

  /** {@link load} for a checkpoint already read (e.g. by openModel, which inspects it first). */
  static async fromCheckpoint(checkpoint: Checkpoint, settings: SpertSettings, { dir, lowercase, seed = 0 }: LoadSpertModelOptions): Promise<SpertModel> {
    const heads = headTensorsFromCheckpoint(checkpoint.extraTensors, checkpoint.weightsFiles.join(', '), headTensorNames(settings));
    const { tokenizer } = await loadTokenizer({ dir, lowercase, encoderMaxLength: encoderMaxLength(checkpoint.config) });
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
    // Encoder parameters under the family's checkpoint prefix (`bert.` for BERT, `roberta.` for RoBERTa, ...).
    const { prefix } = checkpointFamily(this.encoder.config.model_type);
    for (const [k, v] of this.encoder.variables()) out.set(`${prefix}${k}`, v);
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
      throw new SpertError('INVALID_CHECKPOINT', `${source}: entity_classifier.weight has ${ent.shape[0]} rows (= ${ent.shape[0] - 1} entity types + none) but the types file lists ${E} entity types`);
    }
    if (rel && rel.shape[0] !== R) {
      throw new SpertError('INVALID_CHECKPOINT', `${source}: rel_classifier.weight has ${rel.shape[0]} rows (relation types) but the types file lists ${R} relation types`);
    }
    if (rel && rel.shape[1] !== this.relationHead.inputSize) {
      const why = this.relationHead.typeEmbeddingSize > 0 ? ` (with ${this.relationHead.typeEmbeddingSize}-wide entity-type embeddings: spert.relation_entity_types "embedding")` : '';
      throw new Error(`${source}: rel_classifier.weight has ${rel.shape[1]} columns but this model's relation classifier reads ${this.relationHead.inputSize}${why}`);
    }
    const typeTable = tensors.get('rel_type_embeddings.weight');
    if (typeTable && (typeTable.shape[0] !== E + 1 || typeTable.shape[1] !== this.settings.typeEmbedding)) {
      throw new Error(`${source}: rel_type_embeddings.weight is [${typeTable.shape.join(', ')}] but the settings say [${E + 1}, ${this.settings.typeEmbedding}] (${E} entity types + none, type_embedding_size)`);
    }
    const size = tensors.get('size_embeddings.weight');
    if (size && size.shape[1] !== this.settings.sizeEmbedding) {
      throw new SpertError('INVALID_CHECKPOINT', `${source}: size_embeddings.weight has width ${size.shape[1]} but the settings say size_embedding = ${this.settings.sizeEmbedding}`);
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

  /** Inference scores (candidate spans, logits, probabilities, kept spans, pairs) per document: the pipeline's scoreWords over this model. */
  score(docs: ReadonlyArray<readonly string[]>, options: EncodeDocumentsOptions & { batchSize?: number } = {}): Promise<DocumentScores[]> {
    return scoreWords({ ...options, runtime: this, tokenizer: this.tokenizer, documents: docs });
  }

  /**
   * The TF.js runtime: encodes a batch and scores its candidate spans; the encoding is kept for
   * the relation step and freed by the returned batch's dispose().
   */
  async scoreSpans(input: SpanScoringInput): Promise<ScoredBatch> {
    const hidden = tf.tidy(() => this.encode(input, false));
    let ent: EntityHeadOutput | undefined;
    try {
      ent = this.entityHead.forward({ hidden, spanRanges: input.spanRanges, spanWidths: input.spanWidths, training: false });
      const entities = readScores(ent.logits, (x) => tf.softmax(x));
      ent.logits.dispose();
      const { spanPool, widthEmbeddings } = ent;
      const relationHead = this.relationHead;
      return {
        entities,
        async scorePairs(pairs: PairScoringInput): Promise<BatchScores> {
          const logits = relationHead.forward({ hidden, spanPool, widthEmbeddings, pairs: pairs.pairs, contexts: pairs.contexts, spanTypes: pairs.spanTypes, training: false });
          try {
            return readScores(logits, (x) => tf.sigmoid(x));
          } finally {
            logits.dispose();
          }
        },
        dispose() {
          hidden.dispose();
          spanPool.dispose();
          widthEmbeddings.dispose();
        },
      };
    } catch (e) {
      hidden.dispose();
      if (ent) for (const t of [ent.logits, ent.spanPool, ent.widthEmbeddings]) if (!t.isDisposed) t.dispose();
      throw e;
    }
  }

  /** Predicts entities and relations (word indices, end exclusive, with scores) for documents given as word lists, through the one pipeline. */
  predict(docs: ReadonlyArray<readonly string[]>, options: PredictOptions = {}): Promise<PredictedDocument[]> {
    return predictDocuments({ ...options, runtime: this, tokenizer: this.tokenizer, inputs: docs.map((tokens) => ({ kind: 'tokens', tokens: tokens as string[] })) });
  }

  /** This model as a Predictor (words or raw text in, predictions with offsets out). */
  asPredictor(options: PipelineOptions & { name?: string } = {}): Predictor {
    const { name, ...pipeline } = options;
    return createPredictor({
      ...pipeline,
      runtime: this,
      tokenizer: this.tokenizer,
      metadata: () => ({
        model: name ?? 'SpERT (TF.js)',
        entityTypes: this.settings.types.entities.map((t) => t.key),
        relationTypes: this.settings.types.relations.map((t) => t.key),
        runtime: 'tfjs',
        backend: tf.getBackend(),
      }),
    });
  }

  /** Releases every tensor the model holds. */
  dispose(): void {
    this.encoder.dispose();
    this.entityHead.dispose();
    this.relationHead.dispose();
  }

  private encode(batch: Pick<SpanScoringInput, 'inputIds' | 'attentionMask'>, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const inputIds = tf.tensor2d(batch.inputIds.data, batch.inputIds.shape as [number, number], 'int32');
      const attentionMask = tf.tensor2d(batch.attentionMask.data, batch.attentionMask.shape as [number, number], 'int32');
      // SpERT reads token positions only (spans, contexts, [CLS])
      return this.encoder.apply({ inputIds, attentionMask }, { training, skipPadding: true });
    });
  }
}

/** Reads a [B, N, C] classifier output and its activation into typed arrays. */
function readScores(logits: tf.Tensor, activation: (x: tf.Tensor) => tf.Tensor): BatchScores {
  const [B, N, C] = logits.shape;
  const act = activation(logits);
  try {
    return { logits: logits.dataSync() as Float32Array, probs: act.dataSync() as Float32Array, shape: [B, N, C] };
  } finally {
    act.dispose();
  }
}

/** Reads a model directory's SpERT settings (types checked against `types`) and checks its spert_version. */
export async function readModelSettings(dir: string, types?: TypesSchema): Promise<SpertSettings> {
  const configPath = `${dir}/config.json`;
  const rawConfig = (await readJsonFile(configPath, { what: 'model config' })) as Record<string, unknown>;
  const version = rawConfig.spert_version ?? '1.0';
  if (version !== SPERT_VERSION) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${configPath}: spert_version is ${JSON.stringify(version)}; only ${SPERT_VERSION} checkpoints are supported (the reference refuses older ones too)`);
  }
  return readSettings(rawConfig, { types, source: configPath });
}
