// The two-layer network f(x) = s·Σ_j a_j·σ(w_jᵀx) (W d×N holds the neurons as columns, a is
// N×1), its parameterisations, forward pass, gradients and gradient-descent protocols. The
// arithmetic runs in wasm (GEMM, maps, the fused backprop product); TS drives the loop.

import type { Engine } from '../engine.js';
import { ArgumentError, DTypeError, FeaturelabError, NonFiniteError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { applyFunction, checkFunction, type ScalarFunction } from './functions.js';

export class DivergenceError extends FeaturelabError {}

export interface TwoLayer {
  /** d×N first-layer weights; column j is neuron w_j. */
  W: Matrix;
  /** N×1 second-layer weights. */
  a: Matrix;
  /** Output scale s. */
  scale: number;
  activation: ScalarFunction;
}

export type Parameterisation =
  /** Ba et al.: s = 1/√N, W_ij ~ N(0, 1/d) (or columns uniform on the unit sphere), a_j ~ N(0, 1/N). */
  | { kind: 'mean-field'; sphere?: boolean }
  /** Huang et al.: s = 1/m, w_r ~ N(0, σ0²I), v_r = ±v0 with a random sign, identity activation. */
  | { kind: 'linear'; sigma0: number; v0: number }
  /** Xu & Du / Zhu et al.: s = 1, a = 1 (fixed), W_ij ~ N(0, σ²) small. */
  | { kind: 'fixed-output'; sigma: number }
  /** NTK: s = 1/√N, W_ij ~ N(0, 1/d), a_j ~ N(0, 1). */
  | { kind: 'ntk' };

/** Creates the network with N neurons on R^d under a parameterisation, from (seed, stream, stream + 1). */
export function createNetwork(
  fl: Engine,
  d: number,
  N: number,
  activation: ScalarFunction,
  param: Parameterisation,
  rng: { seed: number | bigint; stream: number },
): TwoLayer {
  for (const [name, v] of [['d', d], ['N', N]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`network: ${name} must be a positive integer, got ${v}`);
  }
  checkFunction(activation, 'network activation');
  const wOpts = { seed: rng.seed, stream: rng.stream };
  const aOpts = { seed: rng.seed, stream: rng.stream + 1 };
  return fl.scope(() => {
    switch (param.kind) {
      case 'mean-field': {
        const W = fl.randn(d, N, wOpts);
        if (param.sphere) {
          // normalise each column w_j to unit length: W·diag(1/‖w_j‖), in place
          const inv = fl.sumCols(fl.hadamard(W, W)).toArray().map((v) => 1 / Math.sqrt(v));
          const ones = fl.full(d, 1, 1);
          fl.kernels.rank1_hadamard_f64(d, N, W.ptr, ones.ptr, fl.fromArray(inv, N, 1).ptr, W.ptr);
        } else {
          fl.scale(W, 1 / Math.sqrt(d), { out: W });
        }
        const a = fl.scale(fl.randn(N, 1, aOpts), 1 / Math.sqrt(N));
        return { W, a, scale: 1 / Math.sqrt(N), activation };
      }
      case 'linear': {
        if (activation !== 'identity') throw new ArgumentError(`network: the 'linear' parameterisation (Huang et al.) needs activation 'identity', got ${JSON.stringify(activation)}`);
        positive(param.sigma0, 'sigma0');
        positive(param.v0, 'v0');
        const W = fl.scale(fl.randn(d, N, wOpts), param.sigma0);
        const u = fl.rand(N, 1, aOpts).toArray();
        const a = fl.fromArray(u.map((x) => (x < 0.5 ? -param.v0 : param.v0)), N, 1);
        return { W, a, scale: 1 / N, activation };
      }
      case 'fixed-output': {
        positive(param.sigma, 'sigma');
        return { W: fl.scale(fl.randn(d, N, wOpts), param.sigma), a: fl.full(N, 1, 1), scale: 1, activation };
      }
      case 'ntk':
        return { W: fl.scale(fl.randn(d, N, wOpts), 1 / Math.sqrt(d)), a: fl.randn(N, 1, aOpts), scale: 1 / Math.sqrt(N), activation };
      default:
        throw new ArgumentError(`unknown parameterisation ${JSON.stringify((param as { kind: unknown }).kind)}`);
    }
  });
}

function positive(v: number, name: string): void {
  if (!(v > 0 && Number.isFinite(v))) throw new ArgumentError(`network: ${name} must be a positive finite number, got ${v}`);
}

export interface Forward {
  /** Pre-activations Z = X·W (n×N). */
  Z: Matrix;
  /** Features σ(Z) (n×N). */
  H: Matrix;
  /** Outputs f = s·σ(Z)·a (n×1). */
  f: Matrix;
}

/** The network's layers must be f64 and consistent (the fused kernels assume it). */
export function checkNetwork(net: TwoLayer, X: Matrix | undefined, op: string): void {
  for (const [name, M] of [['W', net.W], ['a', net.a], ['X', X]] as const) {
    if (M && M.dtype !== 'f64') throw new DTypeError(`${op}: ${name} must be f64 (the network layer computes in f64), got ${M.describe()}`);
  }
  if (net.a.rows !== net.W.cols || net.a.cols !== 1) throw new ShapeError(`${op}: a must be ${net.W.cols}×1 for W ${net.W.rows}×${net.W.cols}, got ${net.a.rows}×${net.a.cols}`);
  if (X && X.cols !== net.W.rows) throw new ShapeError(`${op}: X is ${X.rows}×${X.cols} but W is ${net.W.rows}×${net.W.cols}`);
  if (!(Number.isFinite(net.scale))) throw new ArgumentError(`${op}: the output scale must be finite, got ${net.scale}`);
}

export function forward(fl: Engine, net: TwoLayer, X: Matrix): Forward {
  checkNetwork(net, X, 'forward');
  return fl.scope(() => {
    const Z = fl.matmul(X, net.W);
    const H = applyFunction(fl, net.activation, Z);
    const f = fl.gemv(H, net.a, { alpha: net.scale });
    return { Z, H, f };
  });
}

/** Mean squared loss (1/2n)·‖f − y‖². */
export function loss(fl: Engine, f: Matrix, y: Matrix): number {
  return fl.scope(() => {
    const r = fl.axpy(-1, y, fl.copy(f));
    return fl.dot(r, r) / (2 * f.rows);
  });
}

export interface Gradients {
  /** ∂L/∂W (d×N). */
  gW: Matrix;
  /** ∂L/∂a (N×1). */
  ga: Matrix;
  /** The loss (1/2n)‖f − y‖² at the current parameters. */
  loss: number;
  /** Outputs f (n×1). */
  f: Matrix;
}

/**
 * Gradients of L = (1/2n)‖f(X) − y‖²: with r = f − y,
 * ∂L/∂a = (s/n)·σ(XW)ᵀr and ∂L/∂W = (s/n)·Xᵀ[σ′(XW) ⊙ (r·aᵀ)] (the product fused in wasm).
 */
export function gradients(fl: Engine, net: TwoLayer, X: Matrix, y: Matrix): Gradients {
  checkNetwork(net, X, 'gradients');
  if (y.rows !== X.rows || y.cols !== 1 || y.dtype !== 'f64') throw new ShapeError(`gradients: y must be ${X.rows}×1 f64, got ${y.describe()}`);
  return fl.scope(() => {
    const { Z, H, f } = forward(fl, net, X);
    const r = fl.axpy(-1, y, fl.copy(f));
    const n = X.rows;
    const ga = fl.gemv(H, r, { trans: true, alpha: net.scale / n });
    let M: Matrix;
    if (net.activation === 'tanh' && H.dtype === 'f64') {
      M = fl.zeros(H.rows, H.cols); // tanh′ = 1 − tanh², from H (same bits as the map)
      fl.kernels.one_minus_square_f64(H.size, H.ptr, M.ptr);
    } else {
      M = applyFunction(fl, net.activation, Z, true);
    }
    fl.kernels.rank1_hadamard_f64(n, net.W.cols, M.ptr, r.ptr, net.a.ptr, M.ptr);
    const gW = fl.matmul(X, M, { transA: true, alpha: net.scale / n });
    return { gW, ga, loss: fl.dot(r, r) / (2 * n), f };
  });
}

export interface StepOptions {
  /** Step size of W (0 freezes it). */
  etaW: number;
  /** Step size of a (0 freezes it). Default 0. */
  etaA?: number;
  /** Weight decay λ: the step uses ∇L + λ·θ. Default 0. */
  weightDecay?: number;
}

/** One simultaneous GD step on the batch (both layers from the same gradients); returns the loss before it. */
export function gdStep(fl: Engine, net: TwoLayer, X: Matrix, y: Matrix, options: StepOptions): number {
  const etaA = options.etaA ?? 0;
  const lambda = options.weightDecay ?? 0;
  for (const [name, v] of [['etaW', options.etaW], ['etaA', etaA], ['weightDecay', lambda]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new ArgumentError(`gdStep: ${name} must be a finite number ≥ 0, got ${v}`);
  }
  try {
    return fl.scope(() => {
      const g = gradients(fl, net, X, y);
      if (!Number.isFinite(g.loss)) throw new DivergenceError(`gdStep: the loss is ${g.loss}: training diverged (lower the step size)`);
      if (lambda > 0) {
        fl.axpy(lambda, net.W, g.gW);
        fl.axpy(lambda, net.a, g.ga);
      }
      if (options.etaW > 0) fl.axpy(-options.etaW, g.gW, net.W);
      if (etaA > 0) fl.axpy(-etaA, g.ga, net.a);
      return g.loss;
    });
  } catch (error) {
    // Overflow anywhere in the step (outputs, gradients, weights) is divergence.
    if (error instanceof NonFiniteError) {
      throw new DivergenceError(`gdStep: non-finite values (training diverged — lower the step size — or the data held NaN/Inf). ${error.message}`);
    }
    throw error;
  }
}

/** Step size c·base^α, the power in wasm (η = c·N^α or c·n^α in the papers). */
export function powerStep(fl: Engine, c: number, base: number, alpha: number): number {
  const eta = c * fl.math.pow(base, alpha);
  if (!(Number.isFinite(eta) && eta >= 0)) throw new ArgumentError(`step size c·base^α = ${c}·${base}^${alpha} is not a finite non-negative number`);
  return eta;
}

/** The integers in [0, T] spaced evenly in log(1 + t): where long runs record (logs in wasm). */
export function logSpacedSteps(fl: Engine, T: number, points: number): number[] {
  const out = new Set<number>([0, T]);
  const top = fl.math.log1p(T);
  for (let i = 0; i < points; i++) out.add(Math.round(fl.math.expm1((top * i) / Math.max(points - 1, 1))));
  return [...out].filter((t) => t >= 0 && t <= T).sort((x, y) => x - y);
}

/**
 * Full-batch GD for T steps, calling record(t, loss) at the log-spaced steps (and t = T).
 * Throws DivergenceError when the loss stops being finite.
 */
export function trainFullBatch(
  fl: Engine,
  net: TwoLayer,
  X: Matrix,
  y: Matrix,
  T: number,
  options: StepOptions & { points?: number; record?: (t: number, loss: number) => void },
): number {
  if (!Number.isInteger(T) || T < 0 || T > 2 ** 31 - 1) throw new ArgumentError(`train: steps must be an integer in [0, 2^31), got ${T}`);
  const marks = new Set(logSpacedSteps(fl, T, options.points ?? 50));
  for (let t = 0; t < T; t++) {
    const before = gdStep(fl, net, X, y, options);
    if (marks.has(t)) options.record?.(t, before);
  }
  let final: number;
  try {
    final = fl.scope(() => loss(fl, forward(fl, net, X).f, y));
  } catch (error) {
    if (error instanceof NonFiniteError) throw new DivergenceError(`train: non-finite outputs after ${T} steps: training diverged. ${error.message}`);
    throw error;
  }
  if (!Number.isFinite(final)) throw new DivergenceError(`train: the loss is ${final} after ${T} steps: training diverged`);
  options.record?.(T, final);
  return final;
}

/**
 * Ba et al.'s one-step protocol on the first layer: W1 = W0 + η·√N·G0 with G0 = −∂L/∂W at
 * W0 on the batch (a fixed); returns the loss at W0. With `scaleByWidth: false` the step is
 * W1 = W0 − η·∂L/∂W.
 */
export function oneStep(fl: Engine, net: TwoLayer, batch: { X: Matrix; y: Matrix }, eta: number, options: { scaleByWidth?: boolean } = {}): number {
  const etaW = options.scaleByWidth === false ? eta : eta * Math.sqrt(net.W.cols);
  return gdStep(fl, net, batch.X, batch.y, { etaW });
}

/**
 * Moniri & Hassani's two steps on the first layer with step sizes (η1, η2) (scaled by √N as
 * in oneStep): the second step on `second`, or on the first batch again when reuse is set.
 * Returns the losses before each step.
 */
export function twoStep(
  fl: Engine,
  net: TwoLayer,
  first: { X: Matrix; y: Matrix },
  second: { X: Matrix; y: Matrix } | 'reuse',
  eta1: number,
  eta2: number,
): [number, number] {
  const l1 = oneStep(fl, net, first, eta1);
  const l2 = oneStep(fl, net, second === 'reuse' ? first : second, eta2);
  return [l1, l2];
}

/**
 * Online SGD: `steps` GD steps, each on a fresh minibatch from draw(t) (disposed after use),
 * recording the loss before the step at log-spaced steps, and at t = T the loss on draw(T).
 * The sampled counterpart of the population dynamics; returns that final loss.
 */
export function trainOnline(
  fl: Engine,
  net: TwoLayer,
  draw: (t: number) => { X: Matrix; y: Matrix },
  T: number,
  options: StepOptions & { points?: number; record?: (t: number, loss: number) => void },
): number {
  if (!Number.isInteger(T) || T < 0 || T > 2 ** 31 - 1) throw new ArgumentError(`trainOnline: steps must be an integer in [0, 2^31), got ${T}`);
  const marks = new Set(logSpacedSteps(fl, T, options.points ?? 50));
  for (let t = 0; t < T; t++) {
    fl.scope(() => {
      const { X, y } = draw(t);
      const before = gdStep(fl, net, X, y, options);
      if (marks.has(t)) options.record?.(t, before);
    });
  }
  const final = fl.scope(() => {
    const { X, y } = draw(T);
    return loss(fl, forward(fl, net, X).f, y);
  });
  options.record?.(T, final);
  return final;
}

/** Students as rows (N×d), the layout of the population and teacher–student functions. */
export function studentsOf(fl: Engine, net: TwoLayer): Matrix {
  return fl.transpose(net.W);
}

/** Readout features Φ = s·σ(X·W) (n×N), the regressors of the second stage. */
export function features(fl: Engine, net: TwoLayer, X: Matrix): Matrix {
  checkNetwork(net, X, 'features');
  return fl.scope(() => {
    const H = applyFunction(fl, net.activation, fl.matmul(X, net.W));
    return fl.scale(H, net.scale, { out: H });
  });
}
