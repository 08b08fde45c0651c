// Symmetric tridiagonal eigenproblems: eigenvalues by the root-free Pal–Walker–Kahan QL
// iteration (dsterf), eigenpairs by implicit QL with Wilkinson-type shifts and accumulated
// rotations (dsteqr; also the leaf solver of divide and conquer).
//
// see: LAPACK dsterf, dsteqr, dlae2; Parlett, "The Symmetric Eigenvalue Problem" (1998),
//      §8.13–8.15; Wilkinson & Reinsch, Handbook for Automatic Computation II, tql1/tql2.
//
// Both scale the matrix by a power of two so that its largest entry is near 1 (squares
// neither overflow nor underflow for inputs scaled by 1e±150) and undo it at the end.

import { EPS, NO_CONVERGENCE, OK, SAFE_MIN, hypot, pow2ScaleFor, sign, vget, vset } from './common';

const EPS2: f64 = EPS * EPS;

// pow2ScaleFor(max(|d|, |e|)): the power of two that brings the tridiagonal to unit size.
export function scaleFor(n: i32, d: usize, e: usize): f64 {
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = max(amax, Math.abs(vget(d, i)));
  for (let i = 0; i < n - 1; i++) amax = max(amax, Math.abs(vget(e, i)));
  return pow2ScaleFor(amax);
}

// Eigenvalues (rt1, rt2) of [[a, b], [b, c]] as the lanes of an f64x2, accurately.
@inline function eig2(a: f64, b: f64, c: f64): v128 {
  const sm = a + c;
  const df = a - c;
  const rt = hypot(df, 2.0 * b);
  const acmx = Math.abs(a) > Math.abs(c) ? a : c;
  const acmn = Math.abs(a) > Math.abs(c) ? c : a;
  let rt1: f64, rt2: f64;
  if (sm < 0) {
    rt1 = 0.5 * (sm - rt);
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else if (sm > 0) {
    rt1 = 0.5 * (sm + rt);
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else {
    rt1 = 0.5 * rt;
    rt2 = -0.5 * rt;
  }
  return f64x2.replace_lane(f64x2.splat(rt1), 1, rt2);
}

// Insertion sort of d ascending (n is modest and d nearly sorted after QL).
function sortAscending(n: i32, d: usize): void {
  for (let i = 1; i < n; i++) {
    const v = vget(d, i);
    let j = i - 1;
    while (j >= 0 && vget(d, j) > v) {
      vset(d, j + 1, vget(d, j));
      j--;
    }
    vset(d, j + 1, v);
  }
}

/**
 * Eigenvalues of the symmetric tridiagonal (d, e) into d, ascending; e (n−1 entries, with
 * room for n) is destroyed. Returns OK, or NO_CONVERGENCE after sweepsPerN·n QL sweeps
 * (LAPACK allows 30·n).
 */
export function dsterf(n: i32, d: usize, e: usize, sweepsPerN: i32): i32 {
  if (n <= 1) return OK;
  const scale = scaleFor(n, d, e);
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) * scale);
  // e now holds squared off-diagonals (root-free iteration), e[n−1] = 0 as a sentinel.
  for (let i = 0; i < n - 1; i++) { const v = vget(e, i) * scale; vset(e, i, v * v); }
  vset(e, n - 1, 0);
  let iterations = 0;
  const maxIterations = sweepsPerN * n;
  let l = 0;
  while (l < n) {
    // Find the end m of the unreduced block starting at l.
    let m = l;
    for (; m < n - 1; m++) {
      if (vget(e, m) <= EPS2 * Math.abs(vget(d, m) * vget(d, m + 1)) || vget(e, m) <= SAFE_MIN) {
        vset(e, m, 0);
        break;
      }
    }
    if (m == l) { l++; continue; }
    if (m == l + 1) {
      // 2×2 block: closed form.
      const pair = eig2(vget(d, l), Math.sqrt(vget(e, l)), vget(d, l + 1));
      vset(d, l, f64x2.extract_lane(pair, 0));
      vset(d, l + 1, f64x2.extract_lane(pair, 1));
      vset(e, l, 0);
      l += 2;
      continue;
    }
    if (iterations++ >= maxIterations) return NO_CONVERGENCE;
    // One QL sweep with the Wilkinson-type shift σ from the leading 2×2.
    const rte = Math.sqrt(vget(e, l));
    let sigma = (vget(d, l + 1) - vget(d, l)) / (2.0 * rte);
    const r0 = hypot(sigma, 1.0);
    sigma = vget(d, l) - rte / (sigma + sign(r0, sigma));
    let c: f64 = 1, s: f64 = 0;
    let gamma = vget(d, m) - sigma;
    let p = gamma * gamma;
    for (let i = m - 1; i >= l; i--) {
      const bb = vget(e, i);
      const r = p + bb;
      if (i != m - 1) vset(e, i + 1, s * r);
      const oldc = c;
      c = p / r;
      s = bb / r;
      const oldgam = gamma;
      const alpha = vget(d, i);
      gamma = c * (alpha - sigma) - s * oldgam;
      vset(d, i + 1, oldgam + (alpha - gamma));
      p = c != 0 ? (gamma * gamma) / c : oldc * bb;
    }
    vset(e, l, s * p);
    vset(d, l, sigma + gamma);
  }
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) / scale);
  sortAscending(n, d);
  return OK;
}

/**
 * Eigenpairs of the symmetric tridiagonal (d, e) by implicit QL. zt is n×n row-major with
 * row stride ldz, holding on entry the rows to be rotated (the identity, for the
 * eigenvectors of T itself); on exit row j is the eigenvector of d[j]. Eigenvalues are
 * sorted ascending with their rows. e needs room for n entries and is destroyed.
 */
export function dsteqr(n: i32, d: usize, e: usize, zt: usize, ldz: i32, zcols: i32, sweepsPerN: i32): i32 {
  if (n <= 1) return OK;
  const scale = scaleFor(n, d, e);
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) * scale);
  for (let i = 0; i < n - 1; i++) vset(e, i, vget(e, i) * scale);
  vset(e, n - 1, 0);
  const rowBytes = <usize>ldz << 3;
  let iterations = 0;
  const maxIterations = sweepsPerN * n;
  for (let l = 0; l < n; l++) {
    while (true) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(vget(d, m)) + Math.abs(vget(d, m + 1));
        if (Math.abs(vget(e, m)) <= EPS * dd || Math.abs(vget(e, m)) <= SAFE_MIN) {
          vset(e, m, 0);
          break;
        }
      }
      if (m == l) break;
      if (iterations++ >= maxIterations) return NO_CONVERGENCE;
      // Shift from the leading 2×2 of the block, then chase the bulge from m up to l.
      let g = (vget(d, l + 1) - vget(d, l)) / (2.0 * vget(e, l));
      let r = hypot(g, 1.0);
      g = vget(d, m) - vget(d, l) + vget(e, l) / (g + sign(r, g));
      let s: f64 = 1, c: f64 = 1, p: f64 = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * vget(e, i);
        const b = c * vget(e, i);
        r = hypot(f, g);
        vset(e, i + 1, r);
        if (r == 0) {
          // Exact zero off-diagonal appeared: finish the sweep early.
          vset(d, i + 1, vget(d, i + 1) - p);
          vset(e, m, 0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = vget(d, i + 1) - p;
        r = (vget(d, i) - g) * s + 2.0 * c * b;
        p = s * r;
        vset(d, i + 1, g + p);
        g = c * r - b;
        // Rotate rows i and i+1 of zt (columns i, i+1 of Z).
        const zi = zt + <usize>i * rowBytes, zi1 = zi + rowBytes;
        const vc = f64x2.splat(c), vs = f64x2.splat(s);
        let k = 0;
        for (; k + 2 <= zcols; k += 2) {
          const o = <usize>k << 3;
          const a0 = v128.load(zi + o), a1 = v128.load(zi1 + o);
          v128.store(zi1 + o, f64x2.add(f64x2.mul(vs, a0), f64x2.mul(vc, a1)));
          v128.store(zi + o, f64x2.sub(f64x2.mul(vc, a0), f64x2.mul(vs, a1)));
        }
        for (; k < zcols; k++) {
          const o = <usize>k << 3;
          const a0 = load<f64>(zi + o), a1 = load<f64>(zi1 + o);
          store<f64>(zi1 + o, s * a0 + c * a1);
          store<f64>(zi + o, c * a0 - s * a1);
        }
      }
      if (underflow) continue;
      vset(d, l, vget(d, l) - p);
      vset(e, l, g);
      vset(e, m, 0);
    }
  }
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) / scale);
  // Selection sort keeps at most n row swaps.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (vget(d, j) < vget(d, k)) k = j;
    if (k != i) {
      const t = vget(d, i); vset(d, i, vget(d, k)); vset(d, k, t);
      const ri = zt + <usize>i * rowBytes, rk = zt + <usize>k * rowBytes;
      for (let q = 0; q < zcols; q++) {
        const o = <usize>q << 3;
        const tmp = load<f64>(ri + o); store<f64>(ri + o, load<f64>(rk + o)); store<f64>(rk + o, tmp);
      }
    }
  }
  return OK;
}
