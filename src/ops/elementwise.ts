// Level 1 and elementwise: axpy, scale, hadamard, map.

import { activationCode, activationLabel, isPolynomialCode, type Activation } from '../core/activations.js';
import type { EngineCore } from '../core/core.js';
import type { MapOptions } from '../core/types.js';
import { checkScalar } from '../core/validate.js';
import type { Matrix } from '../core/matrix.js';
import { checkBoolean, checkOptions } from '../core/options.js';

/** y := y + α·x in place (same shape and dtype); returns y. */
export function axpy(core: EngineCore, alpha: number, x: Matrix, y: Matrix): Matrix {
  core.sameShape('axpy', x, y);
  checkScalar(alpha, 'axpy: alpha');
  core.family('axpy', x.dtype)(x.size, alpha, x.ptr, y.ptr);
  core.assertFinite(y, 'axpy');
  return y;
}

/** α·A as a new matrix (or in place with { out: A }). */
export function scale(core: EngineCore, a: Matrix, alpha: number, options?: { out?: Matrix }): Matrix {
  const given = checkOptions('scale', options, ['out']).out;
  core.checkMatrix(a, 'scale');
  checkScalar(alpha, 'scale: alpha');
  const out = core.output('scale', a, given);
  core.family('scal', a.dtype)(a.size, alpha, a.ptr, out.ptr);
  core.assertFinite(out, 'scale', given ? undefined : out);
  return out;
}

/** Elementwise product A ∘ B as a new matrix (or into { out }). */
export function hadamard(core: EngineCore, a: Matrix, b: Matrix, options?: { out?: Matrix }): Matrix {
  const given = checkOptions('hadamard', options, ['out']).out;
  core.sameShape('hadamard', a, b);
  const out = core.output('hadamard', a, given);
  core.family('hadamard', a.dtype)(a.size, a.ptr, b.ptr, out.ptr);
  core.assertFinite(out, 'hadamard', given ? undefined : out);
  return out;
}

/** f(A) or f′(A) elementwise, for the activations the experiments use. */
export function map(core: EngineCore, a: Matrix, activation: Activation, options?: MapOptions): Matrix {
  const o = checkOptions('map', options, ['derivative', 'out']);
  const derivative = checkBoolean('map', 'derivative', o.derivative, false);
  core.checkMatrix(a, 'map');
  const { code, param } = activationCode(activation, 'map');
  const out = core.output('map', a, o.out);
  core.family('map', a.dtype)(code, derivative ? 1 : 0, param, a.size, a.ptr, out.ptr);
  if (isPolynomialCode(code)) {
    // Only polynomials can overflow on finite input.
    core.assertFinite(out, `map(${activationLabel(activation)})`, o.out ? undefined : out);
  }
  return out;
}
