// The featurelab wasm module: every numeric kernel, over raw linear memory. Memory is
// imported from the host (src/ owns allocation) and shared with the host's worker threads,
// so nothing here allocates. Kernels marked "on the pool" in threads.ts split their work
// over the threads of the pool the instance is attached to (bit-identical for any count);
// without a pool they run serially.
export {
  GEMM_F64_MR, GEMM_F64_NR, GEMM_F32_MR, GEMM_F32_NR,
  gemm_workspace_f64, gemm_workspace_f32, gemm_ref_f64, gemm_ref_f32,
} from './gemm';
export {
  fill_f64, fill_f32, convert_f64_to_f32, convert_f32_to_f64, transpose_f64, transpose_f32,
  count_nonfinite_f64, count_nonfinite_f32, first_nonfinite_f64, first_nonfinite_f32,
  canonicalize_nan_f64, canonicalize_nan_f32, sum_f64, sum_f32, dot_f64, dot_f32, asum_f64, asum_f32,
  dot_ref_f64, sum_ref_f64, amax_f64, amax_f32, nrm2_f64, nrm2_f32, norm1_f64, norm1_f32,
  norminf_f64, norminf_f32, row_sums_f64, row_sums_f32, col_sums_f64, col_sums_f32, gemv_f64, gemv_f32,
  sqrt_clamped_f64,
} from './blas1';
export {
  ACT_IDENTITY, ACT_RELU, ACT_ABS, ACT_TANH, ACT_ERF, ACT_SOFTPLUS, ACT_SIGMOID, ACT_HERMITE, ACT_SQUARE,
  erf, map_ref_f64,
} from './activations';
export { philox4x32_10 } from './rng';
export * from './sha256';
export {
  math_exp, math_expm1, math_log, math_log1p, math_pow, math_sin, math_cos, math_tanh, math_sinh, math_cosh,
  math_atan2, math_acos, math_erf, center_kernel_f64, row_angles_f64, relu_population_grad, relu_population_gd,
  abs_population_grad,
} from './net';
// Kernels that run on the pool, and the pool's entry points.
export {
  gemm_f64, gemm_f32, gemm_epilogue_f64, gemm_epilogue_f32, map_f64, map_f32,
  rng_uniform_f64, rng_uniform_f32, rng_normal_f64, rng_normal_f32,
  axpy_f64, axpy_f32, scal_f64, scal_f32, hadamard_f64, hadamard_f32,
  rank1_hadamard_f64, one_minus_square_f64, polyval_f64,
  MAX_THREADS, thread_workspace_bytes, thread_ctl_bytes, thread_tasks_offset, thread_message_offset, thread_message_bytes, threads_attach, threads_configure,
  threads_set_workspace, threads_stop, thread_generation, thread_worker, thread_task_failed, thread_clear_failure, threads_recover,
  threads_selftest_trap, threads_selftest_fill,
} from './threads';

// First byte free for the host's heap (after the module's static data).
export function heap_base(): usize {
  return __heap_base;
}

// Bumped whenever an export's signature or meaning changes; src/wasm.ts checks it, so a
// module from another featurelab version is refused with a clear error.
// 3: shared memory, threads, static data in the custom section `featurelab.static-data`.
// 4: threads_recover (clean up a job after a trap on the calling thread).
export function abi_version(): i32 {
  return 4;
}

export { gram_f64, symmetrize_lower, eig_workspace, eigvalsh_driver, eigh_driver, la_gemm_workspace, dsterf, dstedc, dstedc_workspace, dpotrf, dpotrs, dgeqr2t, dorg2rt } from './linalg/index';
export { qr_extract_r_f64, qr_positive_diagonal_f64, first_nonfinite_lower_f64, scale_cols_f64, copy_block_f64, set_diagonal_f64, set_diagonal_f32 } from './ops/extract';
export { jacobi_svd_workspace, jacobi_svd_rt_f64 } from './linalg/jacobi';
