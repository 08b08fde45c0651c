// The BLAS kernels' scalar reference twins: the definition of each result, used as the test
// oracle (the optimised kernels in gemm.ts and level1.ts equal them bit for bit).

import { MODE_DOT, MODE_SUM, reduce8Scalar } from './level1';

// GEMM: C := α·op(A)·op(B) + β·C with S summed in increasing k from +0; C is not read when β = 0.
export function gemm_ref_f64(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f64 = 0;
      for (let p = 0; p < k; p++) {
        const aip = load<f64>(a + ((transA ? <usize>p * lda + i : <usize>i * lda + p) << 3));
        const bpj = load<f64>(b + ((transB ? <usize>j * ldb + p : <usize>p * ldb + j) << 3));
        s += aip * bpj;
      }
      const at = c + ((<usize>i * ldc + j) << 3);
      store<f64>(at, beta == 0 ? alpha * s : alpha * s + beta * load<f64>(at));
    }
  }
}

export function gemm_ref_f32(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        const aip = load<f32>(a + ((transA ? <usize>p * lda + i : <usize>i * lda + p) << 2));
        const bpj = load<f32>(b + ((transB ? <usize>j * ldb + p : <usize>p * ldb + j) << 2));
        s += aip * bpj;
      }
      const at = c + ((<usize>i * ldc + j) << 2);
      store<f32>(at, beta == 0 ? alpha * s : alpha * s + beta * load<f32>(at));
    }
  }
}

// Reductions: the eight-lane order of level1.ts without SIMD.
export function dot_ref_f64(n: i32, x: usize, y: usize): f64 { return reduce8Scalar<f64>(MODE_DOT, n, x, y, 1); }
export function sum_ref_f64(n: i32, x: usize): f64 { return reduce8Scalar<f64>(MODE_SUM, n, x, 0, 1); }
