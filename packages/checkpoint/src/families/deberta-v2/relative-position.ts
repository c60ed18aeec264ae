// DeBERTa's relative positions as table indices, computed once here (tensor-free) so that the
// TF.js layers and the ONNX graph use the same numbers.
import { relativeGeometry, type DebertaV2Config } from './config';

type Geometry = Pick<DebertaV2Config, 'max_relative_positions' | 'position_buckets' | 'max_position_embeddings'>;

/**
 * HF's make_log_bucket_position for one relative position `r` (query minus key): exact inside
 * ±bucketSize/2, log-spaced beyond, up to ±bucketSize. Computed in float64; for the configs of
 * released checkpoints it equals v4.35.2's float32 torch computation at every |r| <= 4096.
 */
export function logBucketPosition(r: number, bucketSize: number, maxPosition: number): number {
  const mid = Math.floor(bucketSize / 2);
  const abs = r < mid && r > -mid ? mid - 1 : Math.abs(r);
  if (abs <= mid) return r;
  const logPos = Math.ceil((Math.log(abs / mid) / Math.log((maxPosition - 1) / mid)) * (mid - 1)) + mid;
  return logPos * Math.sign(r);
}

/** HF's build_relative_position entry for query `q` and key `k`: q - k, log-bucketed when the config buckets. */
export function relativePosition(q: number, k: number, config: Geometry): number {
  const { buckets, maxRelative } = relativeGeometry(config);
  const r = q - k;
  return buckets > 0 && maxRelative > 0 ? logBucketPosition(r, buckets, maxRelative) : r;
}

/**
 * Row of rel_embeddings that the c2p and p2c terms read for query `q` and key `k`:
 * clamp(relative_position + span, 0, 2 span - 1). Because bucketing is odd-symmetric, HF's p2c
 * index (built from -relative_position of the transposed pair) is the same row.
 */
export function relativeEmbeddingRow(q: number, k: number, config: Geometry): number {
  const { span } = relativeGeometry(config);
  return Math.min(Math.max(relativePosition(q, k, config) + span, 0), 2 * span - 1);
}

/** relativeEmbeddingRow for every offset d = q - k in [-(length - 1), length - 1], at index d + length - 1. */
export function relativeEmbeddingRowsByOffset(config: Geometry, length: number): Int32Array {
  const out = new Int32Array(2 * length - 1);
  for (let d = -(length - 1); d <= length - 1; d++) out[d + length - 1] = relativeEmbeddingRow(d, 0, config);
  return out;
}

/** The [length, length] row-major matrix of relativeEmbeddingRow(q, k). */
export function relativeEmbeddingRows(config: Geometry, length: number): Int32Array {
  const byOffset = relativeEmbeddingRowsByOffset(config, length);
  const out = new Int32Array(length * length);
  for (let q = 0; q < length; q++) for (let k = 0; k < length; k++) out[q * length + k] = byOffset[q - k + length - 1];
  return out;
}
