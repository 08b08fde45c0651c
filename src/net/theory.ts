// Theory shared by the reproductions: Gauss–Hermite quadrature (Golub–Welsch), Hermite
// coefficients and information exponents, Marchenko–Pastur, the spiked-matrix (BGN)
// prediction of Ba et al., spike counts, Huang et al.'s closed forms, the infinite-width
// ReLU NTK. Notation and tags follow shared/spec/science.md.

import type { Engine } from '../core/engine.js';
import { ArgumentError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { checkOptions, describeArg } from '../core/options.js';
import { checkEngine, checkInteger, checkMatrix, checkNumber, checkObject, inSafeRange, named, rescaleExponent, scaledByPow2, timesPow2 } from './check.js';
import { applyFunction, checkFunction, columnStack, factorial, sqrtFactorial, type ScalarFunction } from './functions.js';

export interface Quadrature {
  /** Nodes, ascending. */
  nodes: Float64Array;
  /** Weights of the N(0, 1) probability measure (they sum to 1). */
  weights: Float64Array;
}

/**
 * n-point Gauss–Hermite rule for E_{z~N(0,1)}[g(z)] (probabilists' weight): nodes are the
 * eigenvalues of the Jacobi matrix with zero diagonal and off-diagonal √k, weights the
 * squared first components of its eigenvectors. Exact for polynomials of degree ≤ 2n − 1.
 * see: Golub & Welsch, "Calculation of Gauss quadrature rules", Math. Comp. 23 (1969).
 */
export function gaussHermite(fl: Engine, n = 128): Quadrature {
  checkEngine(fl, 'gaussHermite');
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ArgumentError(`gaussHermite: n must be an integer in [1, 1000], got ${n}`);
  const off = new Float64Array(n - 1);
  for (let k = 1; k < n; k++) off[k - 1] = Math.sqrt(k);
  const { values, vectors } = fl.eigTridiagonal(new Float64Array(n), off, { vectors: true });
  const V = vectors!.toArray();
  vectors!.dispose();
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = V[i]! * V[i]!; // row 0, column i
  return { nodes: values, weights };
}

/** E[g(z)·h(z)] (h = 1 when omitted) by the rule, evaluated in wasm. */
export function expectation(fl: Engine, quad: Quadrature, g: ScalarFunction, h?: ScalarFunction): number {
  checkEngine(fl, 'expectation');
  checkQuadrature('expectation', quad);
  checkFunction(g, 'expectation: g');
  if (h !== undefined) checkFunction(h, 'expectation: h');
  return fl.scope(() => {
    const x = fl.fromArray(quad.nodes, quad.nodes.length, 1);
    const w = fl.fromArray(quad.weights, quad.weights.length, 1);
    let gx = applyFunction(fl, g, x);
    if (h) gx = fl.hadamard(gx, applyFunction(fl, h, x));
    return fl.dot(gx, w);
  });
}

/** A rule from gaussHermite: nodes and weights, finite, of one length. */
function checkQuadrature(fn: string, quad: Quadrature): void {
  checkObject(fn, 'quad', quad);
  const { nodes, weights } = quad;
  if (!(nodes instanceof Float64Array) || !(weights instanceof Float64Array) || nodes.length !== weights.length || nodes.length === 0) {
    throw new ArgumentError(`${fn}: quad must be a rule from gaussHermite() (nodes and weights: Float64Arrays of one non-zero length)`);
  }
  if (!nodes.every(Number.isFinite) || !weights.every(Number.isFinite)) throw new NonFiniteError(`${fn}: quad holds NaN or Infinity`);
}

/** Hermite coefficients c_k(g) = E[g·He_k]/k! for k = 0..K. */
export function hermiteCoefficients(fl: Engine, quad: Quadrature, g: ScalarFunction, K: number): Float64Array {
  checkEngine(fl, 'hermiteCoefficients');
  checkQuadrature('hermiteCoefficients', quad);
  checkFunction(g, 'hermiteCoefficients');
  // The extreme Golub–Welsch weights are only accurate in absolute terms, so high degrees are
  // refused rather than returned dominated by their error.
  if (!Number.isInteger(K) || K < 0 || K > 30) throw new ArgumentError(`hermiteCoefficients: K must be an integer in [0, 30], got ${K}`);
  const out = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) {
    const f = sqrtFactorial(k);
    out[k] = expectation(fl, quad, g, { hermite: k }) / (f * f);
  }
  return out;
}

export interface HermiteSummary {
  /** μ0 = E g, μ1 = E[z·g], μ2 = √(E g² − μ0² − μ1²) (Ba et al.'s notation). */
  mu0: number;
  mu1: number;
  mu2: number;
  /** E g². */
  secondMoment: number;
  /** Smallest k ≥ 1 with |c_k| > tol, or Infinity. */
  informationExponent: number;
  /** ‖P_{>1} g‖² = E g² − μ0² − μ1²: the kernel (linear-predictor) lower bound of §1. */
  kernelLowerBound: number;
}

export function hermiteSummary(fl: Engine, quad: Quadrature, g: ScalarFunction, options: { maxDegree?: number; tol?: number } = {}): HermiteSummary {
  checkEngine(fl, 'hermiteSummary');
  checkOptions('hermiteSummary', options, ['maxDegree', 'tol']);
  checkQuadrature('hermiteSummary', quad);
  checkFunction(g, 'hermiteSummary');
  const K = options.maxDegree === undefined ? 8 : checkInteger('hermiteSummary', 'maxDegree', options.maxDegree, 1, 30);
  const tol = options.tol === undefined ? 1e-10 : checkNumber('hermiteSummary', 'tol', options.tol, { above: 0 });
  const c = hermiteCoefficients(fl, quad, g, K);
  const second = expectation(fl, quad, g, g);
  const mu0 = c[0]!,
    mu1 = c[1]!;
  const rest = Math.max(second - mu0 * mu0 - mu1 * mu1, 0);
  let ie = Infinity;
  for (let k = 1; k <= K; k++) {
    if (Math.abs(c[k]!) > tol * Math.max(1, Math.sqrt(second))) {
      ie = k;
      break;
    }
  }
  return { mu0, mu1, mu2: Math.sqrt(rest), secondMoment: second, informationExponent: ie, kernelLowerBound: rest };
}

// ---------------------------------------------------------------------------------------
// Random matrix theory

/**
 * Marchenko–Pastur law of the eigenvalues of Z·Zᵀ for Z p×q with i.i.d. entries of variance
 * σ²/q, c = p/q ≤ 1: support [σ²(1 − √c)², σ²(1 + √c)²], density
 * √((λ₊ − λ)(λ − λ₋))/(2π·c·σ²·λ).
 */
export function marchenkoPastur(c: number, sigma2 = 1): { lower: number; upper: number; density: (lambda: number) => number } {
  checkNumber('marchenkoPastur', 'c', c, { above: 0, atMost: 1 });
  checkNumber('marchenkoPastur', 'sigma2', sigma2, { above: 0 });
  const r = Math.sqrt(c);
  const lower = sigma2 * (1 - r) * (1 - r),
    upper = sigma2 * (1 + r) * (1 + r);
  return {
    lower,
    upper,
    density: (lambda: number) =>
      lambda <= lower || lambda >= upper ? 0 : Math.sqrt((upper - lambda) * (lambda - lower)) / (2 * Math.PI * c * sigma2 * lambda),
  };
}

export interface MPFit {
  /** Fitted entry-variance scale σ² (mean of the bulk eigenvalues). */
  sigma2: number;
  /** Bulk edge of the singular values, σ(1 + √c). */
  edge: number;
  /** Singular values above edge·(1 + margin). */
  outliers: number;
  margin: number;
  c: number;
}

/**
 * Fits the Marchenko–Pastur bulk to singular values s (descending) of a p×q matrix and
 * counts outliers: σ² is the mean of the squared singular values of the bulk (E λ = σ²
 * under MP), re-estimated without the values above the current edge until stable; a value
 * is an outlier when it exceeds the fitted edge σ(1 + √c) by more than `margin` (relative,
 * default 0.05 — several times the edge's finite-size fluctuation at the sizes used).
 */
export function fitMarchenkoPastur(s: Float64Array, p: number, q: number, margin = 0.05): MPFit {
  checkInteger('fitMarchenkoPastur', 'p', p, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('fitMarchenkoPastur', 'q', q, 1, Number.MAX_SAFE_INTEGER);
  checkNumber('fitMarchenkoPastur', 'margin', margin, { atLeast: 0 });
  if (!(s instanceof Float64Array) || s.length === 0 || s.length > Math.min(p, q)) {
    throw new ArgumentError(
      `fitMarchenkoPastur: expected a Float64Array of 1…${Math.min(p, q)} singular values of a ${p}×${q} matrix, got ${s instanceof Float64Array ? `${s.length} values` : describeArg(s)}`,
    );
  }
  for (let i = 0; i < s.length; i++) {
    if (!(Number.isFinite(s[i]!) && s[i]! >= 0 && (i === 0 || s[i]! <= s[i - 1]!))) {
      throw new ArgumentError('fitMarchenkoPastur: singular values must be finite, non-negative and sorted descending (svdvals order)');
    }
  }
  const c = Math.min(p, q) / Math.max(p, q);
  let bulk = s.length;
  // σ² is computed on the bulk rescaled by 2^k (exact) when its largest value lies beyond
  // 2^±200, so the squares neither overflow nor underflow; k = 0 otherwise.
  let sigma2Scaled = 0,
    k = 0,
    edge = 0;
  for (let iter = 0; iter < 50; iter++) {
    k = rescaleExponent(s[s.length - bulk]!);
    let sum = 0;
    for (let i = s.length - bulk; i < s.length; i++) {
      const x = timesPow2(s[i]!, k);
      sum += x * x;
    }
    sigma2Scaled = sum / bulk;
    edge = timesPow2(Math.sqrt(sigma2Scaled) * (1 + Math.sqrt(c)), -k);
    let above = 0;
    while (above < s.length - 1 && s[above]! > edge * (1 + margin)) above++;
    if (s.length - above === bulk) break;
    bulk = s.length - above;
  }
  const sigma2 = timesPow2(sigma2Scaled, -2 * k);
  if (!Number.isFinite(sigma2) || !Number.isFinite(edge * (1 + margin))) {
    throw new NonFiniteError(
      `fitMarchenkoPastur: the bulk variance σ² = mean s² exceeds the double range (singular values near ${s[s.length - bulk]}); rescale the matrix`,
    );
  }
  if (sigma2Scaled > 0 && sigma2 === 0) {
    // (a subnormal σ² is still the correctly rounded value; a zero would be a silent one)
    throw new ArgumentError(
      `fitMarchenkoPastur: the bulk variance σ² = mean s² underflows to zero (singular values near ${s[s.length - bulk]}); rescale the matrix`,
    );
  }
  let outliers = 0;
  while (outliers < s.length && s[outliers]! > edge * (1 + margin)) outliers++;
  return { sigma2, edge, outliers, margin, c };
}

export interface SpikePrediction {
  /** θ/s0, the spike strength relative to the bulk scale. */
  t: number;
  /** Threshold c^{1/4}: above it the spike separates from the bulk. */
  threshold: number;
  /** Predicted top singular value of W1 (the bulk edge s0(1 + √c) when t ≤ threshold). */
  s1: number;
  /** Predicted ⟨û, u⟩², 0 below threshold. */
  alignmentU: number;
}

/**
 * Benaych-Georges–Nadakuditi prediction for W1 ≈ W0 + θ·u·vᵀ, W0 = s0·Z (d×N, d ≤ N,
 * c = d/N, s0 = √(N/d) in Ba's scaling where W0 has N(0, 1/d) entries): with t = θ/s0,
 * if t > c^{1/4}: s1 = s0·√((1 + t²)(c + t²))/t and ⟨û, u⟩² = 1 − c(1 + t²)/(t²(t² + c)).
 * [derived] shared/spec/science.md §1.
 */
export function spikedPrediction(theta: number, d: number, N: number): SpikePrediction {
  checkNumber('spikedPrediction', 'd', d, { above: 0 });
  checkNumber('spikedPrediction', 'N', N, { above: 0 });
  if (!(N >= d)) throw new ArgumentError(`spikedPrediction: needs 0 < d ≤ N, got d = ${d}, N = ${N}`);
  checkNumber('spikedPrediction', 'theta', theta, { atLeast: 0 });
  const c = d / N;
  const s0 = Math.sqrt(N / d);
  const t = theta / s0;
  const threshold = Math.sqrt(Math.sqrt(c));
  if (t <= threshold) return { t, threshold, s1: s0 * (1 + Math.sqrt(c)), alignmentU: 0 };
  if (t > 2 ** 500) {
    // t² would overflow: the same formulas divided through by t⁴ (s1 ≈ s0·t, ⟨û, u⟩² → 1)
    const u = 1 / t,
      u2 = u * u;
    return { t, threshold, s1: s0 * t * Math.sqrt((1 + u2) * (1 + c * u2)), alignmentU: 1 - (c * u2 * (1 + u2)) / (1 + c * u2) };
  }
  return {
    t,
    threshold,
    s1: (s0 * Math.sqrt((1 + t * t) * (c + t * t))) / t,
    alignmentU: 1 - (c * (1 + t * t)) / (t * t * (t * t + c)),
  };
}

/** Moniri et al. 2024: number of spikes ⌊1/(1 − 2α)⌋ for η = c·n^α, α ∈ [0, ½). */
export function predictedSpikes(alpha: number): number {
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha < 0.5)) throw new ArgumentError(`predictedSpikes: alpha must be in [0, 0.5), got ${alpha}`);
  // thresholds (k−1)/(2k) are inclusive; the tolerance keeps decimal inputs like 1/3 on them
  return Math.floor(1 / (1 - 2 * alpha) + 1e-9);
}

/** |c_k| at or below this is a vanishing Hermite coefficient (parity zeros come out ~1e-16 by quadrature). */
export const VANISHING_COEFFICIENT = 1e-8;

/** Degrees k in [from, to] with c_k ≠ 0 (degrees beyond the computed coefficients count as non-zero). */
export function countNonvanishing(coefficients: Float64Array, from: number, to: number): number {
  let count = 0;
  for (let k = from; k <= to; k++) if (!coefficientVanishes(coefficients, k)) count++;
  return count;
}

export function coefficientVanishes(coefficients: Float64Array, k: number): boolean {
  return k < coefficients.length && Math.abs(coefficients[k]!) <= VANISHING_COEFFICIENT;
}

/**
 * Leading-order strength of the k-th spike of F = σ(X̃W1) after W1 = W0 + η√N·G0
 * (Moniri et al. 2024's expansion, [derived]): with G0 ≈ c1·b·aᵀ/√N, b = Xᵀ(y − f0)/n, the
 * update is Δ = X̃(W1 − W0) ≈ η·c1·(X̃b)·aᵀ, and the order-k Taylor term of σ contributes
 * c_k·(η·c1·‖b‖)^k·z^k·(a^{∘k})ᵀ, z = X̃b/‖b‖ (E σ^{(k)}(g)/k! = c_k by Stein's lemma). Its
 * component along the unit directions He_k(z)/‖He_k(z)‖ and a^{∘k}/‖a^{∘k}‖ is
 * c_k·(η·c1·‖b‖)^k·√(k!·n)·‖a^{∘k}‖, which grows like n^{1+αk−k/2} for η ≍ n^α, N ≍ n.
 */
export function spikeStrength(p: {
  k: number;
  ck: number;
  c1: number;
  eta: number;
  bNorm: number;
  n: number;
  aPowerNorm: number;
  pow: (x: number, y: number) => number;
}): number {
  return p.ck * p.pow(p.eta * p.c1 * p.bNorm, p.k) * Math.sqrt(factorial(p.k) * p.n) * p.aPowerNorm;
}

/**
 * Leading-order strength of the k-th rank-one term that the second step adds to W
 * (Moniri & Hassani 2026, [derived] like spikeStrength): step 1 leaves W1 − W0 ≈ η1·c1·b·aᵀ,
 * so σ′(X2·W1) = Σ_k σ^{(k+1)}(X2·W0)·(η1·c1·(X2b)·aᵀ)^{∘k}/k!, and with E σ^{(k+1)} = (k+1)!·c_{k+1}
 * step 2 adds η2·(k+1)·c_{k+1}·(η1·c1)^k·u_k·(a^{∘(k+1)})ᵀ, u_k = X2ᵀ[(y2 − f1) ⊙ (X2b)^{∘k}]/n.
 * Its size along the unit directions is that coefficient times ‖u_k‖·‖a^{∘(k+1)}‖, which grows
 * like N^{α2 + kα1 − k/2}: visible for k ≤ α2/(½ − α1).
 */
export function twoStepTermStrength(p: {
  k: number;
  ck1: number;
  c1: number;
  eta1: number;
  eta2: number;
  uNorm: number;
  aPowerNorm: number;
  pow: (x: number, y: number) => number;
}): number {
  return p.eta2 * (p.k + 1) * p.ck1 * p.pow(p.eta1 * p.c1, p.k) * p.uNorm * p.aPowerNorm;
}

/**
 * BBP threshold of a rank-one perturbation θ·u·vᵀ (unit u, v) of a rows×cols bulk matrix with
 * singular values `values`, read at the level z above the bulk: the perturbed matrix has a
 * singular value above z iff θ > 1/√D(z), with D the Benaych-Georges–Nadakuditi D-transform
 * D(z) = φ(z)·φ̄(z), φ(z) = (1/p)·Σ_i z/(z² − s_i²) over the p = min(rows, cols) singular values,
 * φ̄(z) = (p/q)·φ(z) + (1 − p/q)/z, q = max(rows, cols). With z = edge·(1 + margin) this is the
 * strength at which a spike clears the outlier rule "above the edge by the margin".
 * see: Benaych-Georges & Nadakuditi, "The singular values and vectors of low rank perturbations
 * of large rectangular random matrices", J. Multivariate Anal. 111 (2012), Theorem 2.8.
 */
export function dTransformThreshold(values: Float64Array, rows: number, cols: number, z: number): number {
  checkInteger('dTransformThreshold', 'rows', rows, 1, 2 ** 31 - 1);
  checkInteger('dTransformThreshold', 'cols', cols, 1, 2 ** 31 - 1);
  const p = Math.min(rows, cols),
    q = Math.max(rows, cols);
  if (!(values instanceof Float64Array) || values.length !== p)
    throw new ArgumentError(`dTransformThreshold: values must be the ${p} singular values of a ${rows}×${cols} matrix (a Float64Array)`);
  let top = 0;
  for (const s of values) {
    if (!(Number.isFinite(s) && s >= 0)) throw new ArgumentError(`dTransformThreshold: singular values must be finite and ≥ 0, got ${s}`);
    top = Math.max(top, s);
  }
  checkNumber('dTransformThreshold', 'z', z, { above: top });
  let sum = 0;
  for (const s of values) sum += z / (z * z - s * s);
  const phi = sum / p;
  const phiBar = (p / q) * phi + (1 - p / q) / z;
  return 1 / Math.sqrt(phi * phiBar);
}

/** Moniri & Hassani 2026: number of outliers ⌊α2/(½ − α1)⌋ after two steps. */
export function predictedTwoStepOutliers(alpha1: number, alpha2: number): number {
  for (const [name, a] of [
    ['alpha1', alpha1],
    ['alpha2', alpha2],
  ] as const) {
    if (!(typeof a === 'number' && a >= 0 && a < 0.5)) throw new ArgumentError(`predictedTwoStepOutliers: ${name} must be in [0, 0.5), got ${a}`);
  }
  return Math.floor(alpha2 / (0.5 - alpha1) + 1e-9); // inclusive thresholds, as predictedSpikes
}

// ---------------------------------------------------------------------------------------
// Huang et al. 2025 (linear network), [derived] closed forms of §4

export interface HuangStage1 {
  v: number;
  rho: number;
}

/**
 * Exact discrete stage-1 solution for one neuron: with a = η√γ/(nm), F = η⟨w(0), Xᵀy⟩/(nm),
 * v(t) = ½[(1+a)^t(v0 + F/a) + (1−a)^t(v0 − F/a)],
 * ρ(t) = √γ{½[(1+a)^t(v0 + F/a) − (1−a)^t(v0 − F/a)] − F/a}. Powers are computed in wasm.
 */
export function huangStage1(fl: Engine, t: number, p: { a: number; F: number; v0: number; gamma: number }): HuangStage1 {
  checkEngine(fl, 'huangStage1');
  checkInteger('huangStage1', 't', t, 0, Number.MAX_SAFE_INTEGER);
  checkObject('huangStage1', 'p', p);
  checkOptions('huangStage1', p, ['a', 'F', 'v0', 'gamma'], 'p');
  if (!(typeof p.a === 'number' && p.a > 0 && p.a < 1)) throw new ArgumentError(`huangStage1: a = η√γ/(nm) must be in (0, 1), got ${p.a}`);
  for (const [k, v] of [
    ['F', p.F],
    ['v0', p.v0],
    ['gamma', p.gamma],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || (k === 'gamma' && v <= 0))
      throw new ArgumentError(`huangStage1: ${k} must be finite${k === 'gamma' ? ' and positive' : ''}, got ${v}`);
  }
  const up = fl.math.pow(1 + p.a, t),
    down = fl.math.pow(1 - p.a, t);
  const plus = p.v0 + p.F / p.a,
    minus = p.v0 - p.F / p.a;
  const v = 0.5 * (up * plus + down * minus),
    rho = Math.sqrt(p.gamma) * (0.5 * (up * plus - down * minus) - p.F / p.a);
  if (!Number.isFinite(v) || !Number.isFinite(rho))
    throw new NonFiniteError(`huangStage1: v(t) or ρ(t) exceeds the double range at t = ${t} ((1 + a)^t = ${up})`);
  return { v, rho };
}

/** Stage-2 map ρ ↦ ρ + (η√γ/(nm))ρ − (ηϕ/(nmγ²))ρ³; its fixed point is ρ² = γ^{5/2}/ϕ. */
export function huangStage2Step(rho: number, p: { eta: number; gamma: number; phi: number; n: number; m: number }): number {
  checkNumber('huangStage2Step', 'rho', rho);
  checkObject('huangStage2Step', 'p', p);
  const keys = ['eta', 'gamma', 'phi', 'n', 'm'] as const;
  checkOptions('huangStage2Step', p, keys, 'p');
  for (const k of keys) checkNumber('huangStage2Step', `p.${k}`, p[k], { above: 0 });
  const nm = p.n * p.m;
  const next = rho + ((p.eta * Math.sqrt(p.gamma)) / nm) * rho - ((p.eta * p.phi) / (nm * p.gamma * p.gamma)) * rho * rho * rho;
  if (!Number.isFinite(next)) throw new NonFiniteError(`huangStage2Step: the next ρ exceeds the double range (ρ = ${rho}): the iteration diverges`);
  return next;
}

/**
 * [derived, docs/science.md §4] The step at which the loss halves. With s = mean_r v_r²/v*²
 * the loss is L/L0 ≈ (1 − s)²; in stage 1 v_r(t) ≈ ½(1+a)^t·c_r (c_r = v_r(0) + F_r/a), so
 * s(t) ≈ (1+a)^{2t}·rms(c)²/(4v*²), and with the loss feedback s/(1 − s) grows by (1+a)² a step
 * (logistic). L = L0/2 at s/(1 − s) = √2 − 1:
 * t½ = [ln(2v* / rms_r c_r) + ½·ln(√2 − 1)] / ln(1 + a). Logs in wasm (fl.math).
 */
export function huangHalfLossTime(fl: Engine, p: { a: number; vStar: number; rmsC: number }): number {
  checkEngine(fl, 'huangHalfLossTime');
  checkObject('huangHalfLossTime', 'p', p);
  checkOptions('huangHalfLossTime', p, ['a', 'vStar', 'rmsC'], 'p');
  checkNumber('huangHalfLossTime', 'p.a', p.a, { above: 0 });
  checkNumber('huangHalfLossTime', 'p.vStar', p.vStar, { above: 0 });
  checkNumber('huangHalfLossTime', 'p.rmsC', p.rmsC, { above: 0 });
  const log = (x: number) => fl.math.log(x);
  return (log((2 * p.vStar) / p.rmsC) + 0.5 * log(Math.SQRT2 - 1)) / log(1 + p.a);
}

/**
 * [derived, docs/science.md §4] The scalar map of the loss collapse,
 * s_{t+1} = s_t·(1 + a(1 − s_t))², from s_0 for `steps` steps: s_0 … s_steps. The loss follows
 * L/L0 ≈ (1 − s_t)². It comes from v_{t+1} ≈ v_t(1 + a(1 − s_t)) for every neuron once ρ_r ≈ √γ·v_r.
 */
export function huangScalarMap(s0: number, a: number, steps: number): Float64Array {
  checkNumber('huangScalarMap', 's0', s0, { atLeast: 0 });
  checkNumber('huangScalarMap', 'a', a, { above: 0 });
  checkInteger('huangScalarMap', 'steps', steps, 0, 10_000_000);
  const s = new Float64Array(steps + 1);
  s[0] = s0;
  for (let t = 0; t < steps; t++) {
    const g = 1 + a * (1 - s[t]!);
    s[t + 1] = s[t]! * g * g;
    if (!Number.isFinite(s[t + 1]!))
      throw new NonFiniteError(`huangScalarMap: s exceeds the double range at step ${t + 1} (a = ${a}, s0 = ${s0}): the map diverges`);
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Infinite-width ReLU NTK

/**
 * Θ∞(x, x′) = ‖x‖‖x′‖(sin θ + (π − θ)cos θ)/(2πd) + xᵀx′(π − θ)/(2πd) for the rows of
 * X1 (n1×d) and X2 (n2×d), as an n1×n2 matrix; angles and the formula in wasm (stable atan2 form).
 */
export function reluNtkInfinite(fl: Engine, X1: Matrix, X2: Matrix): Matrix {
  checkEngine(fl, 'reluNtkInfinite');
  checkMatrix(fl, 'reluNtkInfinite', 'X1', X1);
  checkMatrix(fl, 'reluNtkInfinite', 'X2', X2);
  if (X1.cols !== X2.cols) throw new ShapeError(`reluNtkInfinite: X1 is ${X1.rows}×${X1.cols} but X2 is ${X2.rows}×${X2.cols}`);
  const d = X1.cols;
  if (d < 1) throw new ShapeError(`reluNtkInfinite: inputs need at least one dimension, got X1 ${X1.describe()}`);
  return fl.scope(() => {
    for (const [name, X] of [
      ['X1', X1],
      ['X2', X2],
    ] as const) {
      if (fl.countNonFinite(X) > 0) throw new NonFiniteError(`reluNtkInfinite: ${name} holds NaN or Infinity`);
    }
    // Rows rescaled by powers of two beyond 2^±200 (angles are scale-free; Θ is bilinear in
    // the norms, so the result is scaled back by 2^−(kA + kB)).
    const a = inSafeRange(fl, fl.astype(X1, 'f64')),
      b = inSafeRange(fl, fl.astype(X2, 'f64'));
    const A = a.M,
      B = b.M;
    const theta = network.rowAngles(fl.core, 'reluNtkInfinite', A, B, ['X1', 'X2']);
    const G = fl.matmul(A, B, { transB: true });
    const n1 = fl.sumRows(fl.hadamard(A, A)),
      n2 = fl.sumRows(fl.hadamard(B, B));
    const out = network.reluNtk(fl.core, 'reluNtkInfinite', theta, G, n1, n2, d, -(a.k + b.k));
    const first = network.firstNonFinite(fl.core, 'reluNtkInfinite', out);
    if (first >= 0) throw new NonFiniteError(`reluNtkInfinite: Θ(x_${Math.floor(first / B.rows)}, x′_${first % B.rows}) exceeds the double range`);
    return out;
  });
}

/**
 * Hermite features of the projections z = X·b/‖b‖: an n×K matrix whose column k−1 is
 * He_k(z)/√k! (k = 1..K), the directions the k-th spike of the feature matrix aligns with
 * (Moniri et al. 2024); compare subspaces with principalCosines.
 */
export function hermiteFeatures(fl: Engine, X: Matrix, b: Matrix, K: number): Matrix {
  checkEngine(fl, 'hermiteFeatures');
  checkMatrix(fl, 'hermiteFeatures', 'X', X);
  checkMatrix(fl, 'hermiteFeatures', 'b', b);
  if (b.rows !== X.cols || b.cols !== 1) throw new ShapeError(`hermiteFeatures: b must be ${X.cols}×1, got ${b.rows}×${b.cols}`);
  if (X.rows < 1) throw new ShapeError(`hermiteFeatures: X needs at least one row, got ${X.describe()}`);
  if (!Number.isInteger(K) || K < 1 || K > 30) throw new ArgumentError(`hermiteFeatures: K must be an integer in [1, 30], got ${describeArg(K)}`);
  return named('hermiteFeatures', () =>
    fl.scope(() => {
      if (fl.countNonFinite(b) > 0) throw new NonFiniteError('hermiteFeatures: b holds NaN or Infinity');
      // b is only a direction: rescale it by a power of two beyond 2^±200 so 1/‖b‖ is finite
      const bk = scaledByPow2(fl, b, rescaleExponent(fl.norm(b, 'max')));
      const bNorm = fl.norm(bk);
      if (bNorm === 0) throw new ArgumentError('hermiteFeatures: b is zero: the projection direction b/‖b‖ is undefined');
      const z = fl.gemv(fl.astype(X, 'f64'), fl.astype(bk, 'f64'), { alpha: 1 / bNorm });
      return fl.keep(
        columnStack(
          fl,
          Array.from({ length: K }, (_, i) => applyFunction(fl, { hermiteNormalized: i + 1 }, z)),
        ),
      );
    }),
  );
}

/**
 * Benaych-Georges–Nadakuditi D-transform of the empirical singular values of a p×q matrix
 * (`values`: its min(p, q) singular values), at z above the largest:
 * φ(z) = (1/r)·Σ_i z/(z² − s_i²) over the r = min(p, q) values, c = r/max(p, q),
 * D(z) = φ(z)·[c·φ(z) + (1 − c)/z]. A rank-one perturbation θ·u·vᵀ of the matrix has a
 * singular value at ρ > edge when D(ρ) = 1/θ², so 1/√D(z) is the strength that puts it at z.
 * see: F. Benaych-Georges & R. R. Nadakuditi, "The singular values and vectors of low rank
 * perturbations of large rectangular random matrices", J. Multivariate Anal. 111 (2012), §2.
 */
export function dTransform(values: Float64Array, z: number, rows: number, cols: number): number {
  if (!(values instanceof Float64Array) || values.length === 0)
    throw new ArgumentError('dTransform: values must be a non-empty Float64Array of singular values');
  checkInteger('dTransform', 'rows', rows, 1, 2 ** 31 - 1);
  checkInteger('dTransform', 'cols', cols, 1, 2 ** 31 - 1);
  const r = Math.min(rows, cols);
  if (values.length !== r) throw new ShapeError(`dTransform: a ${rows}×${cols} matrix has ${r} singular values, got ${values.length}`);
  let top = 0;
  for (const s of values) {
    if (!(Number.isFinite(s) && s >= 0)) throw new ArgumentError(`dTransform: singular values must be finite and ≥ 0, got ${s}`);
    if (s > top) top = s;
  }
  checkNumber('dTransform', 'z', z, { above: top });
  let phi = 0;
  for (const s of values) phi += z / (z * z - s * s);
  phi /= r;
  const c = r / Math.max(rows, cols);
  return phi * (c * phi + (1 - c) / z);
}

/**
 * The strength a rank-one term needs to appear at z (above the bulk) in a matrix whose bulk has
 * these singular values: θ(z) = 1/√D(z) (dTransform). With z = (1 + margin)·edge it is the
 * finite-size BBP threshold of an outlier counted `margin` above the edge.
 */
export function bbpThreshold(values: Float64Array, z: number, rows: number, cols: number): number {
  return 1 / Math.sqrt(dTransform(values, z, rows, cols));
}

/**
 * Relative next-order correction to spikeStrength ([derived]): the Taylor term of degree
 * m = k + 2, c_{k+2}·t^{k+2}·z^{k+2}·(a^{∘(k+2)})ᵀ with t = η·c1·‖b‖, projects onto
 * He_k(z) ⊗ a^{∘k} through E[z^{k+2}·He_k(z)] = (k+2)!/2 and ⟨a^{∘(k+2)}, a^{∘k}⟩ = Σa^{2k+2},
 * so the strength is θ_k·(1 + r) with r = (c_{k+2}/c_k)·t²·((k+2)!/(2·k!))·Σa^{2k+2}/Σa^{2k}
 * (for k = 2: (c4/c2)·t²·6·Σa⁶/Σa⁴ ≈ (c4/c2)·t²·30/N). 0 when c_k = 0.
 */
export function spikeStrengthCorrection(p: { k: number; ck: number; ckPlus2: number; t: number; sumA2k: number; sumA2kPlus2: number }): number {
  checkObject('spikeStrengthCorrection', 'p', p);
  checkInteger('spikeStrengthCorrection', 'k', p.k, 1, 30);
  checkNumber('spikeStrengthCorrection', 'ck', p.ck);
  checkNumber('spikeStrengthCorrection', 'ckPlus2', p.ckPlus2);
  checkNumber('spikeStrengthCorrection', 't', p.t);
  checkNumber('spikeStrengthCorrection', 'sumA2k', p.sumA2k, { above: 0 });
  checkNumber('spikeStrengthCorrection', 'sumA2kPlus2', p.sumA2kPlus2, { atLeast: 0 });
  if (p.ck === 0) return 0;
  const degreeFactor = ((p.k + 1) * (p.k + 2)) / 2; // (k+2)!/(2·k!)
  return (p.ckPlus2 / p.ck) * p.t * p.t * degreeFactor * (p.sumA2kPlus2 / p.sumA2k);
}
