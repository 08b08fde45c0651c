// Data for the two-layer experiments: Gaussian inputs (optionally x = C·z with C = UΛ^{1/2}),
// targets (single- and multi-index, ReLU/|·| teacher networks, linear teachers) and label
// noise. Every batch is a pure function of (seed, stream): fresh batches use new streams.

import type { Engine } from '../core/engine.js';
import { ArgumentError, InternalError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { checkOptions, describeArg } from '../core/options.js';
import { checkEngine, checkInteger, checkMatrix, checkNumber, checkObject, checkRng, named } from './check.js';
import { applyFunction, applyToProduct, checkFunction, type ScalarFunction } from './functions.js';

export type Target =
  /** y = σ*(⟨β*, x⟩), β* d×1 (unit norm in the papers). */
  | { kind: 'single-index'; link: ScalarFunction; beta: Matrix }
  /** y = Σ_q σ_q(⟨B_q, x⟩) over the columns of B (d×r), one link per direction (or one for all). */
  | { kind: 'multi-index'; links: ScalarFunction | ScalarFunction[]; B: Matrix }
  /** y = Σ_l c_l·σ(v_lᵀx) over the rows of V (k×d), σ = relu or abs, c = 1 unless given (k×1). */
  | { kind: 'teacher'; activation: 'relu' | 'abs'; V: Matrix; c?: Matrix }
  /** y = ⟨β, x⟩. */
  | { kind: 'linear'; beta: Matrix };

export interface BatchOptions {
  seed: number | bigint;
  /** Stream of the inputs; the noise uses stream + 1, so give batches streams two apart. */
  stream: number;
  /** Standard deviation of the additive N(0, σ²) label noise. Default 0. */
  noise?: number;
  /** x = C·z for z ~ N(0, I): C is d×d (e.g. UΛ^{1/2}). Default identity. */
  covarianceSqrt?: Matrix;
}

export interface Batch {
  /** n×d inputs (rows are samples). */
  X: Matrix;
  /** n×1 labels (with noise). */
  y: Matrix;
  /** n×1 noise-free labels f*(x). */
  clean: Matrix;
}

/** n×d Gaussian inputs from (seed, stream). */
export function gaussianInputs(fl: Engine, n: number, d: number, options: { seed: number | bigint; stream: number; covarianceSqrt?: Matrix }): Matrix {
  checkInputs(fl, 'gaussianInputs', n, d, options, ['covarianceSqrt']);
  return named('gaussianInputs', () => drawInputs(fl, n, d, options));
}

/** gaussianInputs on checked arguments. */
function drawInputs(fl: Engine, n: number, d: number, options: { seed: number | bigint; stream: number; covarianceSqrt?: Matrix }): Matrix {
  const C = options.covarianceSqrt;
  const Z = fl.randn(n, d, { seed: options.seed, stream: options.stream });
  if (!C) return Z;
  try {
    return fl.matmul(Z, C, { transB: true }); // rows x_iᵀ = z_iᵀ·Cᵀ
  } finally {
    Z.dispose();
  }
}

/** The sizes, stream options and covariance of a draw of inputs (checked before allocating). */
function checkInputs(
  fl: Engine,
  fn: string,
  n: number,
  d: number,
  options: { seed: number | bigint; stream: number; covarianceSqrt?: Matrix },
  extra: readonly string[],
  streamsUsed = 1,
): void {
  checkEngine(fl, fn);
  checkInteger(fn, 'n', n, 0, 2 ** 31 - 1);
  checkInteger(fn, 'd', d, 1, 2 ** 31 - 1);
  checkRng(fn, options, extra, streamsUsed);
  const C = options.covarianceSqrt;
  if (C !== undefined) checkMatrix(fl, fn, 'covarianceSqrt', C, { dtype: 'f64', rows: d, cols: d });
}

const TARGET_KEYS: Record<Target['kind'], readonly string[]> = {
  'single-index': ['kind', 'link', 'beta'],
  'multi-index': ['kind', 'links', 'B'],
  teacher: ['kind', 'activation', 'V', 'c'],
  linear: ['kind', 'beta'],
};

/** The target's kind, keys, functions and matrices (live, this engine's, f64, sized for x ∈ R^d). */
function checkTarget(fl: Engine, fn: string, target: Target, d: number): void {
  checkObject(fn, 'target', target);
  const keys = TARGET_KEYS[target.kind as Target['kind']];
  if (!Object.hasOwn(TARGET_KEYS, target.kind) || !keys) {
    throw new ArgumentError(
      `${fn}: target.kind must be one of ${Object.keys(TARGET_KEYS)
        .map((k) => `'${k}'`)
        .join(', ')}, got ${describeArg(target.kind)}`,
    );
  }
  checkOptions(fn, target, keys, 'target');
  switch (target.kind) {
    case 'single-index':
      checkFunction(target.link, `${fn}: target link`);
      checkMatrix(fl, fn, 'target.beta', target.beta, { dtype: 'f64' });
      needRows(fn, target.beta, d, 'beta');
      return;
    case 'linear':
      checkMatrix(fl, fn, 'target.beta', target.beta, { dtype: 'f64' });
      needRows(fn, target.beta, d, 'beta');
      return;
    case 'multi-index': {
      checkMatrix(fl, fn, 'target.B', target.B, { dtype: 'f64' });
      needRows(fn, target.B, d, 'B');
      const r = target.B.cols;
      if (Array.isArray(target.links)) {
        if (target.links.length !== r) throw new ArgumentError(`${fn}: multi-index target has ${target.links.length} links for ${r} directions`);
        target.links.forEach((g, q) => checkFunction(g, `${fn}: target link ${q}`));
      } else {
        checkFunction(target.links, `${fn}: target links`);
      }
      return;
    }
    case 'teacher':
      if (target.activation !== 'relu' && target.activation !== 'abs')
        throw new ArgumentError(`${fn}: teacher target: activation must be 'relu' or 'abs', got ${describeArg(target.activation)}`);
      checkMatrix(fl, fn, 'target.V', target.V, { dtype: 'f64' });
      if (target.V.cols !== d) throw new ShapeError(`${fn}: teacher target: V is ${target.V.rows}×${target.V.cols} but x has dimension ${d}`);
      if (target.c !== undefined) checkMatrix(fl, fn, 'target.c', target.c, { dtype: 'f64', rows: target.V.rows, cols: 1 });
  }
}

/** f*(X) as an n×1 matrix. */
export function evaluateTarget(fl: Engine, target: Target, X: Matrix): Matrix {
  checkEngine(fl, 'evaluateTarget');
  checkMatrix(fl, 'evaluateTarget', 'X', X, { dtype: 'f64' });
  checkTarget(fl, 'evaluateTarget', target, X.cols);
  return named('evaluateTarget', () => targetValues(fl, 'evaluateTarget', target, X));
}

/** evaluateTarget on checked arguments. */
function targetValues(fl: Engine, fn: string, target: Target, X: Matrix): Matrix {
  return fl.scope(() => {
    switch (target.kind) {
      case 'single-index': {
        return applyToProduct(fl, target.link, fl.matmul(X, target.beta));
      }
      case 'linear':
        return fl.matmul(X, target.beta);
      case 'multi-index': {
        const P = fl.matmul(X, target.B); // n×r projections
        const r = target.B.cols;
        const links = Array.isArray(target.links) ? target.links : Array.from({ length: r }, () => target.links as ScalarFunction);
        // one link per column: pick column q with a selector vector, apply, add up
        let y = fl.zeros(X.rows, 1);
        for (let q = 0; q < r; q++) {
          const e = new Float64Array(r);
          e[q] = 1;
          const col = fl.matmul(P, fl.fromArray(e, r, 1));
          y = fl.axpy(1, applyFunction(fl, links[q]!, col), y);
        }
        return y;
      }
      case 'teacher': {
        const H = fl.map(fl.matmul(X, target.V, { transB: true }), target.activation);
        const c = target.c ?? fl.full(target.V.rows, 1, 1);
        return fl.matmul(H, c);
      }
      default:
        throw new InternalError(`${fn}: unknown target kind ${JSON.stringify((target as { kind: unknown }).kind)} (checkTarget admits only the known kinds)`);
    }
  });
}

function needRows(fn: string, M: Matrix, d: number, name: string, vector = name !== 'B'): void {
  if (M.rows !== d) throw new ShapeError(`${fn}: target.${name} is ${M.rows}×${M.cols} but x has dimension ${d}`);
  if (vector && M.cols !== 1) throw new ShapeError(`${fn}: target.${name} must be a ${d}×1 direction, got ${M.rows}×${M.cols}`);
}

/** A batch of n samples: inputs from `stream`, noise from `stream + 1`. */
export function sampleBatch(fl: Engine, target: Target, n: number, d: number, options: BatchOptions): Batch {
  checkInputs(fl, 'sampleBatch', n, d, options, ['noise', 'covarianceSqrt'], 2);
  const noise = options.noise === undefined ? 0 : checkNumber('sampleBatch', 'noise', options.noise, { atLeast: 0 });
  checkTarget(fl, 'sampleBatch', target, d);
  return named('sampleBatch', () =>
    fl.scope(() => {
      const X = drawInputs(fl, n, d, options);
      const clean = targetValues(fl, 'sampleBatch', target, X);
      const y = fl.copy(clean);
      if (noise > 0) fl.axpy(noise, fl.randn(n, 1, { seed: options.seed, stream: options.stream + 1 }), y);
      return { X, y, clean };
    }),
  );
}

/** A unit vector in R^d from (seed, stream) (a random direction β*). */
export function randomUnitVector(fl: Engine, d: number, options: { seed: number | bigint; stream: number }): Matrix {
  checkInputs(fl, 'randomUnitVector', 1, d, options, []);
  const g = named('randomUnitVector', () => fl.randn(d, 1, options));
  // A Gaussian vector is zero with probability 0, but never return NaN or leak g.
  const norm = fl.norm(g);
  if (!(norm > 0)) {
    g.dispose();
    throw new ArgumentError(`randomUnitVector: the Gaussian draw for seed ${String(options.seed)}, stream ${options.stream} is zero`);
  }
  return fl.scale(g, 1 / norm, { out: g });
}
