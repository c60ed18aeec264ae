// AssemblyScript source of @spert/backend's own wasm kernels (compiled by scripts/build-wasm.mjs,
// embedded in src/wasm-kernels.generated.ts). Everything works on f32 matrices addressed by
// byte pointers into an imported linear memory and element strides, so one kernel serves A, A^T,
// B and B^T without a transposed copy. The module has no data segments and no imports besides
// the memory: instantiating it must never write into a memory it shares with someone else.

// C[i, j] = bias[j] + sum_p A(i, p) B(p, j) for rows [0, M) and columns [j0, j1) of an N-column C,
// with A(i, p) at a + 4 (i sai + p sap), B(p, j) at b + 4 (p sbp + j sbj), C[i, j] at c + 4 (i ldc + j).
// bias = 0 means none; j0 is a multiple of 8. B is packed into K x 8 panels (contiguous reads
// whatever its layout) in scratch; `packAll` = 0: one panel at a time, reused for every 4 rows of
// A (scratch: 32 K + 32 bytes); packAll = 1: all panels of [j0, j1) first, then each 4 rows of A
// against all of them (scratch: 32 K ceil((j1 - j0) / 8) + 16 K + 32 bytes), which writes C row by row
// and keeps the 4 rows of A in L1: the better order when K is small (weight gradients).
export function gemm(a: usize, sai: i32, sap: i32, b: usize, sbp: i32, sbj: i32, c: usize, ldc: i32,
  bias: usize, M: i32, K: i32, N: i32, j0: i32, j1: i32, scratch: usize, packAll: i32): void {
  const panelBytes: usize = <usize>K << 5;
  const sa1: usize = <usize>sai << 2, sap4: usize = <usize>sap << 2, sc: usize = <usize>ldc << 2;
  if (packAll != 0) {
    const panels = (j1 - j0 + 7) >> 3;
    const strip = scratch + <usize>panels * panelBytes;
    const tmp = strip + (<usize>K << 4);
    for (let q = 0; q < panels; q++) {
      const j = j0 + (q << 3);
      packPanel(b, sbp, sbj, j, min(8, N - j), K, scratch + <usize>q * panelBytes);
    }
    // A read down its columns is copied 4 rows at a time into a contiguous K x 4 strip: its
    // elements lie a row of the source apart, often a multiple of 4 KiB, which maps them all
    // onto one L1 set (measured 20 vs 30 GFLOP/s without the copy).
    const rowMajor = sap == 1;
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      let pa = a + <usize>i * sa1, s1 = sa1, s4 = sap4;
      if (!rowMajor) { packStrip(pa, sa1, sap4, K, strip); pa = strip; s1 = 4; s4 = 16; }
      const pc = c + <usize>i * sc;
      for (let q = 0; q < panels; q++) {
        const j = j0 + (q << 3);
        const panel = scratch + <usize>q * panelBytes;
        block4(pa, s1, s4, panel, panel + panelBytes, bias, j, min(8, N - j), pc + (<usize>j << 2), sc, tmp);
      }
    }
    for (; i < M; i++) {
      for (let q = 0; q < panels; q++) {
        const j = j0 + (q << 3);
        const panel = scratch + <usize>q * panelBytes;
        block1(a + <usize>i * sa1, sap4, panel, panel + panelBytes, bias, j, min(8, N - j), c + <usize>i * sc + (<usize>j << 2), tmp);
      }
    }
    return;
  }
  const panelEnd = scratch + panelBytes;
  for (let j = j0; j < j1; j += 8) {
    const width = min(8, N - j);
    packPanel(b, sbp, sbj, j, width, K, scratch);
    const pc = c + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= M; i += 4) block4(a + <usize>i * sa1, sa1, sap4, scratch, panelEnd, bias, j, width, pc + <usize>i * sc, sc, panelEnd);
    for (; i < M; i++) block1(a + <usize>i * sa1, sap4, scratch, panelEnd, bias, j, width, pc + <usize>i * sc, panelEnd);
  }
}

// gemm for batches [batch0, batch1) of a batched product; batch strides in floats (0 broadcasts).
// One call per thread share, so the batch loop costs no JS-to-wasm calls.
export function gemmBatch(a: usize, aBatch: i32, sai: i32, sap: i32, b: usize, bBatch: i32, sbp: i32, sbj: i32,
  c: usize, cBatch: i32, ldc: i32, bias: usize, M: i32, K: i32, N: i32, j0: i32, j1: i32, scratch: usize,
  packAll: i32, batch0: i32, batch1: i32): void {
  for (let t = batch0; t < batch1; t++) {
    gemm(a + (<usize>t * <usize>aBatch << 2), sai, sap, b + (<usize>t * <usize>bBatch << 2), sbp, sbj,
      c + (<usize>t * <usize>cBatch << 2), ldc, bias, M, K, N, j0, j1, scratch, packAll);
  }
}

// Copies A(i .. i + 3, p) for every p into a K x 4 row-major strip.
@inline function packStrip(pa: usize, sa1: usize, sap4: usize, K: i32, dst: usize): void {
  const end = dst + (<usize>K << 4);
  if (sa1 == 4) {
    while (dst < end) { v128.store(dst, v128.load(pa)); pa += sap4; dst += 16; }
  } else {
    while (dst < end) {
      store<f32>(dst, load<f32>(pa)); store<f32>(dst, load<f32>(pa + sa1), 4);
      store<f32>(dst, load<f32>(pa + 2 * sa1), 8); store<f32>(dst, load<f32>(pa + 3 * sa1), 12);
      pa += sap4; dst += 16;
    }
  }
}

// The 8 bias values of columns [j, j + width) as two vectors (zeros beyond width or without bias).
@inline function biasPair(bias: usize, j: i32, width: i32, tmp: usize, half: i32): v128 {
  if (bias == 0) return f32x4.splat(0);
  if (width == 8) return v128.load(bias + (<usize>(j + (half << 2)) << 2));
  for (let q = 0; q < 4; q++) {
    const col = (half << 2) + q;
    store<f32>(tmp + (<usize>q << 2), col < width ? load<f32>(bias + (<usize>(j + col) << 2)) : 0);
  }
  return v128.load(tmp);
}

// Rows [i, i + 4) x columns [j, j + 8) of C from one packed panel: 8 accumulators, 2 B vectors
// and 1 broadcast A value stay within the 16 SIMD registers of x64.
@inline function block4(pa: usize, sa1: usize, sap4: usize, panel: usize, panelEnd: usize,
  bias: usize, j: i32, width: i32, pc: usize, sc: usize, tmp: usize): void {
  const sa2 = sa1 << 1, sa3 = sa1 + sa2;
  const bias0 = biasPair(bias, j, width, tmp, 0), bias1 = biasPair(bias, j, width, tmp, 1);
  let c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1;
  let c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
  let pb = panel;
  while (pb < panelEnd) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + sa1);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + sa2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + sa3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    pa += sap4; pb += 32;
  }
  storeRow(pc, c00, c01, width, tmp);
  storeRow(pc + sc, c10, c11, width, tmp);
  storeRow(pc + 2 * sc, c20, c21, width, tmp);
  storeRow(pc + 3 * sc, c30, c31, width, tmp);
}

// One row of C (the rows left over after the blocks of 4).
@inline function block1(pa: usize, sap4: usize, panel: usize, panelEnd: usize,
  bias: usize, j: i32, width: i32, pc: usize, tmp: usize): void {
  let c00 = biasPair(bias, j, width, tmp, 0), c01 = biasPair(bias, j, width, tmp, 1);
  let pb = panel;
  while (pb < panelEnd) {
    const x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, v128.load(pb))); c01 = f32x4.add(c01, f32x4.mul(x, v128.load(pb, 16)));
    pa += sap4; pb += 32;
  }
  storeRow(pc, c00, c01, width, tmp);
}

// Copies columns [j, j + width) of B into a K x 8 row-major panel, zeros beyond width.
@inline function packPanel(b: usize, sbp: i32, sbj: i32, j: i32, width: i32, K: i32, dst: usize): void {
  const sp: usize = <usize>sbp << 2, sj: usize = <usize>sbj << 2;
  let src = b + <usize>j * sj;
  const end = dst + (<usize>K << 5);
  if (sbj == 1 && width == 8) {
    while (dst < end) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
      src += sp; dst += 32;
    }
  } else if (width == 8) {
    while (dst < end) {
      let s = src;
      for (let q = 0; q < 8; q++) { store<f32>(dst + (<usize>q << 2), load<f32>(s)); s += sj; }
      src += sp; dst += 32;
    }
  } else {
    while (dst < end) {
      let s = src;
      for (let q = 0; q < 8; q++) { store<f32>(dst + (<usize>q << 2), q < width ? load<f32>(s) : 0); s += sj; }
      src += sp; dst += 32;
    }
  }
}

// Stores 8 results (or the first `width`, staged through tmp) to a row of C.
@inline function storeRow(pc: usize, v0: v128, v1: v128, width: i32, tmp: usize): void {
  if (width == 8) {
    v128.store(pc, v0); v128.store(pc, v1, 16);
  } else {
    v128.store(tmp, v0); v128.store(tmp, v1, 16);
    for (let q = 0; q < width; q++) store<f32>(pc + (<usize>q << 2), load<f32>(tmp + (<usize>q << 2)));
  }
}

// One fused AdamW step over n floats (transformers' AdamW, correct_bias=False, decay applied to the
// updated parameter): g' = s g; m = b1 m + c1 g'; v = b2 v + c2 g'^2; p = (p - lr m / (sqrt(v) + eps)) d.
// c1 = 1 - b1, c2 = 1 - b2 and d = 1 - lr wd come from the caller in double precision, as PyTorch
// computes them from Python floats (1 - f32(0.999) would be off by 1e-5). Outputs may alias inputs.
export function adamw(p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize, n: i32,
  lr: f32, beta1: f32, c1: f32, beta2: f32, c2: f32, eps: f32, decay: f32, gradScale: f32): void {
  const vb1 = f32x4.splat(beta1), vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(beta2), vc2 = f32x4.splat(c2);
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vs = f32x4.splat(gradScale), vd = f32x4.splat(decay);
  const n4 = n & ~3;
  let o: usize = 0;
  const end4: usize = <usize>n4 << 2;
  while (o < end4) {
    const gi = f32x4.mul(v128.load(g + o), vs);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gi, gi)));
    const upd = f32x4.div(f32x4.mul(vlr, mi), f32x4.add(f32x4.sqrt(vi), veps));
    v128.store(mOut + o, mi);
    v128.store(vOut + o, vi);
    v128.store(pOut + o, f32x4.mul(f32x4.sub(v128.load(p + o), upd), vd));
    o += 16;
  }
  for (let i = n4; i < n; i++) {
    o = <usize>i << 2;
    const gi = load<f32>(g + o) * gradScale;
    const mi = beta1 * load<f32>(m + o) + c1 * gi;
    const vi = beta2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(mOut + o, mi);
    store<f32>(vOut + o, vi);
    store<f32>(pOut + o, (load<f32>(p + o) - lr * mi / (sqrt<f32>(vi) + eps)) * decay);
  }
}
