// Symmetric eigensolvers: eigvalsh, eigh, eigTridiagonal, eighSelect (the algorithms run in assembly/lapack/).

import { ArgumentError, ConvergenceError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { EngineCore } from '../core/core.js';
import type { Matrix } from '../core/matrix.js';
import { checkBoolean, checkOptions, describeArg } from '../core/options.js';
import { DEFAULT_EIGH_TWO_STAGE_MIN, DEFAULT_EIGVALS_TWO_STAGE_MIN } from '../core/config.js';
import {
  bandwidth,
  blockSize,
  checkEigenvaluesFinite,
  checkSquare,
  checkStatus,
  EIGH_OPTIONS,
  EIGVALS_OPTIONS,
  f64View,
  isNumberArray,
  leafSize,
  prepareSymmetric,
  STATUS_NO_CONVERGENCE,
  sweeps,
  twoStageMin,
  withBuffers,
  type EigOptions,
} from './common.js';

export interface Eigh {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns (n×n, f64): column j pairs with values[j]. */
  vectors: Matrix;
}

/** Eigenvalues (ascending) of the symmetric S; only its lower triangle is read. */
export function eigvalsh(core: EngineCore, S: Matrix, options?: EigOptions, op = 'eigvalsh'): Float64Array {
  const o = checkOptions(op, options, EIGVALS_OPTIONS);
  core.assertMatrix(S, op);
  const n = checkSquare(S, op);
  const nb = blockSize(o, op);
  const maxSweeps = sweeps(o, op);
  const twoStage = n >= twoStageMin(o, op, DEFAULT_EIGVALS_TWO_STAGE_MIN);
  const b = bandwidth(o, op);
  const k = core.kernels;
  const workSize = twoStage ? k.eig2_workspace(n, b, nb) : k.eig_workspace(n, nb);
  return withBuffers(core, [n * n * 8, n * 8, workSize * 8, k.la_gemm_workspace(n) * 8], 'eigvalsh workspace', (a, w, work, gemmWork) => {
    const scale = prepareSymmetric(core, S, op, a!);
    const status = twoStage
      ? k.eigvalsh2_driver(n, a!, scale, w!, b, maxSweeps, work!, gemmWork!)
      : k.eigvalsh_driver(n, a!, scale, w!, nb, maxSweeps, work!, gemmWork!);
    checkStatus(status, op, n, maxSweeps);
    return checkEigenvaluesFinite(f64View(core, w!, n).slice(), op);
  });
}

/** Eigenvalues (ascending) and eigenvectors (columns) of the symmetric S; only its lower triangle is read. */
export function eigh(core: EngineCore, S: Matrix, options?: EigOptions, op = 'eigh'): Eigh {
  const o = checkOptions(op, options, EIGH_OPTIONS);
  core.assertMatrix(S, op);
  const n = checkSquare(S, op);
  const nb = blockSize(o, op);
  const maxSweeps = sweeps(o, op);
  const leaf = leafSize(o, op);
  const twoStage = n >= twoStageMin(o, op, DEFAULT_EIGH_TWO_STAGE_MIN);
  const b = bandwidth(o, op);
  const k = core.kernels;
  const workSize = twoStage ? k.eig2_workspace(n, b, nb) : k.eig_workspace(n, nb);
  const vectors = core.newMatrix(n, n, 'eigh eigenvectors');
  try {
    const values = withBuffers(
      core,
      [n * n * 8, n * 8, workSize * 8, k.dstedc_workspace(Math.max(n, 1)) * 8, k.la_gemm_workspace(n) * 8],
      'eigh workspace',
      (a, w, work, dcWork, gemmWork) => {
        const scale = prepareSymmetric(core, S, op, a!);
        const status = twoStage
          ? k.eigh2_driver(n, a!, scale, w!, vectors.ptr, b, nb, leaf, maxSweeps, work!, dcWork!, gemmWork!)
          : k.eigh_driver(n, a!, scale, w!, vectors.ptr, nb, leaf, maxSweeps, work!, dcWork!, gemmWork!);
        if (status === STATUS_NO_CONVERGENCE && leaf < n) {
          throw new ConvergenceError(`${op}: divide and conquer did not converge (a QL leaf or a secular equation root, n = ${n})`);
        }
        checkStatus(status, op, n, maxSweeps);
        return checkEigenvaluesFinite(f64View(core, w!, n).slice(), op);
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
  core: EngineCore,
  d: Float64Array | readonly number[],
  e: Float64Array | readonly number[],
  options?: { vectors?: boolean; leafSize?: number; maxSweepsPerN?: number },
): TridiagonalEig {
  core.checkAlive();
  const o = checkOptions('eigTridiagonal', options, ['vectors', 'leafSize', 'maxSweepsPerN']);
  const wantVectors = checkBoolean('eigTridiagonal', 'vectors', o.vectors, false);
  if (!isNumberArray(d) || !isNumberArray(e)) throw new ArgumentError('eigTridiagonal: d and e must be arrays of numbers (or Float64Arrays)');
  const n = d.length;
  if (e.length !== Math.max(n - 1, 0)) throw new ShapeError(`eigTridiagonal: e needs ${Math.max(n - 1, 0)} entries for n = ${n}, got ${e.length}`);
  for (const [name, arr] of [
    ['d', d],
    ['e', e],
  ] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) throw new NonFiniteError(`eigTridiagonal: ${name}[${i}] is ${arr[i]}`);
    }
  }
  const maxSweeps = sweeps(o, 'eigTridiagonal');
  const k = core.kernels;
  const leaf = leafSize(o, 'eigTridiagonal');
  const vectors = wantVectors ? core.newMatrix(n, n, 'eigTridiagonal eigenvectors') : undefined;
  try {
    const values = withBuffers(
      core,
      [Math.max(n, 1) * 8, Math.max(n, 1) * 8, vectors ? k.dstedc_workspace(Math.max(n, 1)) * 8 : 8, vectors ? k.la_gemm_workspace(n) * 8 : 8],
      'eigTridiagonal workspace',
      (dp, ep, dcWork, gemmWork) => {
        f64View(core, dp!, n).set(d);
        f64View(core, ep!, Math.max(n - 1, 0)).set(e);
        // Power-of-two scaling is done inside the kernels.
        const status = vectors ? k.dstedc(n, dp!, ep!, vectors.ptr, n, leaf, maxSweeps, dcWork!, gemmWork!) : k.dsterf(n, dp!, ep!, maxSweeps);
        checkStatus(status, 'eigTridiagonal', n, maxSweeps);
        return checkEigenvaluesFinite(f64View(core, dp!, n).slice(), 'eigTridiagonal');
      },
    );
    return vectors ? { values, vectors } : { values };
  } catch (error) {
    vectors?.dispose();
    throw error;
  }
}

/** Which eigenpairs to keep: the k largest, the k smallest, or indices [from, to) of the ascending order. */
export type EigSelection = { largest: number } | { smallest: number } | { indices: [number, number] };

const SELECTION_FORMS = '{ largest: k }, { smallest: k } or { indices: [from, to] }';

function selectionRange(sel: EigSelection, n: number, op: string): [number, number] {
  if (sel === null || typeof sel !== 'object' || Array.isArray(sel)) {
    throw new ArgumentError(`${op}: selection must be ${SELECTION_FORMS}, got ${describeArg(sel)}`);
  }
  const keys = Object.keys(checkOptions(op, sel, ['largest', 'smallest', 'indices'], 'selection'));
  if (keys.length !== 1)
    throw new ArgumentError(`${op}: selection must have exactly one of largest, smallest, indices (${SELECTION_FORMS}), got ${keys.length}`);
  const count = (k: unknown, what: string): number => {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n)
      throw new ArgumentError(`${op}: selection.${what} must be an integer in [0, ${n}], got ${describeArg(k)}`);
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
export function eighSelect(core: EngineCore, S: Matrix, selection: EigSelection, options?: EigOptions): Eigh {
  core.assertMatrix(S, 'eighSelect');
  const [from, to] = selectionRange(selection, checkSquare(S, 'eighSelect'), 'eighSelect');
  const full = eigh(core, S, options, 'eighSelect');
  try {
    const n = S.rows,
      count = to - from;
    const vectors = core.newMatrix(n, count, 'eighSelect eigenvectors');
    core.kernels.copy_block_f64(n, count, full.vectors.ptr + from * 8, n, 1, vectors.ptr);
    return { values: full.values.slice(from, to), vectors };
  } finally {
    full.vectors.dispose();
  }
}
