// The featurelab wasm module: every numeric kernel, over raw linear memory. Memory is
// imported from the host (src/ owns allocation), so nothing here allocates.
export {
  GEMM_F64_MR, GEMM_F64_NR, GEMM_F32_MR, GEMM_F32_NR, GEMM_ACCUMULATE, GEMM_NEGATE,
  gemm_workspace_f64, gemm_workspace_f32, gemm_f64, gemm_f32,
  gemm_epilogue_f64, gemm_epilogue_f32, gemm_ref_f64, gemm_ref_f32,
} from './gemm';
export * from './blas1';
export * from './activations';
export * from './rng';
export * from './sha256';

// First byte free for the host's heap (after the module's static data).
export function heap_base(): usize {
  return __heap_base;
}

// Bumped whenever an export's signature or meaning changes; src/wasm.ts checks it, so a
// module from another featurelab version is refused with a clear error.
export function abi_version(): i32 {
  return 2;
}

export { gram_f64, symmetrize_lower, eig_workspace, eigvalsh_driver, eigh_driver, la_gemm_workspace, dsytrd, dormtr, dsterf, dsteqr, dstedc, dstedc_workspace, dpotrf, dpotrs, dgeqr2t, dorg2rt } from './linalg/index';
export * from './net';
