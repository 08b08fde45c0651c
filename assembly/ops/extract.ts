// Small data-movement and scaling kernels the TS layer would otherwise run as loops over
// matrix entries (src/ops, src/linalg). Every matrix is row-major f64 unless the name says
// f32; element (i, j) of a matrix with leading dimension ld sits at base + (i·ld + j)·8.
// The arithmetic is exactly what the TS loops did (IEEE division and multiplication), so
// results keep their bits.

import { first_nonfinite_f64 } from '../blas/level1';

@inline function at64(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

// R of a thin QR from the transposed factored matrix `at` (n×m row-major, as dgeqr2t leaves
// it): r(i, j) = at(j, i) / scale (/ pre when pre ≠ 1, two roundings as before) for i ≤ j, and 0
// below the diagonal. r is n×n.
export function qr_extract_r_f64(m: i32, n: i32, at: usize, scale: f64, pre: f64, r: usize): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) store<f64>(at64(r, i * n + j), 0.0);
    for (let j = i; j < n; j++) {
      const v = load<f64>(at64(at, j * m + i));
      store<f64>(at64(r, i * n + j), pre == 1.0 ? v / scale : v / scale / pre);
    }
  }
}

// Flips the signs of row j of R (n×n, from column j on) and column j of Q (m×n) wherever
// r(j, j) < 0, so diag(R) ≥ 0 (negation is exact).
export function qr_positive_diagonal_f64(m: i32, n: i32, q: usize, r: usize): void {
  for (let j = 0; j < n; j++) {
    if (!(load<f64>(at64(r, j * n + j)) < 0.0)) continue;
    for (let i = j; i < n; i++) store<f64>(at64(r, j * n + i), -load<f64>(at64(r, j * n + i)));
    for (let i = 0; i < m; i++) store<f64>(at64(q, i * n + j), -load<f64>(at64(q, i * n + j)));
  }
}

// Index i·n + j of the first NaN/±Infinity in the lower triangle (j ≤ i) of the n×n matrix
// a, in row-major order; −1 when the lower triangle is finite.
export function first_nonfinite_lower_f64(n: i32, a: usize): i32 {
  for (let i = 0; i < n; i++) {
    const j = first_nonfinite_f64(i + 1, at64(a, i * n));
    if (j >= 0) return i * n + j;
  }
  return -1;
}

// out := a·diag(d) for a m×k and d of length k, bit for bit what the GEMM a·D gives with D
// diagonal: S_ij = (((0 + a_i0·D_0j) + a_i1·D_1j) + …) is 0 + a_ij·d_j when the row of a and
// d are finite (the other products are ±0, and 0 + (−0) = +0), else the full sum.
export function scale_cols_f64(m: i32, k: i32, a: usize, d: usize, out: usize): void {
  let dFinite = true;
  for (let j = 0; j < k; j++) {
    const v = load<f64>(at64(d, j));
    if (v - v != 0.0) dFinite = false;
  }
  for (let i = 0; i < m; i++) {
    let finite = dFinite;
    for (let p = 0; p < k && finite; p++) {
      const v = load<f64>(at64(a, i * k + p));
      if (v - v != 0.0) finite = false;
    }
    for (let j = 0; j < k; j++) {
      let s: f64;
      if (finite) {
        s = load<f64>(at64(a, i * k + j)) * load<f64>(at64(d, j));
        if (s == 0.0) s = 0.0; // −0 becomes +0, as 0 + (−0) does
      } else {
        s = 0.0;
        for (let p = 0; p < k; p++) s += load<f64>(at64(a, i * k + p)) * (p == j ? load<f64>(at64(d, j)) : 0.0);
      }
      store<f64>(at64(out, i * k + j), s);
    }
  }
}

// dst(r, c) := src(r, c) for a rows×cols block, where src(r, c) sits at element
// r·rs + c·cs from `src` (cs may be −1 to reverse the columns) and dst is dense (ld = cols).
export function copy_block_f64(rows: i32, cols: i32, src: usize, rs: i32, cs: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f64>(at64(dst, r * cols + c), load<f64>(<usize>(<isize>src + ((<isize>(r * rs) + <isize>(c * cs)) << 3))));
    }
  }
}

// a(i, i) := value for i < n on the n×n matrix a (the identity after a fill with 0).
export function set_diagonal_f64(n: i32, a: usize, value: f64): void {
  for (let i = 0; i < n; i++) store<f64>(at64(a, i * n + i), value);
}
export function set_diagonal_f32(n: i32, a: usize, value: f32): void {
  for (let i = 0; i < n; i++) store<f32>(a + (<usize>(i * n + i) << 2), value);
}
