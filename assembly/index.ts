// The featurelab wasm module: every numeric kernel, over raw linear memory. Memory is
// imported from the host (src/ owns allocation), so nothing here allocates.
export * from './gemm';
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
  return 1;
}
