// Scalar math for the host (fl.math, src/net/detmath.ts). JavaScript's Math.exp/log/pow/sin/…
// are not specified to be correctly rounded and differ between engines; theory formulas call
// these instead, so predictions are the same bytes everywhere.

import { erf } from './activations';

export function math_exp(x: f64): f64 { return Math.exp(x); }
export function math_expm1(x: f64): f64 { return Math.expm1(x); }
export function math_log(x: f64): f64 { return Math.log(x); }
export function math_log1p(x: f64): f64 { return Math.log1p(x); }
export function math_pow(x: f64, y: f64): f64 { return Math.pow(x, y); }
export function math_sin(x: f64): f64 { return Math.sin(x); }
export function math_cos(x: f64): f64 { return Math.cos(x); }
export function math_tanh(x: f64): f64 { return Math.tanh(x); }
export function math_sinh(x: f64): f64 { return Math.sinh(x); }
export function math_cosh(x: f64): f64 { return Math.cosh(x); }
export function math_atan2(y: f64, x: f64): f64 { return Math.atan2(y, x); }
export function math_acos(x: f64): f64 { return Math.acos(x); }
export function math_erf(x: f64): f64 { return erf(x); }
