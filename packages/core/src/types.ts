/** An entity mention: word indices, `end` exclusive (SpERT's JSON convention). */
export interface Entity {
  type: string;
  start: number;
  end: number;
}

/** A directed relation between two entities of the same document (indices into `entities`). */
export interface Relation {
  type: string;
  head: number;
  tail: number;
}

/** One SpERT document (in practice one sentence): words plus gold or predicted annotations. */
export interface Document {
  tokens: string[];
  entities: Entity[];
  relations: Relation[];
  orig_id?: string | number;
}

/** An entity type with the class index the reference assigns (1..E in file order; 0 = none). */
export interface EntityType {
  key: string;
  index: number;
  short: string;
  verbose: string;
}

/** A relation type with its class index (1..R in file order; 0 = none) and symmetry flag. */
export interface RelationType {
  key: string;
  index: number;
  short: string;
  verbose: string;
  symmetric: boolean;
}

/** The types schema of a dataset/model: the order fixes the class indices. */
export interface TypesSchema {
  entities: EntityType[];
  relations: RelationType[];
}

/** Entity with a confidence score, as written in predictions. */
export interface ScoredEntity extends Entity {
  score: number;
  /** True for an entity the caller gave (kept verbatim, score 1), absent for a predicted one. */
  given?: boolean;
}

/** Relation with a confidence score, as written in predictions. */
export interface ScoredRelation extends Relation {
  score: number;
}

/** A predicted document: the dataset schema with scores added. */
export interface PredictedDocument extends Document {
  entities: ScoredEntity[];
  relations: ScoredRelation[];
}

/**
 * A document encoded for the model: wordpiece ids ([CLS] ... [SEP]) and, per word, its
 * [start, end) range of wordpiece positions (start >= 1 because position 0 is [CLS]).
 */
export interface EncodedDocument {
  inputIds: number[];
  wordRanges: Array<[number, number]>;
}

/**
 * What a SpERT model computes for one document at inference, before decoding; the TF.js model and
 * the ONNX runtime both return it, so their outputs compare field by field.
 */
export interface DocumentScores {
  /** Word range [start, end) of every candidate span, in the reference's order (width, then start). */
  spans: Array<[number, number]>;
  /** Softmax over (none, entity types) per candidate span: [S * (E+1)], row-major. */
  entityProbs: Float32Array;
  /** Entity classifier logits (before the softmax): [S * (E+1)], row-major. */
  entityLogits: Float32Array;
  /** Candidate indices the entity filter kept (ascending). */
  keptSpans: number[];
  /** Ordered pairs of kept candidates (indices into spans) that were scored, in the reference's order. */
  pairs: Array<[number, number]>;
  /** Sigmoid per relation type for each pair: [P * R], row-major. */
  relationProbs: Float32Array;
  /** Relation classifier logits (before the sigmoid): [P * R], row-major. */
  relationLogits: Float32Array;
  /** Given entities as [candidate index, entity type index] (1..E); absent when none were given. */
  given?: Array<[number, number]>;
}
