// Lanczos with full reorthogonalisation for the top eigenpairs of a symmetric operator.

import { ArgumentError, ConvergenceError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { EngineCore } from '../core/core.js';
import { Matrix } from '../core/matrix.js';
import { checkIndex, checkOptions, checkSeed, describeArg } from '../core/options.js';
import { randn } from '../ops/construct.js';
import { matmul } from '../ops/blas.js';
import type { Ptr } from '../core/wasm.js';
import { copyF64, f64View } from './common.js';
import { eigTridiagonal } from './eig.js';

export interface LanczosOptions {
  /** Seed and stream of the random start vector. Default 0, 0. */
  seed?: number | bigint;
  stream?: number;
  /** Most Krylov steps (default min(n, max(2k + 20, 60))). */
  maxIterations?: number;
  /** Converged when the residual bound |β_m·s_mi| ≤ tol·|θ_i| for all k wanted pairs. Default 1e-10. */
  tol?: number;
}

export interface LanczosResult {
  /** The k largest eigenvalues, descending. */
  values: Float64Array;
  /** Their Ritz vectors as columns (n×k). */
  vectors: Matrix;
  /** Krylov steps taken. */
  iterations: number;
  /** Residual bounds |β_m·s_mi| of the returned pairs. */
  residuals: Float64Array;
}

/** stream + k, wrapped into the valid streams [0, 2^53) (exact: no sum beyond 2^53 is formed). */
function streamAfter(stream: number, k: number): number {
  const room = 2 ** 53 - stream;
  return k < room ? stream + k : k - room;
}

/**
 * The k largest eigenpairs of a symmetric operator given only as x ↦ op(x) (n×1 → n×1, a
 * new matrix each call, disposed here), by Lanczos with full reorthogonalisation (twice,
 * against all previous vectors) and a seeded random start.
 * see: Golub & Van Loan, Matrix Computations (4th ed.), §10.1–10.3; Parlett (1998), ch. 13.
 */
const LANCZOS_OPTIONS = ['seed', 'stream', 'maxIterations', 'tol'] as const;

/** Lanczos options, validated, with their defaults (`fn` names the public function). */
export function lanczosOptions(fn: string, options: LanczosOptions | undefined, n: number, k: number): Required<LanczosOptions> {
  const o = checkOptions(fn, options, LANCZOS_OPTIONS);
  const maxIterations = o.maxIterations === undefined ? Math.min(n, Math.max(2 * k + 20, 60)) : o.maxIterations;
  if (!Number.isInteger(maxIterations) || maxIterations < k || maxIterations > n) {
    throw new ArgumentError(`${fn}: maxIterations must be an integer in [${k}, ${n}], got ${describeArg(maxIterations)}`);
  }
  const tol = o.tol === undefined ? 1e-10 : o.tol;
  if (typeof tol !== 'number' || !(tol > 0 && tol < 1)) throw new ArgumentError(`${fn}: tol must be a number in (0, 1), got ${describeArg(tol)}`);
  return { seed: checkSeed(fn, o.seed), stream: checkIndex(fn, 'stream', o.stream), maxIterations, tol };
}

export function lanczos(core: EngineCore, op: (x: Matrix) => Matrix, n: number, k: number, options?: LanczosOptions, fn = 'lanczos'): LanczosResult {
  core.checkAlive();
  if (typeof op !== 'function') throw new ArgumentError(`${fn}: op must be a function x ↦ op(x) (n×1 → n×1), got ${describeArg(op)}`);
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n must be a positive integer, got ${describeArg(n)}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ArgumentError(`${fn}: k must be an integer in [1, ${n}], got ${describeArg(k)}`);
  const { seed, stream, maxIterations: maxIter, tol } = lanczosOptions(fn, options, n, k);
  const kr = core.kernels;
  const alpha = new Float64Array(maxIter),
    beta = new Float64Array(maxIter);
  const owned: Matrix[] = [];
  const own = (m: Matrix) => (owned.push(m), m);
  let h: Ptr | undefined;
  try {
    const Q = own(core.newMatrix(maxIter + 1, n, 'lanczos basis')); // row j = q_j
    const w = own(core.newMatrix(n, 1, 'lanczos vector'));
    h = core.allocBytes((maxIter + 1) * 8, 'lanczos workspace');
    const row = (j: number) => Q.ptr + j * n * 8;
    // w −= Q[0..j]ᵀ(Q[0..j]·w), twice ("twice is enough").
    const reorthogonalise = (j: number) => {
      for (let pass = 0; pass < 2; pass++) {
        kr.gemv_f64(0, j + 1, n, Q.ptr, n, w.ptr, h!);
        const hv = f64View(core, h!, j + 1).slice();
        for (let i = 0; i <= j; i++) kr.axpy_f64(n, -hv[i]!, row(i), w.ptr);
      }
    };
    // A random unit start (restart r > 0 after an invariant subspace: orthogonal to q_0..q_j).
    const randomInto = (j: number, restart: number): boolean => {
      const g = randn(core, n, 1, { seed, stream: streamAfter(stream, restart) });
      copyF64(core, w.ptr, g.ptr, n);
      g.dispose();
      if (j >= 0) reorthogonalise(j);
      const nrm = kr.nrm2_f64(n, w.ptr);
      if (!(nrm > 1e-8)) return false;
      kr.scal_f64(n, 1 / nrm, w.ptr, row(j + 1));
      return true;
    };
    randomInto(-1, 0);
    let m = 0,
      normT = 0,
      restarts = 0;
    let ritz: { values: Float64Array; vectors: Matrix; residuals: Float64Array } | undefined;
    for (let j = 0; j < maxIter; j++) {
      const x = core.newMatrix(n, 1, 'lanczos q');
      let y: unknown;
      try {
        copyF64(core, x.ptr, row(j), n);
        y = op(x);
        core.assertMatrix(y as Matrix, `${fn} (operator result)`, 'f64');
        const r = y as Matrix;
        if (r.rows * r.cols !== n) {
          throw new ShapeError(`${fn}: the operator must return an n×1 f64 matrix (n = ${n}), got ${r.describe()}`);
        }
        copyF64(core, w.ptr, r.ptr, n);
      } finally {
        // The operator's result is ours to dispose, also when it was refused (a matrix of
        // this engine of the wrong shape); x also when op returned x itself.
        x.dispose();
        if (y instanceof Matrix && y.owner === core.owner && !y.disposed) y.dispose();
      }
      if (kr.first_nonfinite_f64(n, w.ptr) >= 0) throw new NonFiniteError(`${fn}: the operator returned non-finite values at step ${j}`);
      alpha[j] = kr.dot_f64(n, row(j), w.ptr);
      reorthogonalise(j);
      beta[j] = kr.nrm2_f64(n, w.ptr);
      normT = Math.max(normT, Math.abs(alpha[j]!) + beta[j]! + (j > 0 ? beta[j - 1]! : 0));
      m = j + 1;
      // An invariant subspace: T decouples (β = 0) and the iteration restarts from a new
      // random direction orthogonal to the basis, so low-rank operators work too.
      const invariant = beta[j]! <= 1e-12 * Math.max(normT, 1e-300);
      if (invariant) {
        beta[j] = 0;
        if (m < maxIter && !randomInto(j, ++restarts)) break;
      } else {
        kr.scal_f64(n, 1 / beta[j]!, w.ptr, row(j + 1));
      }
      if (m >= k && (m % 5 === 0 || m === maxIter)) {
        ritz?.vectors.dispose();
        ritz = undefined;
        const t = eigTridiagonal(core, alpha.subarray(0, m), beta.subarray(0, m - 1), { vectors: true });
        const S = t.vectors!;
        const sv = f64View(core, S.ptr, m * m);
        const residuals = new Float64Array(k);
        let done = true;
        for (let i = 0; i < k; i++) {
          const col = m - 1 - i;
          residuals[i] = Math.abs(beta[m - 1]! * sv[(m - 1) * m + col]!);
          if (residuals[i]! > tol * Math.max(Math.abs(t.values[col]!), normT * 1e-14)) done = false;
        }
        ritz = { values: t.values, vectors: S, residuals };
        if (done) break;
        if (m === maxIter) {
          const worst = Math.max(...residuals);
          throw new ConvergenceError(
            `${fn}: ${k} eigenpairs not converged after ${maxIter} steps (worst residual bound ${worst.toExponential(2)}, tol ${tol}); raise maxIterations`,
          );
        }
      }
    }
    if (!ritz) throw new ConvergenceError(`${fn}: stopped after ${m} steps before ${k} Ritz pairs could be formed`);
    own(ritz.vectors);
    // Ritz vectors: V = Q[0:m]ᵀ·S[:, top k], the largest first.
    const { values, vectors: S, residuals } = ritz;
    const mm = values.length;
    const Sk = own(core.newMatrix(mm, k, 'lanczos Ritz coefficients'));
    const Qm = own(core.newMatrix(mm, n, 'lanczos basis'));
    // the last k columns of S, the largest first
    kr.copy_block_f64(mm, k, S.ptr + (mm - 1) * 8, mm, -1, Sk.ptr);
    copyF64(core, Qm.ptr, Q.ptr, mm * n);
    const V = matmul(core, Qm, Sk, { transA: true });
    const top = new Float64Array(k);
    for (let i = 0; i < k; i++) top[i] = values[mm - 1 - i]!;
    return { values: top, vectors: V, iterations: m, residuals };
  } finally {
    for (const M of owned) M.dispose();
    if (h !== undefined) core.freeBytes(h);
  }
}
