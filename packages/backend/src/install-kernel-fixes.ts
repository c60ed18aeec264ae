import '@tensorflow/tfjs-backend-wasm';
import { installFusedAdamW } from './adamw-update';
import { installFusedGelu } from './gelu';
import { installFusedLayerNorm } from './layer-norm';
import { installFusedDropout } from './dropout';
import { installFusedSpanMaxPool } from './span-max-pool';
import { installFusedAttention } from './attention';
import { installFusedDenseGrad } from './dense';
import { registerMissingGradients } from './register-gradients';
import { installGradientFixes } from './gradient-fixes';
import { installWasmMatMulFix } from './wasm-matmul';
import { installWasmTransposeNoOpFix } from './wasm-transpose';
import { installWasmGatherFix } from './wasm-gather';
import { installWasmSumFix } from './wasm-sum';
import { installWasmSliceFix } from './wasm-slice';
import { installWasmIdentityShare } from './wasm-identity';
import { installSharedWasmHeap } from './shared-heap';
import { installWasmStridedSliceFix } from './wasm-strided-slice';
import { installWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';

const applied: string[] = [];

/** Installs every kernel and gradient fix this package owns (idempotent); returns the fixes now active. */
export function installKernelFixes(): string[] {
  const gradients = registerMissingGradients();
  if (gradients > 0) applied.push(`gradients: registered ${gradients} tfjs-core gradient configs`);
  applied.push(...installSharedWasmHeap(), ...installWasmUnsortedSegmentSum(), ...installWasmMatMulFix(), ...installWasmStridedSliceFix(), ...installWasmTransposeNoOpFix(), ...installWasmGatherFix(), ...installWasmSumFix(), ...installWasmSliceFix(), ...installWasmIdentityShare(), ...installGradientFixes(), ...installFusedAdamW(), ...installFusedGelu(), ...installFusedLayerNorm(), ...installFusedDropout(), ...installFusedSpanMaxPool(), ...installFusedAttention(), ...installFusedDenseGrad());
  return activeKernelFixes();
}

/** The fixes installed so far, one line each. */
export function activeKernelFixes(): string[] {
  return [...applied];
}
