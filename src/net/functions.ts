// Scalar functions g: R → R used as activations and target links, evaluated elementwise in
// wasm: the engine's activations, the normalised Hermite polynomials He_k/√k!, and
// polynomials Σ c_k z^k.

import type { Activation } from '../core/activations.js';
import { ACTIVATION_NAMES } from '../core/activations.js';
import type { Engine } from '../core/engine.js';
import { ArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { checkBoolean } from '../core/options.js';
import { checkEngine, checkInteger, checkMatrix } from './check.js';

export type ScalarFunction =
  | Activation
  /** He_k(z)/√k!, unit norm under N(0, 1). */
  | { hermiteNormalized: number }
  /** Σ_k coefficients[k]·z^k. */
  | { polynomial: readonly number[] };

export function describeFunction(g: ScalarFunction): string {
  checkFunction(g, 'describeFunction');
  if (typeof g === 'string') return g;
  if ('hermite' in g) return `He_${g.hermite}`;
  if ('hermiteNormalized' in g) return `He_${g.hermiteNormalized}/√${g.hermiteNormalized}!`;
  return `poly(${g.polynomial.join(', ')})`;
}

export function checkFunction(g: ScalarFunction, what: string): void {
  if (typeof g === 'string') {
    if (!(ACTIVATION_NAMES as readonly string[]).includes(g)) {
      throw new ArgumentError(
        `${what}: unknown function '${g}': expected one of ${ACTIVATION_NAMES.join(', ')}, { hermite: k }, { hermiteNormalized: k } or { polynomial: [c0, c1, …] }`,
      );
    }
    return;
  }
  if (g && typeof g === 'object') {
    if ('hermite' in g || 'hermiteNormalized' in g) {
      const k = 'hermite' in g ? g.hermite : g.hermiteNormalized;
      if (!Number.isInteger(k) || k < 0 || k > 64) throw new ArgumentError(`${what}: Hermite degree must be an integer in [0, 64], got ${k}`);
      return;
    }
    if ('polynomial' in g && Array.isArray(g.polynomial) && g.polynomial.length > 0 && g.polynomial.every(Number.isFinite)) return;
  }
  throw new ArgumentError(
    `${what}: expected an activation name, { hermite: k }, { hermiteNormalized: k } or { polynomial: [c0, c1, …] }, got ${JSON.stringify(g)}`,
  );
}

/** √k! (exact products of integers, then one square root: deterministic in every engine). */
export function sqrtFactorial(k: number): number {
  return Math.sqrt(factorial(k, 'sqrtFactorial'));
}

/** k! (exact up to 18!, then the rounded product); k ≤ 170 (171! overflows a double). */
export function factorial(k: number, fn = 'factorial'): number {
  checkInteger(fn, 'k', k, 0, 170);
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/**
 * The n×1 f64 columns side by side as an n×K matrix: copied in as the rows of a K×n matrix,
 * then transposed in wasm (no per-element JS loop).
 */
export function columnStack(fl: Engine, cols: readonly Matrix[]): Matrix {
  const n = cols[0]?.rows ?? 0;
  for (const c of cols) {
    network.assertLive(fl.core, c, 'columnStack'); // its data is read from this engine's memory
    if (c.rows !== n || c.cols !== 1 || c.dtype !== 'f64')
      throw new ShapeError(`columnStack: expected f64 columns of ${n}×1, got ${c.dtype} ${c.rows}×${c.cols}`);
  }
  if (cols.length === 0) throw new ArgumentError('columnStack: needs at least one column');
  return fl.keep(network.stackColumns(fl.core, 'columnStack', cols));
}

/** g(Z) elementwise as a new f64 matrix (or g′ with derivative). */
export function applyFunction(fl: Engine, g: ScalarFunction, Z: Matrix, derivative = false): Matrix {
  checkEngine(fl, 'applyFunction');
  checkFunction(g, 'applyFunction');
  checkMatrix(fl, 'applyFunction', 'Z', Z);
  checkBoolean('applyFunction', 'derivative', derivative, false);
  // NaN/Infinity in Z would come out as NaN features: refuse them (the engine's checkFinite)
  if (fl.checkFinite && fl.countNonFinite(Z) > 0) throw new NonFiniteError('applyFunction: Z holds NaN or Infinity');
  return applyToProduct(fl, g, Z, derivative);
}

/**
 * applyFunction on a Z just returned by matmul, whose result the engine has already checked
 * for NaN/Infinity (with checkFinite on), so Z is not scanned a second time. Arguments as
 * applyFunction's, already validated.
 */
export function applyToProduct(fl: Engine, g: ScalarFunction, Z: Matrix, derivative = false): Matrix {
  if (typeof g === 'string' || 'hermite' in g) return fl.map(Z, g, { derivative });
  if ('hermiteNormalized' in g) {
    const k = g.hermiteNormalized;
    const H = fl.map(Z, { hermite: k }, { derivative });
    return fl.scale(H, 1 / sqrtFactorial(k), { out: H });
  }
  const c = derivative ? g.polynomial.slice(1).map((v, i) => v * (i + 1)) : [...g.polynomial];
  return fl.scope(() => {
    const Z64 = Z.dtype === 'f64' ? Z : fl.astype(Z, 'f64');
    const out = network.polyval(fl.core, 'applyFunction', Z64, Float64Array.from(c.length ? c : [0]));
    if (fl.checkFinite && fl.countNonFinite(out) > 0)
      throw new NonFiniteError(`polynomial ${describeFunction(g)}: the result overflowed or an input was not finite`);
    return out;
  });
}
