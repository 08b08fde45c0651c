// Data for the two-layer experiments: Gaussian inputs (optionally x = C·z with C = UΛ^{1/2}),
// targets (single- and multi-index, ReLU/|·| teacher networks, linear teachers) and label
// noise. Every batch is a pure function of (seed, stream): fresh batches use new streams.

import type { Engine } from '../engine.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { applyFunction, checkFunction, type ScalarFunction } from './functions.js';

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
  const C = options.covarianceSqrt;
  if (C && (C.rows !== d || C.cols !== d)) throw new ShapeError(`gaussianInputs: covarianceSqrt must be ${d}×${d}, got ${C.rows}×${C.cols}`);
  const Z = fl.randn(n, d, { seed: options.seed, stream: options.stream });
  if (!C) return Z;
  try {
    return fl.matmul(Z, C, { transB: true }); // rows x_iᵀ = z_iᵀ·Cᵀ
  } finally {
    Z.dispose();
  }
}

/** f*(X) as an n×1 matrix. */
export function evaluateTarget(fl: Engine, target: Target, X: Matrix): Matrix {
  return fl.scope(() => {
    switch (target.kind) {
      case 'single-index': {
        checkFunction(target.link, 'target link');
        needRows(target.beta, X.cols, 'beta');
        return applyFunction(fl, target.link, fl.matmul(X, target.beta));
      }
      case 'linear':
        needRows(target.beta, X.cols, 'beta');
        return fl.matmul(X, target.beta);
      case 'multi-index': {
        needRows(target.B, X.cols, 'B');
        const P = fl.matmul(X, target.B); // n×r projections
        const r = target.B.cols;
        const links = Array.isArray(target.links) ? target.links : Array.from({ length: r }, () => target.links as ScalarFunction);
        if (links.length !== r) throw new ArgumentError(`multi-index target: ${links.length} links for ${r} directions`);
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
        if (target.activation !== 'relu' && target.activation !== 'abs') throw new ArgumentError(`teacher target: activation must be 'relu' or 'abs', got ${JSON.stringify(target.activation)}`);
        if (target.V.cols !== X.cols) throw new ShapeError(`teacher target: V is ${target.V.rows}×${target.V.cols} but x has dimension ${X.cols}`);
        const H = fl.map(fl.matmul(X, target.V, { transB: true }), target.activation);
        const c = target.c ?? fl.full(target.V.rows, 1, 1);
        if (c.rows !== target.V.rows || c.cols !== 1) throw new ShapeError(`teacher target: c must be ${target.V.rows}×1, got ${c.rows}×${c.cols}`);
        return fl.matmul(H, c);
      }
      default:
        throw new ArgumentError(`unknown target kind ${JSON.stringify((target as { kind: unknown }).kind)}`);
    }
  });
}

function needRows(M: Matrix, d: number, name: string, vector = name !== 'B'): void {
  if (M.rows !== d) throw new ShapeError(`target: ${name} is ${M.rows}×${M.cols} but x has dimension ${d}`);
  if (vector && M.cols !== 1) throw new ShapeError(`target: ${name} must be a ${d}×1 direction, got ${M.rows}×${M.cols}`);
}

/** A batch of n samples: inputs from `stream`, noise from `stream + 1`. */
export function sampleBatch(fl: Engine, target: Target, n: number, d: number, options: BatchOptions): Batch {
  const noise = options.noise ?? 0;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new ArgumentError(`batch: noise must be a finite number ≥ 0, got ${noise}`);
  return fl.scope(() => {
    const X = gaussianInputs(fl, n, d, options);
    const clean = evaluateTarget(fl, target, X);
    const y = fl.copy(clean);
    if (noise > 0) fl.axpy(noise, fl.randn(n, 1, { seed: options.seed, stream: options.stream + 1 }), y);
    return { X, y, clean };
  });
}

/** A unit vector in R^d from (seed, stream) (a random direction β*). */
export function randomUnitVector(fl: Engine, d: number, options: { seed: number | bigint; stream: number }): Matrix {
  const g = fl.randn(d, 1, options);
  return fl.scale(g, 1 / fl.norm(g), { out: g });
}
