// Exact population (infinite-data) gradient descent for the ReLU and absolute-value
// teacher–student models, with the closed forms evaluated in wasm (assembly/net.ts).

import type { Engine } from '../engine.js';
import { ArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { DivergenceError, logSpacedSteps } from './model.js';

/** ReLU population loss and gradient at students W (m×d rows) for teachers V (k×d rows). */
export function reluPopulation(fl: Engine, W: Matrix, V: Matrix): { loss: number; grad: Matrix } {
  checkPair(W, V, 'reluPopulation');
  const norms = fl.allocBytes((W.rows + V.rows) * 8);
  try {
    const grad = fl.zeros(W.rows, W.cols);
    const loss = fl.kernels.relu_population_grad(W.rows, V.rows, W.cols, W.ptr, V.ptr, grad.ptr, norms);
    return { loss, grad };
  } finally {
    fl.freeBytes(norms);
  }
}

/**
 * T population GD steps W −= η∇L in place (the loop runs in wasm between records), calling
 * record(t, loss) at log-spaced steps and at T. Returns the final loss.
 */
export function reluPopulationGD(
  fl: Engine,
  W: Matrix,
  V: Matrix,
  eta: number,
  T: number,
  options: { points?: number; record?: (t: number, loss: number) => void } = {},
): number {
  checkPair(W, V, 'reluPopulationGD');
  if (!(eta > 0 && Number.isFinite(eta))) throw new ArgumentError(`reluPopulationGD: eta must be a positive finite number, got ${eta}`);
  if (!Number.isInteger(T) || T < 0 || T > 2 ** 31 - 1) throw new ArgumentError(`reluPopulationGD: T must be an integer in [0, 2^31), got ${T}`);
  const grad = fl.allocBytes(W.rows * W.cols * 8);
  let norms: number | undefined;
  const k = fl.kernels;
  try {
    norms = fl.allocBytes((W.rows + V.rows) * 8);
    let t = 0;
    for (const mark of logSpacedSteps(fl, T, options.points ?? 60)) {
      if (mark > t) k.relu_population_gd(W.rows, V.rows, W.cols, W.ptr, V.ptr, eta, mark - t, grad, norms);
      t = mark;
      const loss = k.relu_population_grad(W.rows, V.rows, W.cols, W.ptr, V.ptr, grad, norms);
      if (!Number.isFinite(loss) || k.first_nonfinite_f64(W.size, W.ptr) >= 0) {
        throw new DivergenceError(`reluPopulationGD: diverged by step ${t} (loss ${loss}); lower eta`);
      }
      options.record?.(t, loss);
    }
    return k.relu_population_grad(W.rows, V.rows, W.cols, W.ptr, V.ptr, grad, norms);
  } finally {
    fl.freeBytes(grad);
    if (norms !== undefined) fl.freeBytes(norms);
  }
}

/**
 * Regularised absolute-value population loss ½E(f − f*)² + (λ/2)(Σa_j² + Σ‖w_j‖²) and its
 * gradients, f(x) = Σ_j a_j|w_jᵀx| (W m×d rows, a m×1), f* likewise with (Ws, as).
 */
export function absPopulation(fl: Engine, W: Matrix, a: Matrix, Ws: Matrix, as: Matrix, lambda: number): { loss: number; gW: Matrix; ga: Matrix } {
  checkAbsModel(W, a, Ws, as, lambda, 'absPopulation');
  const gW = fl.zeros(W.rows, W.cols), ga = fl.zeros(W.rows, 1);
  const norms = fl.allocBytes((W.rows + Ws.rows) * 8);
  try {
    return { loss: fl.kernels.abs_population_grad(W.rows, Ws.rows, W.cols, W.ptr, a.ptr, Ws.ptr, as.ptr, lambda, gW.ptr, ga.ptr, norms), gW, ga };
  } finally {
    fl.freeBytes(norms);
  }
}

function checkAbsModel(W: Matrix, a: Matrix, Ws: Matrix, as: Matrix, lambda: number, op: string): void {
  checkPair(W, Ws, op);
  if (a.rows !== W.rows || a.cols !== 1 || as.rows !== Ws.rows || as.cols !== 1) throw new ShapeError(`${op}: a must be ${W.rows}×1 and a* ${Ws.rows}×1, got ${a.describe()} and ${as.describe()}`);
  if (a.dtype !== 'f64' || as.dtype !== 'f64') throw new ArgumentError(`${op}: a and a* must be f64`);
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new ArgumentError(`${op}: lambda must be a finite number ≥ 0, got ${lambda}`);
}

function checkPair(W: Matrix, V: Matrix, op: string): void {
  if (W.dtype !== 'f64' || V.dtype !== 'f64') throw new ArgumentError(`${op}: population dynamics run in f64 (late losses reach 1e-12)`);
  if (W.cols !== V.cols) {
    throw new ShapeError(`${op}: students are ${W.rows}×${W.cols} but teachers ${V.rows}×${V.cols} (both take neurons as rows; for a network's W use studentsOf(net))`);
  }
}

/**
 * T population GD steps on the regularised absolute-value model, both layers, step η:
 * W −= η∇_W L, a −= η∇_a L (in place), recording at log-spaced steps. Returns the final loss.
 */
export function absPopulationGD(
  fl: Engine,
  W: Matrix,
  a: Matrix,
  Ws: Matrix,
  as: Matrix,
  lambda: number,
  eta: number,
  T: number,
  options: { points?: number; record?: (t: number, loss: number) => void } = {},
): number {
  if (!(eta > 0 && Number.isFinite(eta))) throw new ArgumentError(`absPopulationGD: eta must be a positive finite number, got ${eta}`);
  if (!Number.isInteger(T) || T < 0 || T > 2 ** 31 - 1) throw new ArgumentError(`absPopulationGD: T must be an integer in [0, 2^31), got ${T}`);
  checkAbsModel(W, a, Ws, as, lambda, 'absPopulationGD');
  const marks = new Set(logSpacedSteps(fl, T, options.points ?? 60));
  // One set of gradient buffers for all T steps (the kernel overwrites them every call)
  const gW = fl.zeros(W.rows, W.cols), ga = fl.zeros(W.rows, 1);
  const norms = fl.allocBytes((W.rows + Ws.rows) * 8);
  let loss = NaN;
  try {
    for (let t = 0; t <= T; t++) {
      loss = fl.kernels.abs_population_grad(W.rows, Ws.rows, W.cols, W.ptr, a.ptr, Ws.ptr, as.ptr, lambda, gW.ptr, ga.ptr, norms);
      if (!Number.isFinite(loss)) throw new DivergenceError(`absPopulationGD: diverged by step ${t} (loss ${loss}); lower eta`);
      if (marks.has(t)) options.record?.(t, loss);
      if (t < T) {
        try {
          fl.axpy(-eta, gW, W);
          fl.axpy(-eta, ga, a);
        } catch (error) {
          if (error instanceof NonFiniteError) throw new DivergenceError(`absPopulationGD: diverged at step ${t}; lower eta. ${error.message}`);
          throw error;
        }
      }
    }
  } finally {
    gW.dispose();
    ga.dispose();
    fl.freeBytes(norms);
  }
  return loss;
}
