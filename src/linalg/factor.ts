// Factorisations: Cholesky, SPD solves, Householder QR.

import { NonFiniteError, NotPositiveDefiniteError, ShapeError } from '../core/errors.js';
import { checkShape, type EngineCore } from '../core/core.js';
import { WASM_CONSTANTS } from '../core/abi-constants.js';
import type { Matrix } from '../core/matrix.js';
import { checkBoolean, checkIndex, checkOptions, checkSeed } from '../core/options.js';
import { randn } from '../ops/construct.js';
import { blockSize, checkSquare, f64View, powerOfTwoNear, withBuffers } from './common.js';

const STATUS_NOT_PD = WASM_CONSTANTS.STATUS_NOT_POSITIVE_DEFINITE;

/** The Cholesky factor L (lower triangular, S = L·Lᵀ) of the SPD matrix S; its lower triangle is read. */
export function cholesky(core: EngineCore, S: Matrix, options?: { blockSize?: number }, op = 'cholesky'): Matrix {
  const o = checkOptions(op, options, ['blockSize']);
  core.assertMatrix(S, op);
  const n = checkSquare(S, op);
  const nb = blockSize(o, op);
  const k = core.kernels;
  const L = core.newMatrix(n, n, 'cholesky factor');
  try {
    if (S.dtype === 'f64') new Uint8Array(core.memory.buffer).copyWithin(L.ptr, S.ptr, S.ptr + n * n * 8);
    else k.convert_f32_to_f64(n * n, S.ptr, L.ptr);
    // Only the lower triangle is input: check it for NaN/Inf.
    const bad = k.first_nonfinite_lower_f64(n, L.ptr);
    if (bad >= 0) {
      const value = f64View(core, L.ptr, n * n)[bad];
      throw new NonFiniteError(`${op}: S[${Math.floor(bad / n)}, ${bad % n}] (lower triangle) is ${value}`);
    }
    withBuffers(core, [8, k.la_gemm_workspace(n) * 8], 'cholesky workspace', (info, gemmWork) => {
      if (k.dpotrf(n, L.ptr, nb, info!, gemmWork!) === STATUS_NOT_PD) {
        const pivot = new Int32Array(core.memory.buffer, info!, 1)[0]!;
        throw new NotPositiveDefiniteError(
          `${op}: S is not positive definite: the pivot of row ${pivot} is not positive (the leading ${pivot + 1}×${pivot + 1} block is not positive definite)`,
        );
      }
    });
    return L;
  } catch (error) {
    L.dispose();
    throw error;
  }
}

/** X = (L·Lᵀ)⁻¹·B for a Cholesky factor L (from cholesky) and B n×k. */
export function choleskySolve(core: EngineCore, L: Matrix, B: Matrix, op = 'choleskySolve'): Matrix {
  // solveSPD calls this with its own name; its factor came from S.
  const factor = op === 'choleskySolve' ? 'L' : 'S';
  core.assertMatrix(L, `${op} (${factor})`, 'f64');
  core.assertMatrix(B, `${op} (B)`);
  const n = checkSquare(L, op);
  if (B.rows !== n) throw new ShapeError(`${op}: ${factor} is ${n}×${n} but B is ${B.rows}×${B.cols}`);
  const X = core.newMatrix(B.rows, B.cols, 'choleskySolve result');
  if (B.dtype === 'f64') new Uint8Array(core.memory.buffer).copyWithin(X.ptr, B.ptr, B.ptr + B.size * 8);
  else core.kernels.convert_f32_to_f64(B.size, B.ptr, X.ptr);
  if (core.kernels.first_nonfinite_f64(X.size, X.ptr) >= 0) {
    X.dispose();
    throw new NonFiniteError(`${op}: B has non-finite entries`);
  }
  core.kernels.dpotrs(n, L.ptr, X.ptr, B.cols);
  if (core.kernels.first_nonfinite_f64(X.size, X.ptr) >= 0) {
    X.dispose();
    throw new NonFiniteError(
      op === 'choleskySolve'
        ? 'choleskySolve: the solution overflowed (is L a Cholesky factor with a nonzero diagonal?)'
        : `${op}: the solution overflowed f64; scale B down`,
    );
  }
  return X;
}

/** Solves S·X = B for SPD S (lower triangle read) by Cholesky. */
export function solveSPD(core: EngineCore, S: Matrix, B: Matrix): Matrix {
  core.assertMatrix(S, 'solveSPD (S)');
  core.assertMatrix(B, 'solveSPD (B)');
  const L = cholesky(core, S, {}, 'solveSPD');
  try {
    return choleskySolve(core, L, B, 'solveSPD');
  } finally {
    L.dispose();
  }
}

/** Thin Householder QR of A (m×n, m ≥ n): A = Q·R, Q m×n with orthonormal columns, R n×n upper triangular. */
export function qr(core: EngineCore, A: Matrix, options?: { positiveDiagonal?: boolean }): { Q: Matrix; R: Matrix } {
  const positiveDiagonal = checkBoolean('qr', 'positiveDiagonal', checkOptions('qr', options, ['positiveDiagonal']).positiveDiagonal, false);
  core.assertMatrix(A, 'qr');
  const [m, n] = [A.rows, A.cols];
  if (m < n) throw new ShapeError(`qr: A must have at least as many rows as columns, got ${m}×${n}`);
  const k = core.kernels;
  let Q: Matrix | undefined, R: Matrix | undefined;
  try {
    Q = core.newMatrix(m, n, 'qr Q');
    R = core.newMatrix(n, n, 'qr R');
    const [q64, r64] = [Q, R];
    withBuffers(core, [Math.max(m * n, 1) * 8, Math.max(n, 1) * 8, Math.max(m, 1) * 8, Math.max(m * n, 1) * 8], 'qr workspace', (at, tau, work, a64) => {
      let src = A.ptr;
      if (A.dtype === 'f32') {
        k.convert_f32_to_f64(m * n, A.ptr, a64!);
        src = a64!;
      }
      if (k.first_nonfinite_f64(m * n, src) >= 0) throw new NonFiniteError('qr: A has non-finite entries');
      k.transpose_f64(m, n, src, at!);
      // Scale by a power of two to max|a_ij| ≈ 1 so the reflectors neither overflow nor
      // underflow (exact, undone on R). Below 2^-1000, 1/max|a_ij| would overflow: an exact
      // first factor 2^600 brings the entries into range.
      const amax = k.amax_f64(m * n, at!);
      const pre = amax > 0 && amax < 2 ** -1000 ? 2 ** 600 : 1;
      if (pre !== 1) k.scal_f64(m * n, pre, at!, at!);
      const scale = powerOfTwoNear(1 / (amax * pre));
      k.scal_f64(m * n, scale, at!, at!);
      k.dgeqr2t(m, n, at!, tau!);
      k.dorg2rt(m, n, at!, tau!, q64.ptr, work!);
      // (Two divisions when pre-scaled: the first is exact, so R is rounded once.)
      k.qr_extract_r_f64(m, n, at!, scale, pre, r64.ptr);
      if (k.first_nonfinite_f64(n * n, r64.ptr) >= 0) {
        throw new NonFiniteError(`qr: R overflows f64 (a column of A has a norm beyond 1.8e308); scale A down`);
      }
      if (positiveDiagonal) {
        // Flip signs so that diag(R) ≥ 0 (makes the factorisation unique; Haar sampling needs it).
        k.qr_positive_diagonal_f64(m, n, q64.ptr, r64.ptr);
      }
    });
    return { Q: q64, R: r64 };
  } catch (error) {
    Q?.dispose();
    R?.dispose();
    throw error;
  }
}

/** A Haar-distributed random orthogonal n×n matrix: Q of the QR of a seeded Gaussian matrix with diag(R) > 0. */
export function randomOrthogonal(core: EngineCore, n: number, options?: { seed?: number | bigint; stream?: number }): Matrix {
  const o = checkOptions('randomOrthogonal', options, ['seed', 'stream']);
  checkShape(n, n, 'randomOrthogonal');
  const G = randn(core, n, n, { seed: checkSeed('randomOrthogonal', o.seed), stream: checkIndex('randomOrthogonal', 'stream', o.stream) });
  try {
    const { Q, R } = qr(core, G, { positiveDiagonal: true });
    R.dispose();
    return Q;
  } finally {
    G.dispose();
  }
}
