import type { PredictedDocument, ScoredEntity } from './types';
import type { PredictionInput } from './prediction-input';

/** An entity of a prediction, with its character range when the input was raw text. */
export interface PredictedEntity extends ScoredEntity {
  /** Character offset (UTF-16 code units) of the entity's first character; text input only. */
  charStart?: number;
  /** Exclusive character offset of its last character; text input only. */
  charEnd?: number;
}

/** What a {@link Predictor} returns per document: words, entities (word and character offsets), relations. */
export interface Prediction extends PredictedDocument {
  entities: PredictedEntity[];
  /** Character [start, end) of every word; text input only. */
  charOffsets?: Array<[number, number]>;
  /** Number of overlapping windows the document was predicted in (1 unless it was longer than the encoder). */
  windows?: number;
}

/** Model description a predictor reports (the service's `GET /metadata` passes it through). */
export interface ModelMetadata {
  /** Model name or directory. */
  model: string;
  entityTypes: string[];
  relationTypes: string[];
  /** Anything else the runtime reports (opset, threads, versions, ...). */
  [key: string]: unknown;
}

/** Per-call options of {@link Predictor.predict}. */
export interface PredictCallOptions {
  /** Called as documents finish, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Where the documents came from (a file path), named in errors. */
  source?: string;
  /** Index of the first document in its file, so errors name the right one. */
  offset?: number;
}

/**
 * Joint entity and relation extraction over documents given as words or raw text: the one
 * contract of the CLI, the service, batch prediction and the browser build. Results come in
 * input order, one per input.
 */
export interface Predictor {
  /** Predicts entities and relations for each input. */
  predict(inputs: readonly PredictionInput[], options?: PredictCallOptions): Promise<Prediction[]>;
  /** Describes the model. */
  metadata(): ModelMetadata;
  /** Frees native resources; called once when done. */
  dispose?(): Promise<void> | void;
}
