// Dense linear algebra on top of the engine: symmetric eigensolvers (and, in later files,
// factorisations). TS validates and allocates; the algorithms run in assembly/linalg/.

import { ArgumentError, ConvergenceError, NonFiniteError, NotPositiveDefiniteError, ShapeError } from './errors.js';
import { Matrix, type DType } from './matrix.js';
import { checkBoolean, checkIndex, checkOptions, checkSeed, describeArg } from './options.js';
import type { Kernels, Ptr } from './wasm.js';

/** What the linear algebra needs from the engine. @internal */
export interface LinalgHost {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  allocBytes(bytes: number, what?: string): Ptr;
  freeBytes(ptr: Ptr): void;
  /** A new f64 matrix owned by the engine. */
  newMatrix(rows: number, cols: number, what: string): Matrix;
  /** Throws unless `a` is a live matrix of this engine (of `dtype`, if given). */
  assertMatrix(a: Matrix, what: string, dtype?: DType): void;
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

const EIGVALS_OPTIONS = ['blockSize', 'maxSweepsPerN'] as const;
const EIGH_OPTIONS = ['blockSize', 'maxSweepsPerN', 'leafSize'] as const;

function blockSize(options: EigOptions, op: string): number {
  const nb = options.blockSize === undefined ? DEFAULT_BLOCK : options.blockSize;
  if (!Number.isInteger(nb) || nb < 1 || nb > 512) throw new ArgumentError(`${op}: blockSize must be an integer in [1, 512], got ${nb}`);
  return nb;
}

function sweeps(options: EigOptions, op: string): number {
  const s = options.maxSweepsPerN === undefined ? 30 : options.maxSweepsPerN;
  if (!Number.isInteger(s) || s < 0 || s > 1000) throw new ArgumentError(`${op}: maxSweepsPerN must be an integer in [0, 1000], got ${s}`);
  return s;
}

const MAX_LEAF = 2 ** 31 - 1;

function leafSize(options: EigOptions, op: string): number {
  const leaf = options.leafSize === undefined ? 25 : options.leafSize;
  // The kernels take an i32 (a larger value would wrap); any value ≥ n already means plain QL.
  if (!Number.isInteger(leaf) || leaf < 1 || leaf > MAX_LEAF) {
    throw new ArgumentError(`${op}: leafSize must be a positive integer, got ${describeArg(leaf)} (allowed: 1 to ${MAX_LEAF})`);
  }
  return leaf;
}

function checkStatus(status: number, op: string, n: number, sweepsPerN: number): void {
  if (status === STATUS_NO_CONVERGENCE) {
    throw new ConvergenceError(`${op}: the tridiagonal QL iteration did not converge within ${sweepsPerN * n} sweeps (n = ${n})`);
  }
}

/**
 * The kernels find eigenvalues of a power-of-two scaled matrix and divide by the scale (exact
 * unless it overflows): an infinite value means the true eigenvalue is beyond the f64 range.
 */
function checkEigenvaluesFinite(values: Float64Array, op: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new NonFiniteError(`${op}: eigenvalue ${i} (ascending) overflows f64 (its magnitude exceeds 1.8e308); scale the input down`);
    }
  }
  return values;
}

/** Eigenvalues (ascending) of the symmetric S; only its lower triangle is read. */
export function eigvalsh(host: LinalgHost, S: Matrix, options?: EigOptions, op = 'eigvalsh'): Float64Array {
  const o = checkOptions(op, options, EIGVALS_OPTIONS);
  host.assertMatrix(S, op);
  const n = checkSquare(S, op);
  const nb = blockSize(o, op);
  const maxSweeps = sweeps(o, op);
  const k = host.kernels;
  return withBuffers(
    host,
    [n * n * 8, n * 8, k.eig_workspace(n, nb) * 8, k.la_gemm_workspace(n) * 8],
    'eigvalsh workspace',
    (a, w, work, gemmWork) => {
      const scale = prepareSymmetric(host, S, op, a!);
      checkStatus(k.eigvalsh_driver(n, a!, scale, w!, nb, maxSweeps, work!, gemmWork!), op, n, maxSweeps);
      return checkEigenvaluesFinite(f64View(host, w!, n).slice(), op);
    },
  );
}

/** Eigenvalues (ascending) and eigenvectors (columns) of the symmetric S; only its lower triangle is read. */
export function eigh(host: LinalgHost, S: Matrix, options?: EigOptions, op = 'eigh'): Eigh {
  const o = checkOptions(op, options, EIGH_OPTIONS);
  host.assertMatrix(S, op);
  const n = checkSquare(S, op);
  const nb = blockSize(o, op);
  const maxSweeps = sweeps(o, op);
  const leaf = leafSize(o, op);
  const k = host.kernels;
  const vectors = host.newMatrix(n, n, 'eigh eigenvectors');
  try {
    const values = withBuffers(
      host,
      [n * n * 8, n * 8, k.eig_workspace(n, nb) * 8, k.dstedc_workspace(Math.max(n, 1)) * 8, k.la_gemm_workspace(n) * 8],
      'eigh workspace',
      (a, w, work, dcWork, gemmWork) => {
        const scale = prepareSymmetric(host, S, op, a!);
        const status = k.eigh_driver(n, a!, scale, w!, vectors.ptr, nb, leaf, maxSweeps, work!, dcWork!, gemmWork!);
        if (status === STATUS_NO_CONVERGENCE && leaf < n) {
          throw new ConvergenceError(`${op}: divide and conquer did not converge (a QL leaf or a secular equation root, n = ${n})`);
        }
        checkStatus(status, op, n, maxSweeps);
        return checkEigenvaluesFinite(f64View(host, w!, n).slice(), op);
      },
    );
    return { values, vectors };
  } catch (error) {
    vectors.dispose();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Tridiagonal, selected eigenpairs

export interface TridiagonalEig {
  values: Float64Array;
  /** Present when vectors were requested: eigenvectors of T as columns. */
  vectors?: Matrix;
}

/**
 * Eigenvalues (ascending), and optionally eigenvectors, of the symmetric tridiagonal matrix
 * with diagonal d (n) and off-diagonal e (n − 1): PWK QL for values, divide and conquer for
 * vectors. (The Golub–Welsch rule for Gauss quadrature uses it.)
 */
export function eigTridiagonal(
  host: LinalgHost,
  d: Float64Array | readonly number[],
  e: Float64Array | readonly number[],
  options?: { vectors?: boolean; leafSize?: number; maxSweepsPerN?: number },
): TridiagonalEig {
  const o = checkOptions('eigTridiagonal', options, ['vectors', 'leafSize', 'maxSweepsPerN']);
  const wantVectors = checkBoolean('eigTridiagonal', 'vectors', o.vectors, false);
  if (!isNumberArray(d) || !isNumberArray(e)) throw new ArgumentError('eigTridiagonal: d and e must be arrays of numbers (or Float64Arrays)');
  const n = d.length;
  if (e.length !== Math.max(n - 1, 0)) throw new ShapeError(`eigTridiagonal: e needs ${Math.max(n - 1, 0)} entries for n = ${n}, got ${e.length}`);
  for (const [name, arr] of [['d', d], ['e', e]] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) throw new NonFiniteError(`eigTridiagonal: ${name}[${i}] is ${arr[i]}`);
    }
  }
  const maxSweeps = sweeps(o, 'eigTridiagonal');
  const k = host.kernels;
  const leaf = leafSize(o, 'eigTridiagonal');
  const vectors = wantVectors ? host.newMatrix(n, n, 'eigTridiagonal eigenvectors') : undefined;
  try {
    const values = withBuffers(
      host,
      [Math.max(n, 1) * 8, Math.max(n, 1) * 8, vectors ? k.dstedc_workspace(Math.max(n, 1)) * 8 : 8, vectors ? k.la_gemm_workspace(n) * 8 : 8],
      'eigTridiagonal workspace',
      (dp, ep, dcWork, gemmWork) => {
        f64View(host, dp!, n).set(d);
        f64View(host, ep!, Math.max(n - 1, 0)).set(e);
        // Power-of-two scaling is done inside the kernels.
        const status = vectors
          ? k.dstedc(n, dp!, ep!, vectors.ptr, n, leaf, maxSweeps, dcWork!, gemmWork!)
          : k.dsterf(n, dp!, ep!, maxSweeps);
        checkStatus(status, 'eigTridiagonal', n, maxSweeps);
        return checkEigenvaluesFinite(f64View(host, dp!, n).slice(), 'eigTridiagonal');
      },
    );
    return vectors ? { values, vectors } : { values };
  } catch (error) {
    vectors?.dispose();
    throw error;
  }
}

/** The power of two 2^e nearest below x (x > 0 finite; 1 for 0/∞/NaN), built from its bits. */
function powerOfTwoNear(x: number): number {
  if (!(x > 0 && Number.isFinite(x))) return 1;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = Math.min(Math.max((view.getUint16(0) >> 4) & 0x7ff, 1), 2046);
  view.setBigUint64(0, BigInt(biased) << 52n);
  return view.getFloat64(0);
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  return v instanceof Float64Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
}

/** Which eigenpairs to keep: the k largest, the k smallest, or indices [from, to) of the ascending order. */
export type EigSelection = { largest: number } | { smallest: number } | { indices: [number, number] };

const SELECTION_FORMS = '{ largest: k }, { smallest: k } or { indices: [from, to] }';

function selectionRange(sel: EigSelection, n: number, op: string): [number, number] {
  if (sel === null || typeof sel !== 'object' || Array.isArray(sel)) {
    throw new ArgumentError(`${op}: selection must be ${SELECTION_FORMS}, got ${describeArg(sel)}`);
  }
  const keys = Object.keys(checkOptions(op, sel, ['largest', 'smallest', 'indices'], 'selection'));
  if (keys.length !== 1) throw new ArgumentError(`${op}: selection must have exactly one of largest, smallest, indices (${SELECTION_FORMS}), got ${keys.length}`);
  const count = (k: unknown, what: string): number => {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n) throw new ArgumentError(`${op}: selection.${what} must be an integer in [0, ${n}], got ${describeArg(k)}`);
    return k;
  };
  if ('largest' in sel) return [n - count(sel.largest, 'largest'), n];
  if ('smallest' in sel) return [0, count(sel.smallest, 'smallest')];
  const indices: unknown = sel.indices;
  if (!Array.isArray(indices) || indices.length !== 2) {
    throw new ArgumentError(`${op}: selection.indices must be an array [from, to], got ${describeArg(indices)}`);
  }
  const [from, to] = indices as unknown[];
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > n || from > to) {
    throw new ArgumentError(`${op}: selection.indices must satisfy 0 ≤ from ≤ to ≤ ${n}, got [${describeArg(from)}, ${describeArg(to)})`);
  }
  return [from, to];
}

/**
 * Selected eigenpairs of the symmetric S (lower triangle read), ascending: the columns of
 * `vectors` pair with `values`. Computed from the full decomposition.
 */
export function eighSelect(host: LinalgHost, S: Matrix, selection: EigSelection, options?: EigOptions): Eigh {
  host.assertMatrix(S, 'eighSelect');
  const [from, to] = selectionRange(selection, checkSquare(S, 'eighSelect'), 'eighSelect');
  const full = eigh(host, S, options, 'eighSelect');
  try {
    const n = S.rows, count = to - from;
    const vectors = host.newMatrix(n, count, 'eighSelect eigenvectors');
    const src = f64View(host, full.vectors.ptr, n * n);
    const dst = f64View(host, vectors.ptr, n * count);
    for (let i = 0; i < n; i++) dst.set(src.subarray(i * n + from, i * n + to), i * count);
    return { values: full.values.slice(from, to), vectors };
  } finally {
    full.vectors.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// Cholesky, SPD solves, QR

const STATUS_NOT_PD = 2;

/** The Cholesky factor L (lower triangular, S = L·Lᵀ) of the SPD matrix S; its lower triangle is read. */
export function cholesky(host: LinalgHost, S: Matrix, options?: { blockSize?: number }): Matrix {
  const o = checkOptions('cholesky', options, ['blockSize']);
  host.assertMatrix(S, 'cholesky');
  const n = checkSquare(S, 'cholesky');
  const nb = blockSize(o, 'cholesky');
  const k = host.kernels;
  const L = host.newMatrix(n, n, 'cholesky factor');
  try {
    if (S.dtype === 'f64') new Uint8Array(host.memory.buffer).copyWithin(L.ptr, S.ptr, S.ptr + n * n * 8);
    else k.convert_f32_to_f64(n * n, S.ptr, L.ptr);
    // Only the lower triangle is input: check it for NaN/Inf.
    const view = f64View(host, L.ptr, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        if (!Number.isFinite(view[i * n + j]!)) throw new NonFiniteError(`cholesky: S[${i}, ${j}] (lower triangle) is ${view[i * n + j]}`);
      }
    }
    withBuffers(host, [8, k.la_gemm_workspace(n) * 8], 'cholesky workspace', (info, gemmWork) => {
      if (k.dpotrf(n, L.ptr, nb, info!, gemmWork!) === STATUS_NOT_PD) {
        const pivot = new Int32Array(host.memory.buffer, info!, 1)[0]!;
        throw new NotPositiveDefiniteError(
          `cholesky: S is not positive definite: the pivot of row ${pivot} is not positive (the leading ${pivot + 1}×${pivot + 1} block is not positive definite)`,
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
export function choleskySolve(host: LinalgHost, L: Matrix, B: Matrix): Matrix {
  host.assertMatrix(L, 'choleskySolve (L)', 'f64');
  host.assertMatrix(B, 'choleskySolve (B)');
  const n = checkSquare(L, 'choleskySolve');
  if (B.rows !== n) throw new ShapeError(`choleskySolve: L is ${n}×${n} but B is ${B.rows}×${B.cols}`);
  const X = host.newMatrix(B.rows, B.cols, 'choleskySolve result');
  if (B.dtype === 'f64') new Uint8Array(host.memory.buffer).copyWithin(X.ptr, B.ptr, B.ptr + B.size * 8);
  else host.kernels.convert_f32_to_f64(B.size, B.ptr, X.ptr);
  if (host.kernels.first_nonfinite_f64(X.size, X.ptr) >= 0) {
    X.dispose();
    throw new NonFiniteError('choleskySolve: B has non-finite entries');
  }
  host.kernels.dpotrs(n, L.ptr, X.ptr, B.cols);
  if (host.kernels.first_nonfinite_f64(X.size, X.ptr) >= 0) {
    X.dispose();
    throw new NonFiniteError('choleskySolve: the solution overflowed (is L a Cholesky factor with a nonzero diagonal?)');
  }
  return X;
}

/** Solves S·X = B for SPD S (lower triangle read) by Cholesky. */
export function solveSPD(host: LinalgHost, S: Matrix, B: Matrix): Matrix {
  host.assertMatrix(S, 'solveSPD (S)');
  host.assertMatrix(B, 'solveSPD (B)');
  const L = cholesky(host, S);
  try {
    return choleskySolve(host, L, B);
  } finally {
    L.dispose();
  }
}

/** Thin Householder QR of A (m×n, m ≥ n): A = Q·R, Q m×n with orthonormal columns, R n×n upper triangular. */
export function qr(host: LinalgHost, A: Matrix, options?: { positiveDiagonal?: boolean }): { Q: Matrix; R: Matrix } {
  const positiveDiagonal = checkBoolean('qr', 'positiveDiagonal', checkOptions('qr', options, ['positiveDiagonal']).positiveDiagonal, false);
  host.assertMatrix(A, 'qr');
  const [m, n] = [A.rows, A.cols];
  if (m < n) throw new ShapeError(`qr: A must have at least as many rows as columns, got ${m}×${n}`);
  const k = host.kernels;
  let Q: Matrix | undefined, R: Matrix | undefined;
  try {
    Q = host.newMatrix(m, n, 'qr Q');
    R = host.newMatrix(n, n, 'qr R');
    const [q64, r64] = [Q, R];
    withBuffers(host, [Math.max(m * n, 1) * 8, Math.max(n, 1) * 8, Math.max(m, 1) * 8, Math.max(m * n, 1) * 8], 'qr workspace', (at, tau, work, a64) => {
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
      const atv = f64View(host, at!, m * n);
      const r = f64View(host, r64.ptr, n * n);
      r.fill(0);
      // (Two divisions when pre-scaled: the first is exact, so R is rounded once.)
      for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[i * n + j] = pre === 1 ? atv[j * m + i]! / scale : atv[j * m + i]! / scale / pre;
      if (k.first_nonfinite_f64(n * n, r64.ptr) >= 0) {
        throw new NonFiniteError(`qr: R overflows f64 (a column of A has a norm beyond 1.8e308); scale A down`);
      }
      if (positiveDiagonal) {
        // Flip signs so that diag(R) ≥ 0 (makes the factorisation unique; Haar sampling needs it).
        const q = f64View(host, q64.ptr, m * n);
        for (let j = 0; j < n; j++) {
          if (r[j * n + j]! < 0) {
            for (let i = j; i < n; i++) r[j * n + i] = -r[j * n + i]!;
            for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
          }
        }
      }
    });
    return { Q: q64, R: r64 };
  } catch (error) {
    Q?.dispose();
    R?.dispose();
    throw error;
  }
}

/** A Haar-distributed random orthogonal n×n matrix: Q of the QR of a Gaussian matrix with diag(R) > 0. */
export function randomOrthogonal(host: LinalgHost, G: Matrix): Matrix {
  const { Q, R } = qr(host, G, { positiveDiagonal: true });
  R.dispose();
  return Q;
}

// ---------------------------------------------------------------------------------------
// Singular values, Lanczos

/** √max(λ, 0) of each entry, computed in wasm. */
function sqrtClamped(host: LinalgHost, values: Float64Array, what: string): Float64Array {
  const n = values.length;
  return withBuffers(host, [Math.max(n, 1) * 8], what, (p) => {
    f64View(host, p!, n).set(values);
    host.kernels.sqrt_clamped_f64(n, p!, p!);
    return f64View(host, p!, n).slice();
  });
}

/** Singular values, descending, from ascending Gram eigenvalues. */
function singularFromGram(host: LinalgHost, ascending: Float64Array): Float64Array {
  return sqrtClamped(host, ascending, 'singular values').reverse();
}

/**
 * Singular values of A (m×n), descending, min(m, n) of them, through the symmetric
 * eigenproblem of the smaller Gram matrix (AᵀA or AAᵀ). Absolute accuracy ≈ ε·‖A‖₂²/σ_i:
 * excellent for the top of the spectrum, poor for σ_i ≪ √ε·‖A‖₂.
 */
export function svdvals(host: LinalgHost, gram: (A: Matrix, transposeFirst: boolean) => Matrix, A: Matrix, options?: EigOptions): Float64Array {
  const o = checkOptions('svdvals', options, EIGVALS_OPTIONS);
  host.assertMatrix(A, 'svdvals');
  // Far from 1 in magnitude, the Gram matrix would underflow (all zeros) or overflow: it is
  // formed from 2^e·A instead (exact), and the singular values scaled back by 2^−e.
  const e = gramScaleExponent(host, A);
  const scaled = e === 0 ? A : scaledCopy(host, A, e, 'svdvals scaled copy');
  try {
    const G = gram(scaled, A.rows >= A.cols);
    try {
      const sigma = singularFromGram(host, eigvalsh(host, G, o, 'svdvals'));
      return e === 0 ? sigma : unscaleSingularValues(sigma, e, 'svdvals');
    } finally {
      G.dispose();
    }
  } finally {
    if (scaled !== A) scaled.dispose();
  }
}

/** Entries of A within [2^−300, 2^300] in magnitude keep Gram matrices (and AᵀA·x) far from under- and overflow. */
const SAFE_EXPONENT = 300;

/** The unbiased binary exponent of a finite x > 0 (x = m·2^e, 1 ≤ m < 2), from its bits. */
function binaryExponent(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint16(0) >> 4) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  view.setFloat64(0, x * 2 ** 600); // subnormal: normalise first (exact)
  return ((view.getUint16(0) >> 4) & 0x7ff) - 1023 - 600;
}

/**
 * 0 when the f64 matrix A's largest |a_ij| lies within 2^±SAFE_EXPONENT (or A is zero, f32
 * or not finite), else the e with max|2^e·a_ij| in [1, 2).
 */
function gramScaleExponent(host: LinalgHost, A: Matrix): number {
  if (A.dtype !== 'f64' || A.size === 0) return 0;
  const amax = host.kernels.amax_f64(A.size, A.ptr);
  if (!(amax > 0 && Number.isFinite(amax))) return 0;
  const exponent = binaryExponent(amax);
  return Math.abs(exponent) <= SAFE_EXPONENT ? 0 : -exponent;
}

/** 2^e·A as a new f64 matrix (in two exact steps when 2^e itself is out of range). */
function scaledCopy(host: LinalgHost, A: Matrix, e: number, what: string): Matrix {
  const out = host.newMatrix(A.rows, A.cols, what);
  const first = Math.abs(e) <= 1000 ? e : Math.trunc(e / 2);
  host.kernels.scal_f64(A.size, 2 ** first, A.ptr, out.ptr);
  if (first !== e) host.kernels.scal_f64(A.size, 2 ** (e - first), out.ptr, out.ptr);
  return out;
}

/** σ·2^−e for singular values σ of 2^e·A (rounded once); an overflow is a NonFiniteError. */
function unscaleSingularValues(sigma: Float64Array, e: number, op: string): Float64Array {
  const half = Math.trunc(-e / 2);
  const out = sigma.map((s) => s * 2 ** half * 2 ** (-e - half));
  if (!out.every(Number.isFinite)) {
    throw new NonFiniteError(`${op}: the largest singular value, ${sigma[0]}·2^${-e}, overflows f64`);
  }
  return out;
}

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

/** Operations Lanczos needs from the engine. @internal */
export interface LanczosHost extends LinalgHost {
  randn(rows: number, cols: number, options: { seed?: number | bigint; stream?: number }): Matrix;
  matmul(A: Matrix, B: Matrix, options?: { transA?: boolean; transB?: boolean }): Matrix;
}

/** stream + k, wrapped into the valid streams [0, 2^53) (exact: no sum beyond 2^53 is formed). */
function streamAfter(stream: number, k: number): number {
  const room = 2 ** 53 - stream;
  return k < room ? stream + k : k - room;
}

function copyF64(host: LinalgHost, dst: Ptr, src: Ptr, count: number): void {
  new Uint8Array(host.memory.buffer).copyWithin(dst, src, src + count * 8);
}

/**
 * The k largest eigenpairs of a symmetric operator given only as x ↦ op(x) (n×1 → n×1, a
 * new matrix each call, disposed here), by Lanczos with full reorthogonalisation (twice,
 * against all previous vectors) and a seeded random start.
 * see: Golub & Van Loan, Matrix Computations (4th ed.), §10.1–10.3; Parlett (1998), ch. 13.
 */
const LANCZOS_OPTIONS = ['seed', 'stream', 'maxIterations', 'tol'] as const;

/** Lanczos options, validated, with their defaults (`fn` names the public function). */
function lanczosOptions(fn: string, options: LanczosOptions | undefined, n: number, k: number): Required<LanczosOptions> {
  const o = checkOptions(fn, options, LANCZOS_OPTIONS);
  const maxIterations = o.maxIterations === undefined ? Math.min(n, Math.max(2 * k + 20, 60)) : o.maxIterations;
  if (!Number.isInteger(maxIterations) || maxIterations < k || maxIterations > n) {
    throw new ArgumentError(`${fn}: maxIterations must be an integer in [${k}, ${n}], got ${describeArg(maxIterations)}`);
  }
  const tol = o.tol === undefined ? 1e-10 : o.tol;
  if (typeof tol !== 'number' || !(tol > 0 && tol < 1)) throw new ArgumentError(`${fn}: tol must be a number in (0, 1), got ${describeArg(tol)}`);
  return { seed: checkSeed(fn, o.seed), stream: checkIndex(fn, 'stream', o.stream), maxIterations, tol };
}

export function lanczos(host: LanczosHost, op: (x: Matrix) => Matrix, n: number, k: number, options?: LanczosOptions, fn = 'lanczos'): LanczosResult {
  if (typeof op !== 'function') throw new ArgumentError(`${fn}: op must be a function x ↦ op(x) (n×1 → n×1), got ${describeArg(op)}`);
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${fn}: n must be a positive integer, got ${describeArg(n)}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ArgumentError(`${fn}: k must be an integer in [1, ${n}], got ${describeArg(k)}`);
  const { seed, stream, maxIterations: maxIter, tol } = lanczosOptions(fn, options, n, k);
  const kr = host.kernels;
  const alpha = new Float64Array(maxIter), beta = new Float64Array(maxIter);
  const owned: Matrix[] = [];
  const own = (m: Matrix) => (owned.push(m), m);
  let h: Ptr | undefined;
  try {
    const Q = own(host.newMatrix(maxIter + 1, n, 'lanczos basis')); // row j = q_j
    const w = own(host.newMatrix(n, 1, 'lanczos vector'));
    h = host.allocBytes((maxIter + 1) * 8, 'lanczos workspace');
    const row = (j: number) => Q.ptr + j * n * 8;
    // w −= Q[0..j]ᵀ(Q[0..j]·w), twice ("twice is enough").
    const reorthogonalise = (j: number) => {
      for (let pass = 0; pass < 2; pass++) {
        kr.gemv_f64(0, j + 1, n, Q.ptr, n, w.ptr, h!);
        const hv = f64View(host, h!, j + 1).slice();
        for (let i = 0; i <= j; i++) kr.axpy_f64(n, -hv[i]!, row(i), w.ptr);
      }
    };
    // A random unit start (restart r > 0 after an invariant subspace: orthogonal to q_0..q_j).
    const randomInto = (j: number, restart: number): boolean => {
      const g = host.randn(n, 1, { seed, stream: streamAfter(stream, restart) });
      copyF64(host, w.ptr, g.ptr, n);
      g.dispose();
      if (j >= 0) reorthogonalise(j);
      const nrm = kr.nrm2_f64(n, w.ptr);
      if (!(nrm > 1e-8)) return false;
      kr.scal_f64(n, 1 / nrm, w.ptr, row(j + 1));
      return true;
    };
    randomInto(-1, 0);
    let m = 0, normT = 0, restarts = 0;
    let ritz: { values: Float64Array; vectors: Matrix; residuals: Float64Array } | undefined;
    for (let j = 0; j < maxIter; j++) {
      const x = host.newMatrix(n, 1, 'lanczos q');
      let y: unknown;
      try {
        copyF64(host, x.ptr, row(j), n);
        y = op(x);
        host.assertMatrix(y as Matrix, `${fn} (operator result)`, 'f64');
        const r = y as Matrix;
        if (r.rows * r.cols !== n) {
          throw new ShapeError(`${fn}: the operator must return an n×1 f64 matrix (n = ${n}), got ${r.describe()}`);
        }
        copyF64(host, w.ptr, r.ptr, n);
      } finally {
        // The operator's result is ours to dispose, also when it was refused (a matrix of
        // this engine of the wrong shape); x also when op returned x itself.
        x.dispose();
        if (y instanceof Matrix && (y.owner as unknown) === host && !y.disposed) y.dispose();
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
        const t = eigTridiagonal(host, alpha.subarray(0, m), beta.subarray(0, m - 1), { vectors: true });
        const S = t.vectors!;
        const sv = f64View(host, S.ptr, m * m);
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
    const Sk = own(host.newMatrix(mm, k, 'lanczos Ritz coefficients'));
    const Qm = own(host.newMatrix(mm, n, 'lanczos basis'));
    const sv = f64View(host, S.ptr, mm * mm);
    const sk = f64View(host, Sk.ptr, mm * k);
    for (let r = 0; r < mm; r++) for (let i = 0; i < k; i++) sk[r * k + i] = sv[r * mm + (mm - 1 - i)]!;
    copyF64(host, Qm.ptr, Q.ptr, mm * n);
    const V = host.matmul(Qm, Sk, { transA: true });
    const top = new Float64Array(k);
    for (let i = 0; i < k; i++) top[i] = values[mm - 1 - i]!;
    return { values: top, vectors: V, iterations: m, residuals };
  } finally {
    for (const M of owned) M.dispose();
    if (h !== undefined) host.freeBytes(h);
  }
}

export interface SvdTop {
  /** The k largest singular values, descending. */
  values: Float64Array;
  /** Left singular vectors as columns (m×k). */
  U: Matrix;
  /** Right singular vectors as columns (n×k). */
  V: Matrix;
  iterations: number;
}

/** Engine operations svdTop needs. @internal */
export interface SvdHost extends LanczosHost {
  gemv(A: Matrix, x: Matrix, options?: { trans?: boolean }): Matrix;
  fromArray(data: Float64Array, rows: number, cols: number): Matrix;
}

/**
 * One-sided Jacobi SVD of the k×k row-major M: M = X·diag(σ)·Yᵀ with σ descending, X and Y
 * orthogonal (k×k row-major). Rotations make the columns of M·Y orthogonal; σ are their norms
 * and X their directions. Only +, ×, ÷ and √ (correctly rounded everywhere, so the result is
 * the same in every JS engine). A column whose σ is ≤ `negligible` gets σ = 0 and a direction
 * orthogonal to the others (Gram–Schmidt on unit vectors), so X stays orthogonal.
 */
function jacobiSvd(M: Float64Array, k: number, negligible: number): { sigma: Float64Array; X: Float64Array; Y: Float64Array } {
  const W = M.slice();
  const Y = new Float64Array(k * k);
  for (let i = 0; i < k; i++) Y[i * k + i] = 1;
  const rotate = (a: Float64Array, p: number, q: number, c: number, sn: number) => {
    for (let r = 0; r < k; r++) {
      const x = a[r * k + p]!, y = a[r * k + q]!;
      a[r * k + p] = c * x - sn * y;
      a[r * k + q] = sn * x + c * y;
    }
  };
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) for (let q = p + 1; q < k; q++) {
      let alpha = 0, beta = 0, gamma = 0;
      for (let r = 0; r < k; r++) {
        const x = W[r * k + p]!, y = W[r * k + q]!;
        alpha += x * x; beta += y * y; gamma += x * y;
      }
      if (gamma === 0 || Math.abs(gamma) <= 2 ** -53 * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
      rotated = true;
      const zeta = (beta - alpha) / (2 * gamma);
      const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t);
      rotate(W, p, q, c, c * t);
      rotate(Y, p, q, c, c * t);
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let r = 0; r < k; r++) s += W[r * k + j]! * W[r * k + j]!;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((a, b) => norms[b]! - norms[a]! || a - b);
  const sigma = new Float64Array(k), X = new Float64Array(k * k), Ys = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    const j = order[c]!;
    sigma[c] = norms[j]! > negligible ? norms[j]! : 0;
    for (let r = 0; r < k; r++) {
      Ys[r * k + c] = Y[r * k + j]!;
      if (sigma[c]! > 0) X[r * k + c] = W[r * k + j]! / sigma[c]!;
    }
  }
  // zero σ: complete X by the unit vector with the largest part orthogonal to the columns so far
  for (let c = 0; c < k; c++) {
    if (sigma[c]! > 0) continue;
    let best: Float64Array | undefined, bestNorm = -1;
    for (let cand = 0; cand < k; cand++) {
      const v = new Float64Array(k);
      v[cand] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < c; j++) {
          let dot = 0;
          for (let r = 0; r < k; r++) dot += X[r * k + j]! * v[r]!;
          for (let r = 0; r < k; r++) v[r] = v[r]! - dot * X[r * k + j]!;
        }
      }
      let nrm = 0;
      for (let r = 0; r < k; r++) nrm += v[r]! * v[r]!;
      if (nrm > bestNorm) { bestNorm = nrm; best = v; }
    }
    const nrm = Math.sqrt(bestNorm);
    for (let r = 0; r < k; r++) X[r * k + c] = best![r]! / nrm;
  }
  return { sigma, X, Y: Ys };
}

/**
 * Triplets from the Lanczos vectors L (n×k right vectors when tall, m×k left vectors when
 * wide) computed on A itself, not on the Gram matrix: U₀ = orth(A·L) (tall) or orth(L)
 * (wide), U₁ = orth(A·orth(Aᵀ·U₀)); Aᵀ·U₁ = V₁·R (Householder QR); Rᵀ = X·Σ·Yᵀ (Jacobi). Then U = U₁X, V = V₁Y and
 * Aᵀu_i = V₁·R·x_i = σ_i·v_i to rounding (ε·‖A‖), whatever the size of σ_i; σ_i carry an
 * absolute error ≈ ε·‖A‖ instead of ε·‖A‖²/σ_i.
 */
function tripletsOnA(host: SvdHost, A64: Matrix, L: Matrix, tall: boolean, negligible: number): { sigma: Float64Array; U: Matrix; V: Matrix } {
  const k = L.cols;
  const temps: Matrix[] = [];
  const temp = (m: Matrix) => (temps.push(m), m);
  let U: Matrix | undefined;
  try {
    const orth = (M: Matrix) => { const f = qr(host, M); temp(f.R); return temp(f.Q); };
    // U₀ spans the wanted left subspace; one step of subspace iteration on A (not AᵀA) then
    // removes the Gram route's ε·‖A‖²/σ contamination from it, so Av ≈ σu holds too.
    const U0 = orth(tall ? temp(host.matmul(A64, L)) : L);
    const U1 = orth(temp(host.matmul(A64, orth(temp(host.matmul(A64, U0, { transA: true }))))));
    const { Q: V1, R } = qr(host, temp(host.matmul(A64, U1, { transA: true })));
    temp(V1); temp(R);
    const r = f64View(host, R.ptr, k * k);
    const Rt = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) Rt[i * k + j] = r[j * k + i]!;
    const { sigma, X, Y } = jacobiSvd(Rt, k, negligible);
    U = host.matmul(U1, temp(host.fromArray(X, k, k)));
    const V = host.matmul(V1, temp(host.fromArray(Y, k, k)));
    return { sigma, U, V };
  } catch (error) {
    U?.dispose();
    throw error;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/**
 * The k largest singular triplets of A (m×n) by Lanczos on AᵀA (or AAᵀ when m < n),
 * applied matrix-free as two GEMVs per step; the other factor follows as A·v/σ (or Aᵀu/σ).
 * When σ_k < 10⁻³·σ₁ (A rank-deficient or ill-conditioned), where A·v/σ would carry an error
 * ≈ ε·‖A‖²/σ, the triplets are recomputed on A itself (tripletsOnA): then Aᵀu = σv to
 * rounding, σ below ε·max(m, n)·σ₁ is exactly 0, and U, V stay orthonormal.
 */
/** Below SMALL_SIGMA·σ₁ the Gram formulation's ε·‖A‖²/σ error would show: svdTop recomputes on A. */
const SMALL_SIGMA = 1e-3;

export function svdTop(host: SvdHost, A: Matrix, k: number, options?: LanczosOptions): SvdTop {
  host.assertMatrix(A, 'svdTop');
  const [m, n] = [A.rows, A.cols];
  const tall = m >= n;
  const dim = tall ? n : m;
  if (!Number.isInteger(k) || k < 1 || k > dim) throw new ArgumentError(`svdTop: k must be an integer in [1, ${dim}], got ${describeArg(k)}`);
  lanczosOptions('svdTop', options, dim, k);
  // Far from 1 in magnitude, AᵀA·x would underflow or overflow: Lanczos runs on 2^e·A
  // (exact), and the singular values are scaled back by 2^−e (the vectors do not change).
  const e = gramScaleExponent(host, A);
  let A64: Matrix;
  if (e !== 0) A64 = scaledCopy(host, A, e, 'svdTop scaled copy');
  else if (A.dtype === 'f64') A64 = A;
  else {
    A64 = host.newMatrix(m, n, 'svdTop f64 copy');
    host.kernels.convert_f32_to_f64(m * n, A.ptr, A64.ptr);
  }
  try {
    const op = (x: Matrix) => {
      const y = host.gemv(A64, x, { trans: !tall });
      try {
        return host.gemv(A64, y, { trans: tall });
      } finally {
        y.dispose();
      }
    };
    const result = lanczos(host, op, dim, k, options, 'svdTop');
    try {
      const sigma = sqrtClamped(host, result.values, 'svdTop');
      // σ² is an eigenvalue of AᵀA with an absolute error ≈ ε·max(m, n)·σ₁², so the other side
      // A·v/σ (or Aᵀu/σ) is accurate only for σ well above √ε·σ₁. When a σ is small (a
      // rank-deficient or ill-conditioned A), the triplets are recomputed on A itself.
      if (sigma[0]! > 0 && sigma[k - 1]! >= SMALL_SIGMA * sigma[0]!) {
        const values = e === 0 ? sigma : unscaleSingularValues(sigma, e, 'svdTop');
        const inv = new Float64Array(k * k);
        for (let i = 0; i < k; i++) inv[i * k + i] = 1 / sigma[i]!;
        const scaledInv = host.fromArray(inv, k, k);
        let other: Matrix;
        try {
          const AL = host.matmul(A64, result.vectors, { transA: !tall });
          try {
            other = host.matmul(AL, scaledInv);
          } finally {
            AL.dispose();
          }
        } finally {
          scaledInv.dispose();
        }
        return tall
          ? { values, U: other, V: result.vectors, iterations: result.iterations }
          : { values, U: result.vectors, V: other, iterations: result.iterations };
      }
      // below ε·max(m, n)·‖A‖ a singular value of the computed R is rounding noise: 0
      const negligible = 2 ** -52 * Math.max(m, n) * sigma[0]!;
      const t = tripletsOnA(host, A64, result.vectors, tall, negligible);
      let values: Float64Array;
      try {
        values = e === 0 ? t.sigma : unscaleSingularValues(t.sigma, e, 'svdTop');
      } catch (error) {
        t.U.dispose(); t.V.dispose();
        throw error;
      }
      result.vectors.dispose();
      return { values, U: t.U, V: t.V, iterations: result.iterations };
    } catch (error) {
      if (!result.vectors.disposed) result.vectors.dispose();
      throw error;
    }
  } finally {
    if (A64 !== A) A64.dispose();
  }
}
