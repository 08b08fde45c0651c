// GEMM core: C := op(A)·op(B) as raw sums, blocked and packed in the BLIS style.
//
// see: Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
//      Functionality", ACM TOMS 41(3), 2015 — the five loops around a register-tile
//      micro-kernel, with A packed into MR-row slivers and B into NR-column slivers.
//
// Every matrix is row-major: element (i, j) sits at base + (i·ld + j)·sizeof<T>.
// op(A) is m×k; with transA the stored A is k×m (a transpose is a change of strides).
//
// Determinism: each output element is S_ij = (((0 + a_i0·b_0j) + a_i1·b_1j) + …) with the
// products added in increasing k, whatever the block sizes: the running sum of a tile is
// carried across K blocks in C itself. The α/β epilogue is a separate elementwise pass
// (`epilogueSerial*`), so the optimised path equals the scalar twin `gemm_ref_*` (ref.ts) bit
// for bit.
// The kernels allocate nothing: packing buffers come from the caller's workspace, and
// disjoint output ranges may run concurrently (re-entrant). The pool's entry points
// gemm_f64/f32 and gemm_epilogue_f64/f32 are in gemm_parallel.ts (beside this file).

import { LA_NC_MAX } from '../config';

// Register tiles. f64: 4 rows × 4 columns = 8 f64x2 accumulators. f32: 4 rows × 8 columns
// = 8 f32x4 accumulators. Both leave room in 16 xmm registers for the B vectors and the
// broadcast A element.
export const GEMM_F64_MR: i32 = 4;
export const GEMM_F64_NR: i32 = 4;
export const GEMM_F32_MR: i32 = 4;
export const GEMM_F32_NR: i32 = 8;

// ---------------------------------------------------------------------------------------
// Packing (generic over the element type)

// Packs the mb×kb block of op(A) whose top-left element is at `a` into slivers of `mr`
// rows: sliver s holds, for each p, the mr values a(s·mr + r, p), zero-padded past mb.
// rs/cs are the element strides of op(A) along rows and columns.
@inline
function packA<T>(mb: i32, kb: i32, a: usize, rs: usize, cs: usize, mr: i32, dst: usize): void {
  const size = sizeof<T>();
  for (let s = 0; s < mb; s += mr) {
    const rows = min(mr, mb - s);
    const sliver = dst + <usize>s * <usize>kb * size;
    for (let r = 0; r < rows; r++) {
      let src = a + (<usize>(s + r) * rs) * size;
      let out = sliver + <usize>r * size;
      for (let p = 0; p < kb; p++) {
        store<T>(out, load<T>(src));
        src += cs * size;
        out += <usize>mr * size;
      }
    }
    for (let r = rows; r < mr; r++) {
      let out = sliver + <usize>r * size;
      for (let p = 0; p < kb; p++) {
        store<T>(out, <T>0);
        out += <usize>mr * size;
      }
    }
  }
}

// Packs the kb×nb block of op(B) at `b` into slivers of `nr` columns: sliver s holds, for
// each p, the nr values b(p, s·nr + c), zero-padded past nb.
@inline
export function packB<T>(kb: i32, nb: i32, b: usize, rs: usize, cs: usize, nr: i32, dst: usize): void {
  const size = sizeof<T>();
  for (let s = 0; s < nb; s += nr) {
    const cols = min(nr, nb - s);
    let out = dst + <usize>s * <usize>kb * size;
    const colBase = b + <usize>s * cs * size;
    if (cols == nr && cs == 1) {
      // Rows of the sliver are contiguous in memory: copy them 16 bytes at a time.
      const bytes = <usize>nr * size;
      for (let p = 0; p < kb; p++) {
        const src = colBase + <usize>p * rs * size;
        for (let off: usize = 0; off < bytes; off += 16) {
          v128.store(out + off, v128.load(src + off));
        }
        out += bytes;
      }
    } else if (cols == nr && rs == 1 && sizeof<T>() == 8 && nr == 4) {
      // A transposed f64 operand: the sliver's four columns are four contiguous source rows.
      // Two steps p at a time, as a 4×2 transpose of f64x2 pairs.
      const c0 = colBase, c1 = colBase + cs * 8, c2 = colBase + cs * 16, c3 = colBase + cs * 24;
      let p = 0;
      for (; p + 2 <= kb; p += 2) {
        const o = <usize>p << 3;
        const x0 = v128.load(c0 + o), x1 = v128.load(c1 + o), x2 = v128.load(c2 + o), x3 = v128.load(c3 + o);
        v128.store(out, i64x2.shuffle(x0, x1, 0, 2));
        v128.store(out, i64x2.shuffle(x2, x3, 0, 2), 16);
        v128.store(out, i64x2.shuffle(x0, x1, 1, 3), 32);
        v128.store(out, i64x2.shuffle(x2, x3, 1, 3), 48);
        out += 64;
      }
      for (; p < kb; p++) {
        const o = <usize>p << 3;
        store<f64>(out, load<f64>(c0 + o)); store<f64>(out, load<f64>(c1 + o), 8);
        store<f64>(out, load<f64>(c2 + o), 16); store<f64>(out, load<f64>(c3 + o), 24);
        out += 32;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        const src = colBase + <usize>p * rs * size;
        for (let c = 0; c < nr; c++) {
          store<T>(out, c < cols ? load<T>(src + <usize>c * cs * size) : <T>0);
          out += size;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Micro-kernels: tile(c) := (first ? 0 : tile(c)) + Σ_p pa[p]·pb[p] over kb steps.
// `ldc` is the row stride of the tile in bytes. No FMA: mul then add, as the scalar twin.
// They are deliberately not inlined: V8 first runs wasm in its baseline tier and swaps in
// optimised code per function on a later call, so a micro-kernel called once per tile is
// optimised after a few tiles, while code inlined into a driver called once would run
// baseline for the whole of a large product.

function kernel_f64_4x4(kb: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f64x2.splat(0.0), c01 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0), c11 = f64x2.splat(0.0);
  let c20 = f64x2.splat(0.0), c21 = f64x2.splat(0.0);
  let c30 = f64x2.splat(0.0), c31 = f64x2.splat(0.0);
  if (!first) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let p = 0; p < kb; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    pa += 32;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

function kernel_f32_4x8(kb: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0.0), c01 = f32x4.splat(0.0);
  let c10 = f32x4.splat(0.0), c11 = f32x4.splat(0.0);
  let c20 = f32x4.splat(0.0), c21 = f32x4.splat(0.0);
  let c30 = f32x4.splat(0.0), c31 = f32x4.splat(0.0);
  if (!first) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let p = 0; p < kb; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

@inline
function negateT<T>(count: i32, x: usize): void {
  for (let i = 0; i < count; i++) store<T>(x + <usize>i * sizeof<T>(), -load<T>(x + <usize>i * sizeof<T>()));
}

// Copies the rows×cols corner of a tile between C (row stride ldc bytes) and the packed
// mr×nr edge buffer (row stride nr elements).
@inline
function copyTile<T>(rows: i32, cols: i32, src: usize, srcLd: usize, dst: usize, dstLd: usize): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * dstLd, src + <usize>r * srcLd, <usize>cols * sizeof<T>());
  }
}

// ---------------------------------------------------------------------------------------
// Drivers: C (m×n) := op(A)·op(B), raw sums. `work` must hold gemm_workspace_*(mc, nc, kc)
// elements. mc must be a multiple of MR and nc of NR (the TS layer guarantees it).
//
// Workspace layout: packed A (mc·kc) | edge tile (MR·NR) | packed B (kc·nc) | a second
// packed B (kc·nc). The serial driver uses the first three; the threaded one
// (gemm_parallel.ts) packs the next panel of B into the second while the first is in use, and
// a worker thread needs only the first two (gemm_thread_workspace_*).
//
// flags: GEMM_ACCUMULATE starts every sum from the current C instead of +0, so
// C := ((c + a_i0·b_0j) + a_i1·b_1j) + … (the order stays fixed); GEMM_NEGATE packs −A, so
// the products are subtracted exactly. Together they give the trailing updates of the
// factorisations, C −= op(A)·op(B), with no copy of C.
export const GEMM_ACCUMULATE: i32 = 1;
export const GEMM_NEGATE: i32 = 2;
// GEMM_UPPER / GEMM_LOWER (square C of which one triangle is wanted: a Gram product, a
// Cholesky update): a row block computes only the tile columns that reach its part of the
// triangle. The tiles left out lie wholly on the other side of the diagonal; the rest are
// computed in full, with the same sums.
export const GEMM_UPPER: i32 = 4;
export const GEMM_LOWER: i32 = 8;

// The tile columns [triangleFrom, triangleTo) of the panel from column jc (width nb) that
// the row block of rows [ic, ic + mb) needs under `flags` (all nb without a triangle flag):
// upper, from the tile holding column ic; lower, up to the tile holding column ic + mb − 1.
@inline export function triangleFrom(flags: i32, ic: i32, jc: i32, nb: i32, nr: i32): i32 {
  return (flags & GEMM_UPPER) != 0 && ic > jc ? min(nb, ((ic - jc) / nr) * nr) : 0;
}
@inline export function triangleTo(flags: i32, ic: i32, mb: i32, jc: i32, nb: i32, nr: i32): i32 {
  if ((flags & GEMM_LOWER) == 0) return nb;
  return ic + mb <= jc ? 0 : min(nb, ((ic + mb - jc + nr - 1) / nr) * nr);
}

export function gemm_workspace_f64(mc: i32, nc: i32, kc: i32): i32 {
  return gemm_thread_workspace_f64(mc, kc) + 2 * kc * nc;
}

export function gemm_workspace_f32(mc: i32, nc: i32, kc: i32): i32 {
  return gemm_thread_workspace_f32(mc, kc) + 2 * kc * nc;
}

/** Elements of workspace gemmDriver (the serial driver) uses: one packed panel of B. */
export function gemm_serial_workspace_f64(mc: i32, nc: i32, kc: i32): i32 {
  return gemm_thread_workspace_f64(mc, kc) + kc * nc;
}

/** The column panel width of the factorisations' GEMMs (lapack/) for n columns: n rounded up to the micro-tile, at most LA_NC_MAX. */
@inline export function laNc(n: i32): i32 {
  return min(LA_NC_MAX, ((max(n, 1) + GEMM_F64_NR - 1) / GEMM_F64_NR) * GEMM_F64_NR);
}

/** Elements of workspace a worker thread needs in a threaded GEMM: its packed A and edge tile. */
export function gemm_thread_workspace_f64(mc: i32, kc: i32): i32 {
  return mc * kc + GEMM_F64_MR * GEMM_F64_NR;
}

export function gemm_thread_workspace_f32(mc: i32, kc: i32): i32 {
  return mc * kc + GEMM_F32_MR * GEMM_F32_NR;
}

/** The serial BLIS driver: gemm_parallel.ts runs it when a GEMM stays on one thread (the split path reuses its macro-kernel pieces). */
@inline
export function gemmDriver<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  work: usize, mc: i32, nc: i32, kc: i32, flags: i32,
): void {
  const size = sizeof<T>();
  const NR = sizeof<T>() == 8 ? GEMM_F64_NR : GEMM_F32_NR;
  const ldcBytes = <usize>ldc * size;
  const accumulate = (flags & GEMM_ACCUMULATE) != 0;
  if (k == 0) {
    // The empty sum is zero.
    if (accumulate) return;
    for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcBytes, 0, <usize>n * size);
    return;
  }
  // Element strides of op(A) and op(B) along their rows (rs) and columns (cs).
  const ars: usize = transA ? 1 : <usize>lda, acs: usize = transA ? <usize>lda : 1;
  const brs: usize = transB ? 1 : <usize>ldb, bcs: usize = transB ? <usize>ldb : 1;
  const packedA = work;
  const edge = packedA + <usize>mc * <usize>kc * size;
  const packedB = edge + <usize>(sizeof<T>() == 8 ? GEMM_F64_MR * GEMM_F64_NR : GEMM_F32_MR * GEMM_F32_NR) * size;

  for (let jc = 0; jc < n; jc += nc) {
    const nb = min(nc, n - jc);
    for (let pc = 0; pc < k; pc += kc) {
      const kb = min(kc, k - pc);
      const first = pc == 0 && !accumulate;
      packB<T>(kb, nb, b + (<usize>pc * brs + <usize>jc * bcs) * size, brs, bcs, NR, packedB);
      for (let ic = 0; ic < m; ic += mc) {
        const mb = min(mc, m - ic);
        const jr0 = triangleFrom(flags, ic, jc, nb, NR), jr1 = triangleTo(flags, ic, mb, jc, nb, NR);
        if (jr0 >= jr1) continue;
        packABlock<T>(mb, kb, a + (<usize>ic * ars + <usize>pc * acs) * size, ars, acs, (flags & GEMM_NEGATE) != 0, packedA);
        macroKernel<T>(mb, jr0, jr1, kb, packedA, packedB, c + <usize>ic * ldcBytes + <usize>jc * size, ldcBytes, first, edge);
      }
    }
  }
}

// Packs the mb×kb block of op(A) at `a` (negated if `negate`) into MR-row slivers at dst.
@inline
export function packABlock<T>(mb: i32, kb: i32, a: usize, rs: usize, cs: usize, negate: bool, dst: usize): void {
  const MR = sizeof<T>() == 8 ? GEMM_F64_MR : GEMM_F32_MR;
  packA<T>(mb, kb, a, rs, cs, MR, dst);
  if (negate) negateT<T>(<i32>(((mb + MR - 1) / MR) * MR) * kb, dst);
}

// The macro-kernel: the micro-tiles of packed block columns jr0 ≤ jr < jr1 (jr0 a multiple of
// NR) for the mb packed rows; `c` is C at the block's top-left element, row stride ldcBytes.
// `edge` is an MR×NR scratch tile for partial tiles.
@inline
export function macroKernel<T>(
  mb: i32, jr0: i32, jr1: i32, kb: i32, packedA: usize, packedB: usize,
  c: usize, ldcBytes: usize, first: bool, edge: usize,
): void {
  const size = sizeof<T>();
  const MR = sizeof<T>() == 8 ? GEMM_F64_MR : GEMM_F32_MR;
  const NR = sizeof<T>() == 8 ? GEMM_F64_NR : GEMM_F32_NR;
  const edgeLd = <usize>NR * size;
  for (let jr = jr0; jr < jr1; jr += NR) {
    const cols = min(NR, jr1 - jr);
    const pb = packedB + <usize>jr * <usize>kb * size;
    for (let ir = 0; ir < mb; ir += MR) {
      const rows = min(MR, mb - ir);
      const pa = packedA + <usize>ir * <usize>kb * size;
      const tile = c + <usize>ir * ldcBytes + <usize>jr * size;
      if (rows == MR && cols == NR) {
        microKernel<T>(kb, pa, pb, tile, ldcBytes, first);
      } else {
        // Edge tile: run the full kernel on a private buffer, copy back the valid part.
        if (!first) copyTile<T>(rows, cols, tile, ldcBytes, edge, edgeLd);
        microKernel<T>(kb, pa, pb, edge, edgeLd, first);
        copyTile<T>(rows, cols, edge, edgeLd, tile, ldcBytes);
      }
    }
  }
}

@inline
function microKernel<T>(kb: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  if (sizeof<T>() == 8) kernel_f64_4x4(kb, pa, pb, c, ldc, first);
  else kernel_f32_4x8(kb, pa, pb, c, ldc, first);
}

// Epilogue: C := α·C + β·W (β ≠ 0) or C := α·C (β = 0; W is not read). W is m×n, row
// stride ldw. Together with the raw sums above this is C := α·op(A)·op(B) + β·C₀.
export function epilogueSerialF64(m: i32, n: i32, alpha: f64, c: usize, ldc: i32, beta: f64, w: usize, ldw: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 3);
    const wrow = w + (<usize>i * <usize>ldw << 3);
    for (let j = 0; j < n; j++) {
      const s = load<f64>(row + (<usize>j << 3));
      store<f64>(row + (<usize>j << 3), beta == 0 ? alpha * s : alpha * s + beta * load<f64>(wrow + (<usize>j << 3)));
    }
  }
}

export function epilogueSerialF32(m: i32, n: i32, alpha: f32, c: usize, ldc: i32, beta: f32, w: usize, ldw: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    const wrow = w + (<usize>i * <usize>ldw << 2);
    for (let j = 0; j < n; j++) {
      const s = load<f32>(row + (<usize>j << 2));
      store<f32>(row + (<usize>j << 2), beta == 0 ? alpha * s : alpha * s + beta * load<f32>(wrow + (<usize>j << 2)));
    }
  }
}
