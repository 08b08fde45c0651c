// Cholesky factorisation and SPD solves; Householder QR and its orthonormal factor.
//
// see: LAPACK dpotrf / dpotrs (blocked; here the right-looking variant) and dgeqr2 / dorg2r;
//      Golub & Van Loan, Matrix Computations (4th ed.), §4.2 and §5.2.

import { NOT_POSITIVE_DEFINITE, OK, at, axpy, dot, get, householder, set, vget, vset } from './common';
import { GEMM_ACCUMULATE, GEMM_LOWER, GEMM_NEGATE, laNc } from '../blas/gemm';
import { gemmParallel } from '../blas/gemm_parallel';
import { LA_KC, LA_MC } from '../config';

/**
 * In place: the lower triangle of the n×n row-major a becomes L with S = L·Lᵀ (S read from
 * the lower triangle; the strict upper triangle is set to zero). Blocked right-looking by
 * column panels of nb: each factored panel updates the trailing lower triangle through one
 * GEMM. Returns OK, or NOT_POSITIVE_DEFINITE with the failing pivot index written to info[0].
 *
 * Element (i, j) receives the products l_ik·l_jk of the earlier panels in increasing k, each
 * added to the running value (GEMM accumulates in C in order), so the bytes are those of
 * the left-looking order (all earlier columns in one GEMM per panel), which packed every
 * earlier column of L again for each panel.
 */
export function dpotrf(n: i32, a: usize, nb: i32, info: usize, gemmWork: usize): i32 {
  nb = max(1, nb);
  for (let j0 = 0; j0 < n; j0 += nb) {
    const jb = min(nb, n - j0);
    // Unblocked Cholesky of the diagonal block, then the rows below by forward substitution,
    // all as dot products of contiguous row segments within the panel.
    for (let i = j0; i < n; i++) {
      const ri = at(a, n, i, j0);
      const last = min(i, j0 + jb) - j0; // columns j0 .. j0+last−1 of row i are below the diagonal
      for (let j = 0; j < last; j++) {
        const rj = at(a, n, j0 + j, j0);
        const s = get(a, n, i, j0 + j) - dot(j, ri, rj);
        set(a, n, i, j0 + j, s / get(a, n, j0 + j, j0 + j));
      }
      if (i < j0 + jb) {
        const diag = get(a, n, i, i) - dot(last, ri, ri);
        if (!(diag > 0)) {
          store<i32>(info, i);
          return NOT_POSITIVE_DEFINITE;
        }
        set(a, n, i, i, Math.sqrt(diag));
      }
    }
    // a[j1:, j1:] −= L[j1:, j0:j1]·L[j1:, j0:j1]ᵀ, lower triangle (GEMM_LOWER).
    const j1 = j0 + jb, m = n - j1;
    if (m > 0) {
      const panel = at(a, n, j1, j0);
      gemmParallel<f64>(false, true, m, m, jb, panel, n, panel, n, at(a, n, j1, j1), n, gemmWork, LA_MC, laNc(m), LA_KC, GEMM_ACCUMULATE | GEMM_NEGATE | GEMM_LOWER);
    }
  }
  for (let i = 0; i < n; i++) memory.fill(at(a, n, i, i + 1), 0, <usize>(n - i - 1) << 3);
  return OK;
}

/** B (n×k, row-major) := (L·Lᵀ)⁻¹·B for the factor L from dpotrf: two triangular solves by rows. */
export function dpotrs(n: i32, l: usize, b: usize, k: i32): void {
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
