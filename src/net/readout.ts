// Second-stage readout: ridge regression on features, and the errors the papers report.

import type { Engine } from '../core/engine.js';
import { ArgumentError, DTypeError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { checkEnum } from '../core/options.js';
import * as network from '../ops/network.js';
import { checkEngine, checkMatrix, checkNumber, meanSquare, named } from './check.js';

/**
 * Ridge coefficients â = argmin (1/n)‖y − Φa‖² + (λ/N)‖a‖² for features Φ (n×N), i.e.
 * â = (ΦᵀΦ + (nλ/N)·I)⁻¹Φᵀy (primal, N×N Cholesky) or Φᵀ(ΦΦᵀ + (nλ/N)·I)⁻¹y (dual, n×n),
 * the smaller system by default (shared/spec/science.md §1).
 */
export function ridge(fl: Engine, Phi: Matrix, y: Matrix, lambda: number, form: 'auto' | 'primal' | 'dual' = 'auto'): Matrix {
  checkEngine(fl, 'ridge');
  checkMatrix(fl, 'ridge', 'Phi', Phi);
  checkMatrix(fl, 'ridge', 'y', y);
  checkEnum('ridge', 'form', form, ['auto', 'primal', 'dual']);
  const [n, N] = [Phi.rows, Phi.cols];
  if (n < 1 || N < 1) throw new ShapeError(`ridge: Φ must have at least one sample and one feature, got ${Phi.describe()}`);
  if (y.rows !== n || y.cols !== 1) throw new ShapeError(`ridge: Φ is ${n}×${N} so y must be ${n}×1, got ${y.rows}×${y.cols}`);
  if (y.dtype !== Phi.dtype) throw new DTypeError(`ridge: Φ is ${Phi.describe()} but y is ${y.describe()}; convert with astype()`);
  checkNumber('ridge', 'lambda', lambda, { above: 0 });
  const shift = (n * lambda) / N;
  if (!Number.isFinite(shift)) throw new ArgumentError(`ridge: the ridge shift nλ/N = ${n}·${lambda}/${N} overflows`);
  const dual = form === 'dual' || (form === 'auto' && n < N);
  return named('ridge', () =>
    fl.scope(() => {
      if (dual) {
        const G = fl.gram(Phi, 'AAt');
        network.shiftDiagonal(fl, 'ridge', G, shift);
        return fl.gemv(Phi, fl.solveSPD(G, y), { trans: true });
      }
      const G = fl.gram(Phi, 'AtA');
      network.shiftDiagonal(fl, 'ridge', G, shift);
      return fl.solveSPD(G, fl.gemv(Phi, y, { trans: true }));
    }),
  );
}

/** Mean squared error (1/n)‖ŷ − y‖². */
export function meanSquaredError(fl: Engine, yhat: Matrix, y: Matrix): number {
  checkEngine(fl, 'meanSquaredError');
  checkMatrix(fl, 'meanSquaredError', 'yhat', yhat);
  checkMatrix(fl, 'meanSquaredError', 'y', y);
  if (yhat.dtype !== y.dtype) throw new DTypeError(`meanSquaredError: yhat is ${yhat.describe()} but y is ${y.describe()}`);
  if (yhat.rows !== y.rows || yhat.cols !== y.cols) throw new ShapeError(`meanSquaredError: ${yhat.rows}×${yhat.cols} vs ${y.rows}×${y.cols}`);
  if (y.rows < 1) throw new ShapeError(`meanSquaredError: needs at least one sample, got ${y.describe()}`);
  return named('meanSquaredError', () =>
    fl.scope(() => {
      const r = fl.axpy(-1, y, fl.copy(yhat));
      return meanSquare(fl, 'meanSquaredError', r, y.rows);
    }),
  );
}
