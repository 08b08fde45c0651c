// Tuning constants of the TS side, in one place (the wasm side's are in assembly/config.ts).
// None changes a result: blocking, task sizes and thread counts only decide how the same
// sums are scheduled (docs/determinism.md).

/** Default GEMM blocking per dtype (elements): row block mc, column panel nc, depth kc. */
export const DEFAULT_BLOCKING = Object.freeze({
  f64: Object.freeze({ mc: 96, nc: 2048, kc: 256 }),
  f32: Object.freeze({ mc: 96, nc: 2048, kc: 512 }),
});

/** Least work (≈ GEMM flops) per task worth handing to another thread. */
export const DEFAULT_GRAIN = 262_144;

/** Polls of a flag before a thread sleeps on it (≈ tens of microseconds). */
export const SPIN = 20_000;

/** Workers' packing workspaces are capped; GEMMs blocked for more run on one thread (the kernels check). */
export const MAX_WORKER_WORKSPACE = 64 * 2 ** 20;

/** Threads an engine starts by default: the available cores, at most this many. */
export const DEFAULT_MAX_THREADS = 16;

/** Default panel width of the blocked tridiagonal reduction (EigOptions.blockSize). */
export const DEFAULT_EIG_BLOCK = 32;

/** Default leaf size of divide and conquer (EigOptions.leafSize; 25 as LAPACK). */
export const DEFAULT_EIG_LEAF = 25;

/** Default bandwidth of the two-stage reduction's band (EigOptions.bandwidth). */
export const DEFAULT_EIG_BANDWIDTH = 32;

/**
 * From this n on, eigvalsh (and svdvals) reduce to tridiagonal form in two stages (dense →
 * band → tridiagonal; EigOptions.twoStageMin). Measured crossover: docs/linalg.md.
 */
export const DEFAULT_EIGVALS_TWO_STAGE_MIN = 1500;

/** The same for eigh, whose back-transformation through the band stage costs more. */
export const DEFAULT_EIGH_TWO_STAGE_MIN = 2 ** 31 - 1;
