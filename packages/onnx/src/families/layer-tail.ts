// The part of a transformer layer after the attention probabilities that BertLayer (BERT,
// RoBERTa) and DebertaV2Layer share: merge the heads, output projection + residual LayerNorm, then
// the exact-GELU feed-forward + residual LayerNorm.
import type { GraphBuilder } from '../graph-builder';

/** A graph's own builders and constants the tail uses. */
export interface LayerTailGraph {
  g: GraphBuilder;
  /** PyTorch Linear `name` applied to x ([.., nIn] -> [.., nOut]). */
  linear(x: string, name: string, nIn: number, nOut: number): string;
  /** LayerNorm `name` over the hidden axis. */
  layerNorm(x: string, name: string): string;
  /** [0, 0, hidden]: the Reshape that merges the heads. */
  mergeShape: string;
  /** The GELU's scalars: sqrt(1/2), 1/2 and 1. */
  gelu: { sqrtHalf: string; half: string; one: string };
}

/** The rest of layer `p` (`encoder.layer.N`) from its attention probabilities, values and input x. */
export function layerTail(t: LayerTailGraph, probs: string, v: string, x: string, p: string, H: number, I: number): string {
  const { g, linear, layerNorm } = t;
  const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), t.mergeShape]);
  const attended = layerNorm(g.op('Add', [linear(ctx, `${p}.attention.output.dense`, H, H), x]), `${p}.attention.output.LayerNorm`);
  const inter = linear(attended, `${p}.intermediate.dense`, H, I);
  const erf = g.op('Erf', [g.op('Mul', [inter, t.gelu.sqrtHalf])]);
  const gelu = g.op('Mul', [g.op('Mul', [inter, t.gelu.half]), g.op('Add', [erf, t.gelu.one])]);
  return layerNorm(g.op('Add', [linear(gelu, `${p}.output.dense`, I, H), attended]), `${p}.output.LayerNorm`);
}
