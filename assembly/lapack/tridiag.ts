// Householder reduction of a symmetric matrix to tridiagonal form, blocked so that half of
// the work runs through GEMM, and the blocked back-transformation of eigenvectors.
//
// see: LAPACK dsytrd / dlatrd / dsytd2 (lower variant) and dormtr / dlarft / dlarfb;
//      Dongarra, Sorensen & Hammarling, "Block reduction of matrices to condensed forms for
//      eigenvalue computations", J. Comput. Appl. Math. 27 (1989).
//
// Layout (row-major, n×n). Only the upper triangle (j ≥ i) is read and kept up to date —
// in row-major it is LAPACK's column-major lower triangle, so rows are contiguous where
// LAPACK's columns are. (The caller copies the input's lower triangle there.) Step c (0 ≤ c < n−1) builds H_c = I − τ_c·v_c·v_cᵀ with
// v_c supported on indices c+1..n−1, v_c[c+1] = 1, annihilating row c beyond the
// superdiagonal. Afterwards Q = H_0·H_1·…·H_{n−2} gives A = Q·T·Qᵀ, and row c of A holds
// v_c[c+2..n−1] in columns c+2..n−1.

import { at, axpy, dot, gemmAcc, gemmSet, get, householder, set, vget, vset } from './common';
import { GEMM_ACCUMULATE, GEMM_NEGATE, GEMM_UPPER, laNc } from '../blas/gemm';
import { gemmParallel } from '../blas/gemm_parallel';
import { LA_KC, LA_MC } from '../config';
import { argI, argU, available, grain, runJob, setI, setU } from '../parallel/pool';
import { JOB_SYTRD_SYMV } from '../parallel/tasks';

// The level-2 half of dsytrd, y (len m) := A·x for the symmetric m×m block at a (row
// stride lda) given by its upper triangle (row-major upper = LAPACK's column-major lower),
// is split into parts: consecutive rows of equal area (boundaries multiples of 4), each
// accumulating its own partial y, which are then summed in part order. The number of parts
// depends on m only, never on the thread count, so the bytes are the same on every pool;
// on the pool each part is a task (memory-bound: two cores read more than one).

/** Rows per part, at least, of the split product (fewer rows: one part, as unsplit). */
const SYMV_PART_ROWS: i32 = 128;
/** Most parts of the split product (its partial vectors live in dsytrd's workspace). */
const SYMV_MAX_PARTS: i32 = 16;

/** Parts of the split product for an m×m block: the largest power of two ≤ m / SYMV_PART_ROWS, at most SYMV_MAX_PARTS. */
function symvParts(m: i32): i32 {
  let parts = 1;
  while (parts < SYMV_MAX_PARTS && 2 * parts * SYMV_PART_ROWS <= m) parts <<= 1;
  return parts;
}

// First row of part p of `parts`: the rows from it to the end hold (1 − p/parts) of the
// triangle's area, rounded down to a multiple of 4 (exact: sqrt is correctly rounded).
@inline function symvPartStart(m: i32, p: i32, parts: i32): i32 {
  if (p >= parts) return m;
  return (<i32>Math.floor(<f64>m - <f64>m * Math.sqrt(1.0 - <f64>p / <f64>parts)) >> 2) << 2;
}

const Y_A = 0, Y_LDA = 1, Y_M = 2, Y_X = 3, Y_Y = 4, Y_PARTS = 5, Y_PARTIAL = 6;

// y := A·x by the split product; partial: (parts − 1)·m doubles for parts 1.. (part 0 writes y).
function symvUpper(m: i32, a: usize, lda: i32, x: usize, y: usize, partial: usize): void {
  const parts = symvParts(m);
  // ≈ 2m²/parts flops per part, read from memory: a quarter of a grain pays (from m = 256,
  // where the split starts; measured on two threads: no loss at n = 300, ×1.09 at 500).
  if (available() > 1 && parts > 1 && 2.0 * <f64>m * <f64>m / <f64>parts >= 0.25 * grain()) {
    setU(Y_A, a); setI(Y_LDA, lda); setI(Y_M, m); setU(Y_X, x); setU(Y_Y, y); setI(Y_PARTS, parts); setU(Y_PARTIAL, partial);
    runJob(JOB_SYTRD_SYMV, parts, 0);
  } else {
    for (let p = 0; p < parts; p++) symvPart(m, a, lda, x, y, partial, p, parts);
  }
  for (let p = 1; p < parts; p++) {
    const from = symvPartStart(m, p, parts);
    const yp = partial + ((<usize>(p - 1) * <usize>m) << 3);
    axpy(m - from, 1.0, yp + (<usize>from << 3), y + (<usize>from << 3));
  }
}

export function sytrdSymvTask(t: i32): void {
  symvPart(argI(Y_M), argU(Y_A), argI(Y_LDA), argU(Y_X), argU(Y_Y), argU(Y_PARTIAL), t, argI(Y_PARTS));
}

@inline function symvPart(m: i32, a: usize, lda: i32, x: usize, y: usize, partial: usize, p: i32, parts: i32): void {
  symvRows(m, a, lda, x, p == 0 ? y : partial + ((<usize>(p - 1) * <usize>m) << 3), symvPartStart(m, p, parts), symvPartStart(m, p + 1, parts));
}

// y[from..m) := the contributions of rows from..to−1 of the symmetric block to A·x. Each
// stored element is read once and used twice: y_i += a_ij·x_j and y_j += a_ij·x_i.
function symvRows(m: i32, a: usize, lda: i32, x: usize, y: usize, from: i32, to: i32): void {
  memory.fill(y + (<usize>from << 3), 0, <usize>(m - from) << 3);
  let i = from;
  // Four rows at a time: each load and store of y serves four rows, and four independent
  // row streams keep more loads in flight (the kernel is bound by memory traffic).
  for (; i + 4 <= to; i += 4) {
    const r0 = at(a, lda, i, 0), r1 = at(a, lda, i + 1, 0), r2 = at(a, lda, i + 2, 0), r3 = at(a, lda, i + 3, 0);
    const x0 = vget(x, i), x1 = vget(x, i + 1), x2 = vget(x, i + 2), x3 = vget(x, i + 3);
    // The 4×4 diagonal block (upper part stored), scalar.
    let dot0: f64 = 0, dot1: f64 = 0, dot2: f64 = 0, dot3: f64 = 0;
    for (let q = 0; q < 4; q++) {
      const xq = vget(x, i + q);
      dot0 += (q >= 0 ? vget(r0, i + q) : 0) * xq;
      dot1 += (q >= 1 ? vget(r1, i + q) : vget(r0, i + 1)) * xq;
      dot2 += (q >= 2 ? vget(r2, i + q) : vget(q == 0 ? r0 : r1, i + 2)) * xq;
      dot3 += (q == 3 ? vget(r3, i + 3) : vget(q == 0 ? r0 : q == 1 ? r1 : r2, i + 3)) * xq;
    }
    const vx0 = f64x2.splat(x0), vx1 = f64x2.splat(x1), vx2 = f64x2.splat(x2), vx3 = f64x2.splat(x3);
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0), acc2 = f64x2.splat(0), acc3 = f64x2.splat(0);
    let j = i + 4;
    for (; j + 2 <= m; j += 2) {
      const o = <usize>j << 3;
      const p0 = v128.load(r0 + o), p1 = v128.load(r1 + o), p2 = v128.load(r2 + o), p3 = v128.load(r3 + o);
      const xv = v128.load(x + o);
      const yv = f64x2.add(f64x2.add(f64x2.mul(vx0, p0), f64x2.mul(vx1, p1)), f64x2.add(f64x2.mul(vx2, p2), f64x2.mul(vx3, p3)));
      v128.store(y + o, f64x2.add(v128.load(y + o), yv));
      acc0 = f64x2.add(acc0, f64x2.mul(p0, xv));
      acc1 = f64x2.add(acc1, f64x2.mul(p1, xv));
      acc2 = f64x2.add(acc2, f64x2.mul(p2, xv));
      acc3 = f64x2.add(acc3, f64x2.mul(p3, xv));
    }
    dot0 += f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
    dot1 += f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1);
    dot2 += f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1);
    dot3 += f64x2.extract_lane(acc3, 0) + f64x2.extract_lane(acc3, 1);
    for (; j < m; j++) {
      const p0 = vget(r0, j), p1 = vget(r1, j), p2 = vget(r2, j), p3 = vget(r3, j), xj = vget(x, j);
      vset(y, j, vget(y, j) + ((x0 * p0 + x1 * p1) + (x2 * p2 + x3 * p3)));
      dot0 += p0 * xj; dot1 += p1 * xj; dot2 += p2 * xj; dot3 += p3 * xj;
    }
    vset(y, i, vget(y, i) + dot0);
    vset(y, i + 1, vget(y, i + 1) + dot1);
    vset(y, i + 2, vget(y, i + 2) + dot2);
    vset(y, i + 3, vget(y, i + 3) + dot3);
  }
  // Remaining rows one at a time.
  for (; i < to; i++) {
    const row = at(a, lda, i, 0);
    const xi = vget(x, i);
    let acc = vget(row, i) * xi;
    for (let j = i + 1; j < m; j++) {
      const aij = vget(row, j);
      vset(y, j, vget(y, j) + xi * aij);
      acc += aij * vget(x, j);
    }
    vset(y, i, vget(y, i) + acc);
  }
}

/** Doubles of dsytrd's workspace: the panel's V and W and a copy of V (n × nb each), p, and the split product's partial vectors. */
export function sytrd_workspace(n: i32, nb: i32): i32 {
  return 3 * n * max(1, nb) + SYMV_MAX_PARTS * n;
}

/**
 * Reduces the n×n symmetric A (full storage) to tridiagonal d (n), e (n−1) with reflectors
 * (τ in tau, vectors in A's rows, as above). nb is the panel width (1 = unblocked).
 * work: sytrd_workspace(n, nb) doubles; gemmWork: la_gemm_workspace(n).
 */

export function dsytrd(n: i32, a: usize, d: usize, e: usize, tau: usize, nb: i32, work: usize, gemmWork: usize): void {
  if (n == 0) return;
  nb = max(1, nb);
  // The panel's reflectors and their W vectors, stored as rows (nb × n, ld n) so that every
  // correction below is a contiguous dot or axpy: Ã = A − Vᵀ_panel·W − Wᵀ_panel·V.
  // Vt, Wt and a copy of Vt in a row, so that a full panel's update is one GEMM (symUpdate).
  const Vt = work;
  const Wt = Vt + ((<usize>n * <usize>nb) << 3);
  const Vcopy = Wt + ((<usize>n * <usize>nb) << 3);
  const p = Vcopy + ((<usize>n * <usize>nb) << 3);
  for (let k = 0; k < n - 1; k += nb) {
    const jb = min(nb, n - 1 - k);
    memory.fill(Vt, 0, (<usize>n * <usize>nb) << 3);
    memory.fill(Wt, 0, (<usize>n * <usize>nb) << 3);
    for (let j = 0; j < jb; j++) {
      const c = k + j;
      const len = n - c; // row c from column c on
      // 1. Bring row c up to date with this panel's earlier reflectors:
      //    A[c, c:] −= Σ_q V_q[c]·W_q[c:] + W_q[c]·V_q[c:].
      const rowc = at(a, n, c, c);
      for (let q = 0; q < j; q++) {
        axpy(len, -get(Vt, n, q, c), at(Wt, n, q, c), rowc);
        axpy(len, -get(Wt, n, q, c), at(Vt, n, q, c), rowc);
      }
      vset(d, c, load<f64>(rowc));
      // 2. Householder vector for x = A[c, c+1:] (length m = n−c−1).
      const m = n - c - 1;
      const x = rowc + 8;
      const reflector = householder(m, x);
      const beta = f64x2.extract_lane(reflector, 0), tc = f64x2.extract_lane(reflector, 1);
      vset(e, c, beta);
      vset(tau, c, tc);
      store<f64>(x, 1.0); // v[0] = 1 while it is used; restored to β below
      // 3. p = τ·(Ã22·v) over rows/cols c+1..n−1, then w = p − (τ/2)(pᵀv)·v.
      const v = x;
      if (tc != 0) {
        symvUpper(m, at(a, n, c + 1, c + 1), n, v, p, p + (<usize>n << 3));
        for (let q = 0; q < j; q++) {
          const Vq = at(Vt, n, q, c + 1), Wq = at(Wt, n, q, c + 1);
          axpy(m, -dot(m, Wq, v), Vq, p);
          axpy(m, -dot(m, Vq, v), Wq, p);
        }
        for (let l = 0; l < m; l++) vset(p, l, tc * vget(p, l));
        axpy(m, -0.5 * tc * dot(m, p, v), v, p);
      } else {
        memory.fill(p, 0, <usize>m << 3);
      }
      memory.copy(at(Vt, n, j, c + 1), v, <usize>m << 3);
      memory.copy(at(Wt, n, j, c + 1), p, <usize>m << 3);
      store<f64>(x, beta);
    }
    // 4. Trailing update A[r:, r:] −= V[r:]·W[r:]ᵀ + W[r:]·V[r:]ᵀ for r = k + jb, upper
    //    triangle only: row blocks from their diagonal block to the right edge (the blocks
    //    are independent: one task each on the thread pool). A full panel is one GEMM of
    //    depth 2·jb; a short last one leaves a gap after its rows of Vt: two of depth jb.
    const r = k + jb;
    if (jb == nb) {
      for (let q = 0; q < jb; q++) memory.copy(at(Vcopy, n, q, r), at(Vt, n, q, r), <usize>(n - r) << 3);
      symUpdate(Vt, Wt, a, n, r, 2 * jb, gemmWork); // [Vt; Wt] and [Wt; Vcopy]
    } else {
      trailingUpdate(Vt, Wt, a, n, r, jb, gemmWork);
    }
  }
  vset(d, n - 1, get(a, n, n - 1, n - 1));
}

/** Doubles of workspace of dormtr / applyRowReflectors: V, T, VᵀV, and the two ncols × nb products. */
export function ormtr_workspace(n: i32, nb: i32, ncols: i32): i32 {
  return n * nb + 2 * nb * nb + 2 * nb * ncols;
}

/**
 * X (n×ncols, row-major) := Q·X with Q = H_0·…·H_{n−2} from dsytrd (reflectors in a, tau).
 * Blocks of nb reflectors are applied as I − V·T·Vᵀ (compact WY) with GEMM, last block first.
 * work: ormtr_workspace(n, nb, ncols) doubles; gemmWork: la_gemm_workspace(max(n, ncols)).
 */
export function dormtr(n: i32, a: usize, tau: usize, x: usize, ncols: i32, nb: i32, work: usize, gemmWork: usize): void {
  applyRowReflectors(n, 1, a, tau, x, ncols, nb, work, gemmWork);
}

/**
 * X (n×ncols) := Q·X for Q = H_0·…·H_{n−1−shift}, reflector c stored in row c of a with its
 * unit at column c + shift and its vector after it (shift 1: dsytrd's; shift b: the band
 * reduction's stage 1, band.ts). Work as dormtr.
 */
export function applyRowReflectors(n: i32, shift: i32, a: usize, tau: usize, x: usize, ncols: i32, nb: i32, work: usize, gemmWork: usize): void {
  const count = n - shift; // reflectors H_0 … H_{n−1−shift}
  if (count <= 0 || ncols <= 0) return;
  nb = max(1, nb);
  const V = work;                                   // n × nb
  const T = V + ((<usize>n * <usize>nb) << 3);       // nb × nb
  const G = T + ((<usize>nb * <usize>nb) << 3);      // jb × jb: VᵀV
  const Yt = G + ((<usize>nb * <usize>nb) << 3);     // ncols × jb: (Vᵀ·X)ᵀ
  const Zt = Yt + ((<usize>nb * <usize>ncols) << 3); // ncols × jb: (T·Vᵀ·X)ᵀ
  const lastStart = ((count - 1) / nb) * nb;
  for (let b0 = lastStart; b0 >= 0; b0 -= nb) {
    const jb = min(nb, count - b0);
    const r0 = b0 + shift; // first row any reflector of the block touches
    const rows = n - r0;
    // V (rows × jb, ld nb): column q is v_{b0+q} restricted to rows r0..n−1.
    for (let i = 0; i < rows; i++) {
      const gi = r0 + i;
      for (let q = 0; q < jb; q++) {
        const c = b0 + q;
        set(V, nb, i, q, gi == c + shift ? 1.0 : gi > c + shift ? get(a, n, c, gi) : 0.0);
      }
    }
    // T (upper triangular): T[q][q] = τ_q, T[0:q, q] = −τ_q·T[0:q, 0:q]·(V[:, 0:q]ᵀ·v_q).
    // The inner products come from one GEMM, G = VᵀV: v_q is +0 above row q, so G's sums add
    // exact zeros before the terms of the sum from row q on and equal it bit for bit.
    gemmSet(true, false, jb, jb, rows, V, nb, V, nb, G, jb, gemmWork);
    memory.fill(T, 0, (<usize>nb * <usize>nb) << 3);
    for (let q = 0; q < jb; q++) {
      const tq = vget(tau, b0 + q);
      set(T, nb, q, q, tq);
      if (q == 0 || tq == 0) continue;
      for (let i = 0; i < q; i++) {
        let s: f64 = 0;
        for (let l = i; l < q; l++) s += get(T, nb, i, l) * get(G, jb, l, q);
        set(T, nb, i, q, -tq * s);
      }
    }
    // X[r0:] −= V·(T·(Vᵀ·X[r0:])). The products are formed transposed, Yᵀ = X[r0:]ᵀ·V and
    // Zᵀ = Yᵀ·Tᵀ, so that X is packed as GEMM's A (amortised over ncols rows of the
    // product, not jb): the same products summed in the same order, so the same bytes.
    const xr = at(x, ncols, r0, 0);
    gemmSet(true, false, ncols, jb, rows, xr, ncols, V, nb, Yt, jb, gemmWork);
    gemmSet(false, true, ncols, jb, jb, Yt, jb, T, nb, Zt, jb, gemmWork);
    gemmAcc(true, false, true, rows, ncols, jb, V, nb, Zt, jb, xr, ncols, gemmWork);
  }
}

// ---------------------------------------------------------------------------------------
// The trailing update of the blocked reductions (dsytrd here, dsytrd_sy2sb in band.ts):
// A[r0:, r0:] −= Lᵀ·R on the upper triangle for L, R (depth × n, ld n), as one GEMM that
// skips the tiles below the diagonal (GEMM_UPPER; on the pool by its row blocks). With
// L = [Vt; Wt] and R = [Wt; Vt] (both stacked, depth 2·jb) this is A −= V·Wᵀ + W·Vᵀ, each
// element of A read and written once; GEMM adds the products in increasing depth, so the
// bytes are those of the two GEMMs of depth jb (V·Wᵀ, then W·Vᵀ) it replaces.

/** A[r0:, r0:] −= Lᵀ·R on the upper triangle (L, R: depth × n, ld n); `work`: the caller's GEMM workspace (la_gemm_workspace(n)). */
export function symUpdate(l: usize, r: usize, a: usize, n: i32, r0: i32, depth: i32, work: usize): void {
  const m = n - r0, off = <usize>r0 << 3;
  gemmParallel<f64>(true, false, m, m, depth, l + off, n, r + off, n, at(a, n, r0, r0), n, work, LA_MC, laNc(m), LA_KC, GEMM_ACCUMULATE | GEMM_NEGATE | GEMM_UPPER);
}

/**
 * The trailing update A[r0:, r0:] −= V·Wᵀ + W·Vᵀ of a panel of jb reflectors (rows of vt) and
 * their W vectors (rows of wt), upper triangle, as two GEMMs of depth jb: for a short last
 * panel, whose rows do not stack (a full one is one symUpdate of [Vt; Wt] and [Wt; Vt]).
 */
export function trailingUpdate(vt: usize, wt: usize, a: usize, n: i32, r0: i32, jb: i32, work: usize): void {
  symUpdate(vt, wt, a, n, r0, jb, work);
  symUpdate(wt, vt, a, n, r0, jb, work);
}
