/**
 * How a tool counts character offsets: Unicode code points (Python tools: brat, doccano) or
 * UTF-16 code units (JavaScript tools: Label Studio). They differ only after an astral character
 * (most emoji, rare CJK); inside this package every offset is a UTF-16 unit, as JS strings index.
 */
export type OffsetUnit = 'code-points' | 'utf16';

/** An entity on raw text: one [start, end) fragment, or several for a discontinuous brat entity. */
export interface TextEntity {
  /** The tool's id (brat `T3`, Label Studio region id, doccano entity id), unique in its document. */
  id: string;
  type: string;
  /** [start, end) in UTF-16 code units of the document text, ascending. */
  fragments: Array<[number, number]>;
  /** The covered text as the tool stored it (brat, Label Studio); checked against the offsets. */
  text?: string;
  /** 1-based line of the input file that holds it (brat `.ann`, doccano JSONL). */
  line?: number;
  /** Model confidence, for predictions. */
  score?: number;
}

/** A directed relation between two entities of the same document, by their tool ids. */
export interface TextRelation {
  id: string;
  type: string;
  head: string;
  tail: string;
  line?: number;
  score?: number;
}

/** One document as annotation tools keep it: raw text with character offsets, read into one shape. */
export interface TextDocument {
  /** The tool's name for it: brat file stem, Label Studio task id, doccano id or line. */
  id: string;
  /** Input file it came from (for problem messages). */
  source: string;
  /** 1-based line of the input file for line-based formats (doccano JSONL). */
  line?: number;
  text: string;
  entities: TextEntity[];
  relations: TextRelation[];
  /**
   * Word boundaries recorded by this package's export ([start, end) UTF-16 units): they give the
   * exported tokens back exactly. Absent: `splitWords` from @spert/tokenizer finds the words.
   */
  words?: Array<[number, number]>;
  /** `orig_id` recorded by the export; absent: the document id becomes `orig_id`. */
  origId?: string | number;
}

/** What this package records beside a text so that re-importing gives the exported tokens back. */
export interface SpertMetadata {
  /** Word [start, end) offsets in the format's own offset unit. */
  words: Array<[number, number]>;
  orig_id?: string | number;
}
