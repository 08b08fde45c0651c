// Cholesky factorisation and SPD solves; Householder QR and its orthonormal factor.
//
// see: LAPACK dpotrf / dpotrs (blocked; here the right-looking variant) and dgeqr2 / dorg2r;
//      Golub & Van Loan, Matrix Computations (4th ed.), §4.2 and §5.2.

import { NOT_POSITIVE_DEFINITE, OK, at, axpy, dot, get, householder, set, vget, vset } from './common';
import { GEMM_ACCUMULATE, GEMM_LOWER, GEMM_NEGATE, laNc } from '../blas/gemm';
import { gemmParallel } from '../blas/gemm_parallel';
import { LA_KC, LA_MC } from '../config';
import { argI, argU, rangeStart, rangeTasks, runJob, setI, setU } from '../parallel/pool';
import { JOB_POTRF_ROWS } from '../parallel/tasks';

/** Panels per block of the trailing update: its GEMM runs at depth POTRF_BLOCK_PANELS·nb. */
const POTRF_BLOCK_PANELS: i32 = 4;

/**
 * In place: the lower triangle of the n×n row-major a becomes L with S = L·Lᵀ (S read from
 * the lower triangle; the strict upper triangle is set to zero). Blocked right-looking by
 * column panels of nb, in blocks of POTRF_BLOCK_PANELS panels: each factored panel updates
 * the rest of its block's columns by one GEMM, and each block the trailing lower triangle
 * by one GEMM of depth up to POTRF_BLOCK_PANELS·nb (a shallow update would read and write
 * the trailing triangle once per panel). Returns OK, or NOT_POSITIVE_DEFINITE with the
 * failing pivot index written to info[0].
 *
 * Element (i, j) receives the products l_ik·l_jk of the earlier panels in increasing k, each
 * added to the running value (GEMM accumulates in C in order), so the bytes are those of
 * the left-looking order (all earlier columns in one GEMM per panel), whatever the blocks.
 */
export function dpotrf(n: i32, a: usize, nb: i32, info: usize, gemmWork: usize): i32 {
  nb = max(1, min(nb, n));
  const block = nb * POTRF_BLOCK_PANELS;
  for (let b0 = 0; b0 < n; b0 += block) {
    const b1 = min(n, b0 + block);
    for (let j0 = b0; j0 < b1; j0 += nb) {
      const jb = min(nb, b1 - j0);
      // Unblocked Cholesky of the diagonal block, then the rows below by forward substitution,
      // all as dot products of contiguous row segments within the panel.
      for (let i = j0; i < j0 + jb; i++) {
        const ri = at(a, n, i, j0);
        const last = i - j0; // columns j0 .. i−1 of row i are below the diagonal
        for (let j = 0; j < last; j++) substitute(n, a, j0, i, j);
        const diag = get(a, n, i, i) - dot(last, ri, ri);
        if (!(diag > 0)) {
          store<i32>(info, i);
          return NOT_POSITIVE_DEFINITE;
        }
        set(a, n, i, i, Math.sqrt(diag));
      }
      const j1 = j0 + jb;
      panelRows(n, a, j0, jb, j1, n);
      // a[j1:, j1:b1] −= L[j1:, j0:j1]·L[j1:b1, j0:j1]ᵀ, lower part: the block's later panels.
      if (b1 > j1) lowerUpdate(n, a, j1, b1 - j1, j0, jb, gemmWork);
    }
    // a[b1:, b1:] −= L[b1:, b0:b1]·L[b1:, b0:b1]ᵀ, lower triangle.
    if (n > b1) lowerUpdate(n, a, b1, n - b1, b0, b1 - b0, gemmWork);
  }
  for (let i = 0; i < n; i++) memory.fill(at(a, n, i, i + 1), 0, <usize>(n - i - 1) << 3);
  return OK;
}

// a[r:, r:r + cols] −= L[r:, k0:k0 + depth]·L[r:r + cols, k0:k0 + depth]ᵀ on and below the
// diagonal (GEMM_LOWER leaves out the tiles wholly above it).
function lowerUpdate(n: i32, a: usize, r: i32, cols: i32, k0: i32, depth: i32, gemmWork: usize): void {
  const rows = n - r, panel = at(a, n, r, k0);
  gemmParallel<f64>(false, true, rows, cols, depth, panel, n, panel, n, at(a, n, r, r), n, gemmWork, LA_MC, laNc(cols), LA_KC, GEMM_ACCUMULATE | GEMM_NEGATE | GEMM_LOWER);
}

// l_ij := (a_ij − Σ_{q<j} l_iq·l_jq) / l_jj for column j0 + j of row i (the sum over the
// panel's earlier columns, as dot() forms it).
@inline function substitute(n: i32, a: usize, j0: i32, i: i32, j: i32): void {
  const s = get(a, n, i, j0 + j) - dot(j, at(a, n, i, j0), at(a, n, j0 + j, j0));
  set(a, n, i, j0 + j, s / get(a, n, j0 + j, j0 + j));
}

const P_N = 0, P_A = 1, P_J0 = 2, P_JB = 3, P_FROM = 4, P_TO = 5, P_TASKS = 6;

// The panel's rows [from, to) below its diagonal block, all jb columns: rows are independent
// given the factored block, so they run as tasks on the pool (any split, the same bytes).
function panelRows(n: i32, a: usize, j0: i32, jb: i32, from: i32, to: i32): void {
  const tasks = rangeTasks(to - from, <f64>jb * <f64>jb);
  if (tasks <= 1) {
    panelRowsSerial(n, a, j0, jb, from, to);
    return;
  }
  setI(P_N, n); setU(P_A, a); setI(P_J0, j0); setI(P_JB, jb); setI(P_FROM, from); setI(P_TO, to); setI(P_TASKS, tasks);
  runJob(JOB_POTRF_ROWS, tasks, 0);
}

export function potrfRowsTask(t: i32): void {
  const from = argI(P_FROM), count = argI(P_TO) - from, tasks = argI(P_TASKS);
  panelRowsSerial(argI(P_N), argU(P_A), argI(P_J0), argI(P_JB), from + rangeStart(t, tasks, count, 4), from + rangeStart(t + 1, tasks, count, 4));
}

// Four rows at a time share the loads of row j0 + j: each keeps dot()'s two accumulators,
// its pairing and its tail, so every l_ij has the bits substitute() gives it.
function panelRowsSerial(n: i32, a: usize, j0: i32, jb: i32, from: i32, to: i32): void {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const r0 = at(a, n, i, j0), r1 = at(a, n, i + 1, j0), r2 = at(a, n, i + 2, j0), r3 = at(a, n, i + 3, j0);
    for (let j = 0; j < jb; j++) {
      const rj = at(a, n, j0 + j, j0);
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      let q = 0;
      for (; q + 4 <= j; q += 4) {
        const o = <usize>q << 3;
        const y0 = v128.load(rj + o), y1 = v128.load(rj + o, 16);
        a00 = f64x2.add(a00, f64x2.mul(v128.load(r0 + o), y0)); a01 = f64x2.add(a01, f64x2.mul(v128.load(r0 + o, 16), y1));
        a10 = f64x2.add(a10, f64x2.mul(v128.load(r1 + o), y0)); a11 = f64x2.add(a11, f64x2.mul(v128.load(r1 + o, 16), y1));
        a20 = f64x2.add(a20, f64x2.mul(v128.load(r2 + o), y0)); a21 = f64x2.add(a21, f64x2.mul(v128.load(r2 + o, 16), y1));
        a30 = f64x2.add(a30, f64x2.mul(v128.load(r3 + o), y0)); a31 = f64x2.add(a31, f64x2.mul(v128.load(r3 + o, 16), y1));
      }
      const diag = get(a, n, j0 + j, j0 + j);
      finishRow(r0, rj, a00, a01, q, j, diag);
      finishRow(r1, rj, a10, a11, q, j, diag);
      finishRow(r2, rj, a20, a21, q, j, diag);
      finishRow(r3, rj, a30, a31, q, j, diag);
    }
  }
  for (; i < to; i++) for (let j = 0; j < jb; j++) substitute(n, a, j0, i, j);
}

// dot()'s ending (the two accumulators added, then the tail from q), then l = (a − dot) / d.
@inline function finishRow(r: usize, rj: usize, acc0: v128, acc1: v128, q: i32, j: i32, d: f64): void {
  const s = f64x2.add(acc0, acc1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; q < j; q++) total += vget(r, q) * vget(rj, q);
  vset(r, j, (vget(r, j) - total) / d);
}

/** B (n×k, row-major) := (L·Lᵀ)⁻¹·B for the factor L from dpotrf: two triangular solves by rows. */
export function dpotrs(n: i32, l: usize, b: usize, k: i32): void {
  if (k == 1) {
    dpotrsVector(n, l, b);
    return;
  }
  // L·Y = B: Y_i = (B_i − Σ_{j<i} L_ij·Y_j) / L_ii
  for (let i = 0; i < n; i++) {
    const bi = at(b, k, i, 0);
    for (let j = 0; j < i; j++) {
      const lij = get(l, n, i, j);
      if (lij != 0) axpy(k, -lij, at(b, k, j, 0), bi);
    }
    const inv = 1.0 / get(l, n, i, i);
    for (let c = 0; c < k; c++) vset(bi, c, vget(bi, c) * inv);
  }
  // Lᵀ·X = Y: X_i = (Y_i − Σ_{j>i} L_ji·X_j) / L_ii
  for (let i = n - 1; i >= 0; i--) {
    const xi = at(b, k, i, 0);
    for (let j = i + 1; j < n; j++) {
      const lji = get(l, n, j, i);
      if (lji != 0) axpy(k, -lji, at(b, k, j, 0), xi);
    }
    const inv = 1.0 / get(l, n, i, i);
    for (let c = 0; c < k; c++) vset(xi, c, vget(xi, c) * inv);
  }
}

// dpotrs for one right-hand side: the same operations in the same order (each term added as
// the axpy of length 1 added it, zero entries of L skipped, the quotient as a product with
// 1/l_ii), without a call per entry.
function dpotrsVector(n: i32, l: usize, b: usize): void {
  for (let i = 0; i < n; i++) {
    const li = at(l, n, i, 0);
    let s = vget(b, i);
    for (let j = 0; j < i; j++) {
      const lij = vget(li, j);
      if (lij != 0) s = s + -lij * vget(b, j);
    }
    vset(b, i, s * (1.0 / vget(li, i)));
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = vget(b, i);
    for (let j = i + 1; j < n; j++) {
      const lji = get(l, n, j, i);
      if (lji != 0) s = s + -lji * vget(b, j);
    }
    vset(b, i, s * (1.0 / get(l, n, i, i)));
  }
}

/**
 * Householder QR of A (m×n, m ≥ n) given as its transpose at (n×m row-major): column j of A
 * is row j of at, contiguous. On exit row j holds R[0..j, j] in at[j, 0..j] (R's column j)
 * and the reflector v_j (v_j[j] = 1 implicit) in at[j, j+1..m); tau[j] its scale; the
 * diagonal R[j, j] is at[j, j]. H_j = I − τ_j·v_j·v_jᵀ and A = H_0·…·H_{n−1}·R.
 */
export function dgeqr2t(m: i32, n: i32, at_: usize, tau: usize): void {
  for (let j = 0; j < n; j++) {
    const row = at(at_, m, j, 0);
    const x = row + (<usize>j << 3); // A[j.., j]
    const len = m - j;
    const reflector = householder(len, x);
    const beta = f64x2.extract_lane(reflector, 0), t = f64x2.extract_lane(reflector, 1);
    vset(tau, j, t);
    // Apply H_j to the remaining columns (rows of at): c −= τ·v·(vᵀc), with v[0] = 1.
    if (t != 0) {
      store<f64>(x, 1.0);
      for (let k = j + 1; k < n; k++) {
        const c = at(at_, m, k, j);
        const w = t * dot(len, x, c);
        axpy(len, -w, x, c);
      }
    }
    store<f64>(x, beta);
  }
}

/**
 * The thin orthonormal factor: q (m×n row-major) := the first n columns of H_0·…·H_{n−1},
 * from dgeqr2t's output. work: m doubles.
 */
export function dorg2rt(m: i32, n: i32, at_: usize, tau: usize, q: usize, work: usize): void {
  for (let i = 0; i < m; i++) memory.fill(at(q, n, i, 0), 0, <usize>n << 3);
  for (let i = 0; i < n; i++) set(q, n, i, i, 1.0);
  // Q·E = H_0(H_1(…(H_{n−1}·E))): apply the reflectors last first; H_j touches rows j.. .
  // Row-major q: for each reflector, w = vᵀ·Q[j:, :] (a row combination), Q[j:, :] −= τ·v·w.
  for (let j = n - 1; j >= 0; j--) {
    const t = vget(tau, j);
    if (t == 0) continue;
    const v = at(at_, m, j, 0); // v[i] for i ≥ j; v[j] = 1
    memory.fill(work, 0, <usize>n << 3);
    for (let i = j; i < m; i++) {
      const vi = i == j ? 1.0 : vget(v, i);
      if (vi != 0) axpy(n, vi, at(q, n, i, 0), work);
    }
    for (let i = j; i < m; i++) {
      const vi = i == j ? 1.0 : vget(v, i);
      if (vi != 0) axpy(n, -t * vi, work, at(q, n, i, 0));
    }
  }
}
