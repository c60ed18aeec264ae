// AssemblyScript source of @spert/backend's own wasm kernels (compiled by scripts/build-wasm.mjs,
// embedded in src/wasm-kernels.generated.ts). Everything works on f32 matrices addressed by
// byte pointers into an imported linear memory and element strides, so one kernel serves A, A^T,
// B and B^T without a transposed copy. The module has no data segments and no imports besides
// the memory: instantiating it must never write into a memory it shares with someone else.

// C[i, j] = bias[j] + sum_p A(i, p) B(p, j) for rows [0, M) and columns [j0, j1) of an N-column C,
// with A(i, p) at a + 4 (i sai + p sap), B(p, j) at b + 4 (p sbp + j sbj), C[i, j] at c + 4 (i ldc + j).
// bias = 0 means none; j0 is a multiple of 8. Each output is bias + the products summed in order of
// p, by one thread, whatever the blocking: results do not depend on how the work is split.
// Both operands are packed in scratch first, so that the inner loop reads contiguous memory at
// constant offsets (no address arithmetic, the most V8 lets a 4 x 8 block of 16 SIMD registers
// spend on loads): A into K x 4 strips of 4 rows (scratch: 16 K ceil(M / 4) bytes, the last strip
// padded with zero rows; `aPacked` = 1: already there, from an earlier chunk of the same A), B into
// K x 8 panels after them. `packAll` = 0: one panel at a time, reused for every strip (32 K bytes);
// packAll = 1: all panels of [j0, j1) first (32 K ceil((j1 - j0) / 8) bytes), then each strip
// against all of them, which writes C row by row and keeps the strip in L1: the better order when
// K is small (weight gradients). Then 32 bytes for partial stores.
function gemm(a: usize, sai: i32, sap: i32, b: usize, sbp: i32, sbj: i32, c: usize, ldc: i32,
  bias: usize, M: i32, K: i32, N: i32, j0: i32, j1: i32, scratch: usize, packAll: i32, aPacked: i32): void {
  const panelBytes: usize = <usize>K << 5, stripBytes: usize = <usize>K << 4;
  const strips = (M + 3) >> 2;
  const sc: usize = <usize>ldc << 2;
  const panels = scratch + <usize>strips * stripBytes;
  if (aPacked == 0) {
    const sa1: usize = <usize>sai << 2, sap4: usize = <usize>sap << 2;
    for (let s = 0; s < strips; s++) packStrip(a + <usize>(s << 2) * sa1, sa1, sap4, K, min(4, M - (s << 2)), scratch + <usize>s * stripBytes);
  }
  if (packAll != 0) {
    const count = (j1 - j0 + 7) >> 3;
    const tmp = panels + <usize>count * panelBytes;
    for (let q = 0; q < count; q++) {
      const j = j0 + (q << 3);
      packPanel(b, sbp, sbj, j, min(8, N - j), K, panels + <usize>q * panelBytes);
    }
    for (let s = 0; s < strips; s++) {
      const strip = scratch + <usize>s * stripBytes, rows = min(4, M - (s << 2));
      const pc = c + <usize>(s << 2) * sc;
      for (let q = 0; q < count; q++) {
        const j = j0 + (q << 3);
        const panel = panels + <usize>q * panelBytes;
        block4(strip, panel, panel + panelBytes, bias, j, min(8, N - j), pc + (<usize>j << 2), sc, rows, tmp);
      }
    }
    return;
  }
  const panelEnd = panels + panelBytes;
  for (let j = j0; j < j1; j += 8) {
    const width = min(8, N - j);
    packPanel(b, sbp, sbj, j, width, K, panels);
    const pc = c + (<usize>j << 2);
    for (let s = 0; s < strips; s++) {
      block4(scratch + <usize>s * stripBytes, panels, panelEnd, bias, j, width, pc + <usize>(s << 2) * sc, sc, min(4, M - (s << 2)), panelEnd);
    }
  }
}

// gemm for batches [batch0, batch1) of a batched product; batch strides in floats (0 broadcasts:
// a broadcast A is packed once). `aPacked`: A (broadcast or not batched) is packed already.
// Internal: gemmChunks calls it once per chunk.
function gemmBatch(a: usize, aBatch: i32, sai: i32, sap: i32, b: usize, bBatch: i32, sbp: i32, sbj: i32,
  c: usize, cBatch: i32, ldc: i32, bias: usize, M: i32, K: i32, N: i32, j0: i32, j1: i32, scratch: usize,
  packAll: i32, batch0: i32, batch1: i32, aPacked: i32): void {
  for (let t = batch0; t < batch1; t++) {
    gemm(a + (<usize>t * <usize>aBatch << 2), sai, sap, b + (<usize>t * <usize>bBatch << 2), sbp, sbj,
      c + (<usize>t * <usize>cBatch << 2), ldc, bias, M, K, N, j0, j1, scratch, packAll, aBatch == 0 && (aPacked != 0 || t > batch0) ? 1 : 0);
  }
}

// gemmBatch over chunks handed out by an atomic counter (an i32 at `counter`, set to 0 by the
// caller): every thread taking part calls this with its own scratch and takes chunks until none
// are left, so a thread that starts late or runs slower just takes fewer. mode 0: chunks of
// `size` columns; mode 1: chunks of `size` batch entries (of `count`). The first `head` chunks
// have that size, the rest one unit each (8 columns or 1 batch entry): when one thread takes
// the last big chunk the other finishes with small ones, so neither waits long for the other
// (a worker that joins late is otherwise always mid-chunk when the caller runs out of work).
// A thread packs an A shared by its chunks (mode 0, or a broadcast A in mode 1) once, on its
// first chunk.
export function gemmChunks(a: usize, aBatch: i32, sai: i32, sap: i32, b: usize, bBatch: i32, sbp: i32, sbj: i32,
  c: usize, cBatch: i32, ldc: i32, bias: usize, M: i32, K: i32, N: i32, scratch: usize, packAll: i32,
  count: i32, counter: usize, mode: i32, size: i32, chunks: i32, head: i32): void {
  let aPacked = 0;
  const unit = mode == 0 ? 8 : 1;
  for (;;) {
    const k = atomic.add<i32>(counter, 1);
    if (k >= chunks) return;
    const start = k < head ? k * size : head * size + (k - head) * unit;
    const end = start + (k < head ? size : unit);
    if (mode == 0) {
      gemmBatch(a, aBatch, sai, sap, b, bBatch, sbp, sbj, c, cBatch, ldc, bias, M, K, N, start, min(N, end), scratch, packAll, 0, count, aPacked);
    } else {
      gemmBatch(a, aBatch, sai, sap, b, bBatch, sbp, sbj, c, cBatch, ldc, bias, M, K, N, 0, N, scratch, packAll, start, min(count, end), aPacked);
    }
    aPacked = 1;
  }
}

// Copies A(i .. i + rows - 1, p) for every p into a K x 4 row-major strip (rows 1-4; zeros for
// the rows beyond, whose results are computed and dropped).
@inline function packStrip(pa: usize, sa1: usize, sap4: usize, K: i32, rows: i32, dst: usize): void {
  const end = dst + (<usize>K << 4);
  if (rows == 4 && sa1 == 4) {
    // A^T stored row-major (weight gradients): the 4 rows lie side by side
    while (dst < end) { v128.store(dst, v128.load(pa)); pa += sap4; dst += 16; }
  } else if (rows == 4 && sap4 == 4) {
    // row-major A: 4 x 4 transposes of vectors instead of 16 scalar loads a row apart
    const K4 = K & ~3;
    const r1 = pa + sa1, r2 = pa + 2 * sa1, r3 = pa + 3 * sa1;
    for (let p: usize = 0; p < <usize>K4 << 2; p += 16) {
      transpose4(v128.load(pa + p), v128.load(r1 + p), v128.load(r2 + p), v128.load(r3 + p), dst, 16);
      dst += 64;
    }
    pa += <usize>K4 << 2;
    while (dst < end) {
      store<f32>(dst, load<f32>(pa)); store<f32>(dst, load<f32>(pa + sa1), 4);
      store<f32>(dst, load<f32>(pa + 2 * sa1), 8); store<f32>(dst, load<f32>(pa + 3 * sa1), 12);
      pa += 4; dst += 16;
    }
  } else {
    while (dst < end) {
      let s = pa;
      for (let r = 0; r < 4; r++) { store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(s) : 0); s += sa1; }
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

// c + a b: one fused multiply-add (rounded once) in the relaxed-SIMD build, else a multiply and an
// add (rounded twice; the same bits on every machine). gemm-engine.ts picks the build.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Rows [i, i + rows) x columns [j, j + 8) of C from a packed strip and panel: 8 accumulators, 2 B
// vectors and 4 broadcast A values fill the 15 SIMD registers V8 allocates on x64 (it loads all
// six operands first, so a larger block spills: measured 1.6x slower as 6 x 8). All loads sit at
// constant offsets of two pointers.
@inline function block4(pa: usize, panel: usize, panelEnd: usize,
  bias: usize, j: i32, width: i32, pc: usize, sc: usize, rows: i32, tmp: usize): void {
  const bias0 = biasPair(bias, j, width, tmp, 0), bias1 = biasPair(bias, j, width, tmp, 1);
  let c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1;
  let c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
  let pb = panel;
  while (pb < panelEnd) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    pa += 16; pb += 32;
  }
  storeRow(pc, c00, c01, width, tmp);
  if (rows > 1) storeRow(pc + sc, c10, c11, width, tmp);
  if (rows > 2) storeRow(pc + 2 * sc, c20, c21, width, tmp);
  if (rows > 3) storeRow(pc + 3 * sc, c30, c31, width, tmp);
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
  } else if (sbp == 1 && width == 8) {
    // B read across its rows (B^T stored row-major, e.g. a weight in the input gradient): 4 x 4
    // transposes of vectors instead of 32 scalar loads 1 row (often a multiple of 4 KiB) apart
    const K4 = K & ~3;
    let r0 = src, r1 = src + sj, r2 = src + 2 * sj, r3 = src + 3 * sj;
    let r4 = src + 4 * sj, r5 = r4 + sj, r6 = r4 + 2 * sj, r7 = r4 + 3 * sj;
    for (let p = 0; p < K4; p += 4) {
      transpose4(v128.load(r0), v128.load(r1), v128.load(r2), v128.load(r3), dst, 32);
      transpose4(v128.load(r4), v128.load(r5), v128.load(r6), v128.load(r7), dst + 16, 32);
      r0 += 16; r1 += 16; r2 += 16; r3 += 16; r4 += 16; r5 += 16; r6 += 16; r7 += 16;
      dst += 128;
    }
    src += <usize>K4 << 2;
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

// Writes the transpose of the 4 x 4 block with rows x0..x3 as 4 rows of 4 floats, `step` bytes apart.
@inline function transpose4(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, step: usize): void {
  const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
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
function adamw(p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize, n: i32,
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


// Sums of squares of whole arrays, one array per tick of the atomic counter: `ptrs` and `lens` are
// i32 arrays of byte pointers and float counts, `out` receives one f64 per array. Squares are
// exact in float64 and summed in rowMoment's fixed order (below), so the result does not depend on
// the thread that took the array.
// One float32 chain in element order (what tfjs's Square then Sum do) is latency-bound: 0.98 ms
// for the 1.7M-float embedding gradient of a 256x4 model against 0.37 ms now (one thread).
export function sumSquaresChunks(ptrs: usize, lens: usize, count: i32, out: usize, counter: usize): void {
  for (;;) {
    const k = atomic.add<i32>(counter, 1);
    if (k >= count) return;
    // LayerNorm's sum of squared deviations about 0: (x - 0)^2 = x^2 exactly
    store<f64>(out + (<usize>k << 3), rowMoment(<usize>load<i32>(ptrs + (<usize>k << 2)), load<i32>(lens + (<usize>k << 2)), 0, true));
  }
}

// exp of 4 float32 lanes (Cephes expf: x = n ln2 + r, a degree-6 polynomial in r, 2^n put into the
// exponent bits); relative error ~1e-7 over the clamped range [-87.3, 88.4].
@inline function expv(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447504));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, f32x4.splat(1)));
  return f32x4.mul(p, i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23));
}

// Phi(x) (the standard normal CDF, 0.5 (1 + erf(x / sqrt 2))) with erf by Abramowitz & Stegun
// 7.1.26 (|error| <= 1.5e-7, the formula tfjs-core's erf uses), and e = exp(-x^2 / 2), which the
// GELU gradient reuses.
@inline function phiv(x: v128, e: v128): v128 {
  const v = f32x4.mul(f32x4.abs(x), f32x4.splat(0.7071067811865476));
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.3275911), v)));
  let q = f32x4.add(f32x4.mul(f32x4.splat(1.061405429), t), f32x4.splat(-1.453152027));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.421413741));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-0.284496736));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.254829592));
  const erfAbs = f32x4.sub(f32x4.splat(1), f32x4.mul(f32x4.mul(q, t), e));
  // copy the sign of x onto erf(|x| / sqrt 2)
  const erf = v128.or(erfAbs, v128.and(x, i32x4.splat(0x80000000)));
  return f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), erf));
}

// Loads up to 4 floats (lanes past `count` are 0).
@inline function loadPartial(p: usize, count: i32): v128 {
  let v = f32x4.splat(0);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function storePartial(p: usize, v: v128, count: i32): void {
  if (count > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// Exact (erf) GELU of n floats: y = x Phi(x).
export function gelu(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o: usize = <usize>i << 2;
    const xv = v128.load(x + o);
    const e = expv(f32x4.mul(f32x4.mul(xv, xv), f32x4.splat(-0.5)));
    v128.store(y + o, f32x4.mul(xv, phiv(xv, e)));
  }
  if (n4 < n) {
    const o: usize = <usize>n4 << 2;
    const xv = loadPartial(x + o, n - n4);
    const e = expv(f32x4.mul(f32x4.mul(xv, xv), f32x4.splat(-0.5)));
    storePartial(y + o, f32x4.mul(xv, phiv(xv, e)), n - n4);
  }
}

// Gradient of the exact GELU: dx = dy (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
export function geluGrad(x: usize, dy: usize, dx: usize, n: i32): void {
  const n4 = n & ~3;
  const invSqrt2Pi = f32x4.splat(0.3989422804014327);
  for (let i = 0; i < n4; i += 4) {
    const o: usize = <usize>i << 2;
    const xv = v128.load(x + o);
    const e = expv(f32x4.mul(f32x4.mul(xv, xv), f32x4.splat(-0.5)));
    const d = f32x4.add(phiv(xv, e), f32x4.mul(xv, f32x4.mul(e, invSqrt2Pi)));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), d));
  }
  if (n4 < n) {
    const o: usize = <usize>n4 << 2;
    const xv = loadPartial(x + o, n - n4);
    const e = expv(f32x4.mul(f32x4.mul(xv, xv), f32x4.splat(-0.5)));
    const d = f32x4.add(phiv(xv, e), f32x4.mul(xv, f32x4.mul(e, invSqrt2Pi)));
    storePartial(dx + o, f32x4.mul(loadPartial(dy + o, n - n4), d), n - n4);
  }
}

// gelu (grad 0) or geluGrad (grad 1; dy read) over chunks of `size` floats (a multiple of 4) handed
// out by an atomic counter (see gemmChunks); elementwise, so the same values on any thread count.
export function geluChunks(x: usize, dy: usize, out: usize, n: i32, grad: i32, counter: usize, size: i32): void {
  for (;;) {
    const k = atomic.add<i32>(counter, 1);
    const start = k * size;
    if (start >= n) return;
    const o: usize = <usize>start << 2;
    const len = min(size, n - start);
    if (grad) geluGrad(x + o, dy + o, out + o, len);
    else gelu(x + o, out + o, len);
  }
}

// LayerNorm (layer-norm.ts; its JS loops mirror these operation for operation, so both give the
// same bits). Float64 throughout: rows are read as f32x4, promoted to two f64x2 halves. A row sum
// keeps 8 interleaved accumulators (element i in accumulator i mod 8, as 4 f64x2 vectors),
// combined as ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)), the tail after.
@inline function lo64(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function hi64(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
@inline function hsum(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

// The sum of the H floats at x (mean 0 -> sum of x; else the sum of (x - mean)^2).
@inline function rowMoment(x: usize, H: i32, mean: f64, squares: bool): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const m = f64x2.splat(mean);
  const H8 = H & ~7;
  for (let i = 0; i < H8; i += 8) {
    const p = x + (<usize>i << 2);
    const u = v128.load(p), w = v128.load(p, 16);
    let d0 = lo64(u), d1 = hi64(u), d2 = lo64(w), d3 = hi64(w);
    if (squares) {
      d0 = f64x2.sub(d0, m); d1 = f64x2.sub(d1, m); d2 = f64x2.sub(d2, m); d3 = f64x2.sub(d3, m);
      d0 = f64x2.mul(d0, d0); d1 = f64x2.mul(d1, d1); d2 = f64x2.mul(d2, d2); d3 = f64x2.mul(d3, d3);
    }
    a0 = f64x2.add(a0, d0); a1 = f64x2.add(a1, d1); a2 = f64x2.add(a2, d2); a3 = f64x2.add(a3, d3);
  }
  // lane 0: (a0 + a4) + (a2 + a6); lane 1: (a1 + a5) + (a3 + a7)
  let s = hsum(f64x2.add(f64x2.add(a0, a2), f64x2.add(a1, a3)));
  for (let i = H8; i < H; i++) {
    let d = <f64>load<f32>(x + (<usize>i << 2));
    if (squares) { d -= mean; d *= d; }
    s += d;
  }
  return s;
}

// y = (x - mean) / sqrt(var + eps) * gamma + beta for `rows` rows of H floats (biased variance).
export function layerNorm(x: usize, gamma: usize, beta: usize, y: usize, rows: i32, H: i32, eps: f64): void {
  const H4 = H & ~3;
  for (let r = 0; r < rows; r++) {
    const o: usize = <usize>r * <usize>H << 2;
    const mean = rowMoment(x + o, H, 0, false) / <f64>H;
    const rstd = 1 / sqrt<f64>(rowMoment(x + o, H, mean, true) / <f64>H + eps);
    const m = f64x2.splat(mean), rs = f64x2.splat(rstd);
    for (let i = 0; i < H4; i += 4) {
      const q: usize = <usize>i << 2;
      const xv = v128.load(x + o + q), gv = v128.load(gamma + q), bv = v128.load(beta + q);
      const l = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(lo64(xv), m), rs), lo64(gv)), lo64(bv));
      const h = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(hi64(xv), m), rs), hi64(gv)), hi64(bv));
      v128.store(y + o + q, v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
    }
    for (let i = H4; i < H; i++) {
      const q: usize = <usize>i << 2;
      store<f32>(y + o + q, <f32>((<f64>load<f32>(x + o + q) - mean) * rstd * <f64>load<f32>(gamma + q) + <f64>load<f32>(beta + q)));
    }
  }
}

// The gradients of layerNorm given dy: dx per row (statistics recomputed as layerNorm computes
// them), dgamma and dbeta summed over rows in float64 in `scratch` (16 H bytes, 16-aligned).
// Per row, with xh = (x - mean) rstd and g = dy gamma: mg = mean(g) and mgx = mean(g xh), each sum
// in 4 interleaved accumulators combined as (a0 + a2) + (a1 + a3), the tail after; then
// dx = rstd ((g - mg) - xh mgx).
export function layerNormGrad(x: usize, gamma: usize, dy: usize, dx: usize, dgamma: usize, dbeta: usize, rows: i32, H: i32, eps: f64, scratch: usize): void {
  const H4 = H & ~3;
  const sg = scratch, sb = scratch + (<usize>H << 3);
  memory.fill(scratch, 0, <usize>H << 4);
  for (let r = 0; r < rows; r++) {
    const o: usize = <usize>r * <usize>H << 2;
    const mean = rowMoment(x + o, H, 0, false) / <f64>H;
    const rstd = 1 / sqrt<f64>(rowMoment(x + o, H, mean, true) / <f64>H + eps);
    const m = f64x2.splat(mean), rs = f64x2.splat(rstd);
    let g0 = f64x2.splat(0), g1 = f64x2.splat(0), x0 = f64x2.splat(0), x1 = f64x2.splat(0);
    for (let i = 0; i < H4; i += 4) {
      const q: usize = <usize>i << 2, q8: usize = <usize>i << 3;
      const xv = v128.load(x + o + q), gv = v128.load(gamma + q), dv = v128.load(dy + o + q);
      const xl = f64x2.mul(f64x2.sub(lo64(xv), m), rs), xh = f64x2.mul(f64x2.sub(hi64(xv), m), rs);
      const dl = lo64(dv), dh = hi64(dv);
      const gl = f64x2.mul(dl, lo64(gv)), gh = f64x2.mul(dh, hi64(gv));
      g0 = f64x2.add(g0, gl); g1 = f64x2.add(g1, gh);
      x0 = f64x2.add(x0, f64x2.mul(gl, xl)); x1 = f64x2.add(x1, f64x2.mul(gh, xh));
      v128.store(sg + q8, f64x2.add(v128.load(sg + q8), f64x2.mul(dl, xl)));
      v128.store(sg + q8, f64x2.add(v128.load(sg + q8, 16), f64x2.mul(dh, xh)), 16);
      v128.store(sb + q8, f64x2.add(v128.load(sb + q8), dl));
      v128.store(sb + q8, f64x2.add(v128.load(sb + q8, 16), dh), 16);
    }
    let mg = hsum(f64x2.add(g0, g1)), mgx = hsum(f64x2.add(x0, x1));
    for (let i = H4; i < H; i++) {
      const q: usize = <usize>i << 2, q8: usize = <usize>i << 3;
      const xh = (<f64>load<f32>(x + o + q) - mean) * rstd, d = <f64>load<f32>(dy + o + q);
      const g = d * <f64>load<f32>(gamma + q);
      mg += g;
      mgx += g * xh;
      store<f64>(sg + q8, load<f64>(sg + q8) + d * xh);
      store<f64>(sb + q8, load<f64>(sb + q8) + d);
    }
    mg /= <f64>H;
    mgx /= <f64>H;
    const mgv = f64x2.splat(mg), mgxv = f64x2.splat(mgx);
    for (let i = 0; i < H4; i += 4) {
      const q: usize = <usize>i << 2;
      const xv = v128.load(x + o + q), gv = v128.load(gamma + q), dv = v128.load(dy + o + q);
      const xl = f64x2.mul(f64x2.sub(lo64(xv), m), rs), xh = f64x2.mul(f64x2.sub(hi64(xv), m), rs);
      const gl = f64x2.mul(lo64(dv), lo64(gv)), gh = f64x2.mul(hi64(dv), hi64(gv));
      const l = f64x2.mul(rs, f64x2.sub(f64x2.sub(gl, mgv), f64x2.mul(xl, mgxv)));
      const h = f64x2.mul(rs, f64x2.sub(f64x2.sub(gh, mgv), f64x2.mul(xh, mgxv)));
      v128.store(dx + o + q, v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
    }
    for (let i = H4; i < H; i++) {
      const q: usize = <usize>i << 2;
      const xh = (<f64>load<f32>(x + o + q) - mean) * rstd;
      const g = <f64>load<f32>(dy + o + q) * <f64>load<f32>(gamma + q);
      store<f32>(dx + o + q, <f32>(rstd * ((g - mg) - xh * mgx)));
    }
  }
  for (let i = 0; i < H; i++) {
    const q8: usize = <usize>i << 3;
    store<f32>(dgamma + (<usize>i << 2), <f32>load<f64>(sg + q8));
    store<f32>(dbeta + (<usize>i << 2), <f32>load<f64>(sb + q8));
  }
}

// mulberry32's mixer on 4 counters (@spert/core random.ts mulberry32Mix, lane by lane).
@inline function mulberryMix(a: v128): v128 {
  let t = i32x4.mul(v128.xor(a, i32x4.shr_u(a, 15)), v128.or(a, i32x4.splat(1)));
  t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, i32x4.splat(61)))));
  return v128.xor(t, i32x4.shr_u(t, 14));
}

@inline function mulberryMix1(a: u32): u32 {
  let t: u32 = (a ^ (a >> 15)) * (a | 1);
  t ^= t + (t ^ (t >> 7)) * (t | 61);
  return t ^ (t >> 14);
}

// Dropout as @spert/core's dropoutInto computes it: `rows` rows of `inner` floats from x into y;
// element (r, j) is kept (times `keep`) when mulberry32's word number start(r) + j of `seed` is
// >= `threshold` (start(r) = rowTable[r] * inner, or r * inner without a table), else x * 0. Word
// n is the mixer of seed + (n + 1) * 0x6d2b79f5 (mod 2^32).
export function dropout(x: usize, y: usize, rows: i32, inner: i32, rowTable: usize, seed: u32, threshold: u32, keep: f32): void {
  const STEP: u32 = 0x6d2b79f5;
  const inner4 = inner & ~3;
  const thr = i32x4.splat(threshold), keepBits = f32x4.splat(keep);
  const lanes = i32x4(1, 2, 3, 4), step4 = i32x4.splat(4 * STEP);
  for (let r = 0; r < rows; r++) {
    const start: u32 = <u32>(rowTable != 0 ? load<i32>(rowTable + (<usize>r << 2)) : r) * <u32>inner;
    const o: usize = <usize>r * <usize>inner << 2;
    // counters of elements 0..3 of the row: seed + (start + 1 + lane) * STEP
    let a = i32x4.add(i32x4.splat(seed + start * STEP), i32x4.mul(lanes, i32x4.splat(STEP)));
    for (let j = 0; j < inner4; j += 4) {
      const keepMask = i32x4.ge_u(mulberryMix(a), thr);
      const p = o + (<usize>j << 2);
      v128.store(y + p, f32x4.mul(v128.load(x + p), v128.and(keepMask, keepBits)));
      a = i32x4.add(a, step4);
    }
    for (let j = inner4; j < inner; j++) {
      const word = mulberryMix1(seed + (start + <u32>j + 1) * STEP);
      const p = o + (<usize>j << 2);
      store<f32>(y + p, load<f32>(x + p) * (word >= threshold ? keep : 0));
    }
  }
}

// Max-pooling of word-piece ranges (span-max-pool.ts; its JS loops do the same, in the same
// order): x is [B, T, H], ranges [B * S] pairs [start, end) of positions in each row, i over
// B * S. The max of a range is the first position holding it (strict >, as torch's max keeps the
// first of ties); an empty range gives zeros. grad 0: out = the maxima [B * S, H]; grad 1: out is
// dh [B, T, H] (zeroed here) and gets dy[i, j] added at each maximum's position, i then j ascending.
export function spanMaxPool(x: usize, ranges: usize, dy: usize, out: usize, B: i32, T: i32, H: i32, S: i32, grad: i32): void {
  const H4 = H & ~3;
  const rowBytes: usize = <usize>H << 2;
  if (grad) memory.fill(out, 0, <usize>B * <usize>T * rowBytes);
  for (let i = 0; i < B * S; i++) {
    const start = load<i32>(ranges + (<usize>i << 3)), end = load<i32>(ranges + (<usize>i << 3), 4);
    const row: usize = x + <usize>((i / S) * T) * rowBytes;
    const o: usize = <usize>i * rowBytes;
    if (start >= end) {
      if (!grad) memory.fill(out + o, 0, rowBytes);
      continue;
    }
    for (let j = 0; j < H4; j += 4) {
      const col: usize = row + (<usize>j << 2);
      let best = v128.load(col + <usize>start * rowBytes);
      let arg = i32x4.splat(start);
      for (let t = start + 1; t < end; t++) {
        const v = v128.load(col + <usize>t * rowBytes);
        const m = f32x4.gt(v, best);
        best = v128.bitselect(v, best, m);
        arg = v128.bitselect(i32x4.splat(t), arg, m);
      }
      if (!grad) {
        v128.store(out + o + (<usize>j << 2), best);
      } else {
        const g = dy + o + (<usize>j << 2);
        const base: usize = out + <usize>((i / S) * T) * rowBytes + (<usize>j << 2);
        let p = base + <usize>i32x4.extract_lane(arg, 0) * rowBytes;
        store<f32>(p, load<f32>(p) + load<f32>(g));
        p = base + <usize>i32x4.extract_lane(arg, 1) * rowBytes;
        store<f32>(p, load<f32>(p, 4) + load<f32>(g, 4), 4);
        p = base + <usize>i32x4.extract_lane(arg, 2) * rowBytes;
        store<f32>(p, load<f32>(p, 8) + load<f32>(g, 8), 8);
        p = base + <usize>i32x4.extract_lane(arg, 3) * rowBytes;
        store<f32>(p, load<f32>(p, 12) + load<f32>(g, 12), 12);
      }
    }
    for (let j = H4; j < H; j++) {
      const col: usize = row + (<usize>j << 2);
      let best = load<f32>(col + <usize>start * rowBytes);
      let arg = start;
      for (let t = start + 1; t < end; t++) {
        const v = load<f32>(col + <usize>t * rowBytes);
        if (v > best) { best = v; arg = t; }
      }
      if (!grad) {
        store<f32>(out + o + (<usize>j << 2), best);
      } else {
        const p = out + <usize>((i / S) * T + arg) * rowBytes + (<usize>j << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dy + o + (<usize>j << 2)));
      }
    }
  }
}

// Column sums of a row-major [rows, cols] float32 matrix: out[j] = x[0, j] + x[1, j] + ... added
// in row order in float32, exactly as tfjs-wasm's Sum adds a transposed row (wasm-sum.ts), but
// without the transpose: 4 columns a vector, each lane its own sequential sum.
export function columnSums(x: usize, out: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  const stride: usize = <usize>cols << 2;
  for (let j = 0; j < cols4; j += 4) {
    let acc = f32x4.splat(0);
    let p: usize = x + (<usize>j << 2);
    for (let i = 0; i < rows; i++) { acc = f32x4.add(acc, v128.load(p)); p += stride; }
    v128.store(out + (<usize>j << 2), acc);
  }
  for (let j = cols4; j < cols; j++) {
    let s: f32 = 0;
    let p: usize = x + (<usize>j << 2);
    for (let i = 0; i < rows; i++) { s += load<f32>(p); p += stride; }
    store<f32>(out + (<usize>j << 2), s);
  }
}

// adamw over a table of chunks, of one parameter or several, one chunk per tick of the atomic
// counter (gemm-engine.ts adamwAt): entry k, 9 x 32 bits at table + 36 k, holds the byte pointers
// p, g, m, v, pOut, mOut, vOut, the float count and the f32 decay factor of its parameter; the
// other scalars are the update's. Elementwise, so the same values whatever the chunking.
export function adamwTableChunks(table: usize, count: i32, lr: f32, beta1: f32, c1: f32, beta2: f32, c2: f32, eps: f32, gradScale: f32, counter: usize): void {
  for (;;) {
    const k = atomic.add<i32>(counter, 1);
    if (k >= count) return;
    const e: usize = table + <usize>k * 36;
    adamw(<usize>load<i32>(e), <usize>load<i32>(e, 4), <usize>load<i32>(e, 8), <usize>load<i32>(e, 12),
      <usize>load<i32>(e, 16), <usize>load<i32>(e, 20), <usize>load<i32>(e, 24), load<i32>(e, 28),
      lr, beta1, c1, beta2, c2, eps, load<f32>(e, 32), gradScale);
  }
}

// Multi-head self-attention over packed sentences (attention.ts; its JS loops mirror these operation
// for operation, so both give the same bits). q, k, v and the context are [N, H] row-major: the
// token rows of every sentence, one after another, heads side by side (head h in columns
// [h dh, (h + 1) dh)). One unit is one head of one sentence; entry k of the table, 5 i32 at
// table + 20 k, holds its first row, its length L, where its L x L probabilities start in `probs`
// (floats), its index b heads + h in the padded [B, heads, T, T] attention tensor (for the dropout
// words) and its head. Scores are (q scale) k^T on the sentence's own tokens (a padded layout adds
// keys whose probability is exactly 0), the softmax of a row is exp(s - max) (expv) over their
// float64 sum, rounded once; dropout keeps probability (i, j) when mulberry32's word
// (index T + i) T + j of `seed` is >= `threshold` (the words of the padded tensor, drop = 0: no
// dropout). Products go through gemm: each output summed in order, by one thread.
// mode 0 (forward): probs = the softmax, o = the context. mode 1 (backward, o = the context's
// gradient): dq, dk, dv, with the probabilities read from `probs`.
// Scratch per unit (16-byte aligned parts): qs (L dh floats), pd and dp (L L floats each), then
// gemm's packing space.
@inline function align16(n: usize): usize { return (n + 15) & ~(<usize>15); }

// P' = P times the dropout mask (keep or 0) of the unit's rows, from `src` into `dst` (L x L; may be
// the same). Row i's words start at (unit T + i) T; word n of `seed` is word n - start of
// seed + start * STEP, so each row is dropout()'s row 0 under that seed.
function attentionDropout(src: usize, dst: usize, L: i32, T: i32, unit: i32, seed: u32, threshold: u32, keep: f32): void {
  const STEP: u32 = 0x6d2b79f5;
  for (let i = 0; i < L; i++) {
    const start: u32 = (<u32>unit * <u32>T + <u32>i) * <u32>T;
    const o: usize = <usize>i * <usize>L << 2;
    dropout(src + o, dst + o, 1, L, 0, seed + start * STEP, threshold, keep);
  }
}

// Rows of L floats at s: softmax in place (max, exp(x - max) in 4 lanes, float64 sum in order).
function softmaxRows(s: usize, L: i32): void {
  const L4 = L & ~3;
  for (let i = 0; i < L; i++) {
    const r: usize = s + (<usize>i * <usize>L << 2);
    let m = load<f32>(r);
    for (let j = 1; j < L; j++) m = max(m, load<f32>(r + (<usize>j << 2)));
    const mv = f32x4.splat(m);
    for (let j = 0; j < L4; j += 4) {
      const p = r + (<usize>j << 2);
      v128.store(p, expv(f32x4.sub(v128.load(p), mv)));
    }
    if (L4 < L) {
      const p = r + (<usize>L4 << 2);
      storePartial(p, expv(f32x4.sub(loadPartial(p, L - L4), mv)), L - L4);
    }
    let sum: f64 = 0;
    for (let j = 0; j < L; j++) sum += <f64>load<f32>(r + (<usize>j << 2));
    for (let j = 0; j < L; j++) {
      const p = r + (<usize>j << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) / sum));
    }
  }
}

// qs = q scale for the unit's rows (L x dh, contiguous).
function scaledHead(q: usize, H: i32, dh: i32, L: i32, scale: f32, qs: usize): void {
  for (let i = 0; i < L; i++) {
    const src = q + (<usize>i * <usize>H << 2), dst = qs + (<usize>i * <usize>dh << 2);
    for (let p = 0; p < dh; p++) store<f32>(dst + (<usize>p << 2), load<f32>(src + (<usize>p << 2)) * scale);
  }
}

function attentionUnit(mode: i32, q: usize, k: usize, v: usize, o: usize, probs: usize, dq: usize, dk: usize, dv: usize,
  e: usize, H: i32, dh: i32, T: i32, seed: u32, threshold: u32, drop: i32, scale: f32, keep: f32, scratch: usize): void {
  const row = load<i32>(e), L = load<i32>(e, 4), pOff = load<i32>(e, 8), unit = load<i32>(e, 12), h = load<i32>(e, 16);
  const col: usize = (<usize>row * <usize>H + <usize>h * <usize>dh) << 2;
  const P = probs + (<usize>pOff << 2);
  const LL: usize = <usize>L * <usize>L << 2;
  const qs = scratch, pd = qs + align16(<usize>L * <usize>dh << 2), dp = pd + align16(LL), gs = dp + align16(LL);
  scaledHead(q + col, H, dh, L, scale, qs);
  if (mode == 0) {
    gemm(qs, dh, 1, k + col, 1, H, P, L, 0, L, dh, L, 0, L, gs, 1, 0);
    softmaxRows(P, L);
    let a = P;
    if (drop != 0) { attentionDropout(P, pd, L, T, unit, seed, threshold, keep); a = pd; }
    gemm(a, L, 1, v + col, H, 1, o + col, H, 0, L, L, dh, 0, dh, gs, 1, 0);
    return;
  }
  let a = P;
  if (drop != 0) { attentionDropout(P, pd, L, T, unit, seed, threshold, keep); a = pd; }
  // dv = P'^T do; dP' = do v^T, times the mask
  gemm(a, 1, L, o + col, H, 1, dv + col, H, 0, L, L, dh, 0, dh, gs, 1, 0);
  gemm(o + col, H, 1, v + col, 1, H, dp, L, 0, L, dh, L, 0, L, gs, 1, 0);
  if (drop != 0) attentionDropout(dp, dp, L, T, unit, seed, threshold, keep);
  // softmax gradient as tfjs forms it: dS = dP P - (sum of dP P over the row) P
  for (let i = 0; i < L; i++) {
    const r: usize = <usize>i * <usize>L << 2;
    let s: f64 = 0;
    for (let j = 0; j < L; j++) s += <f64>(load<f32>(dp + r + (<usize>j << 2)) * load<f32>(P + r + (<usize>j << 2)));
    const sf = <f32>s;
    for (let j = 0; j < L; j++) {
      const pj = load<f32>(P + r + (<usize>j << 2));
      store<f32>(dp + r + (<usize>j << 2), load<f32>(dp + r + (<usize>j << 2)) * pj - sf * pj);
    }
  }
  // dq = (dS k) scale; dk = dS^T (q scale)
  gemm(dp, L, 1, k + col, H, 1, dq + col, H, 0, L, L, dh, 0, dh, gs, 1, 0);
  for (let i = 0; i < L; i++) {
    const r = dq + col + (<usize>i * <usize>H << 2);
    for (let p = 0; p < dh; p++) store<f32>(r + (<usize>p << 2), load<f32>(r + (<usize>p << 2)) * scale);
  }
  gemm(dp, 1, L, qs, dh, 1, dk + col, H, 0, L, L, dh, 0, dh, gs, 1, 0);
}

// attentionUnit over units handed out by an atomic counter (see gemmChunks); each thread passes its
// index and uses scratch + thread * per. A unit's results are its own: the same on any thread count.
export function attentionChunks(mode: i32, q: usize, k: usize, v: usize, o: usize, probs: usize, dq: usize, dk: usize, dv: usize,
  table: usize, units: i32, H: i32, dh: i32, T: i32, seed: u32, threshold: u32, drop: i32, scratch: usize, per: i32,
  counter: usize, scale: f32, keep: f32, thread: i32): void {
  const own = scratch + <usize>thread * <usize>per;
  for (;;) {
    const u = atomic.add<i32>(counter, 1);
    if (u >= units) return;
    attentionUnit(mode, q, k, v, o, probs, dq, dk, dv, table + <usize>u * 20, H, dh, T, seed, threshold, drop, scale, keep, own);
  }
}

// Several independent products in one job (gemm-engine.ts gemmManyAt): chunk k of the table, 16 i32
// at table + 64 k, holds a product's operands and layout (a, sai, sap, b, sbp, sbj, c, ldc, bias,
// M, K, N), the columns [j0, j1) of this chunk, packAll and the product's index. Threads take chunks
// from an atomic counter, each with scratch + thread * per, and pack A once per run of chunks of the
// same product. Every output is gemm's (summed in order, by one thread): the same as each product
// alone, on any thread count.
export function gemmTableChunks(table: usize, count: i32, counter: usize, scratch: usize, per: i32, thread: i32): void {
  const own = scratch + <usize>thread * <usize>per;
  let last = -1;
  for (;;) {
    const k = atomic.add<i32>(counter, 1);
    if (k >= count) return;
    const e: usize = table + (<usize>k << 6);
    const product = load<i32>(e, 60);
    gemm(<usize>load<i32>(e), load<i32>(e, 4), load<i32>(e, 8), <usize>load<i32>(e, 12), load<i32>(e, 16), load<i32>(e, 20),
      <usize>load<i32>(e, 24), load<i32>(e, 28), <usize>load<i32>(e, 32), load<i32>(e, 36), load<i32>(e, 40), load<i32>(e, 44),
      load<i32>(e, 48), load<i32>(e, 52), own, load<i32>(e, 56), product == last ? 1 : 0);
    last = product;
  }
}
