// Level-1/2 kernels over contiguous row-major buffers: fills, axpy, scaling, Hadamard
// products, reductions, GEMV, transposes and the non-finite scan.
//
// Reductions that return a scalar accumulate in f64 (also for f32 data) with a fixed order:
// eight partial sums s_l over the indices i ≡ l (mod 8), combined as
// ((s0+s2)+(s4+s6)) + ((s1+s3)+(s5+s7)), then the n mod 8 tail added in index order. The
// SIMD f64 versions keep exactly those lanes, so they equal their scalar twins bit for bit.

import { ELEMENTWISE_COST } from '../config';
import { argF, argI, argU, available, rangeStart, rangeTasks, runJob, setF, setI, setU } from '../parallel/pool';
import { JOB_ELEMENTWISE, JOB_GEMV } from '../parallel/tasks';

// ---------------------------------------------------------------------------------------
// Elementwise

export function fill_f64(n: i32, x: usize, value: f64): void {
  for (let i = 0; i < n; i++) store<f64>(x + (<usize>i << 3), value);
}
export function fill_f32(n: i32, x: usize, value: f32): void {
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

// y := y + α·x
function axpySerialF64(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(y + at, f64x2.add(v128.load(y + at), f64x2.mul(va, v128.load(x + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(y + at, load<f64>(y + at) + alpha * load<f64>(x + at));
  }
}
// y := (((y + x0·r0) + x1·r1) + x2·r2) + x3·r3, elementwise: four axpys in order, in one pass.
function axpy4RowsF64(n: i32, x: usize, r0: usize, r1: usize, r2: usize, r3: usize, y: usize): void {
  const a0 = load<f64>(x), a1 = load<f64>(x, 8), a2 = load<f64>(x, 16), a3 = load<f64>(x, 24);
  const v0 = f64x2.splat(a0), v1 = f64x2.splat(a1), v2 = f64x2.splat(a2), v3 = f64x2.splat(a3);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const o = <usize>j << 3;
    let acc = f64x2.add(v128.load(y + o), f64x2.mul(v0, v128.load(r0 + o)));
    acc = f64x2.add(acc, f64x2.mul(v1, v128.load(r1 + o)));
    acc = f64x2.add(acc, f64x2.mul(v2, v128.load(r2 + o)));
    v128.store(y + o, f64x2.add(acc, f64x2.mul(v3, v128.load(r3 + o))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 3;
    store<f64>(y + o, (((load<f64>(y + o) + a0 * load<f64>(r0 + o)) + a1 * load<f64>(r1 + o)) + a2 * load<f64>(r2 + o)) + a3 * load<f64>(r3 + o));
  }
}

function axpySerialF32(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(y + at, f32x4.add(v128.load(y + at), f32x4.mul(va, v128.load(x + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, load<f32>(y + at) + alpha * load<f32>(x + at));
  }
}

// out := α·x (out may be x)
function scalSerialF64(n: i32, alpha: f64, x: usize, out: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(out + (<usize>i << 3), f64x2.mul(va, v128.load(x + (<usize>i << 3))));
  for (; i < n; i++) store<f64>(out + (<usize>i << 3), alpha * load<f64>(x + (<usize>i << 3)));
}
function scalSerialF32(n: i32, alpha: f32, x: usize, out: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), f32x4.mul(va, v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), alpha * load<f32>(x + (<usize>i << 2)));
}

// out := x ∘ y (out may alias either input)
function hadamardSerialF64(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(out + at, f64x2.mul(v128.load(x + at), v128.load(y + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(out + at, load<f64>(x + at) * load<f64>(y + at));
  }
}
function hadamardSerialF32(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.mul(v128.load(x + at), v128.load(y + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(x + at) * load<f32>(y + at));
  }
}

export function convert_f64_to_f32(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>load<f64>(x + (<usize>i << 3)));
}
export function convert_f32_to_f64(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), <f64>load<f32>(x + (<usize>i << 2)));
}

// out (n×m) := aᵀ for a (m×n); blocked so both sides stay in cache.
@inline
function transposeT<T>(m: i32, n: i32, a: usize, out: usize): void {
  const B = 32;
  const size = sizeof<T>();
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = min(n, j0 + B);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<T>(out + (<usize>j * <usize>m + i) * size, load<T>(a + (<usize>i * <usize>n + j) * size));
        }
      }
    }
  }
}
export function transpose_f64(m: i32, n: i32, a: usize, out: usize): void { transposeT<f64>(m, n, a, out); }
export function transpose_f32(m: i32, n: i32, a: usize, out: usize): void { transposeT<f32>(m, n, a, out); }

// ---------------------------------------------------------------------------------------
// Non-finite values

/** The exponent bits of an f64: all set for NaN and ±Infinity. */
const F64_EXPONENT: u64 = 0x7FF0000000000000;

// Number of NaN/±Inf entries (exponent bits all ones).
export function count_nonfinite_f64(n: i32, x: usize): i32 {
  // Two lanes at a time: a lane whose exponent bits are all set counts −1 (the compare's mask).
  const exponent = i64x2.splat(F64_EXPONENT);
  let negCounts = i64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    negCounts = i64x2.add(negCounts, i64x2.eq(v128.and(v128.load(x + (<usize>i << 3)), exponent), exponent));
  }
  let count = -<i32>(i64x2.extract_lane(negCounts, 0) + i64x2.extract_lane(negCounts, 1));
  for (; i < n; i++) {
    const bits = load<u64>(x + (<usize>i << 3));
    count += <i32>((bits & F64_EXPONENT) == F64_EXPONENT);
  }
  return count;
}
export function count_nonfinite_f32(n: i32, x: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const bits = load<u32>(x + (<usize>i << 2));
    count += <i32>((bits & 0x7F800000) == 0x7F800000);
  }
  return count;
}

// Index of the first non-finite entry, or -1.
export function first_nonfinite_f64(n: i32, x: usize): i32 {
  // Four at a time until a group holds one, then element by element from that group.
  const exponent = i64x2.splat(F64_EXPONENT);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = x + (<usize>i << 3);
    const a = i64x2.eq(v128.and(v128.load(o), exponent), exponent);
    const b = i64x2.eq(v128.and(v128.load(o, 16), exponent), exponent);
    if (v128.any_true(v128.or(a, b))) break;
  }
  for (; i < n; i++) {
    if ((load<u64>(x + (<usize>i << 3)) & F64_EXPONENT) == F64_EXPONENT) return i;
  }
  return -1;
}
export function first_nonfinite_f32(n: i32, x: usize): i32 {
  for (let i = 0; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7F800000) == 0x7F800000) return i;
  }
  return -1;
}

// Copies x to out replacing every NaN by the canonical quiet NaN, whose bit pattern is
// the same everywhere (NaN payloads and signs are not portable across engines).
export function canonicalize_nan_f64(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    const bits = load<u64>(x + at);
    const isNaN = (bits & 0x7FF0000000000000) == 0x7FF0000000000000 && (bits & 0x000FFFFFFFFFFFFF) != 0;
    store<u64>(out + at, isNaN ? 0x7FF8000000000000 : bits);
  }
}
export function canonicalize_nan_f32(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const bits = load<u32>(x + at);
    const isNaN = (bits & 0x7F800000) == 0x7F800000 && (bits & 0x007FFFFF) != 0;
    store<u32>(out + at, isNaN ? 0x7FC00000 : bits);
  }
}

// ---------------------------------------------------------------------------------------
// Scalar reductions with the fixed eight-lane order.

export const MODE_SUM = 0;
export const MODE_DOT = 1;
const MODE_SUMSQ_SCALED = 2; // Σ (scale·x)²
const MODE_ABSSUM = 3;

@inline
function term<T>(mode: i32, x: usize, y: usize, i: i32, scale: f64): f64 {
  const v = <f64>load<T>(x + <usize>i * sizeof<T>());
  if (mode == MODE_SUM) return v;
  if (mode == MODE_DOT) return v * <f64>load<T>(y + <usize>i * sizeof<T>());
  if (mode == MODE_SUMSQ_SCALED) { const s = scale * v; return s * s; }
  return Math.abs(v);
}

// Scalar version of the eight-lane order: the twin of the SIMD f64 path, and the
// production path for f32 data (promoted to f64).
@inline
export function reduce8Scalar<T>(mode: i32, n: i32, x: usize, y: usize, scale: f64): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0, s4: f64 = 0, s5: f64 = 0, s6: f64 = 0, s7: f64 = 0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += term<T>(mode, x, y, i, scale); s1 += term<T>(mode, x, y, i + 1, scale);
    s2 += term<T>(mode, x, y, i + 2, scale); s3 += term<T>(mode, x, y, i + 3, scale);
    s4 += term<T>(mode, x, y, i + 4, scale); s5 += term<T>(mode, x, y, i + 5, scale);
    s6 += term<T>(mode, x, y, i + 6, scale); s7 += term<T>(mode, x, y, i + 7, scale);
  }
  let total = ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7));
  for (; i < n; i++) total += term<T>(mode, x, y, i, scale);
  return total;
}

@inline
function termVec(mode: i32, x: usize, y: usize, at: usize, scale: v128): v128 {
  const v = v128.load(x + at);
  if (mode == MODE_SUM) return v;
  if (mode == MODE_DOT) return f64x2.mul(v, v128.load(y + at));
  if (mode == MODE_SUMSQ_SCALED) { const s = f64x2.mul(scale, v); return f64x2.mul(s, s); }
  return f64x2.abs(v);
}

@inline
function reduce8F64(mode: i32, n: i32, x: usize, y: usize, scale: f64): f64 {
  const vs = f64x2.splat(scale);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = <usize>i << 3;
    a0 = f64x2.add(a0, termVec(mode, x, y, at, vs));
    a1 = f64x2.add(a1, termVec(mode, x, y, at + 16, vs));
    a2 = f64x2.add(a2, termVec(mode, x, y, at + 32, vs));
    a3 = f64x2.add(a3, termVec(mode, x, y, at + 48, vs));
  }
  const lanes = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let total = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1);
  for (; i < n; i++) total += term<f64>(mode, x, y, i, scale);
  return total;
}

export function sum_f64(n: i32, x: usize): f64 { return reduce8F64(MODE_SUM, n, x, 0, 1); }
export function sum_f32(n: i32, x: usize): f64 { return reduce8Scalar<f32>(MODE_SUM, n, x, 0, 1); }
export function dot_f64(n: i32, x: usize, y: usize): f64 { return reduce8F64(MODE_DOT, n, x, y, 1); }
export function dot_f32(n: i32, x: usize, y: usize): f64 { return reduce8Scalar<f32>(MODE_DOT, n, x, y, 1); }
export function asum_f64(n: i32, x: usize): f64 { return reduce8F64(MODE_ABSSUM, n, x, 0, 1); }
export function asum_f32(n: i32, x: usize): f64 { return reduce8Scalar<f32>(MODE_ABSSUM, n, x, 0, 1); }

// max |x_i|; NaN if any entry is NaN.
@inline
function amaxT<T>(n: i32, x: usize): f64 {
  let m: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(<f64>load<T>(x + <usize>i * sizeof<T>()));
    if (v != v) return v;
    if (v > m) m = v;
  }
  return m;
}
export function amax_f64(n: i32, x: usize): f64 { return amaxT<f64>(n, x); }
export function amax_f32(n: i32, x: usize): f64 { return amaxT<f32>(n, x); }

// Euclidean norm without overflow or underflow: when the largest magnitude is far from 1,
// the entries are scaled by an exact power of two before squaring.
const BIG: f64 = 3.1217485503159922e+144;    // 2^480
const SMALL: f64 = 3.2033329189517596e-145;  // 2^-480
const DOWN: f64 = 2.409919865102884e-181;    // 2^-600
const UP: f64 = 4.149515568880993e+180;      // 2^600

@inline
function nrm2T<T>(n: i32, x: usize): f64 {
  const m = amaxT<T>(n, x);
  if (m == 0 || !isFinite(m)) return m;
  const scale = m > BIG ? DOWN : m < SMALL ? UP : 1.0;
  const ss = sizeof<T>() == 8 ? reduce8F64(MODE_SUMSQ_SCALED, n, x, 0, scale) : reduce8Scalar<T>(MODE_SUMSQ_SCALED, n, x, 0, scale);
  return Math.sqrt(ss) / scale;
}
export function nrm2_f64(n: i32, x: usize): f64 { return nrm2T<f64>(n, x); }
export function nrm2_f32(n: i32, x: usize): f64 { return nrm2T<f32>(n, x); }

// ‖A‖₁ (largest column sum of |a_ij|) and ‖A‖∞ (largest row sum), for m×n row-major A.
// `work` holds n f64 values.
@inline
function norm1T<T>(m: i32, n: i32, a: usize, work: usize): f64 {
  for (let j = 0; j < n; j++) store<f64>(work + (<usize>j << 3), 0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const at = work + (<usize>j << 3);
      store<f64>(at, load<f64>(at) + Math.abs(<f64>load<T>(a + (<usize>i * <usize>n + j) * sizeof<T>())));
    }
  }
  return amaxT<f64>(n, work);
}
@inline
function normInfT<T>(m: i32, n: i32, a: usize): f64 {
  let best: f64 = 0;
  for (let i = 0; i < m; i++) {
    const row = a + <usize>i * <usize>n * sizeof<T>();
    const s = sizeof<T>() == 8 ? reduce8F64(MODE_ABSSUM, n, row, 0, 1) : reduce8Scalar<T>(MODE_ABSSUM, n, row, 0, 1);
    if (s != s) return s;
    if (s > best) best = s;
  }
  return best;
}
export function norm1_f64(m: i32, n: i32, a: usize, work: usize): f64 { return norm1T<f64>(m, n, a, work); }
export function norm1_f32(m: i32, n: i32, a: usize, work: usize): f64 { return norm1T<f32>(m, n, a, work); }
export function norminf_f64(m: i32, n: i32, a: usize): f64 { return normInfT<f64>(m, n, a); }
export function norminf_f32(m: i32, n: i32, a: usize): f64 { return normInfT<f32>(m, n, a); }

// ---------------------------------------------------------------------------------------
// Row and column sums of an m×n matrix, accumulated in the matrix's own precision.

// out[i] := Σ_j a_ij with the eight-lane order (f64 accumulators, rounded to T).
@inline
function rowSumsT<T>(m: i32, n: i32, a: usize, out: usize): void {
  for (let i = 0; i < m; i++) {
    const row = a + <usize>i * <usize>n * sizeof<T>();
    const s = sizeof<T>() == 8 ? reduce8F64(MODE_SUM, n, row, 0, 1) : reduce8Scalar<T>(MODE_SUM, n, row, 0, 1);
    store<T>(out + <usize>i * sizeof<T>(), <T>s);
  }
}
export function row_sums_f64(m: i32, n: i32, a: usize, out: usize): void { rowSumsT<f64>(m, n, a, out); }
export function row_sums_f32(m: i32, n: i32, a: usize, out: usize): void { rowSumsT<f32>(m, n, a, out); }

// out[j] := Σ_i a_ij, summed in increasing i (vectorised across j).
export function col_sums_f64(m: i32, n: i32, a: usize, out: usize): void {
  memory.fill(out, 0, <usize>n << 3);
  for (let i = 0; i < m; i++) axpy_f64(n, 1.0, a + ((<usize>i * <usize>n) << 3), out);
}
export function col_sums_f32(m: i32, n: i32, a: usize, out: usize): void {
  memory.fill(out, 0, <usize>n << 2);
  for (let i = 0; i < m; i++) axpy_f32(n, 1.0, a + ((<usize>i * <usize>n) << 2), out);
}

// ---------------------------------------------------------------------------------------
// GEMV raw sums, y := op(A)·x, in the same order as GEMM (increasing k from +0), so that
// gemv(A, x) equals matmul(A, x) bit for bit. The α/β epilogue is gemm_epilogue_*.

@inline
function gemvT<T>(trans: bool, m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void {
  const size = sizeof<T>();
  if (!trans) {
    // y_i = Σ_j a_ij x_j: four rows at a time, each summed in order (for ILP).
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const r0 = a + <usize>i * <usize>lda * size;
      const r1 = r0 + <usize>lda * size, r2 = r1 + <usize>lda * size, r3 = r2 + <usize>lda * size;
      let s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0;
      for (let j = 0; j < n; j++) {
        const off = <usize>j * size;
        const xj = load<T>(x + off);
        s0 += load<T>(r0 + off) * xj; s1 += load<T>(r1 + off) * xj;
        s2 += load<T>(r2 + off) * xj; s3 += load<T>(r3 + off) * xj;
      }
      store<T>(y + <usize>i * size, s0); store<T>(y + <usize>(i + 1) * size, s1);
      store<T>(y + <usize>(i + 2) * size, s2); store<T>(y + <usize>(i + 3) * size, s3);
    }
    for (; i < m; i++) {
      const r = a + <usize>i * <usize>lda * size;
      let s: T = 0;
      for (let j = 0; j < n; j++) s += load<T>(r + <usize>j * size) * load<T>(x + <usize>j * size);
      store<T>(y + <usize>i * size, s);
    }
  } else {
    // y_j = Σ_i a_ij x_i (A stored m×n, y has n entries): axpy of each row, in order; for
    // f64 four rows per pass over y (the same adds in the same order, a quarter of y's traffic).
    memory.fill(y, 0, <usize>n * size);
    let i = 0;
    if (sizeof<T>() == 8) {
      for (; i + 4 <= m; i += 4) {
        const row = a + <usize>i * <usize>lda * size;
        axpy4RowsF64(n, x + <usize>i * size, row, row + <usize>lda * size, row + 2 * <usize>lda * size, row + 3 * <usize>lda * size, y);
      }
    }
    for (; i < m; i++) {
      const xi = load<T>(x + <usize>i * size);
      const row = a + <usize>i * <usize>lda * size;
      if (sizeof<T>() == 8) axpySerialF64(n, <f64>xi, row, y);
      else axpySerialF32(n, <f32>xi, row, y);
    }
  }
}

// On the pool: ranges of y's entries, rows of A (plain) or columns of A (transposed), one
// task each. Every entry of y is the serial code's sum (each row's dot in increasing j, or
// each column's axpy in increasing i), so the bytes do not depend on the split. Memory-bound:
// two cores read more than one (Lanczos' two GEMVs a step lean on it).
const V_TRANS = 0, V_M = 1, V_N = 2, V_A = 3, V_LDA = 4, V_X = 5, V_Y = 6, V_TASKS = 7, V_F64 = 8;
/** ≈ flops per entry of A, as ELEMENTWISE_COST counts an elementwise update. */
const GEMV_COST: f64 = 2.0;

@inline
function gemvRange<T>(trans: bool, m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize, from: i32, to: i32): void {
  const size = <usize>sizeof<T>();
  if (!trans) gemvT<T>(false, to - from, n, a + <usize>from * <usize>lda * size, lda, x, y + <usize>from * size);
  else gemvT<T>(true, m, to - from, a + <usize>from * size, lda, x, y + <usize>from * size);
}

@inline
function gemvParallel<T>(trans: bool, m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void {
  const count = trans ? n : m;
  // Transposed, each task walks every row for its strip of columns: wide strips (one per
  // thread) keep the reads streaming (eight narrow ones made two threads slower than one).
  const tasks = trans ? min(available(), rangeTasks(count, GEMV_COST * <f64>m)) : rangeTasks(count, GEMV_COST * <f64>n);
  if (tasks <= 1) {
    gemvT<T>(trans, m, n, a, lda, x, y);
    return;
  }
  setI(V_TRANS, trans ? 1 : 0); setI(V_M, m); setI(V_N, n); setU(V_A, a); setI(V_LDA, lda); setU(V_X, x); setU(V_Y, y);
  setI(V_TASKS, tasks); setI(V_F64, sizeof<T>() == 8 ? 1 : 0);
  runJob(JOB_GEMV, tasks, 0);
}

export function gemvTask(t: i32): void {
  const trans = argI(V_TRANS) != 0, m = argI(V_M), n = argI(V_N), tasks = argI(V_TASKS);
  // Rows in multiples of 4 (the dot kernel's groups), columns in multiples of 64 (cache lines).
  const align = trans ? 64 : 4;
  const from = rangeStart(t, tasks, trans ? n : m, align), to = rangeStart(t + 1, tasks, trans ? n : m, align);
  if (to <= from) return;
  if (argI(V_F64) != 0) gemvRange<f64>(trans, m, n, argU(V_A), argI(V_LDA), argU(V_X), argU(V_Y), from, to);
  else gemvRange<f32>(trans, m, n, argU(V_A), argI(V_LDA), argU(V_X), argU(V_Y), from, to);
}

export function gemv_f64(trans: bool, m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void { gemvParallel<f64>(trans, m, n, a, lda, x, y); }
export function gemv_f32(trans: bool, m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void { gemvParallel<f32>(trans, m, n, a, lda, x, y); }

// out[i] := √max(x[i], 0) (singular values from Gram eigenvalues; rounding can leave tiny
// negative eigenvalues of a positive semidefinite matrix).
export function sqrt_clamped_f64(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), Math.sqrt(max(load<f64>(x + (<usize>i << 3)), 0.0)));
}

// ---------------------------------------------------------------------------------------
// On the pool (parallel/pool.ts): the exported entry points.

// Level-1 elementwise updates (memory-bound: split only when large). Boundaries on multiples
// of 64 elements, so the SIMD loops see the same lanes as in one pass.
const L_OP = 0, L_N = 1, L_ALPHA = 2, L_X = 3, L_Y = 4, L_OUT = 5, L_TASKS = 6;
const OP_AXPY_F64 = 0, OP_AXPY_F32 = 1, OP_SCAL_F64 = 2, OP_SCAL_F32 = 3, OP_HADAMARD_F64 = 4, OP_HADAMARD_F32 = 5;

function elementwiseRange(op: i32, n: i32, alpha: f64, x: usize, y: usize, out: usize): void {
  switch (op) {
    case OP_AXPY_F64: axpySerialF64(n, alpha, x, y); break;
    case OP_AXPY_F32: axpySerialF32(n, <f32>alpha, x, y); break;
    case OP_SCAL_F64: scalSerialF64(n, alpha, x, out); break;
    case OP_SCAL_F32: scalSerialF32(n, <f32>alpha, x, out); break;
    case OP_HADAMARD_F64: hadamardSerialF64(n, x, y, out); break;
    default: hadamardSerialF32(n, x, y, out); break;
  }
}

function elementwiseParallel(op: i32, n: i32, alpha: f64, x: usize, y: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST);
  if (tasks <= 1) {
    elementwiseRange(op, n, alpha, x, y, out);
    return;
  }
  setI(L_OP, op); setI(L_N, n); setF(L_ALPHA, alpha); setU(L_X, x); setU(L_Y, y); setU(L_OUT, out); setI(L_TASKS, tasks);
  runJob(JOB_ELEMENTWISE, tasks, 0);
}

export function elementwiseTask(t: i32): void {
  const n = argI(L_N), tasks = argI(L_TASKS), op = argI(L_OP);
  const i0 = rangeStart(t, tasks, n, 64), i1 = rangeStart(t + 1, tasks, n, 64);
  if (i1 <= i0) return;
  const off = <usize>i0 * (op == OP_AXPY_F64 || op == OP_SCAL_F64 || op == OP_HADAMARD_F64 ? 8 : 4);
  elementwiseRange(op, i1 - i0, argF(L_ALPHA), argU(L_X) + off, argU(L_Y) + off, argU(L_OUT) + off);
}

export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void { elementwiseParallel(OP_AXPY_F64, n, alpha, x, y, 0); }
export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize): void { elementwiseParallel(OP_AXPY_F32, n, <f64>alpha, x, y, 0); }
export function scal_f64(n: i32, alpha: f64, x: usize, out: usize): void { elementwiseParallel(OP_SCAL_F64, n, alpha, x, 0, out); }
export function scal_f32(n: i32, alpha: f32, x: usize, out: usize): void { elementwiseParallel(OP_SCAL_F32, n, <f64>alpha, x, 0, out); }
export function hadamard_f64(n: i32, x: usize, y: usize, out: usize): void { elementwiseParallel(OP_HADAMARD_F64, n, 0, x, y, out); }
export function hadamard_f32(n: i32, x: usize, y: usize, out: usize): void { elementwiseParallel(OP_HADAMARD_F32, n, 0, x, y, out); }
