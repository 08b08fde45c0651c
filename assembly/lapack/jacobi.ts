// One-sided Jacobi SVD of a small k×k matrix (svdTop's last step, src/linalg/svd.ts).
//
// see: Demmel & Veselić, "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal.
//      Appl. 13(4), 1992 — one-sided (Hestenes) rotations; Golub & Van Loan (4th ed.) §8.6.3.
//
// M = Rᵀ for the k×k row-major R given. Rotations make the columns of M·Y orthogonal; σ are
// their norms (descending; ties keep the column order) and X their directions. A column with
// σ ≤ `negligible` gets σ = 0 and the unit vector with the largest part orthogonal to the
// columns before it (Gram–Schmidt twice), so X stays orthogonal. Only +, −, ×, ÷ and √.

@inline function ld(base: usize, index: i32): f64 {
  return load<f64>(base + (<usize>index << 3));
}
@inline function st(base: usize, index: i32, value: f64): void {
  store<f64>(base + (<usize>index << 3), value);
}

function rotate(a: usize, k: i32, p: i32, q: i32, c: f64, sn: f64): void {
  for (let r = 0; r < k; r++) {
    const x = ld(a, r * k + p), y = ld(a, r * k + q);
    st(a, r * k + p, c * x - sn * y);
    st(a, r * k + q, sn * x + c * y);
  }
}

// Workspace (f64 elements) jacobi_svd_rt_f64 needs.
export function jacobi_svd_workspace(k: i32): i32 {
  return 2 * k * k + 4 * k;
}

// sigma (k), x and y (k×k row-major): Rᵀ = X·diag(σ)·Yᵀ. work: jacobi_svd_workspace(k) f64.
export function jacobi_svd_rt_f64(k: i32, rm: usize, negligible: f64, sigma: usize, x: usize, y: usize, work: usize): void {
  const w = work;
  const yw = w + (<usize>(k * k) << 3);
  const norms = yw + (<usize>(k * k) << 3);
  const order = norms + (<usize>k << 3);
  const v = order + (<usize>k << 3);
  const best = v + (<usize>k << 3);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) st(w, r * k + c, ld(rm, c * k + r));
  for (let i = 0; i < k * k; i++) st(yw, i, 0.0);
  for (let i = 0; i < k; i++) st(yw, i * k + i, 1.0);
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) for (let q = p + 1; q < k; q++) {
      let alpha = 0.0, beta = 0.0, gamma = 0.0;
      for (let r = 0; r < k; r++) {
        const a = ld(w, r * k + p), b = ld(w, r * k + q);
        alpha += a * a; beta += b * b; gamma += a * b;
      }
      if (gamma == 0.0 || Math.abs(gamma) <= 1.1102230246251565e-16 * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
      rotated = true;
      const zeta = (beta - alpha) / (2.0 * gamma);
      const t = (zeta >= 0.0 ? 1.0 : -1.0) / (Math.abs(zeta) + Math.sqrt(1.0 + zeta * zeta));
      const c = 1.0 / Math.sqrt(1.0 + t * t);
      rotate(w, k, p, q, c, c * t);
      rotate(yw, k, p, q, c, c * t);
    }
    if (!rotated) break;
  }
  for (let j = 0; j < k; j++) {
    let s = 0.0;
    for (let r = 0; r < k; r++) s += ld(w, r * k + j) * ld(w, r * k + j);
    st(norms, j, Math.sqrt(s));
  }
  // order: column indices by descending norm, ties by index (a stable selection)
  for (let c = 0; c < k; c++) st(order, c, -1.0);
  for (let c = 0; c < k; c++) {
    let pick = -1;
    for (let j = 0; j < k; j++) {
      let taken = false;
      for (let e = 0; e < c; e++) if (<i32>ld(order, e) == j) taken = true;
      if (taken) continue;
      if (pick < 0 || ld(norms, j) > ld(norms, pick)) pick = j;
    }
    st(order, c, <f64>pick);
  }
  for (let i = 0; i < k * k; i++) st(x, i, 0.0);
  for (let c = 0; c < k; c++) {
    const j = <i32>ld(order, c);
    const nj = ld(norms, j);
    const s = nj > negligible ? nj : 0.0;
    st(sigma, c, s);
    for (let r = 0; r < k; r++) {
      st(y, r * k + c, ld(yw, r * k + j));
      if (s > 0.0) st(x, r * k + c, ld(w, r * k + j) / s);
    }
  }
  for (let c = 0; c < k; c++) {
    if (ld(sigma, c) > 0.0) continue;
    let bestNorm = -1.0;
    for (let cand = 0; cand < k; cand++) {
      for (let r = 0; r < k; r++) st(v, r, r == cand ? 1.0 : 0.0);
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < c; j++) {
          let dot = 0.0;
          for (let r = 0; r < k; r++) dot += ld(x, r * k + j) * ld(v, r);
          for (let r = 0; r < k; r++) st(v, r, ld(v, r) - dot * ld(x, r * k + j));
        }
      }
      let nrm = 0.0;
      for (let r = 0; r < k; r++) nrm += ld(v, r) * ld(v, r);
      if (nrm > bestNorm) {
        bestNorm = nrm;
        for (let r = 0; r < k; r++) st(best, r, ld(v, r));
      }
    }
    const nrm = Math.sqrt(bestNorm);
    for (let r = 0; r < k; r++) st(x, r * k + c, ld(best, r) / nrm);
  }
}
