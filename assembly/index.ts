// The featurelab wasm module: every numeric kernel, over raw linear memory. Memory is
// imported from the host (src/ owns allocation) and shared with the host's worker threads,
// so nothing here allocates. Kernels with a parallel entry point (a section "On the pool"
// beside their serial code, or blas/gemm_parallel.ts) split their work over the threads of the
// pool the instance is attached to (parallel/pool.ts; bit-identical for any count); without
// a pool they run serially. Every export below is defined exactly once.
export { ABI_VERSION, MAX_THREADS, STATUS_OK, STATUS_NO_CONVERGENCE, STATUS_NOT_POSITIVE_DEFINITE } from './abi';
import { ABI_VERSION } from './abi';
export {
  GEMM_F64_MR, GEMM_F64_NR, GEMM_F32_MR, GEMM_F32_NR,
  gemm_workspace_f64, gemm_workspace_f32,
} from './blas/gemm';
export { gemm_ref_f64, gemm_ref_f32, dot_ref_f64, sum_ref_f64 } from './blas/ref';
export { gemm_f64, gemm_f32, gemm_epilogue_f64, gemm_epilogue_f32, thread_workspace_bytes } from './blas/gemm_parallel';
export {
  fill_f64, fill_f32, axpy_f64, axpy_f32, scal_f64, scal_f32, hadamard_f64, hadamard_f32, convert_f64_to_f32, convert_f32_to_f64, transpose_f64, transpose_f32,
  count_nonfinite_f64, count_nonfinite_f32, first_nonfinite_f64, first_nonfinite_f32,
  canonicalize_nan_f64, canonicalize_nan_f32, sum_f64, sum_f32, dot_f64, dot_f32, asum_f64, asum_f32,
  amax_f64, amax_f32, nrm2_f64, nrm2_f32, norm1_f64, norm1_f32,
  norminf_f64, norminf_f32, row_sums_f64, row_sums_f32, col_sums_f64, col_sums_f32, gemv_f64, gemv_f32,
  sqrt_clamped_f64,
} from './blas/level1';
export {
  ACT_IDENTITY, ACT_RELU, ACT_ABS, ACT_TANH, ACT_ERF, ACT_SOFTPLUS, ACT_SIGMOID, ACT_HERMITE, ACT_SQUARE,
  erf, map_f64, map_f32, map_ref_f64,
} from './math/activations';
export { philox4x32_10, rng_uniform_f64, rng_uniform_f32, rng_normal_f64, rng_normal_f32, box_muller_x2_f64, box_muller_ref_f64 } from './random/philox';
export { sincos_x2_f64, sincos_ref_f64 } from './random/sincos-simd';
export * from './hash/sha256';
export {
  math_exp, math_expm1, math_log, math_log1p, math_pow, math_sin, math_cos, math_tanh, math_sinh, math_cosh,
  math_atan2, math_acos, math_erf,
} from './math/scalar';
export {
  center_kernel_f64, row_angles_f64, relu_population_grad, relu_population_gd,
  abs_population_grad, rank1_hadamard_f64, one_minus_square_f64, polyval_f64,
} from './nn/net';
// The pool's entry points (the host's src/threads.ts drives them).
export {
  thread_ctl_bytes, thread_tasks_offset, thread_message_offset, thread_message_bytes, threads_attach, threads_configure,
  threads_set_workspace, threads_stop, thread_generation, thread_worker, thread_task_failed, thread_clear_failure, threads_recover,
  threads_selftest_trap, threads_selftest_fill,
} from './parallel/pool';

// First byte free for the host's heap (after the module's static data).
export function heap_base(): usize {
  return __heap_base;
}

// The ABI version (abi.ts), also as a function: the host calls it before anything else,
// so a module of another version is refused with a clear error.
export function abi_version(): i32 {
  return ABI_VERSION;
}

export { gram_f64, symmetrize_lower, eig_workspace, eigvalsh_driver, eigh_driver, eig2_workspace, eigvalsh2_driver, eigh2_driver, dsytrd_sy2sb, dsytrd_sb2st, sy2sb_workspace, sb2st_workspace, la_gemm_workspace, dsterf, dstedc, dstedc_workspace, dpotrf, dpotrs, dgeqr2t, dorg2rt } from './lapack/index';
export { jacobi_svd_workspace, jacobi_svd_rt_f64 } from './lapack/jacobi';
export { relu_ntk_f64, nearest_angles_f64 } from './nn/ntk';
export { qr_extract_r_f64, qr_positive_diagonal_f64, first_nonfinite_lower_f64, scale_cols_f64, copy_block_f64, set_diagonal_f64, set_diagonal_f32 } from './ops/extract';
