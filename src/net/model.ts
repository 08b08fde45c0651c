// The two-layer network f(x) = s·Σ_j a_j·σ(w_jᵀx) (W d×N holds the neurons as columns, a is
// N×1), its parameterisations, forward pass, gradients and gradient-descent protocols. The
// arithmetic runs in wasm (GEMM, maps, the fused backprop product); TS drives the loop.

import { Engine } from '../core/engine.js';
import { ArgumentError, DivergenceError, DTypeError, NonFiniteError, ShapeError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { checkBoolean, checkEnum, checkOptions, describeArg } from '../core/options.js';
import { MAX_STEPS, meanSquare, named, checkCallback, checkEngine, checkInteger, checkMatrix, checkNumber, checkObject, checkRng } from './check.js';
import { applyToProduct, checkFunction, type ScalarFunction } from './functions.js';

// DivergenceError lives in src/core/errors.ts with the rest of the hierarchy; re-exported here for compatibility.
export { DivergenceError } from '../core/errors.js';

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
  checkEngine(fl, 'createNetwork');
  for (const [name, v] of [
    ['d', d],
    ['N', N],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw new ArgumentError(`createNetwork: ${name} must be a positive integer, got ${describeArg(v)}`);
  }
  checkFunction(activation, 'createNetwork: activation');
  checkParameterisation(param);
  checkRng('createNetwork', rng, [], 2, 'rng');
  const wOpts = { seed: rng.seed, stream: rng.stream };
  const aOpts = { seed: rng.seed, stream: rng.stream + 1 };
  return named('createNetwork', () =>
    fl.scope(() => {
      switch (param.kind) {
        case 'mean-field': {
          const W = fl.randn(d, N, wOpts);
          if (param.sphere) {
            // normalise each column w_j to unit length: W·diag(1/‖w_j‖), in place
            const inv = fl
              .sumCols(fl.hadamard(W, W))
              .toArray()
              .map((v) => 1 / Math.sqrt(v));
            network.scaleRowsCols(fl.core, 'createNetwork', W, fl.full(d, 1, 1), fl.fromArray(inv, N, 1), W);
          } else {
            fl.scale(W, 1 / Math.sqrt(d), { out: W });
          }
          const a = fl.scale(fl.randn(N, 1, aOpts), 1 / Math.sqrt(N));
          return { W, a, scale: 1 / Math.sqrt(N), activation };
        }
        case 'linear': {
          if (activation !== 'identity')
            throw new ArgumentError(
              `createNetwork: the 'linear' parameterisation (Huang et al.) needs activation 'identity', got ${JSON.stringify(activation)}`,
            );
          const W = fl.scale(fl.randn(d, N, wOpts), param.sigma0);
          const u = fl.rand(N, 1, aOpts).toArray();
          const a = fl.fromArray(
            u.map((x) => (x < 0.5 ? -param.v0 : param.v0)),
            N,
            1,
          );
          return { W, a, scale: 1 / N, activation };
        }
        case 'fixed-output': {
          return { W: fl.scale(fl.randn(d, N, wOpts), param.sigma), a: fl.full(N, 1, 1), scale: 1, activation };
        }
        case 'ntk':
          return { W: fl.scale(fl.randn(d, N, wOpts), 1 / Math.sqrt(d)), a: fl.randn(N, 1, aOpts), scale: 1 / Math.sqrt(N), activation };
      }
    }),
  );
}

const PARAMETERISATION_KEYS: Record<Parameterisation['kind'], readonly string[]> = {
  'mean-field': ['kind', 'sphere'],
  linear: ['kind', 'sigma0', 'v0'],
  'fixed-output': ['kind', 'sigma'],
  ntk: ['kind'],
};

/** The parameterisation's kind and keys, checked before any matrix is drawn. */
function checkParameterisation(param: Parameterisation): void {
  checkObject('createNetwork', 'param', param);
  const kind = checkEnum('createNetwork', 'param.kind', param.kind, Object.keys(PARAMETERISATION_KEYS) as Parameterisation['kind'][]);
  checkOptions('createNetwork', param, PARAMETERISATION_KEYS[kind], 'param');
  if (param.kind === 'mean-field') checkBoolean('createNetwork', 'param.sphere', param.sphere, false);
  if (param.kind === 'linear') {
    positive(param.sigma0, 'sigma0');
    positive(param.v0, 'v0');
  }
  if (param.kind === 'fixed-output') positive(param.sigma, 'sigma');
}

function positive(v: number, name: string): void {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
    throw new ArgumentError(`createNetwork: ${name} must be a positive finite number, got ${describeArg(v)}`);
}

export interface Forward {
  /** Pre-activations Z = X·W (n×N). */
  Z: Matrix;
  /** Features σ(Z) (n×N). */
  H: Matrix;
  /** Outputs f = s·σ(Z)·a (n×1). */
  f: Matrix;
}

/**
 * The network's layers must be live f64 matrices of one engine (`fl` when given: the fused
 * kernels read their pointers in its memory), with consistent shapes, a finite scale and a
 * known activation; X, when given, must match.
 */
export function checkNetwork(net: TwoLayer, X: Matrix | undefined, op: string, fl?: Engine): void {
  const fn = typeof op === 'string' ? op : 'checkNetwork';
  checkObject(fn, 'net', net);
  const wOwner = net.W instanceof Matrix ? network.ownerOf(net.W) : undefined;
  const owner = fl ?? (wOwner instanceof Engine ? wOwner : undefined);
  for (const [name, M] of [
    ['W', net.W],
    ['a', net.a],
    ['X', X],
  ] as const) {
    if (name === 'X' && M === undefined) continue;
    if (!(M instanceof Matrix)) throw new ArgumentError(`${fn}: ${name === 'X' ? 'X' : `net.${name}`} must be a Matrix, got ${describeArg(M)}`);
    checkMatrix(owner!, fn, name === 'X' ? 'X' : `net.${name}`, M);
    if (M.dtype !== 'f64') throw new DTypeError(`${fn}: ${name} must be f64 (the network layer computes in f64), got ${M.describe()}`);
  }
  if (net.a.rows !== net.W.cols || net.a.cols !== 1)
    throw new ShapeError(`${fn}: a must be ${net.W.cols}×1 for W ${net.W.rows}×${net.W.cols}, got ${net.a.rows}×${net.a.cols}`);
  if (X && X.cols !== net.W.rows) throw new ShapeError(`${fn}: X is ${X.rows}×${X.cols} but W is ${net.W.rows}×${net.W.cols}`);
  if (!(typeof net.scale === 'number' && Number.isFinite(net.scale)))
    throw new ArgumentError(`${fn}: the output scale must be finite, got ${describeArg(net.scale)}`);
  checkFunction(net.activation, `${fn}: net.activation`);
}

/** y must be an n×1 f64 matrix of this engine (the labels of n samples). */
function checkLabels(fl: Engine, fn: string, name: string, y: Matrix, n: number): void {
  checkMatrix(fl, fn, name, y, { dtype: 'f64', rows: n, cols: 1 });
}

export function forward(fl: Engine, net: TwoLayer, X: Matrix): Forward {
  checkEngine(fl, 'forward');
  checkNetwork(net, requireX(X, 'forward'), 'forward', fl);
  return named('forward', () =>
    fl.scope(() => {
      const Z = fl.matmul(X, net.W);
      const H = applyToProduct(fl, net.activation, Z);
      const f = fl.gemv(H, net.a, { alpha: net.scale });
      return { Z, H, f };
    }),
  );
}

/** Mean squared loss (1/2n)·‖f − y‖². */
export function loss(fl: Engine, f: Matrix, y: Matrix): number {
  checkEngine(fl, 'loss');
  checkMatrix(fl, 'loss', 'f', f, { dtype: 'f64', cols: 1 });
  checkLabels(fl, 'loss', 'y', y, f.rows);
  if (f.rows < 1) throw new ShapeError(`loss: needs at least one sample, got f ${f.describe()}`);
  return named('loss', () =>
    fl.scope(() => {
      const r = fl.axpy(-1, y, fl.copy(f));
      return meanSquare(fl, 'loss', r, 2 * f.rows);
    }),
  );
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
  checkEngine(fl, 'gradients');
  checkNetwork(net, requireX(X, 'gradients'), 'gradients', fl);
  checkMatrix(fl, 'gradients', 'y', y);
  if (y.rows !== X.rows || y.cols !== 1 || y.dtype !== 'f64') throw new ShapeError(`gradients: y must be ${X.rows}×1 f64, got ${y.describe()}`);
  if (X.rows < 1) throw new ShapeError(`gradients: needs at least one sample, got X ${X.describe()}`);
  return named('gradients', () =>
    fl.scope(() => {
      const { Z, H, f } = forward(fl, net, X);
      const r = fl.axpy(-1, y, fl.copy(f));
      const n = X.rows;
      const ga = fl.gemv(H, r, { trans: true, alpha: net.scale / n });
      let M: Matrix;
      if (net.activation === 'tanh' && H.dtype === 'f64') {
        M = network.oneMinusSquare(fl.core, 'gradients', H); // tanh′ = 1 − tanh², from H (same bits as the map)
      } else {
        M = applyToProduct(fl, net.activation, Z, true);
      }
      network.scaleRowsCols(fl.core, 'gradients', M, r, net.a, M); // σ′ ⊙ (r·aᵀ)
      const gW = fl.matmul(X, M, { transA: true, alpha: net.scale / n });
      return { gW, ga, loss: meanSquare(fl, 'gradients', r, 2 * n), f };
    }),
  );
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
  checkEngine(fl, 'gdStep');
  const { etaW, etaA, lambda } = checkStep('gdStep', options, STEP_KEYS);
  checkNetwork(net, requireX(X, 'gdStep'), 'gdStep', fl);
  checkLabels(fl, 'gdStep', 'y', y, X.rows);
  return step(fl, net, X, y, etaW, etaA, lambda);
}

const STEP_KEYS = ['etaW', 'etaA', 'weightDecay'] as const;
const TRAIN_KEYS = [...STEP_KEYS, 'points', 'record'] as const;

/** The step sizes and weight decay of StepOptions (an object with etaW), all finite and ≥ 0. */
function checkStep(fn: string, options: StepOptions, keys: readonly string[]): { etaW: number; etaA: number; lambda: number } {
  if (options === undefined) throw new ArgumentError(`${fn}: options { etaW, … } are required`);
  checkOptions(fn, options, keys);
  const etaA = options.etaA ?? 0;
  const lambda = options.weightDecay ?? 0;
  for (const [name, v] of [
    ['etaW', options.etaW],
    ['etaA', etaA],
    ['weightDecay', lambda],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(`${fn}: ${name} must be a finite number ≥ 0, got ${describeArg(v)}`);
  }
  return { etaW: options.etaW, etaA, lambda };
}

/** X must be given (checkNetwork then checks it against the network). */
function requireX(X: Matrix, fn: string): Matrix {
  if (!(X instanceof Matrix)) throw new ArgumentError(`${fn}: X must be a Matrix, got ${describeArg(X)}`);
  return X;
}

/** The checked core of gdStep (also the training loops' step). */
function step(fl: Engine, net: TwoLayer, X: Matrix, y: Matrix, etaW: number, etaA: number, lambda: number): number {
  try {
    return fl.scope(() => {
      const g = gradients(fl, net, X, y);
      if (!Number.isFinite(g.loss)) throw new DivergenceError(`gdStep: the loss is ${g.loss}: training diverged (lower the step size)`);
      if (lambda > 0) {
        fl.axpy(lambda, net.W, g.gW);
        fl.axpy(lambda, net.a, g.ga);
      }
      if (etaW > 0) fl.axpy(-etaW, g.gW, net.W);
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
  checkEngine(fl, 'powerStep');
  checkNumber('powerStep', 'c', c, { atLeast: 0 });
  checkNumber('powerStep', 'base', base, { above: 0 });
  checkNumber('powerStep', 'alpha', alpha);
  const eta = c * fl.math.pow(base, alpha);
  if (!(Number.isFinite(eta) && eta >= 0)) throw new ArgumentError(`powerStep: step size c·base^α = ${c}·${base}^${alpha} is not a finite non-negative number`);
  return eta;
}

/** The most recording points a training loop takes (a log-spaced grid needs far fewer). */
export const MAX_POINTS = 100_000;

/**
 * The integers in [0, T] spaced evenly in log(1 + t): where long runs record (logs in wasm).
 * T is an integer in [0, 2^31 − 1], points an integer in [1, MAX_POINTS].
 */
export function logSpacedSteps(fl: Engine, T: number, points: number): number[] {
  checkEngine(fl, 'logSpacedSteps');
  checkInteger('logSpacedSteps', 'T', T, 0, MAX_STEPS);
  checkInteger('logSpacedSteps', 'points', points, 1, MAX_POINTS);
  return spacedSteps(fl, T, points);
}

/** Checks the recording options of a training loop: points (default `fallback`) and record. */
export function checkRecording(fn: string, options: { points?: number; record?: unknown }, fallback: number): number {
  checkCallback(fn, 'record', options.record);
  return options.points === undefined ? fallback : checkInteger(fn, 'points', options.points, 1, MAX_POINTS);
}

/** logSpacedSteps on checked arguments. */
export function spacedSteps(fl: Engine, T: number, points: number): number[] {
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
  checkEngine(fl, 'trainFullBatch');
  checkInteger('trainFullBatch', 'T', T, 0, MAX_STEPS);
  const { etaW, etaA, lambda } = checkStep('trainFullBatch', options, TRAIN_KEYS);
  const marks = new Set(spacedSteps(fl, T, checkRecording('trainFullBatch', options, 50)));
  checkNetwork(net, requireX(X, 'trainFullBatch'), 'trainFullBatch', fl);
  checkLabels(fl, 'trainFullBatch', 'y', y, X.rows);
  for (let t = 0; t < T; t++) {
    const before = step(fl, net, X, y, etaW, etaA, lambda);
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
  checkEngine(fl, 'oneStep');
  const scaleByWidth = checkBoolean('oneStep', 'scaleByWidth', checkOptions('oneStep', options, ['scaleByWidth']).scaleByWidth, true);
  checkNumber('oneStep', 'eta', eta, { atLeast: 0 });
  checkBatch(fl, 'oneStep', net, batch, 'batch');
  return firstLayerStep(fl, 'oneStep', net, batch, eta, scaleByWidth);
}

/** W1 = W0 − η·√N·∂L/∂W (or η·∂L/∂W) on checked arguments. */
function firstLayerStep(fl: Engine, fn: string, net: TwoLayer, batch: { X: Matrix; y: Matrix }, eta: number, scaleByWidth: boolean): number {
  const etaW = scaleByWidth ? eta * Math.sqrt(net.W.cols) : eta;
  if (!Number.isFinite(etaW)) throw new ArgumentError(`${fn}: the step η·√N = ${eta}·√${net.W.cols} is not finite`);
  return step(fl, net, batch.X, batch.y, etaW, 0, 0);
}

/** A batch { X, y } the network can take a step on. */
function checkBatch(fl: Engine, fn: string, net: TwoLayer, batch: { X: Matrix; y: Matrix }, name: string): void {
  checkObject(fn, name, batch);
  if (!(batch.X instanceof Matrix)) throw new ArgumentError(`${fn}: ${name}.X must be a Matrix, got ${describeArg(batch.X)}`);
  checkNetwork(net, batch.X, fn, fl);
  checkLabels(fl, fn, `${name}.y`, batch.y, batch.X.rows);
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
  // Everything is checked before the first step, so a bad second argument leaves net untouched.
  checkEngine(fl, 'twoStep');
  checkNumber('twoStep', 'eta1', eta1, { atLeast: 0 });
  checkNumber('twoStep', 'eta2', eta2, { atLeast: 0 });
  checkBatch(fl, 'twoStep', net, first, 'first');
  if (typeof second === 'string' || second === null || second === undefined) {
    if (second !== 'reuse') throw new ArgumentError(`twoStep: second must be a batch { X, y } or 'reuse', got ${describeArg(second)}`);
  } else {
    checkBatch(fl, 'twoStep', net, second, 'second');
  }
  const l1 = firstLayerStep(fl, 'twoStep', net, first, eta1, true);
  const l2 = firstLayerStep(fl, 'twoStep', net, second === 'reuse' ? first : second, eta2, true);
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
  checkEngine(fl, 'trainOnline');
  checkNetwork(net, undefined, 'trainOnline', fl);
  if (typeof draw !== 'function') throw new ArgumentError(`trainOnline: draw must be a function t ↦ { X, y }, got ${describeArg(draw)}`);
  checkInteger('trainOnline', 'T', T, 0, MAX_STEPS);
  const { etaW, etaA, lambda } = checkStep('trainOnline', options, TRAIN_KEYS);
  const marks = new Set(spacedSteps(fl, T, checkRecording('trainOnline', options, 50)));
  for (let t = 0; t < T; t++) {
    fl.scope(() => {
      const batch = draw(t);
      checkBatch(fl, 'trainOnline', net, batch, `draw(${t})`);
      const { X, y } = batch;
      const before = step(fl, net, X, y, etaW, etaA, lambda);
      if (marks.has(t)) options.record?.(t, before);
    });
  }
  const final = fl.scope(() => {
    const batch = draw(T);
    checkBatch(fl, 'trainOnline', net, batch, `draw(${T})`);
    const { X, y } = batch;
    try {
      return loss(fl, forward(fl, net, X).f, y);
    } catch (error) {
      if (error instanceof NonFiniteError) throw new DivergenceError(`trainOnline: non-finite outputs after ${T} steps: training diverged. ${error.message}`);
      throw error;
    }
  });
  options.record?.(T, final);
  return final;
}

/** Students as rows (N×d), the layout of the population and teacher–student functions. */
export function studentsOf(fl: Engine, net: TwoLayer): Matrix {
  checkEngine(fl, 'studentsOf');
  checkNetwork(net, undefined, 'studentsOf', fl);
  return fl.transpose(net.W);
}

/** Readout features Φ = s·σ(X·W) (n×N), the regressors of the second stage. */
export function features(fl: Engine, net: TwoLayer, X: Matrix): Matrix {
  checkEngine(fl, 'features');
  checkNetwork(net, requireX(X, 'features'), 'features', fl);
  return named('features', () =>
    fl.scope(() => {
      const H = applyToProduct(fl, net.activation, fl.matmul(X, net.W));
      return fl.scale(H, net.scale, { out: H });
    }),
  );
}
