// Exact population (infinite-data) gradient descent for the ReLU and absolute-value
// teacher–student models, with the closed forms evaluated in wasm (assembly/nn/net.ts).

import type { Engine } from '../core/engine.js';
import { ArgumentError, DivergenceError, DTypeError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { checkOptions } from '../core/options.js';
import { MAX_STEPS, SAFE_EXPONENT, checkEngine, checkInteger, checkMatrix, checkNumber, named, rescaleExponent, scaledByPow2, timesPow2 } from './check.js';
import { checkRecording, spacedSteps } from './model.js';

type Recording = { points?: number; record?: (t: number, loss: number) => void };

/** ReLU population loss and gradient at students W (m×d rows) for teachers V (k×d rows). */
export function reluPopulation(fl: Engine, W: Matrix, V: Matrix): { loss: number; grad: Matrix } {
  checkEngine(fl, 'reluPopulation');
  checkPair(fl, W, V, 'reluPopulation');
  // The loss is homogeneous of degree 2 and the gradient of degree 1 in (W, V): beyond 2^±200
  // both are evaluated on (W, V)·2^k (exact) and scaled back, so the norms cannot overflow.
  const k = rescaleExponent(Math.max(fl.norm(W, 'max'), fl.norm(V, 'max')));
  const grad = fl.zeros(W.rows, W.cols);
  try {
    const loss = fl.scope(() => {
      const Ws = scaledByPow2(fl, W, k),
        Vs = scaledByPow2(fl, V, k);
      return timesPow2(network.reluPopulationGrad(fl.core, 'reluPopulation', Ws, Vs, grad), -2 * k);
    });
    if (k !== 0) network.scaleByPow2InPlace(fl.core, 'reluPopulation', grad, -k); // no finite scan: checked below
    if (!Number.isFinite(loss) || fl.countNonFinite(grad) > 0) {
      throw new NonFiniteError(`reluPopulation: the loss or gradient exceeds the double range (loss ${loss})`);
    }
    return { loss, grad };
  } catch (error) {
    grad.dispose();
    throw error;
  }
}

/**
 * The in-place dynamics evaluate row norms as √(Σ w²): weights beyond 2^±200 would overflow
 * or underflow them, so they are refused (the ReLU dynamics are scale-equivariant: run them on
 * W·c, V·c and divide by c).
 */
function checkSafeRange(fl: Engine, op: string, named: [string, Matrix][]): void {
  for (const [name, M] of named) {
    if (rescaleExponent(fl.norm(M, 'max')) !== 0) {
      throw new ArgumentError(
        `${op}: the entries of ${name} (max |·| = ${fl.norm(M, 'max')}) lie beyond 2^±${SAFE_EXPONENT}, where the closed forms' norms overflow or underflow; rescale the weights`,
      );
    }
  }
}

/**
 * T population GD steps W −= η∇L in place (the loop runs in wasm between records), calling
 * record(t, loss) at log-spaced steps and at T. Returns the final loss.
 */
export function reluPopulationGD(fl: Engine, W: Matrix, V: Matrix, eta: number, T: number, options: Recording = {}): number {
  checkEngine(fl, 'reluPopulationGD');
  checkPair(fl, W, V, 'reluPopulationGD');
  if (W === V) throw new ArgumentError('reluPopulationGD: W and V must be different matrices (W is updated in place)');
  checkSafeRange(fl, 'reluPopulationGD', [
    ['W', W],
    ['V', V],
  ]);
  checkNumber('reluPopulationGD', 'eta', eta, { above: 0 });
  checkInteger('reluPopulationGD', 'T', T, 0, MAX_STEPS);
  const marks = spacedSteps(fl, T, checkRecording('reluPopulationGD', checkOptions('reluPopulationGD', options, ['points', 'record']), 60));
  // A record callback may dispose or replace the matrices: errors then name reluPopulationGD.
  return named('reluPopulationGD', () => {
    const grad = fl.zeros(W.rows, W.cols); // scratch of the kernels, overwritten every call
    try {
      let t = 0;
      for (const mark of marks) {
        if (mark > t) network.reluPopulationGD(fl.core, 'reluPopulationGD', W, V, eta, mark - t, grad);
        t = mark;
        const loss = network.reluPopulationGrad(fl.core, 'reluPopulationGD', W, V, grad);
        if (!Number.isFinite(loss) || network.firstNonFinite(fl.core, 'reluPopulationGD', W) >= 0) {
          throw new DivergenceError(`reluPopulationGD: diverged by step ${t} (loss ${loss}); lower eta`);
        }
        options.record?.(t, loss);
      }
      return network.reluPopulationGrad(fl.core, 'reluPopulationGD', W, V, grad);
    } finally {
      grad.dispose();
    }
  });
}

/**
 * Regularised absolute-value population loss ½E(f − f*)² + (λ/2)(Σa_j² + Σ‖w_j‖²) and its
 * gradients, f(x) = Σ_j a_j|w_jᵀx| (W m×d rows, a m×1), f* likewise with (Ws, as).
 */
export function absPopulation(fl: Engine, W: Matrix, a: Matrix, Ws: Matrix, as: Matrix, lambda: number): { loss: number; gW: Matrix; ga: Matrix } {
  checkEngine(fl, 'absPopulation');
  checkAbsModel(fl, W, a, Ws, as, lambda, 'absPopulation');
  const gW = fl.zeros(W.rows, W.cols),
    ga = fl.zeros(W.rows, 1);
  try {
    const loss = network.absPopulationGrad(fl.core, 'absPopulation', W, a, Ws, as, lambda, gW, ga);
    if (!Number.isFinite(loss) || fl.countNonFinite(gW) > 0 || fl.countNonFinite(ga) > 0) {
      throw new NonFiniteError(`absPopulation: the loss or gradients overflowed (loss ${loss}): the weights are too large`);
    }
    return { loss, gW, ga };
  } catch (error) {
    gW.dispose();
    ga.dispose();
    throw error;
  }
}

function checkAbsModel(fl: Engine, W: Matrix, a: Matrix, Ws: Matrix, as: Matrix, lambda: number, op: string): void {
  checkPair(fl, W, Ws, op, 'Ws');
  checkMatrix(fl, op, 'a', a, { dtype: 'f64' });
  checkMatrix(fl, op, 'as', as, { dtype: 'f64' });
  if (a.rows !== W.rows || a.cols !== 1 || as.rows !== Ws.rows || as.cols !== 1)
    throw new ShapeError(`${op}: a must be ${W.rows}×1 and a* ${Ws.rows}×1, got ${a.describe()} and ${as.describe()}`);
  checkNonFinite(fl, op, [
    ['a', a],
    ['as', as],
  ]);
  checkSafeRange(fl, op, [
    ['W', W],
    ['a', a],
    ['Ws', Ws],
    ['as', as],
  ]);
  checkNumber(op, 'lambda', lambda, { atLeast: 0 });
}

/** Inputs holding NaN/Infinity would give a NaN loss: refuse them by name. */
function checkNonFinite(fl: Engine, op: string, named: [string, Matrix][]): void {
  for (const [name, M] of named) {
    if (fl.countNonFinite(M) > 0) throw new NonFiniteError(`${op}: ${name} holds NaN or Infinity`);
  }
}

function checkPair(fl: Engine, W: Matrix, V: Matrix, op: string, vName = 'V'): void {
  // The kernels read W and V at their pointers in this engine's memory: both must be live
  // f64 matrices of this engine.
  checkMatrix(fl, op, 'W', W);
  checkMatrix(fl, op, vName, V);
  if (W.dtype !== 'f64' || V.dtype !== 'f64')
    throw new DTypeError(`${op}: population dynamics run in f64 (late losses reach 1e-12); got W ${W.describe()} and ${vName} ${V.describe()}`);
  checkNonFinite(fl, op, [
    ['W', W],
    [vName, V],
  ]);
  if (W.cols !== V.cols) {
    throw new ShapeError(
      `${op}: students are ${W.rows}×${W.cols} but teachers ${V.rows}×${V.cols} (both take neurons as rows; for a network's W use studentsOf(net))`,
    );
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
  options: Recording = {},
): number {
  checkEngine(fl, 'absPopulationGD');
  checkNumber('absPopulationGD', 'eta', eta, { above: 0 });
  checkInteger('absPopulationGD', 'T', T, 0, MAX_STEPS);
  checkAbsModel(fl, W, a, Ws, as, lambda, 'absPopulationGD');
  if (new Set([W, a, Ws, as]).size < 4)
    throw new ArgumentError('absPopulationGD: W, a, Ws and as must be four different matrices (W and a are updated in place)');
  const marks = new Set(spacedSteps(fl, T, checkRecording('absPopulationGD', checkOptions('absPopulationGD', options, ['points', 'record']), 60)));
  // A record callback may dispose or replace the matrices: errors then name absPopulationGD.
  return named('absPopulationGD', () => {
    // One set of gradient buffers for all T steps (the kernel overwrites them every call)
    const gW = fl.zeros(W.rows, W.cols),
      ga = fl.zeros(W.rows, 1);
    let loss = NaN;
    try {
      for (let t = 0; t <= T; t++) {
        loss = network.absPopulationGrad(fl.core, 'absPopulationGD', W, a, Ws, as, lambda, gW, ga);
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
    }
    return loss;
  });
}
