// Divide and conquer for the symmetric tridiagonal eigenproblem: eigenvalues and
// eigenvectors, with the merges' eigenvector updates done by GEMM.
//
// see: Cuppen, "A divide and conquer method for the symmetric tridiagonal eigenproblem",
//      Numer. Math. 36 (1981); Gu & Eisenstat, "A divide-and-conquer algorithm for the
//      symmetric tridiagonal eigenproblem", SIAM J. Matrix Anal. Appl. 16 (1995) (the
//      recomputed ẑ that keeps the eigenvectors orthogonal); LAPACK dstedc / dlaed0–dlaed4
//      (deflation tests).
//
// T (d, e) splits at m into diag(T1 − β·e_m e_mᵀ, T2 − β·e_1 e_1ᵀ) + β·v·vᵀ with
// v = e_m + e_{m+1}. With T1 = Q1·D1·Q1ᵀ and T2 = Q2·D2·Q2ᵀ solved recursively,
// T = Q·(D + ρ·z·zᵀ)·Qᵀ, z = Qᵀv/‖Qᵀv‖, ρ = β·‖Qᵀv‖². The rank-one problem is deflated
// (tiny z_i, near-equal d_i), its remaining eigenvalues are the roots of the secular
// equation 1 + ρ·Σ z_i²/(d_i − λ) = 0, found by safeguarded Newton steps on the function
// with its nearest pole removed, and its eigenvectors come from the recomputed ẑ.

import { EPS, NO_CONVERGENCE, OK, at, gemmSet, get, hypot, set, vget, vset } from './common';
import { dsteqr, scaleFor } from './steqr';

@inline function iget(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
@inline function iset(p: usize, i: i32, v: i32): void { store<i32>(p + (<usize>i << 2), v); }

// idx[0..n) := the permutation that sorts key ascending (stable insertion sort of indices).
function sortIndices(n: i32, key: usize, idx: usize): void {
  for (let i = 0; i < n; i++) iset(idx, i, i);
  for (let i = 1; i < n; i++) {
    const ii = iget(idx, i);
    const v = vget(key, ii);
    let j = i - 1;
    while (j >= 0 && vget(key, iget(idx, j)) > v) { iset(idx, j + 1, iget(idx, j)); j--; }
    iset(idx, j + 1, ii);
  }
}

/** Doubles of workspace dstedc needs for size n. */
export function dstedc_workspace(n: i32): i32 {
  // U, Us, product (3·n²); z, dd, ds, zs, lam, tau, zhat, dk, zk, rotC, rotS (11·n);
  // seven i32 arrays (3.5·n). Rotation pairs are packed as p·2^16 + j: n < 65536 always holds
  // here (an n×n f64 matrix of 65536² would not fit in wasm32 memory).
  return 3 * n * n + 15 * n + 16;
}

/**
 * Eigenpairs of the symmetric tridiagonal (d, e) of size n: values into d ascending,
 * vectors into the columns of q (n×n, row stride ldq). e (n−1 entries) is destroyed.
 * Subproblems of size ≤ leafSize are solved by implicit QL.
 */
export function dstedc(n: i32, d: usize, e: usize, q: usize, ldq: i32, leafSize: i32, sweepsPerN: i32, work: usize, gemmWork: usize): i32 {
  for (let i = 0; i < n; i++) memory.fill(at(q, ldq, i, 0), 0, <usize>n << 3);
  // Scale to max entry ≈ 1 so that d − β, pole differences and the secular sums stay in range.
  const scale = scaleFor(n, d, e);
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) * scale);
  for (let i = 0; i < n - 1; i++) vset(e, i, vget(e, i) * scale);
  const status = solve(0, n, d, e, q, ldq, max(1, leafSize), sweepsPerN, work, gemmWork);
  for (let i = 0; i < n; i++) vset(d, i, vget(d, i) / scale);
  return status;
}

function solve(lo: i32, size: i32, d: usize, e: usize, q: usize, ldq: i32, leafSize: i32, sweepsPerN: i32, work: usize, gemmWork: usize): i32 {
  if (size <= leafSize) {
    // Leaf: implicit QL on a private copy of e (it writes a sentinel past its end), the
    // eigenvectors land as rows of the scratch zt and are stored as columns of q.
    const zt = work;
    const ecopy = zt + ((<usize>size * <usize>size) << 3);
    memory.fill(zt, 0, (<usize>size * <usize>size) << 3);
    for (let i = 0; i < size; i++) set(zt, size, i, i, 1.0);
    for (let i = 0; i < size - 1; i++) vset(ecopy, i, vget(e, lo + i));
    const status = dsteqr(size, d + (<usize>lo << 3), ecopy, zt, size, size, sweepsPerN);
    if (status != OK) return status;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) set(q, ldq, lo + j, lo + i, get(zt, size, i, j));
    return OK;
  }
  const n1 = size / 2;
  const beta = vget(e, lo + n1 - 1);
  vset(d, lo + n1 - 1, vget(d, lo + n1 - 1) - beta);
  vset(d, lo + n1, vget(d, lo + n1) - beta);
  let status = solve(lo, n1, d, e, q, ldq, leafSize, sweepsPerN, work, gemmWork);
  if (status != OK) return status;
  status = solve(lo + n1, size - n1, d, e, q, ldq, leafSize, sweepsPerN, work, gemmWork);
  if (status != OK) return status;
  return merge(lo, n1, size, beta, d, q, ldq, work, gemmWork);
}

// The secular solver's sums with their divisions two at a time: each f64x2 lane divides
// exactly as a scalar division, and the sums and products are still taken one term at a
// time in increasing i, so the bytes are those of the plain scalar loops; the divisions,
// which bound these loops, take half the issue slots.

// f(μ) = 1 + Σ_i wz_i / ((dk_i − d) − μ) over all i, relative to pole d.
function secularAt(K: i32, dk: usize, wz: usize, d: f64, mu: f64): f64 {
  const vd = f64x2.splat(d), vmu = f64x2.splat(mu);
  let f: f64 = 1;
  let i = 0;
  for (; i + 2 <= K; i += 2) {
    const o = <usize>i << 3;
    const q = f64x2.div(v128.load(wz + o), f64x2.sub(f64x2.sub(v128.load(dk + o), vd), vmu));
    f += f64x2.extract_lane(q, 0);
    f += f64x2.extract_lane(q, 1);
  }
  for (; i < K; i++) f += vget(wz, i) / ((vget(dk, i) - d) - mu);
  return f;
}

// ψ, ψ′ and Σ|terms| of the secular function at τ relative to pole d, over from ≤ i < to,
// added to sumPsi, sumDpsi, sumAbs: term_i = wz_i / δ_i, ψ′ += term_i / δ_i, δ_i = (dk_i − d) − τ.
let sumPsi: f64 = 0, sumDpsi: f64 = 0, sumAbs: f64 = 0;
function secularTerms(from: i32, to: i32, dk: usize, wz: usize, d: f64, t: f64): void {
  const vd = f64x2.splat(d), vt = f64x2.splat(t);
  let psi = sumPsi, dpsi = sumDpsi, abs = sumAbs;
  let i = from;
  for (; i + 2 <= to; i += 2) {
    const o = <usize>i << 3;
    const del = f64x2.sub(f64x2.sub(v128.load(dk + o), vd), vt);
    const term = f64x2.div(v128.load(wz + o), del);
    const slope = f64x2.div(term, del);
    const t0 = f64x2.extract_lane(term, 0), t1 = f64x2.extract_lane(term, 1);
    psi += t0; dpsi += f64x2.extract_lane(slope, 0); abs += Math.abs(t0);
    psi += t1; dpsi += f64x2.extract_lane(slope, 1); abs += Math.abs(t1);
  }
  for (; i < to; i++) {
    const del = (vget(dk, i) - d) - t;
    const term = vget(wz, i) / del;
    psi += term; dpsi += term / del; abs += Math.abs(term);
  }
  sumPsi = psi; sumDpsi = dpsi; sumAbs = abs;
}

// prod · Π_{from ≤ j < to} ((dkO_j − d) + τ_j) / (dk_j − d), multiplied in increasing j.
function productTerms(from: i32, to: i32, dk: usize, dkO: usize, tau: usize, d: f64, prod: f64): f64 {
  const vd = f64x2.splat(d);
  let j = from;
  for (; j + 2 <= to; j += 2) {
    const o = <usize>j << 3;
    const q = f64x2.div(f64x2.add(f64x2.sub(v128.load(dkO + o), vd), v128.load(tau + o)), f64x2.sub(v128.load(dk + o), vd));
    prod *= f64x2.extract_lane(q, 0);
    prod *= f64x2.extract_lane(q, 1);
  }
  for (; j < to; j++) prod *= ((vget(dkO, j) - d) + vget(tau, j)) / (vget(dk, j) - d);
  return prod;
}

// u_i = ẑ_i / ((dk_i − d) − τ) into u (K); returns Σ u_i² in increasing i.
function vectorTerms(K: i32, dk: usize, zhat: usize, d: f64, t: f64, u: usize): f64 {
  const vd = f64x2.splat(d), vt = f64x2.splat(t);
  let norm: f64 = 0;
  let i = 0;
  for (; i + 2 <= K; i += 2) {
    const o = <usize>i << 3;
    const q = f64x2.div(v128.load(zhat + o), f64x2.sub(f64x2.sub(v128.load(dk + o), vd), vt));
    v128.store(u + o, q);
    const u0 = f64x2.extract_lane(q, 0), u1 = f64x2.extract_lane(q, 1);
    norm += u0 * u0;
    norm += u1 * u1;
  }
  for (; i < K; i++) {
    const ui = vget(zhat, i) / ((vget(dk, i) - d) - t);
    vset(u, i, ui);
    norm += ui * ui;
  }
  return norm;
}

function merge(lo: i32, n1: i32, s: i32, beta: f64, d: usize, q: usize, ldq: i32, work: usize, gemmWork: usize): i32 {
  const sz = <usize>s;
  const U = work;                          // s×K: the dense columns of the rank-one problem's eigenvectors (original row order)
  const Us = U + ((sz * sz) << 3);         // s×s: all the eigenvectors, in sorted coordinates
  const P = Us + ((sz * sz) << 3);         // s×s: product diag(Q1, Q2)·U, then the sparse columns
  const z = P + ((sz * sz) << 3);
  const dd = z + (sz << 3);                // working copy of D (sign-flipped when ρ < 0)
  const ds = dd + (sz << 3);               // sorted D
  const zs = ds + (sz << 3);               // sorted z
  const lam = zs + (sz << 3);              // eigenvalues, by column of Us
  const tau = lam + (sz << 3);             // secular roots relative to their origin pole
  const zhat = tau + (sz << 3);
  const dk = zhat + (sz << 3);             // non-deflated poles
  const zk = dk + (sz << 3);
  const rotC = zk + (sz << 3);
  const rotS = rotC + (sz << 3);
  const ints = rotS + (sz << 3);
  const perm = ints;                       // sorted position → original index
  const nd = perm + (sz << 2);             // non-deflated sorted positions
  const origin = nd + (sz << 2);           // origin pole of each root (index into dk)
  const rotPairs = origin + (sz << 2);     // rotation r acts on sorted positions (p, j), packed p·2^16 + j
  const order = rotPairs + (sz << 2);      // columns of Us by ascending eigenvalue
  const colSrc = order + (sz << 2);        // output column c is column colSrc[c] of Us
  const colmap = colSrc + (sz << 2);       // ... and column colmap[c] of P

  // z = (last row of Q1, first row of Q2), normalised; ρ = β·‖z‖².
  for (let i = 0; i < n1; i++) vset(z, i, get(q, ldq, lo + n1 - 1, lo + i));
  for (let i = n1; i < s; i++) vset(z, i, get(q, ldq, lo + n1, lo + i));
  let zn: f64 = 0;
  for (let i = 0; i < s; i++) zn += vget(z, i) * vget(z, i);
  zn = Math.sqrt(zn);
  for (let i = 0; i < s; i++) vset(z, i, vget(z, i) / zn);
  let rho = beta * zn * zn;
  const flip = rho < 0;
  for (let i = 0; i < s; i++) vset(dd, i, flip ? -vget(d, lo + i) : vget(d, lo + i));
  if (flip) rho = -rho;

  // Sort D ascending (D is two sorted runs, so insertion sort is near linear).
  sortIndices(s, dd, perm);
  let dmax: f64 = 0;
  for (let i = 0; i < s; i++) {
    vset(ds, i, vget(dd, iget(perm, i)));
    vset(zs, i, vget(z, iget(perm, i)));
    dmax = max(dmax, Math.abs(vget(ds, i)));
  }

  // Deflation. Us starts as the identity; deflated positions keep their unit vector.
  const tol = 8.0 * EPS * max(dmax, rho);
  memory.fill(Us, 0, (sz * sz) << 3);
  let rotations = 0, prev = -1;
  let cols = 0; // columns of Us filled so far
  for (let j = 0; j < s; j++) {
    if (rho * Math.abs(vget(zs, j)) <= tol) {
      set(Us, s, j, cols, 1.0);
      vset(lam, cols++, vget(ds, j));
      continue;
    }
    if (prev >= 0) {
      // Close poles: rotate z_prev into z_j; deflate prev if the coupling is negligible.
      const zp = vget(zs, prev), zj = vget(zs, j);
      const r = hypot(zp, zj);
      const c = zj / r, sn = -zp / r;
      const t = vget(ds, j) - vget(ds, prev);
      if (Math.abs(t * c * sn) <= tol) {
        vset(zs, j, r);
        vset(zs, prev, 0);
        const p = vget(ds, prev);
        vset(ds, prev, p * c * c + vget(ds, j) * sn * sn);
        vset(ds, j, p * sn * sn + vget(ds, j) * c * c);
        iset(rotPairs, rotations, (prev << 16) | j);
        vset(rotC, rotations, c);
        vset(rotS, rotations, sn);
        rotations++;
        set(Us, s, prev, cols, 1.0);
        vset(lam, cols++, vget(ds, prev));
      }
    }
    prev = j;
  }
  // The K positions left (not deflated by a small z_j or by a rotation).
  let K = 0;
  for (let j = 0; j < s; j++) if (rho * Math.abs(vget(zs, j)) > tol) iset(nd, K++, j);
  for (let i = 0; i < K; i++) { vset(dk, i, vget(ds, iget(nd, i))); vset(zk, i, vget(zs, iget(nd, i))); }

  // Secular equation: root j lies in (dk_j, dk_{j+1}), the last in (dk_{K−1}, dk_{K−1} + ρ).
  // Its divisions run two at a time (the note above secularAt); wz_i = ρ·z_i·z_i, as the
  // scalar sums formed it.
  const wz = dd; // free once ds is built
  for (let i = 0; i < K; i++) { const zi = vget(zk, i); vset(wz, i, rho * zi * zi); }
  for (let j = 0; j < K; j++) {
    let o: i32, lo_: f64, hi_: f64;
    if (j < K - 1) {
      const mid = 0.5 * (vget(dk, j + 1) - vget(dk, j));
      // f at the midpoint, relative to pole j
      const f = secularAt(K, dk, wz, vget(dk, j), mid);
      if (f >= 0) { o = j; lo_ = 0; hi_ = mid; } else { o = j + 1; lo_ = -mid; hi_ = 0; }
    } else {
      o = j; lo_ = 0;
      let zz: f64 = 0;
      for (let i = 0; i < K; i++) zz += vget(zk, i) * vget(zk, i);
      hi_ = rho * zz;
    }
    iset(origin, j, o);
    const dO = vget(dk, o);
    const zo2 = vget(zk, o) * vget(zk, o);
    let t = 0.5 * (lo_ + hi_);
    let converged = false;
    for (let it = 0; it < 200; it++) {
      // g(τ) = 1 + ρ·Σ_{i≠o} z_i²/(δ_i − τ) − ρ·z_o²/τ and h(τ) = −τ·g(τ), which has no pole at 0.
      sumPsi = 0; sumDpsi = 0; sumAbs = 0;
      secularTerms(0, o, dk, wz, dO, t);
      secularTerms(o + 1, K, dk, wz, dO, t);
      const psi = sumPsi, dpsi = sumDpsi, absSum = sumAbs;
      const poleTerm = -rho * zo2 / t;
      const g = 1.0 + psi + poleTerm;
      if (g < 0) lo_ = t; else hi_ = t;
      if (Math.abs(g) <= EPS * (1.0 + absSum + Math.abs(poleTerm)) || hi_ - lo_ <= 4.0 * EPS * max(Math.abs(lo_), Math.abs(hi_))) {
        converged = true;
        break;
      }
      // Newton on h(τ) = −τ·(1 + ψ) + ρ·z_o²: h′ = −(1 + ψ) − τ·ψ′.
      const h = -t * (1.0 + psi) + rho * zo2;
      const dh = -(1.0 + psi) - t * dpsi;
      let tn = dh != 0 ? t - h / dh : 0.5 * (lo_ + hi_);
      if (!(tn > lo_ && tn < hi_)) tn = 0.5 * (lo_ + hi_);
      if (tn == t) { converged = true; break; }
      t = tn;
    }
    if (!converged) return NO_CONVERGENCE;
    vset(tau, j, t);
  }

  // Gu–Eisenstat: ẑ_i² = Π_j (λ_j − d_i) / (ρ·Π_{j≠i} (d_j − d_i)), with λ_j − d_i formed as
  // (d_{o_j} − d_i) + τ_j so that nearby poles keep their accuracy.
  const dkO = ds; // d_{o_j}; ds is free once dk is built
  for (let j = 0; j < K; j++) vset(dkO, j, vget(dk, iget(origin, j)));
  for (let i = 0; i < K; i++) {
    const di = vget(dk, i);
    let prod = ((vget(dkO, i) - di) + vget(tau, i)) / rho;
    prod = productTerms(0, i, dk, dkO, tau, di, prod);
    prod = productTerms(i + 1, K, dk, dkO, tau, di, prod);
    const mag = Math.sqrt(max(prod, 0.0));
    vset(zhat, i, vget(zk, i) >= 0 ? mag : -mag);
  }
  // Eigenvector of root j: u_i = ẑ_i / (d_i − λ_j), normalised, into column `cols` of Us.
  for (let j = 0; j < K; j++) {
    const oj = vget(dk, iget(origin, j)), tj = vget(tau, j);
    const norm = Math.sqrt(vectorTerms(K, dk, zhat, oj, tj, z));
    for (let i = 0; i < K; i++) set(Us, s, iget(nd, i), cols, vget(z, i) / norm);
    vset(lam, cols++, oj + tj);
  }
  // Undo the deflation rotations (last first): rows (p, j) of Us := Gᵀ·rows.
  for (let r = rotations - 1; r >= 0; r--) {
    const pj = iget(rotPairs, r);
    const p = pj >> 16, j = pj & 0xFFFF;
    const c = vget(rotC, r), sn = vget(rotS, r);
    for (let col = 0; col < s; col++) {
      const up = get(Us, s, p, col), uj = get(Us, s, j, col);
      set(Us, s, p, col, c * up - sn * uj);
      set(Us, s, j, col, sn * up + c * uj);
    }
  }
  // Order the columns by eigenvalue (ascending in the flipped problem); output column c is
  // column src(c) of Us. Its first s − K columns are the deflated ones: unit vectors, mixed
  // at most by the rotations, so sparse. As LAPACK's dlaed3, only the K dense columns go
  // through GEMM; P holds them first (in output order), then the sparse ones.
  sortIndices(s, lam, order);
  const deflated = s - K;
  let dense = 0, sparse = 0;
  for (let c = 0; c < s; c++) {
    // Ascending in the original problem: when flipped, the largest flipped value first.
    const src = flip ? iget(order, s - 1 - c) : iget(order, c);
    iset(colSrc, c, src);
    iset(colmap, c, src >= deflated ? dense++ : K + sparse++);
    vset(d, lo + c, flip ? -vget(lam, src) : vget(lam, src));
  }
  // The dense columns with the rows unsorted (sorted position i is original index perm[i]):
  // U (s × K), and diag(Q1, Q2)·U by two GEMMs into P's first K columns (row stride s).
  for (let i = 0; i < s; i++) {
    const row = iget(perm, i);
    for (let c = 0; c < s; c++) {
      const m = iget(colmap, c);
      if (m < K) set(U, K, row, m, get(Us, s, i, iget(colSrc, c)));
    }
  }
  // The sparse columns (first, while Us is whole): GEMM's sums over the nonzero entries only.
  // GEMM adds the products in increasing l from +0, and its running sum is never −0, so a
  // zero product never changes it: skipping the zero entries gives the same bytes.
  const entryRow = nd, entryValue = zhat; // free again: a column's nonzero entries, by increasing row
  for (let c = 0; c < s; c++) {
    const m = iget(colmap, c);
    if (m < K) continue;
    const src = iget(colSrc, c);
    let count = 0;
    for (let i = 0; i < s; i++) {
      const v = get(Us, s, i, src);
      if (v == 0) continue;
      const row = iget(perm, i);
      let t = count++;
      while (t > 0 && iget(entryRow, t - 1) > row) { iset(entryRow, t, iget(entryRow, t - 1)); vset(entryValue, t, vget(entryValue, t - 1)); t--; }
      iset(entryRow, t, row);
      vset(entryValue, t, v);
    }
    for (let i = 0; i < s; i++) {
      const top = i < n1;
      let acc: f64 = 0;
      for (let t = 0; t < count; t++) {
        const l = iget(entryRow, t);
        if ((l < n1) == top) acc += get(q, ldq, lo + i, lo + l) * vget(entryValue, t);
      }
      set(P, s, i, m, acc);
    }
  }
  // The dense columns: diag(Q1, Q2)·U by a GEMM per half. A row of U that is all zero (a
  // position deflated by its small z_j and left alone by the rotations) adds only zero
  // products to every sum, so the GEMMs leave it out, with its column of Q gathered away
  // (into Us, free now): the same bytes, as for the sparse columns.
  if (K > 0) {
    denseHalf(q, ldq, lo, 0, n1, K, U, Us, P, s, order, gemmWork);
    denseHalf(q, ldq, lo, n1, s - n1, K, U, Us, P, s, order, gemmWork);
  }
  // Q_block := P with its columns in output order.
  for (let i = 0; i < s; i++) for (let c = 0; c < s; c++) set(q, ldq, lo + i, lo + c, get(P, s, i, iget(colmap, c)));
  return OK;
}

// P[h0:h0+hs, 0:K] := Q_h·U[h0:h0+hs, :] for the diagonal block Q_h of q at (lo + h0, lo + h0)
// (hs×hs), over the nonzero rows of U only: they are moved up in place, the matching columns
// of Q_h gathered into `gathered` (hs×d). `rows`: room for hs indices.
function denseHalf(q: usize, ldq: i32, lo: i32, h0: i32, hs: i32, K: i32, U: usize, gathered: usize, P: usize, s: i32, rows: usize, gemmWork: usize): void {
  let d = 0;
  for (let l = 0; l < hs; l++) {
    const row = at(U, K, h0 + l, 0);
    let nonzero = false;
    for (let c = 0; c < K && !nonzero; c++) nonzero = vget(row, c) != 0;
    if (!nonzero) continue;
    if (d != l) memory.copy(at(U, K, h0 + d, 0), row, <usize>K << 3);
    iset(rows, d++, l);
  }
  const qh = at(q, ldq, lo + h0, lo + h0);
  if (d == hs) {
    gemmSet(false, false, hs, K, hs, qh, ldq, at(U, K, h0, 0), K, at(P, s, h0, 0), s, gemmWork);
    return;
  }
  for (let i = 0; i < hs; i++) {
    const src = at(qh, ldq, i, 0), dst = at(gathered, d, i, 0);
    for (let t = 0; t < d; t++) vset(dst, t, vget(src, iget(rows, t)));
  }
  gemmSet(false, false, hs, K, d, gathered, d, at(U, K, h0, 0), K, at(P, s, h0, 0), s, gemmWork);
}
