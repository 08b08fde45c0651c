// Tuning constants of the wasm side, in one place (BLIS keeps one such table per
// architecture). None changes a result: they decide blocking and how work is split into
// tasks, and every split computes each element in the serial order. The host side's
// defaults (GEMM blocking, grain, spin) are in src/engine.ts.

// Blocking of the GEMM calls made inside the factorisations (lapack/).
export const LA_MC: i32 = 96;
export const LA_KC: i32 = 256;
/** Widest column panel (nc) of those GEMMs. */
export const LA_NC_MAX: i32 = 2048;

/** Packing tasks of op(B) in a threaded GEMM aim at this many elements each at least. */
export const PACK_B_GRAIN: i32 = 32768;

// Rough cost of one element in GEMM flops (one GEMM flop ≈ 1/15 ns here: tanh ≈ 25 ns ≈
// 400 flops), so that the grain means the same time for every kernel and cheap operations
// are not split into tasks that cost more to hand out than to compute.
/** Memory-bound elementwise work (≈ 0.5 ns an element). */
export const ELEMENTWISE_COST: f64 = 8.0;
/** A map through a transcendental (tanh, erf, softplus, sigmoid, Hermite). */
export const TRANSCENDENTAL_MAP_COST: f64 = 300.0;
/** A uniform random value (one Philox round per four values). */
export const UNIFORM_COST: f64 = 100.0;
/** A normal random value (Box–Muller ≈ 20 ns a value). */
export const NORMAL_COST: f64 = 300.0;
/** One coefficient of a polynomial evaluation (per element). */
export const POLYVAL_COEF_COST: f64 = 4.0;
