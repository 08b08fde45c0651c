// Statistics over seeds for sweeps (issue 13): mean, sample standard deviation, median, the
// Student-t 95 % confidence interval of a mean and the Wilson score interval of a pass rate.
// Every transcendental (log, exp) goes through a `ScalarMath`, in practice the engine's fl.math
// (wasm), so a summary is bit-identical in every JavaScript engine; +, −, ×, ÷ and √ are
// correctly rounded in JS already.

import { ArgumentError } from '../core/errors.js';

/** The transcendentals the statistics need: `engine.math` (DetMath) satisfies it. */
export interface ScalarMath {
  exp(x: number): number;
  log(x: number): number;
}

/** z with Φ(z) = 0.975, the normal quantile of a two-sided 95 % interval (Wilson's z). */
export const Z_975 = 1.959963984540054;

function checkSample(fn: string, xs: readonly number[], min = 1): void {
  if (!Array.isArray(xs)) throw new ArgumentError(`${fn}: values must be an array of numbers, got ${String(xs)}`);
  if (xs.length < min) throw new ArgumentError(`${fn}: values needs at least ${min} number(s), got ${xs.length}`);
  for (let i = 0; i < xs.length; i++) {
    if (typeof xs[i] !== 'number' || !Number.isFinite(xs[i])) throw new ArgumentError(`${fn}: values[${i}] must be a finite number, got ${String(xs[i])}`);
  }
}

/** Arithmetic mean (summed in index order, so the same for the same array everywhere). */
export function mean(xs: readonly number[]): number {
  checkSample('mean', xs);
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divisor n − 1, two-pass); needs n ≥ 2. */
export function sampleSd(xs: readonly number[]): number {
  checkSample('sampleSd', xs, 2);
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Median: the middle value, or the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  checkSample('median', xs);
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

// ln Γ(x) for x > 0: Lanczos (g = 7, 9 coefficients, relative error ~1e-15), with the
// reflection-free shift x → x + 1 below 0.5 (Γ(x) = Γ(x + 1)/x).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];
function logGamma(math: ScalarMath, x: number): number {
  if (x < 0.5) return logGamma(math, x + 1) - math.log(x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * math.log(2 * Math.PI) + (z + 0.5) * math.log(t) - t + math.log(a);
}

// The continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2).
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1. */
export function incompleteBeta(math: ScalarMath, a: number, b: number, x: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) {
    throw new ArgumentError(`incompleteBeta: needs a > 0, b > 0 and 0 ≤ x ≤ 1, got a=${a}, b=${b}, x=${x}`);
  }
  if (x === 0 || x === 1) return x;
  const front = math.exp(logGamma(math, a + b) - logGamma(math, a) - logGamma(math, b) + a * math.log(x) + b * math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom: 1 − I_{df/(df+t²)}(df/2, 1/2)/2 for t ≥ 0. */
export function studentTCdf(math: ScalarMath, t: number, df: number): number {
  if (!(df > 0) || !Number.isFinite(t)) throw new ArgumentError(`studentTCdf: needs df > 0 and a finite t, got t=${t}, df=${df}`);
  const tail = 0.5 * incompleteBeta(math, df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile t_{p, df} of Student's t (0.5 ≤ p < 1), found by bisection on the CDF: 200 halvings
 * of a bracket that doubles until it holds the root, stopped when the midpoint no longer moves,
 * so the result is the same double on every engine for any df (no table).
 */
export function studentTQuantile(math: ScalarMath, p: number, df: number): number {
  if (!(p >= 0.5 && p < 1) || !(df > 0) || !Number.isFinite(df)) {
    throw new ArgumentError(`studentTQuantile: needs 0.5 ≤ p < 1 and a finite df > 0, got p=${p}, df=${df}`);
  }
  let lo = 0;
  let hi = 1;
  while (studentTCdf(math, hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) throw new ArgumentError(`studentTQuantile: p=${p} is too close to 1 for df=${df}`);
  }
  for (let i = 0; i < 200; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) break;
    if (studentTCdf(math, mid, df) < p) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}

export interface Interval {
  lo: number;
  hi: number;
}

/** The two-sided 95 % Student-t confidence interval of the mean: mean ± t_{0.975, n−1}·sd/√n (n ≥ 2). */
export function tInterval95(math: ScalarMath, xs: readonly number[]): Interval & { mean: number; halfWidth: number } {
  checkSample('tInterval95', xs, 2);
  const m = mean(xs);
  const halfWidth = (studentTQuantile(math, 0.975, xs.length - 1) * sampleSd(xs)) / Math.sqrt(xs.length);
  return { mean: m, halfWidth, lo: m - halfWidth, hi: m + halfWidth };
}

/**
 * The Wilson score 95 % interval of a pass rate k/n:
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = Z_975. Unlike p̂ ± z·√(p̂(1−p̂)/n) it
 * stays inside [0, 1] and is not empty at k = 0 or k = n.
 */
export function wilsonInterval(passes: number, n: number): Interval & { rate: number } {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`wilsonInterval: n must be an integer ≥ 1, got ${n}`);
  if (!Number.isInteger(passes) || passes < 0 || passes > n) {
    throw new ArgumentError(`wilsonInterval: passes must be an integer in [0, n=${n}], got ${passes}`);
  }
  const z = Z_975;
  const p = passes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { rate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Welch's two-sided 95 % interval of mean(a) − mean(b) for two independent samples:
 * d ± t_{0.975,ν}·√(s_a²/n_a + s_b²/n_b), ν by Welch–Satterthwaite.
 * see: B. L. Welch, "The generalization of Student's problem when several different population
 * variances are involved", Biometrika 34 (1947).
 */
export function welchInterval95(math: ScalarMath, a: readonly number[], b: readonly number[]): { diff: number; lo: number; hi: number; df: number } {
  const va = sampleSd(a) ** 2 / a.length,
    vb = sampleSd(b) ** 2 / b.length;
  const diff = mean(a) - mean(b);
  if (va + vb === 0) return { diff, lo: diff, hi: diff, df: Infinity };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(math, 0.975, df) * Math.sqrt(va + vb);
  return { diff, lo: diff - half, hi: diff + half, df };
}
