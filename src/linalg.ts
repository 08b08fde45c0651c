// Dense linear algebra on top of the engine: symmetric eigensolvers (and, in later files,
// factorisations). TS validates and allocates; the algorithms run in assembly/linalg/.

import { ArgumentError, ConvergenceError, NonFiniteError, ShapeError } from './errors.js';
import { Matrix } from './matrix.js';
import type { Kernels, Ptr } from './wasm.js';

/** What the linear algebra needs from the engine. @internal */
export interface LinalgHost {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  allocBytes(bytes: number, what?: string): Ptr;
  freeBytes(ptr: Ptr): void;
  /** A new f64 matrix owned by the engine. */
  newMatrix(rows: number, cols: number, what: string): Matrix;
  /** Throws unless `a` is a live matrix of this engine. */
  assertMatrix(a: Matrix, what: string): void;
}

export interface EigOptions {
  /** Panel width of the blocked tridiagonal reduction and back-transformation. Default 32. */
  blockSize?: number;
  /** QL sweeps allowed per unit of n before a ConvergenceError (LAPACK's 30, the default). */
  maxSweepsPerN?: number;
  /**
   * eigh: tridiagonal subproblems up to this size are solved by implicit QL at the leaves of
   * divide and conquer (default 25, as LAPACK); a value ≥ n means plain implicit QL.
   */
  leafSize?: number;
}

export interface Eigh {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns (n×n, f64): column j pairs with values[j]. */
  vectors: Matrix;
}

const STATUS_NO_CONVERGENCE = 1;
const DEFAULT_BLOCK = 32;

/** Runs fn with freshly allocated byte buffers, freeing them afterwards. */
function withBuffers<T>(host: LinalgHost, bytes: number[], what: string, fn: (...ptrs: Ptr[]) => T): T {
  const ptrs: Ptr[] = [];
  try {
    for (const b of bytes) ptrs.push(host.allocBytes(b, what));
    return fn(...ptrs);
  } finally {
    for (const p of ptrs) host.freeBytes(p);
  }
}

function f64View(host: LinalgHost, ptr: Ptr, n: number): Float64Array {
  return new Float64Array(host.memory.buffer, ptr, n);
}

/** Copies S (lower triangle) into a scaled full symmetric f64 work matrix; returns the scale. */
function prepareSymmetric(host: LinalgHost, S: Matrix, op: string, dst: Ptr): number {
  host.assertMatrix(S, op);
  const n = S.rows;
  const k = host.kernels;
  let src = S.ptr;
  let tmp: Ptr | undefined;
  if (S.dtype === 'f32') {
    tmp = host.allocBytes(n * n * 8, `${op} f64 copy`);
    k.convert_f32_to_f64(n * n, S.ptr, tmp);
    src = tmp;
  }
  try {
    const scale = k.symmetrize_lower(n, src, dst);
    const bad = k.first_nonfinite_f64(n * n, dst);
    if (bad >= 0) {
      const i = Math.floor(bad / n), j = bad % n;
      const [r, c] = i >= j ? [i, j] : [j, i];
      throw new NonFiniteError(`${op}: S[${r}, ${c}] (lower triangle) is not finite`);
    }
    return scale;
  } finally {
    if (tmp !== undefined) host.freeBytes(tmp);
  }
}

function checkSquare(S: Matrix, op: string): number {
  if (S.rows !== S.cols) throw new ShapeError(`${op}: S must be square, got ${S.rows}×${S.cols}`);
  return S.rows;
}

function blockSize(options: EigOptions, op: string): number {
  const nb = options.blockSize ?? DEFAULT_BLOCK;
  if (!Number.isInteger(nb) || nb < 1 || nb > 512) throw new ArgumentError(`${op}: blockSize must be an integer in [1, 512], got ${nb}`);
  return nb;
}

function sweeps(options: EigOptions, op: string): number {
  const s = options.maxSweepsPerN ?? 30;
  if (!Number.isInteger(s) || s < 0 || s > 1000) throw new ArgumentError(`${op}: maxSweepsPerN must be an integer in [0, 1000], got ${s}`);
  return s;
}

function checkStatus(status: number, op: string, n: number, sweepsPerN: number): void {
  if (status === STATUS_NO_CONVERGENCE) {
    throw new ConvergenceError(`${op}: the tridiagonal QL iteration did not converge within ${sweepsPerN * n} sweeps (n = ${n})`);
  }
}

/** Eigenvalues (ascending) of the symmetric S; only its lower triangle is read. */
export function eigvalsh(host: LinalgHost, S: Matrix, options: EigOptions = {}): Float64Array {
  host.assertMatrix(S, 'eigvalsh');
  const n = checkSquare(S, 'eigvalsh');
  const nb = blockSize(options, 'eigvalsh');
  const maxSweeps = sweeps(options, 'eigvalsh');
  const k = host.kernels;
  return withBuffers(
    host,
    [n * n * 8, n * 8, k.eig_workspace(n, nb) * 8, k.la_gemm_workspace(n) * 8],
    'eigvalsh workspace',
    (a, w, work, gemmWork) => {
      const scale = prepareSymmetric(host, S, 'eigvalsh', a!);
      checkStatus(k.eigvalsh_driver(n, a!, scale, w!, nb, maxSweeps, work!, gemmWork!), 'eigvalsh', n, maxSweeps);
      return f64View(host, w!, n).slice();
    },
  );
}

/** Eigenvalues (ascending) and eigenvectors (columns) of the symmetric S; only its lower triangle is read. */
export function eigh(host: LinalgHost, S: Matrix, options: EigOptions = {}): Eigh {
  host.assertMatrix(S, 'eigh');
  const n = checkSquare(S, 'eigh');
  const nb = blockSize(options, 'eigh');
  const maxSweeps = sweeps(options, 'eigh');
  const leaf = options.leafSize ?? 25;
  if (!Number.isInteger(leaf) || leaf < 1) throw new ArgumentError(`eigh: leafSize must be a positive integer, got ${leaf}`);
  const k = host.kernels;
  const vectors = host.newMatrix(n, n, 'eigh eigenvectors');
  try {
    const values = withBuffers(
      host,
      [n * n * 8, n * 8, k.eig_workspace(n, nb) * 8, k.dstedc_workspace(Math.max(n, 1)) * 8, k.la_gemm_workspace(n) * 8],
      'eigh workspace',
      (a, w, work, dcWork, gemmWork) => {
        const scale = prepareSymmetric(host, S, 'eigh', a!);
        const status = k.eigh_driver(n, a!, scale, w!, vectors.ptr, nb, leaf, maxSweeps, work!, dcWork!, gemmWork!);
        if (status === STATUS_NO_CONVERGENCE && leaf < n) {
          throw new ConvergenceError(`eigh: divide and conquer did not converge (a QL leaf or a secular equation root, n = ${n})`);
        }
        checkStatus(status, 'eigh', n, maxSweeps);
        return f64View(host, w!, n).slice();
      },
    );
    return { values, vectors };
  } catch (error) {
    vectors.dispose();
    throw error;
  }
}
