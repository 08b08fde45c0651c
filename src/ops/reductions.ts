// Reductions: dot, sum, norm, sumRows, sumCols, countNonFinite.

import { ArgumentError } from '../core/errors.js';
import type { EngineCore } from '../core/core.js';
import type { NormKind } from '../core/types.js';
import type { Matrix } from '../core/matrix.js';

/** Σ_i x_i y_i over all entries (same shape), in f64 with a fixed summation order. */
export function dot(core: EngineCore, x: Matrix, y: Matrix): number {
  core.sameShape('dot', x, y);
  return core.finiteResult(core.family('dot', x.dtype)(x.size, x.ptr, y.ptr), 'dot', x, y);
}

/** Sum of all entries, in f64 with a fixed order. */
export function sum(core: EngineCore, a: Matrix): number {
  core.checkMatrix(a, 'sum');
  return core.finiteResult(core.family('sum', a.dtype)(a.size, a.ptr), 'sum', a);
}

/** Matrix norm: Frobenius (default, overflow-safe), max |a_ij|, 1 (max column sum) or inf (max row sum). */
export function norm(core: EngineCore, a: Matrix, kind: NormKind = 'fro'): number {
  core.checkMatrix(a, 'norm');
  switch (kind) {
    case 'fro':
      return core.finiteResult(core.family('nrm2', a.dtype)(a.size, a.ptr), "norm(A, 'fro')", a);
    case 'max':
      return core.family('amax', a.dtype)(a.size, a.ptr);
    case 'inf':
      return core.finiteResult(core.family('norminf', a.dtype)(a.rows, a.cols, a.ptr), "norm(A, 'inf')", a);
    case '1': {
      const work = core.heap.alloc(a.cols * 8, 'norm workspace');
      try {
        return core.finiteResult(core.family('norm1', a.dtype)(a.rows, a.cols, a.ptr, work), "norm(A, '1')", a);
      } finally {
        core.heap.release(work);
      }
    }
    default:
      throw new ArgumentError(`norm: unknown kind '${String(kind)}': expected 'fro', 'max', '1' or 'inf'`);
  }
}

/** Row sums as a rows×1 matrix. */
export function sumRows(core: EngineCore, a: Matrix): Matrix {
  core.checkMatrix(a, 'sumRows');
  const out = core.alloc(a.rows, 1, a.dtype);
  core.family('row_sums', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
  core.assertFinite(out, 'sumRows', out);
  return out;
}

/** Column sums as a 1×cols matrix. */
export function sumCols(core: EngineCore, a: Matrix): Matrix {
  core.checkMatrix(a, 'sumCols');
  const out = core.alloc(1, a.cols, a.dtype);
  core.family('col_sums', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
  core.assertFinite(out, 'sumCols', out);
  return out;
}

/** Number of NaN/±Infinity entries. */
export function countNonFinite(core: EngineCore, a: Matrix): number {
  core.checkMatrix(a, 'countNonFinite');
  return core.family('count_nonfinite', a.dtype)(a.size, a.ptr);
}
