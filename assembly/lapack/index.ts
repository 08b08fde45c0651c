// Drivers of the symmetric eigensolvers, called from src/linalg.ts. Each takes a working
// copy of the matrix and a workspace sized by the matching *_workspace function, and
// returns a status code (common.ts).

import { get, gram_f64, la_gemm_workspace, OK, pow2ScaleFor, set, vget, vset } from './common';
import { dsytrd, dormtr, ormtr_workspace, sytrd_workspace } from './tridiag';
import { dsteqr, dsterf } from './steqr';
import { dstedc, dstedc_workspace } from './stedc';
import { dsb2st_back, dsytrd_sb2st, dsytrd_sy2sb, sb2st_back_workspace, sb2st_workspace, sy2sb_workspace } from './band';
import { applyRowReflectors } from './tridiag';

export { gram_f64, la_gemm_workspace, dsterf, dstedc, dstedc_workspace, dsytrd_sy2sb, dsytrd_sb2st, sy2sb_workspace, sb2st_workspace };

const SYMMETRIZE_TILE: i32 = 32;

// dst (n×n) := the symmetric matrix whose lower triangle is src's (row-major, lda n); the
// upper triangle of src is never read. Returns the power of two s with max|s·a_ij| ≈ 1
// (1 for a zero matrix), by which dst is scaled.
export function symmetrize_lower(n: i32, src: usize, dst: usize): f64 {
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) amax = max(amax, Math.abs(get(src, n, i, j)));
  const scale = pow2ScaleFor(amax);
  // By tiles, so that the mirrored writes (down a column of dst) stay in cache.
  for (let i0 = 0; i0 < n; i0 += SYMMETRIZE_TILE) {
    const i1 = min(n, i0 + SYMMETRIZE_TILE);
    for (let j0 = 0; j0 <= i0; j0 += SYMMETRIZE_TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = min(i + 1, j0 + SYMMETRIZE_TILE);
        for (let j = j0; j < j1; j++) {
          const v = get(src, n, i, j) * scale;
          set(dst, n, i, j, v);
          set(dst, n, j, i, v);
        }
      }
    }
  }
  return scale;
}

// eigh's back-transformation applies the reflectors in blocks of twice the reduction's panel
// width nb: the block is the depth of its GEMMs, and at depth 64 they run ≈ 10% faster than
// at 32 (dormtr alone at n = 2000: 16.4 → 18.0 GFLOP/s), while a wider panel would slow the
// reduction's level-2 part. (The reduction and its back-transformation need not share a block.)
@inline function backBlock(nb: i32): i32 {
  return 2 * max(1, nb);
}

// Workspace (doubles) of eigvalsh_driver / eigh_driver for size n and block nb: e and τ,
// then a panel area shared by dsytrd and dormtr.
export function eig_workspace(n: i32, nb: i32): i32 {
  return 2 * n + max(sytrd_workspace(n, nb), ormtr_workspace(n, backBlock(nb), n));
}

/** Eigenvalues of the scaled symmetric a (n×n, destroyed) into w ascending (unscaled by 1/scale). */
export function eigvalsh_driver(n: i32, a: usize, scale: f64, w: usize, nb: i32, sweepsPerN: i32, work: usize, gemmWork: usize): i32 {
  const e = work;
  const tau = e + (<usize>n << 3);
  const panel = tau + (<usize>n << 3);
  dsytrd(n, a, w, e, tau, nb, panel, gemmWork);
  const status = dsterf(n, w, e, sweepsPerN);
  for (let i = 0; i < n; i++) vset(w, i, vget(w, i) / scale);
  return status;
}

/**
 * Eigenpairs of the scaled symmetric a (n×n, destroyed): values into w ascending, vectors
 * into the columns of z (n×n), by divide and conquer on the tridiagonal form (leaves of
 * size ≤ leafSize by implicit QL; leafSize ≥ n is plain QL). dcWork: dstedc_workspace(n).
 */
export function eigh_driver(n: i32, a: usize, scale: f64, w: usize, z: usize, nb: i32, leafSize: i32, sweepsPerN: i32, work: usize, dcWork: usize, gemmWork: usize): i32 {
  const e = work;
  const tau = e + (<usize>n << 3);
  const panel = tau + (<usize>n << 3);
  dsytrd(n, a, w, e, tau, nb, panel, gemmWork);
  const status = dstedc(n, w, e, z, n, leafSize, sweepsPerN, dcWork, gemmWork);
  if (status != OK) return status;
  dormtr(n, a, tau, z, n, backBlock(nb), panel, gemmWork);
  for (let i = 0; i < n; i++) vset(w, i, vget(w, i) / scale);
  return OK;
}

// Workspace (doubles) of the two-stage drivers for size n, bandwidth b and back-transformation
// block nb: e and τ of stage 1, then an area shared by the stages and the back-transformations.
export function eig2_workspace(n: i32, b: i32, nb: i32): i32 {
  const area = max(max(sy2sb_workspace(n, b), sb2st_workspace(n, b)), max(ormtr_workspace(n, backBlock(nb), n), sb2st_back_workspace(n)));
  return 2 * n + area;
}

/** eigvalsh_driver by the two-stage reduction (band.ts) with bandwidth b. */
export function eigvalsh2_driver(n: i32, a: usize, scale: f64, w: usize, b: i32, sweepsPerN: i32, work: usize, gemmWork: usize): i32 {
  const e = work;
  const tau = e + (<usize>n << 3);
  const area = tau + (<usize>n << 3);
  dsytrd_sy2sb(n, b, a, tau, area, gemmWork);
  dsytrd_sb2st(n, b, a, w, e, false, area, gemmWork);
  const status = dsterf(n, w, e, sweepsPerN);
  for (let i = 0; i < n; i++) vset(w, i, vget(w, i) / scale);
  return status;
}

/** eigh_driver by the two-stage reduction with bandwidth b; backBlock(nb) blocks stage 1's back-transformation. */
export function eigh2_driver(n: i32, a: usize, scale: f64, w: usize, z: usize, b: i32, nb: i32, leafSize: i32, sweepsPerN: i32, work: usize, dcWork: usize, gemmWork: usize): i32 {
  const e = work;
  const tau = e + (<usize>n << 3);
  const area = tau + (<usize>n << 3);
  dsytrd_sy2sb(n, b, a, tau, area, gemmWork);
  dsytrd_sb2st(n, b, a, w, e, true, area, gemmWork);
  const status = dstedc(n, w, e, z, n, leafSize, sweepsPerN, dcWork, gemmWork);
  if (status != OK) return status;
  dsb2st_back(n, b, a, z, n, n, area);
  applyRowReflectors(n, b, a, tau, z, n, backBlock(nb), area, gemmWork);
  for (let i = 0; i < n; i++) vset(w, i, vget(w, i) / scale);
  return OK;
}

export { dpotrf, dpotrs, dgeqr2t, dorg2rt } from './factor';
