import { createTripleFilter, type SpertSettings, type TripleFilter } from '@spert/core';

/** How a model's relation scores are decoded: its threshold(s) and its type constraints. */
export interface RelationDecoding {
  /** The global threshold (spert.rel_filter_threshold). */
  threshold: number;
  /** Per relation type in class-index order, when the model stores tuned ones (spert.rel_thresholds); types it does not list keep `threshold`. */
  thresholds?: number[];
  /** The allowed triples when spert.relation_type_constraints is "train". */
  constraints?: TripleFilter;
}

/** Reads the decoding rules of the relation switches from a model's settings (the reference's: one threshold, no constraints). */
export function relationDecoding(settings: SpertSettings): RelationDecoding {
  const threshold = settings.relFilterThreshold;
  const per = settings.relThresholds;
  const thresholds = per ? [...settings.types.relations].sort((a, b) => a.index - b.index).map((r) => per[r.key] ?? threshold) : undefined;
  const constraints = settings.relationTypeConstraints === 'train' ? createTripleFilter(settings.relationTriples ?? [], settings.types) : undefined;
  return { threshold, ...(thresholds ? { thresholds } : {}), ...(constraints ? { constraints } : {}) };
}
