// Facts of the ABI that the host must agree on, defined here once and exported as wasm
// globals (assembly/index.ts). The TS side reads them from the module (src/abi-constants.ts
// is generated from the built module by scripts/abi-constants.mjs; test/abi.test.ts checks
// both agree). The activation codes ACT_* are defined beside the maps (math/activations.ts).

// Bumped whenever an export's signature or meaning changes; src/wasm.ts checks it, so a
// module from another featurelab version is refused with a clear error.
// 3: shared memory, threads, static data in the custom section `featurelab.static-data`.
// 4: threads_recover (clean up a job after a trap on the calling thread).
// 5: the ABI's facts as globals the host reads (ABI_VERSION, MAX_THREADS, STATUS_*).
// 6: kernels that replace TS loops over matrix data (ops/extract.ts, lapack/jacobi.ts, nn/ntk.ts).
export const ABI_VERSION: i32 = 6;

/** The most threads a pool can have (the control block holds one slot per thread). */
export const MAX_THREADS: i32 = 64;

// Status codes returned by the linear-algebra drivers.
export const STATUS_OK: i32 = 0;
export const STATUS_NO_CONVERGENCE: i32 = 1;
export const STATUS_NOT_POSITIVE_DEFINITE: i32 = 2;
