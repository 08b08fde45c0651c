// Shared pieces of the linear algebra: option checks, workspaces, symmetric input, status codes.

import { ArgumentError, ConvergenceError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { EngineCore } from '../core/core.js';
import { WASM_CONSTANTS } from '../core/abi-constants.js';
import { DEFAULT_EIG_BANDWIDTH, DEFAULT_EIG_BLOCK, DEFAULT_EIG_LEAF } from '../core/config.js';
import type { Matrix } from '../core/matrix.js';
import { describeArg } from '../core/options.js';
import type { Ptr } from '../core/wasm.js';

export interface EigOptions {
  /** Panel width of the blocked tridiagonal reduction (default 32); eigh's back-transformation applies the reflectors in blocks of twice this. */
  blockSize?: number;
  /** QL sweeps allowed per unit of n before a ConvergenceError (LAPACK's 30, the default). */
  maxSweepsPerN?: number;
  /**
   * eigh: tridiagonal subproblems up to this size are solved by implicit QL at the leaves of
   * divide and conquer (default 25, as LAPACK); a value ≥ n means plain implicit QL.
   */
  leafSize?: number;
  /**
   * Matrices with n ≥ twoStageMin are reduced in two stages: to a band by GEMM-rich blocked
   * Householder panels (on the thread pool), then to tridiagonal by bulge chasing. Defaults:
   * eigvalsh and svdvals DEFAULT_EIGVALS_TWO_STAGE_MIN, eigh DEFAULT_EIGH_TWO_STAGE_MIN (config.ts).
   */
  twoStageMin?: number;
  /** Superdiagonals of the band of the two-stage reduction (default 32). */
  bandwidth?: number;
}

export const STATUS_NO_CONVERGENCE = WASM_CONSTANTS.STATUS_NO_CONVERGENCE;
export const DEFAULT_BLOCK = DEFAULT_EIG_BLOCK;

/** Runs fn with freshly allocated byte buffers, freeing them afterwards. */
export function withBuffers<T>(core: EngineCore, bytes: number[], what: string, fn: (...ptrs: Ptr[]) => T): T {
  const ptrs: Ptr[] = [];
  try {
    for (const b of bytes) ptrs.push(core.allocBytes(b, what));
    return fn(...ptrs);
  } finally {
    for (const p of ptrs) core.freeBytes(p);
  }
}

export function f64View(core: EngineCore, ptr: Ptr, n: number): Float64Array {
  return new Float64Array(core.memory.buffer, ptr, n);
}

/** Copies S (lower triangle) into a scaled full symmetric f64 work matrix; returns the scale. */
export function prepareSymmetric(core: EngineCore, S: Matrix, op: string, dst: Ptr): number {
  core.assertMatrix(S, op);
  const n = S.rows;
  const k = core.kernels;
  let src = S.ptr;
  let tmp: Ptr | undefined;
  if (S.dtype === 'f32') {
    tmp = core.allocBytes(n * n * 8, `${op} f64 copy`);
    k.convert_f32_to_f64(n * n, S.ptr, tmp);
    src = tmp;
  }
  try {
    const scale = k.symmetrize_lower(n, src, dst);
    const bad = k.first_nonfinite_f64(n * n, dst);
    if (bad >= 0) {
      const i = Math.floor(bad / n),
        j = bad % n;
      const [r, c] = i >= j ? [i, j] : [j, i];
      throw new NonFiniteError(`${op}: S[${r}, ${c}] (lower triangle) is not finite`);
    }
    return scale;
  } finally {
    if (tmp !== undefined) core.freeBytes(tmp);
  }
}

export function checkSquare(S: Matrix, op: string): number {
  if (S.rows !== S.cols) throw new ShapeError(`${op}: S must be square, got ${S.rows}×${S.cols}`);
  return S.rows;
}

export const EIGVALS_OPTIONS = ['blockSize', 'maxSweepsPerN', 'twoStageMin', 'bandwidth'] as const;
export const EIGH_OPTIONS = ['blockSize', 'maxSweepsPerN', 'leafSize', 'twoStageMin', 'bandwidth'] as const;

export function blockSize(options: EigOptions, op: string): number {
  const nb = options.blockSize === undefined ? DEFAULT_BLOCK : options.blockSize;
  if (!Number.isInteger(nb) || nb < 1 || nb > 512) throw new ArgumentError(`${op}: blockSize must be an integer in [1, 512], got ${nb}`);
  return nb;
}

/** The two-stage threshold (n ≥ it: two stages) for `fallback` unless given. */
export function twoStageMin(options: EigOptions, op: string, fallback: number): number {
  const t = options.twoStageMin === undefined ? fallback : options.twoStageMin;
  if (!Number.isInteger(t) || t < 0) throw new ArgumentError(`${op}: twoStageMin must be a non-negative integer, got ${describeArg(t)}`);
  return t;
}

export function bandwidth(options: EigOptions, op: string): number {
  const b = options.bandwidth === undefined ? DEFAULT_EIG_BANDWIDTH : options.bandwidth;
  if (!Number.isInteger(b) || b < 1 || b > 64) throw new ArgumentError(`${op}: bandwidth must be an integer in [1, 64], got ${describeArg(b)}`);
  return b;
}

export function sweeps(options: EigOptions, op: string): number {
  const s = options.maxSweepsPerN === undefined ? 30 : options.maxSweepsPerN;
  if (!Number.isInteger(s) || s < 0 || s > 1000) throw new ArgumentError(`${op}: maxSweepsPerN must be an integer in [0, 1000], got ${s}`);
  return s;
}

export const MAX_LEAF = 2 ** 31 - 1;

export function leafSize(options: EigOptions, op: string): number {
  const leaf = options.leafSize === undefined ? DEFAULT_EIG_LEAF : options.leafSize;
  // The kernels take an i32 (a larger value would wrap); any value ≥ n already means plain QL.
  if (!Number.isInteger(leaf) || leaf < 1 || leaf > MAX_LEAF) {
    throw new ArgumentError(`${op}: leafSize must be a positive integer, got ${describeArg(leaf)} (allowed: 1 to ${MAX_LEAF})`);
  }
  return leaf;
}

export function checkStatus(status: number, op: string, n: number, sweepsPerN: number): void {
  if (status === STATUS_NO_CONVERGENCE) {
    throw new ConvergenceError(`${op}: the tridiagonal QL iteration did not converge within ${sweepsPerN * n} sweeps (n = ${n})`);
  }
}

/**
 * The kernels find eigenvalues of a power-of-two scaled matrix and divide by the scale (exact
 * unless it overflows): an infinite value means the true eigenvalue is beyond the f64 range.
 */
export function checkEigenvaluesFinite(values: Float64Array, op: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new NonFiniteError(`${op}: eigenvalue ${i} (ascending) overflows f64 (its magnitude exceeds 1.8e308); scale the input down`);
    }
  }
  return values;
}

/** The power of two 2^e nearest below x (x > 0 finite; 1 for 0/∞/NaN), built from its bits. */
export function powerOfTwoNear(x: number): number {
  if (!(x > 0 && Number.isFinite(x))) return 1;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = Math.min(Math.max((view.getUint16(0) >> 4) & 0x7ff, 1), 2046);
  view.setBigUint64(0, BigInt(biased) << 52n);
  return view.getFloat64(0);
}

export function isNumberArray(v: unknown): v is ArrayLike<number> {
  return v instanceof Float64Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
}

export function copyF64(core: EngineCore, dst: Ptr, src: Ptr, count: number): void {
  new Uint8Array(core.memory.buffer).copyWithin(dst, src, src + count * 8);
}
