// Householder reduction of a symmetric matrix to tridiagonal form, blocked so that half of
// the work runs through GEMM, and the blocked back-transformation of eigenvectors.
//
// see: LAPACK dsytrd / dlatrd / dsytd2 (lower variant) and dormtr / dlarft / dlarfb;
//      Dongarra, Sorensen & Hammarling, "Block reduction of matrices to condensed forms for
//      eigenvalue computations", J. Comput. Appl. Math. 27 (1989).
//
// Layout (row-major, n×n, full symmetric storage; the caller copies the lower triangle of
// the input into both triangles). Step c (0 ≤ c < n−1) builds H_c = I − τ_c·v_c·v_cᵀ with
// v_c supported on indices c+1..n−1, v_c[c+1] = 1, annihilating row c beyond the
// superdiagonal. Afterwards Q = H_0·H_1·…·H_{n−2} gives A = Q·T·Qᵀ, and row c of A holds
// v_c[c+2..n−1] in columns c+2..n−1.

import { at, axpy, dot, gemmAcc, gemmSet, get, hypot, nrm2, set, sign, vget, vset } from './common';

// y (len m) := Σ_i x_i·A[i, :] for the m×m block at a (row stride lda): A·x for symmetric A,
// streaming each row once with SIMD (the level-2 half of the reduction).
function symvRows(m: i32, a: usize, lda: i32, x: usize, y: usize): void {
  memory.fill(y, 0, <usize>m << 3);
  for (let i = 0; i < m; i++) {
    const xi = vget(x, i);
    if (xi != 0) axpy(m, xi, at(a, lda, i, 0), y);
  }
}

/**
 * Reduces the n×n symmetric A (full storage) to tridiagonal d (n), e (n−1) with reflectors
 * (τ in tau, vectors in A's rows, as above). nb is the panel width (1 = unblocked).
 * work: 2·n·nb + 2·n doubles; gemmWork: la_gemm_workspace(n).
 */
export function dsytrd(n: i32, a: usize, d: usize, e: usize, tau: usize, nb: i32, work: usize, gemmWork: usize): void {
  if (n == 0) return;
  nb = max(1, nb);
  const V = work;                                      // n × nb, row-major, ld nb
  const W = V + ((<usize>n * <usize>nb) << 3);         // n × nb
  const p = W + ((<usize>n * <usize>nb) << 3);         // n
  const t = p + (<usize>n << 3);                       // n (small products)
  for (let k = 0; k < n - 1; k += nb) {
    const jb = min(nb, n - 1 - k);
    memory.fill(V, 0, (<usize>n * <usize>nb) << 3);
    memory.fill(W, 0, (<usize>n * <usize>nb) << 3);
    for (let j = 0; j < jb; j++) {
      const c = k + j;
      const len = n - c; // row c from column c on
      // 1. Bring row c up to date with this panel's earlier reflectors:
      //    A[c, c:] −= V[c, :j]·W[c:, :j]ᵀ + W[c, :j]·V[c:, :j]ᵀ.
      const rowc = at(a, n, c, c);
      for (let q = 0; q < j; q++) {
        const vc = get(V, nb, c, q), wc = get(W, nb, c, q);
        for (let l = 0; l < len; l++) {
          const at_ = rowc + (<usize>l << 3);
          store<f64>(at_, load<f64>(at_) - vc * get(W, nb, c + l, q) - wc * get(V, nb, c + l, q));
        }
      }
      vset(d, c, load<f64>(rowc));
      // 2. Householder vector for x = A[c, c+1:] (length m = n−c−1).
      const m = n - c - 1;
      const x = rowc + 8;
      const alpha = load<f64>(x);
      const xnorm = m > 1 ? nrm2(m - 1, x + 8, 1) : 0.0;
      let tc: f64 = 0, beta = alpha;
      if (xnorm != 0) {
        beta = -sign(hypot(alpha, xnorm), alpha);
        tc = (beta - alpha) / beta;
        const scale = 1.0 / (alpha - beta);
        for (let l = 1; l < m; l++) store<f64>(x + (<usize>l << 3), load<f64>(x + (<usize>l << 3)) * scale);
      }
      vset(e, c, beta);
      vset(tau, c, tc);
      store<f64>(x, 1.0); // v[0] = 1 while it is used; restored to β below
      // 3. p = τ·(Ã22·v), Ã22 = A22 − V·Wᵀ − W·Vᵀ over rows/cols c+1..n−1; w = p − (τ/2)(pᵀv)v.
      const v = x;
      if (tc != 0) {
        symvRows(m, at(a, n, c + 1, c + 1), n, v, p);
        for (let q = 0; q < j; q++) {
          const Vq = at(V, nb, c + 1, q), Wq = at(W, nb, c + 1, q);
          let wv: f64 = 0, vv: f64 = 0;
          for (let l = 0; l < m; l++) {
            const vl = vget(v, l);
            wv += load<f64>(Wq + ((<usize>l * <usize>nb) << 3)) * vl;
            vv += load<f64>(Vq + ((<usize>l * <usize>nb) << 3)) * vl;
          }
          for (let l = 0; l < m; l++) {
            vset(p, l, vget(p, l) - load<f64>(Vq + ((<usize>l * <usize>nb) << 3)) * wv - load<f64>(Wq + ((<usize>l * <usize>nb) << 3)) * vv);
          }
        }
        for (let l = 0; l < m; l++) vset(p, l, tc * vget(p, l));
        const half = -0.5 * tc * dot(m, p, v);
        axpy(m, half, v, p);
      } else {
        memory.fill(p, 0, <usize>m << 3);
      }
      for (let l = 0; l < m; l++) {
        set(V, nb, c + 1 + l, j, vget(v, l));
        set(W, nb, c + 1 + l, j, vget(p, l));
      }
      store<f64>(x, beta);
    }
    // 4. Trailing update A[r:, r:] −= V[r:]·W[r:]ᵀ + W[r:]·V[r:]ᵀ for r = k + jb (both triangles).
    const r = k + jb;
    const mr = n - r;
    if (mr > 0) {
      gemmAcc(true, false, true, mr, mr, jb, at(V, nb, r, 0), nb, at(W, nb, r, 0), nb, at(a, n, r, r), n, gemmWork);
      gemmAcc(true, false, true, mr, mr, jb, at(W, nb, r, 0), nb, at(V, nb, r, 0), nb, at(a, n, r, r), n, gemmWork);
    }
  }
  vset(d, n - 1, get(a, n, n - 1, n - 1));
  void t;
}

/**
 * X (n×ncols, row-major) := Q·X with Q = H_0·…·H_{n−2} from dsytrd (reflectors in a, tau).
 * Blocks of nb reflectors are applied as I − V·T·Vᵀ (compact WY) with GEMM, last block first.
 * work: n·nb + nb·nb + 2·nb·ncols doubles; gemmWork: la_gemm_workspace(max(n, ncols)).
 */
export function dormtr(n: i32, a: usize, tau: usize, x: usize, ncols: i32, nb: i32, work: usize, gemmWork: usize): void {
  const count = n - 1; // reflectors H_0 … H_{n−2}
  if (count <= 0 || ncols <= 0) return;
  nb = max(1, nb);
  const V = work;                                   // n × nb
  const T = V + ((<usize>n * <usize>nb) << 3);       // nb × nb
  const Y = T + ((<usize>nb * <usize>nb) << 3);      // nb × ncols
  const Z = Y + ((<usize>nb * <usize>ncols) << 3);   // nb × ncols
  const lastStart = ((count - 1) / nb) * nb;
  for (let b0 = lastStart; b0 >= 0; b0 -= nb) {
    const jb = min(nb, count - b0);
    const r0 = b0 + 1; // first row any reflector of the block touches
    const rows = n - r0;
    // V (rows × jb, ld nb): column q is v_{b0+q} restricted to rows r0..n−1.
    for (let i = 0; i < rows; i++) {
      const gi = r0 + i;
      for (let q = 0; q < jb; q++) {
        const c = b0 + q;
        set(V, nb, i, q, gi == c + 1 ? 1.0 : gi > c + 1 ? get(a, n, c, gi) : 0.0);
      }
    }
    // T (upper triangular): T[q][q] = τ_q, T[0:q, q] = −τ_q·T[0:q, 0:q]·(V[:, 0:q]ᵀ·v_q).
    memory.fill(T, 0, (<usize>nb * <usize>nb) << 3);
    for (let q = 0; q < jb; q++) {
      const tq = vget(tau, b0 + q);
      set(T, nb, q, q, tq);
      if (q == 0 || tq == 0) continue;
      // s_i = V[:, i]·v_q for i < q (v_q is zero above row q of the block)
      for (let i = 0; i < q; i++) {
        let s: f64 = 0;
        for (let l = q; l < rows; l++) s += get(V, nb, l, i) * get(V, nb, l, q);
        set(Y, 1, i, 0, s); // Y as scratch (q ≤ nb ≤ nb·ncols)
      }
      for (let i = 0; i < q; i++) {
        let s: f64 = 0;
        for (let l = i; l < q; l++) s += get(T, nb, i, l) * vget(Y, l);
        set(T, nb, i, q, -tq * s);
      }
    }
    // X[r0:] −= V·(T·(Vᵀ·X[r0:]))
    const xr = at(x, ncols, r0, 0);
    gemmSet(true, false, jb, ncols, rows, V, nb, xr, ncols, Y, ncols, gemmWork);
    gemmSet(false, false, jb, ncols, jb, T, nb, Y, ncols, Z, ncols, gemmWork);
    gemmAcc(true, false, false, rows, ncols, jb, V, nb, Z, ncols, xr, ncols, gemmWork);
  }
}
