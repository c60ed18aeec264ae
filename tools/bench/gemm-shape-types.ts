// The record gemm-capture.ts writes and gemm-shapes.ts replays.

/** One distinct matrix product seen in training: operand shapes and attributes as the kernel got them. */
export interface CapturedShape {
  kernel: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** Shape of the bias of a _FusedMatMul, null without one. */
  bias: number[] | null;
  /** How often it ran per training step (mean over the recorded steps). */
  perStep: number;
}
