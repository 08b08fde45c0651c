// Elementwise activation maps and their derivatives, computed in f64 with the module's own
// Math (the same in every engine); f32 data is promoted, mapped and rounded once.

import { ELEMENTWISE_COST, TRANSCENDENTAL_MAP_COST } from '../config';
import { argF, argI, argU, rangeStart, rangeTasks, runJob, setF, setI, setU } from '../parallel/pool';
import { JOB_MAP_F32, JOB_MAP_F64 } from '../parallel/tasks';
import { tanhF64x2, tanhPairFast } from './tanh-simd';

// Kind codes (exported as wasm globals; the host reads them through src/core/abi-constants.ts):
export const ACT_IDENTITY: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_ABS: i32 = 2;
export const ACT_TANH: i32 = 3;
export const ACT_ERF: i32 = 4;
export const ACT_SOFTPLUS: i32 = 5;
export const ACT_SIGMOID: i32 = 6;
export const ACT_HERMITE: i32 = 7; // probabilists' He_k, k = param
export const ACT_SQUARE: i32 = 8;

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
const INV_SQRT_PI: f64 = 0.5641895835477563;

// erf(x), accurate to a few ulp.
//   |x| < 2.5:  erf x = (2/√π)·e^{−x²}·Σ_{n≥0} 2ⁿx^{2n+1}/(1·3·…·(2n+1)), a series of positive
//               terms (no cancellation), summed until the terms stop mattering (≤ 45 terms).
//   2.5 ≤ |x| < 5.9: erf x = 1 − erfc x with erfc x = (e^{−x²}/√π)/(x + (1/2)/(x + 1/(x +
//               (3/2)/(x + …)))), the Laplace continued fraction evaluated bottom-up from a
//               fixed depth of 50 (converged to rounding on this range).
//   |x| ≥ 5.9: erf x = ±1 (erfc x < 2^-54).
// see: Abramowitz & Stegun, Handbook of Mathematical Functions, 7.1.6 and 7.1.14.
export function erf(x: f64): f64 {
  if (x != x) return x;
  const a = Math.abs(x);
  let r: f64;
  if (a < 2.5) {
    const x2 = a * a;
    let term = a, sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (2.0 * x2) / <f64>(2 * n + 1);
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  } else if (a < 5.9) {
    let f = a;
    for (let n = 50; n >= 1; n--) f = a + (<f64>n * 0.5) / f;
    r = 1.0 - INV_SQRT_PI * Math.exp(-a * a) / f;
  } else {
    r = 1.0;
  }
  return x < 0 ? -r : r;
}

@inline
function sigmoid(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

// He_k(x) by the three-term recurrence He_{j+1} = x·He_j − j·He_{j−1}.
@inline
function hermite(k: i32, x: f64): f64 {
  if (k == 0) return 1.0;
  let prev: f64 = 1.0, cur = x;
  for (let j = 1; j < k; j++) {
    const next = x * cur - <f64>j * prev;
    prev = cur;
    cur = next;
  }
  return cur;
}

@inline
function activation(kind: i32, x: f64, param: i32): f64 {
  switch (kind) {
    case ACT_IDENTITY: return x;
    case ACT_RELU: return x < 0 ? 0.0 : x; // NaN and −0 pass through, as f64x2.pmax
    case ACT_ABS: return Math.abs(x);
    case ACT_TANH: return Math.tanh(x);
    case ACT_ERF: return erf(x);
    // softplus x = max(x, 0) + log1p(e^{−|x|}): no overflow for large |x|.
    case ACT_SOFTPLUS: return (x > 0 ? x : 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    case ACT_SIGMOID: return sigmoid(x);
    case ACT_HERMITE: return hermite(param, x);
    case ACT_SQUARE: return x * x;
    default: return NaN;
  }
}

// d/dx of the maps above; relu′(0) = 0 and abs′(0) = 0 by convention.
@inline
function derivative(kind: i32, x: f64, param: i32): f64 {
  switch (kind) {
    case ACT_IDENTITY: return x != x ? x : 1.0;
    case ACT_RELU: return x != x ? x : x > 0 ? 1.0 : 0.0;
    case ACT_ABS: return x != x ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    case ACT_TANH: { const t = Math.tanh(x); return 1.0 - t * t; }
    case ACT_ERF: return TWO_OVER_SQRT_PI * Math.exp(-x * x);
    case ACT_SOFTPLUS: return sigmoid(x);
    case ACT_SIGMOID: { const s = sigmoid(x); return s * (1.0 - s); }
    case ACT_HERMITE: return param == 0 ? (x != x ? x : 0.0) : <f64>param * hermite(param - 1, x);
    case ACT_SQUARE: return 2.0 * x;
    default: return NaN;
  }
}

// out[i] := f(x[i]) or f′(x[i]); out may be x.
function mapSerialF64(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  if (kind == ACT_RELU && !derive) {
    const zero = f64x2.splat(0);
    let i = 0;
    for (; i + 2 <= n; i += 2) v128.store(out + (<usize>i << 3), f64x2.pmax(v128.load(x + (<usize>i << 3)), zero));
    for (; i < n; i++) store<f64>(out + (<usize>i << 3), activation(kind, load<f64>(x + (<usize>i << 3)), param));
    return;
  }
  if (kind == ACT_TANH) {
    tanhMapF64(derive, n, x, out);
    return;
  }
  if (derive) {
    for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), derivative(kind, load<f64>(x + (<usize>i << 3)), param));
  } else {
    for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), activation(kind, load<f64>(x + (<usize>i << 3)), param));
  }
}

// tanh or tanh′ = 1 − tanh², two lanes at a time (tanh-simd.ts: the scalar code's bits), two
// pairs per step so that the core overlaps their independent chains. A pair with a lane the
// SIMD path does not cover, and an odd last element, go through the scalar map.
function tanhMapF64(derive: bool, n: i32, x: usize, out: usize): void {
  let i = 0;
  while (i + 4 <= n) {
    // Groups of four whose lanes are all covered; the first group that is not leaves the
    // loop and goes through tanhPair, lane pair by lane pair.
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      const v0 = v128.load(x + o), v1 = v128.load(x + o, 16);
      if (!(tanhPairFast(v0) && tanhPairFast(v1))) break;
      const t0 = tanhF64x2(v0), t1 = tanhF64x2(v1);
      v128.store(out + o, derive ? tanhDerivative(t0) : t0);
      v128.store(out + o, derive ? tanhDerivative(t1) : t1, 16);
    }
    if (i + 4 <= n) {
      const o = <usize>i << 3;
      tanhPair(derive, v128.load(x + o), out + o);
      tanhPair(derive, v128.load(x + o, 16), out + o + 16);
      i += 4;
    }
  }
  for (; i + 2 <= n; i += 2) tanhPair(derive, v128.load(x + (<usize>i << 3)), out + (<usize>i << 3));
  for (; i < n; i++) store<f64>(out + (<usize>i << 3), scalarTanh(derive, load<f64>(x + (<usize>i << 3))));
}

function tanhPair(derive: bool, v: v128, out: usize): void {
  if (tanhPairFast(v)) {
    const t = tanhF64x2(v);
    v128.store(out, derive ? tanhDerivative(t) : t);
  } else {
    store<f64>(out, scalarTanh(derive, f64x2.extract_lane(v, 0)));
    store<f64>(out, scalarTanh(derive, f64x2.extract_lane(v, 1)), 8);
  }
}

/** 1 − t², as derivative() computes it from t = tanh x. */
@inline function tanhDerivative(t: v128): v128 {
  return f64x2.sub(f64x2.splat(1.0), f64x2.mul(t, t));
}

@inline function scalarTanh(derive: bool, v: f64): f64 {
  return derive ? derivative(ACT_TANH, v, 0) : activation(ACT_TANH, v, 0);
}

function mapSerialF32(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  if (derive) {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>derivative(kind, <f64>load<f32>(x + (<usize>i << 2)), param));
  } else {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>activation(kind, <f64>load<f32>(x + (<usize>i << 2)), param));
  }
}

// Scalar twin of map_f64 (no SIMD fast paths), the test oracle.
export function map_ref_f64(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    store<f64>(out + (<usize>i << 3), derive ? derivative(kind, v, param) : activation(kind, v, param));
  }
}

// ---------------------------------------------------------------------------------------
// On the pool (parallel/pool.ts): the exported entry points.

// Activation maps. Boundaries on multiples of 64 elements (whole cache lines, and the SIMD
// paths see the same pairs as in one pass).
const M_KIND = 0, M_DERIVE = 1, M_PARAM = 2, M_N = 3, M_X = 4, M_OUT = 5, M_TASKS = 6;

// Cost of one element in GEMM flops (config.ts): cheap maps are memory-bound.
@inline
function mapCost(kind: i32): f64 {
  return kind == ACT_IDENTITY || kind == ACT_RELU || kind == ACT_ABS || kind == ACT_SQUARE ? ELEMENTWISE_COST : TRANSCENDENTAL_MAP_COST;
}
function mapParallel<T>(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  const tasks = rangeTasks(n, mapCost(kind));
  if (tasks <= 1) {
    if (sizeof<T>() == 8) mapSerialF64(kind, derive, param, n, x, out);
    else mapSerialF32(kind, derive, param, n, x, out);
    return;
  }
  setI(M_KIND, kind); setI(M_DERIVE, derive ? 1 : 0); setI(M_PARAM, param); setI(M_N, n);
  setU(M_X, x); setU(M_OUT, out); setI(M_TASKS, tasks);
  runJob(sizeof<T>() == 8 ? JOB_MAP_F64 : JOB_MAP_F32, tasks, 0);
}

export function mapTask<T>(t: i32): void {
  const n = argI(M_N), tasks = argI(M_TASKS);
  const i0 = rangeStart(t, tasks, n, 64), i1 = rangeStart(t + 1, tasks, n, 64);
  if (i1 <= i0) return;
  const off = <usize>i0 * sizeof<T>();
  if (sizeof<T>() == 8) mapSerialF64(argI(M_KIND), argI(M_DERIVE) != 0, argI(M_PARAM), i1 - i0, argU(M_X) + off, argU(M_OUT) + off);
  else mapSerialF32(argI(M_KIND), argI(M_DERIVE) != 0, argI(M_PARAM), i1 - i0, argU(M_X) + off, argU(M_OUT) + off);
}

export function map_f64(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  mapParallel<f64>(kind, derive, param, n, x, out);
}

export function map_f32(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  mapParallel<f32>(kind, derive, param, n, x, out);
}

