// Second-stage readout: ridge regression on features, and the errors the papers report.

import type { Engine } from '../engine.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';

/**
 * Ridge coefficients â = argmin (1/n)‖y − Φa‖² + (λ/N)‖a‖² for features Φ (n×N), i.e.
 * â = (ΦᵀΦ + (nλ/N)·I)⁻¹Φᵀy (primal, N×N Cholesky) or Φᵀ(ΦΦᵀ + (nλ/N)·I)⁻¹y (dual, n×n),
 * the smaller system by default (shared/spec/science.md §1).
 */
export function ridge(fl: Engine, Phi: Matrix, y: Matrix, lambda: number, form: 'auto' | 'primal' | 'dual' = 'auto'): Matrix {
  const [n, N] = [Phi.rows, Phi.cols];
  if (y.rows !== n || y.cols !== 1) throw new ShapeError(`ridge: Φ is ${n}×${N} so y must be ${n}×1, got ${y.rows}×${y.cols}`);
  if (!(lambda > 0 && Number.isFinite(lambda))) throw new ArgumentError(`ridge: lambda must be a positive finite number, got ${lambda}`);
  const shift = (n * lambda) / N;
  const dual = form === 'dual' || (form === 'auto' && n < N);
  return fl.scope(() => {
    if (dual) {
      const G = fl.gram(Phi, 'AAt');
      fl.axpy(shift, fl.eye(n), G);
      return fl.gemv(Phi, fl.solveSPD(G, y), { trans: true });
    }
    const G = fl.gram(Phi, 'AtA');
    fl.axpy(shift, fl.eye(N), G);
    return fl.solveSPD(G, fl.gemv(Phi, y, { trans: true }));
  });
}

/** Mean squared error (1/n)‖ŷ − y‖². */
export function meanSquaredError(fl: Engine, yhat: Matrix, y: Matrix): number {
  if (yhat.rows !== y.rows || yhat.cols !== y.cols) throw new ShapeError(`meanSquaredError: ${yhat.rows}×${yhat.cols} vs ${y.rows}×${y.cols}`);
  return fl.scope(() => {
    const r = fl.axpy(-1, y, fl.copy(yhat));
    return fl.dot(r, r) / y.rows;
  });
}
