// Helpers shared by the dense linear algebra: element access on row-major f64 matrices,
// safe norms, GEMM calls with the library's own blocking, and the status codes.

import { GEMM_ACCUMULATE, GEMM_NEGATE, GEMM_UPPER, gemm_workspace_f64, laNc } from '../blas/gemm';
import { gemmParallel } from '../blas/gemm_parallel';
import { LA_KC, LA_MC } from '../config';
import { STATUS_NO_CONVERGENCE, STATUS_NOT_POSITIVE_DEFINITE, STATUS_OK } from '../abi';

export const EPS: f64 = 1.1102230246251565e-16; // unit roundoff 2^-53
export const SAFE_MIN: f64 = 2.2250738585072014e-308;

// Status codes returned by the drivers (abi.ts: exported to the host).
export const OK = STATUS_OK;
export const NO_CONVERGENCE = STATUS_NO_CONVERGENCE;
export const NOT_POSITIVE_DEFINITE = STATUS_NOT_POSITIVE_DEFINITE;

@inline export function at(a: usize, lda: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>lda + <usize>j) << 3);
}
@inline export function get(a: usize, lda: i32, i: i32, j: i32): f64 {
  return load<f64>(at(a, lda, i, j));
}
@inline export function set(a: usize, lda: i32, i: i32, j: i32, v: f64): void {
  store<f64>(at(a, lda, i, j), v);
}
@inline export function vget(x: usize, i: i32): f64 {
  return load<f64>(x + (<usize>i << 3));
}
@inline export function vset(x: usize, i: i32, v: f64): void {
  store<f64>(x + (<usize>i << 3), v);
}

// √(a² + b²) without overflow or destructive underflow.
@inline export function hypot(a: f64, b: f64): f64 {
  const x = Math.abs(a), y = Math.abs(b);
  const big = max(x, y), small = min(x, y);
  if (big == 0 || !isFinite(big)) return big;
  const r = small / big;
  return big * Math.sqrt(1.0 + r * r);
}

@inline export function sign(magnitude: f64, s: f64): f64 {
  return s >= 0 ? Math.abs(magnitude) : -Math.abs(magnitude);
}

/**
 * The power of two nearest 1/amax, kept ≥ 2^-1022 (a normal number, so small entries keep
 * their bits when scaled); 1 when amax is zero or not finite.
 */
export function pow2ScaleFor(amax: f64): f64 {
  if (amax == 0 || !isFinite(amax)) return 1.0;
  const exponent = min(<i32>((reinterpret<u64>(amax) >> 52) & 0x7FF) - 1023, 1022);
  return Math.pow(2.0, <f64>-exponent); // exact for integer powers of two
}

/** Doubles of GEMM packing workspace needed by factorisations of size up to n. */
export function la_gemm_workspace(n: i32): i32 {
  return gemm_workspace_f64(LA_MC, laNc(n), LA_KC);
}

/** C (m×n, ldc) := C + sign·op(A)·op(B), summed in fixed order from C (see blas/gemm.ts); on the pool when large. */
export function gemmAcc(
  negate: bool, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  gemmParallel<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, LA_MC, laNc(n), LA_KC, GEMM_ACCUMULATE | (negate ? GEMM_NEGATE : 0));
}

/** C (m×n, ldc) := op(A)·op(B); on the pool when large. */
export function gemmSet(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  gemmParallel<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, LA_MC, laNc(n), LA_KC, 0);
}

// y[0..n) += alpha·x[0..n)
@inline export function axpy(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) vset(y, i, vget(y, i) + alpha * vget(x, i));
}

// Σ x_i y_i with two SIMD accumulators (a fixed order).
@inline export function dot(n: i32, x: usize, y: usize): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  const s = f64x2.add(a0, a1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) total += vget(x, i) * vget(y, i);
  return total;
}

// ‖x‖₂ of n entries with stride `inc` (elements), overflow-safe (scaled sum of squares).
export function nrm2(n: i32, x: usize, inc: i32): f64 {
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = max(amax, Math.abs(load<f64>(x + ((<usize>i * <usize>inc) << 3))));
  if (amax == 0 || !isFinite(amax)) return amax;
  let ss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + ((<usize>i * <usize>inc) << 3)) / amax;
    ss += v * v;
  }
  return amax * Math.sqrt(ss);
}

/** Tile side of gram_f64's mirror. */
const MIRROR_TILE: i32 = 32;

/**
 * C (n×n, ldc) := AᵀA for A k×n (lda), or A·Aᵀ for A n×k when outer: only the upper
 * triangle is computed, by one GEMM that skips the tiles below the diagonal (GEMM_UPPER),
 * then mirrored — about half the flops of a general product and bit-identical to it (every
 * element keeps GEMM's order; the mirror only swaps the factors of each product, exact).
 */
export function gram_f64(outer: bool, n: i32, k: i32, a: usize, lda: i32, c: usize, ldc: i32, work: usize): void {
  if (n <= 0) return;
  // One product with GEMM_UPPER: each panel of A is packed once, and only the row blocks'
  // diagonal tiles are computed beyond the triangle.
  gemmParallel<f64>(!outer, outer, n, n, k, a, lda, a, lda, c, ldc, work, LA_MC, laNc(n), LA_KC, GEMM_UPPER);
  // The mirror by tiles, so that the reads down a column of C stay in cache.
  for (let i0 = 0; i0 < n; i0 += MIRROR_TILE) {
    const i1 = min(n, i0 + MIRROR_TILE);
    for (let j0 = 0; j0 < i1; j0 += MIRROR_TILE) {
      for (let i = max(i0, 1); i < i1; i++) {
        const j1 = min(i, j0 + MIRROR_TILE);
        for (let j = j0; j < j1; j++) set(c, ldc, i, j, get(c, ldc, j, i));
      }
    }
  }
}

/**
 * Householder reflector (dlarfg): for x of length len (x[0] = α), finds β, τ and v with
 * v[0] = 1 such that (I − τ·v·vᵀ)·x = β·e₁; overwrites x[1..] with v[1..] and leaves x[0]
 * alone. Returns (β, τ) as the lanes of an f64x2; τ = 0 (H = I) when x[1..] is zero.
 * see: LAPACK dlarfg.
 */
export function householder(len: i32, x: usize): v128 {
  const alpha = load<f64>(x);
  const xnorm = len > 1 ? nrm2(len - 1, x + 8, 1) : 0.0;
  if (xnorm == 0) return f64x2.replace_lane(f64x2.splat(alpha), 1, 0.0);
  const beta = -sign(hypot(alpha, xnorm), alpha);
  const scale = 1.0 / (alpha - beta);
  for (let l = 1; l < len; l++) store<f64>(x + (<usize>l << 3), load<f64>(x + (<usize>l << 3)) * scale);
  return f64x2.replace_lane(f64x2.splat(beta), 1, (beta - alpha) / beta);
}
