// Measurements shared by the experiments: spectra and outliers, alignments, principal
// angles, empirical NTK and kernel comparisons, teacher–student geometry.

import type { Engine } from '../engine.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { applyFunction } from './functions.js';
import { checkNetwork, type TwoLayer } from './model.js';
import { fitMarchenkoPastur, type MPFit } from './theory.js';

export interface Spectrum extends MPFit {
  /** Singular values, descending. */
  values: Float64Array;
}

/** Singular values of M (p×q) with the fitted Marchenko–Pastur edge and outlier count. */
export function spectrum(fl: Engine, M: Matrix, margin = 0.05): Spectrum {
  const values = fl.svdvals(M);
  return { values, ...fitMarchenkoPastur(values, M.rows, M.cols, margin) };
}

/**
 * M − 1·mean(M) (column means over the rows removed), as a new matrix: drops the constant
 * (He_0) component of a feature matrix, whose rank-one mean term would otherwise be its top
 * singular value for activations with E σ ≠ 0.
 */
export function centerColumns(fl: Engine, M: Matrix): Matrix {
  return fl.scope(() => {
    const out = fl.astype(M, 'f64');
    const means = fl.scale(fl.sumCols(out), 1 / M.rows);
    return fl.keep(fl.gemm(out, fl.full(M.rows, 1, 1), means, { alpha: -1, beta: 1 }));
  });
}

/** How many of the leading values (sorted descending) exceed the threshold: an outlier count. */
export function countAbove(values: Float64Array, threshold: number): number {
  let k = 0;
  while (k < values.length && values[k]! > threshold) k++;
  return k;
}

/** Least-squares slope of log|y| on log x (logs by fl.math, sums in wasm): a growth exponent. */
export function logLogSlope(fl: Engine, points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) throw new ArgumentError(`logLogSlope: needs at least 2 points, got ${points.length}`);
  return fl.scope(() => {
    const m = points.length, ones = fl.full(m, 1, 1);
    const centred = (values: number[]) => {
      const v = fl.fromArray(Float64Array.from(values), m, 1);
      return fl.axpy(-fl.sum(v) / m, ones, v);
    };
    const x = centred(points.map((p) => fl.math.log(p.x))), y = centred(points.map((p) => fl.math.log(Math.abs(p.y))));
    return fl.dot(x, y) / fl.dot(x, x);
  });
}

/** ⟨u_i, β⟩² / ‖β‖² for the columns u_i of U (unit vectors) and a direction β (same rows). */
export function alignments(fl: Engine, U: Matrix, beta: Matrix): Float64Array {
  if (U.rows !== beta.rows || beta.cols !== 1) throw new ShapeError(`alignments: U is ${U.rows}×${U.cols}, β must be ${U.rows}×1, got ${beta.rows}×${beta.cols}`);
  return fl.scope(() => {
    const c = fl.gemv(U, beta, { trans: true }).toArray();
    const b2 = fl.dot(beta, beta);
    return Float64Array.from(c, (v) => (v * v) / b2);
  });
}

/**
 * Cosines of the principal angles between span(A) and span(B) (columns, same rows),
 * descending: singular values of Q_Aᵀ·Q_B for orthonormal bases from QR.
 * see: Björck & Golub, "Numerical methods for computing angles between linear subspaces",
 *      Math. Comp. 27 (1973).
 */
export function principalCosines(fl: Engine, A: Matrix, B: Matrix): Float64Array {
  if (A.rows !== B.rows) throw new ShapeError(`principalCosines: A is ${A.rows}×${A.cols} but B is ${B.rows}×${B.cols}`);
  return fl.scope(() => {
    const qa = fl.qr(A).Q, qb = fl.qr(B).Q;
    return fl.svdvals(fl.matmul(qa, qb, { transA: true })).map((c) => Math.min(c, 1));
  });
}

/**
 * Empirical NTK of the network on probe inputs Xp (p×d):
 * K = s²·[σ(XpW)·σ(XpW)ᵀ + (Xp·Xpᵀ) ⊙ (σ′(XpW)·diag(a²)·σ′(XpW)ᵀ)]
 * (the Jacobian Gram over both layers; s² = 1/N gives the spec's form).
 */
export function empiricalNTK(fl: Engine, net: TwoLayer, Xp: Matrix, options: { layers?: 'both' | 'first' | 'second' } = {}): Matrix {
  checkNetwork(net, Xp, 'empiricalNTK');
  const layers = options.layers ?? 'both';
  if (!['both', 'first', 'second'].includes(layers)) throw new ArgumentError(`empiricalNTK: layers must be 'both', 'first' or 'second', got ${String(layers)}`);
  return fl.scope(() => {
    const Z = fl.matmul(Xp, net.W);
    const H = applyFunction(fl, net.activation, Z);
    const D = applyFunction(fl, net.activation, Z, true);
    const ones = fl.full(Xp.rows, 1, 1);
    // D·diag(a): scale columns by a_j via the fused product with r = 1
    fl.kernels.rank1_hadamard_f64(Xp.rows, net.W.cols, D.ptr, ones.ptr, net.a.ptr, D.ptr);
    // second layer (a): σ(XpW)·σ(XpW)ᵀ; first layer (W): (Xp·Xpᵀ) ⊙ (σ′·diag(a²)·σ′ᵀ)
    const K = layers === 'first' ? fl.zeros(Xp.rows, Xp.rows) : fl.gram(H, 'AAt');
    if (layers !== 'second') fl.axpy(1, fl.hadamard(fl.gram(Xp, 'AAt'), fl.gram(D, 'AAt')), K);
    return fl.scale(K, net.scale * net.scale, { out: K });
  });
}

/** ⟨K1, K2⟩_F / (‖K1‖_F‖K2‖_F). */
export function kernelAlignment(fl: Engine, K1: Matrix, K2: Matrix): number {
  return fl.dot(K1, K2) / (fl.norm(K1) * fl.norm(K2));
}

/** 1 − kernel alignment (Fort et al. 2020). */
export function kernelDistance(fl: Engine, K1: Matrix, K2: Matrix): number {
  return 1 - kernelAlignment(fl, K1, K2);
}

/** H·K·H with H = I − 11ᵀ/n, for a symmetric kernel K (the row means serve as column means). */
export function centerKernel(fl: Engine, K: Matrix): Matrix {
  if (K.rows !== K.cols) throw new ShapeError(`centerKernel: K must be square, got ${K.rows}×${K.cols}`);
  const work = fl.allocBytes(K.rows * 8);
  try {
    const out = fl.astype(K, 'f64');
    fl.kernels.center_kernel_f64(K.rows, out.ptr, out.ptr, work);
    return out;
  } finally {
    fl.freeBytes(work);
  }
}

/** Centred kernel alignment (CKA). */
export function cka(fl: Engine, K1: Matrix, K2: Matrix): number {
  return fl.scope(() => kernelAlignment(fl, centerKernel(fl, K1), centerKernel(fl, K2)));
}

/** Target alignment y_cᵀK_c y_c / (‖K_c‖_F‖y_c‖²) (Baratin et al. 2021). */
export function targetAlignment(fl: Engine, K: Matrix, y: Matrix): number {
  if (y.rows !== K.rows || y.cols !== 1) throw new ShapeError(`targetAlignment: y must be ${K.rows}×1, got ${y.rows}×${y.cols}`);
  return fl.scope(() => {
    const Kc = centerKernel(fl, K);
    const mean = fl.sum(y) / y.rows;
    const yc = fl.axpy(-mean, fl.full(y.rows, 1, 1), fl.copy(y));
    const Ky = fl.gemv(Kc, yc);
    return fl.dot(yc, Ky) / (fl.norm(Kc) * fl.dot(yc, yc));
  });
}

/** ‖M_t − M_0‖_F / ‖M_0‖_F (kernels or weights: lazy vs rich). */
export function relativeChange(fl: Engine, Mt: Matrix, M0: Matrix): number {
  return fl.scope(() => fl.norm(fl.axpy(-1, M0, fl.copy(Mt))) / fl.norm(M0));
}

export interface TeacherStudentGeometry {
  /** Angle (rad) between each student (row of W) and its nearest teacher. */
  angles: Float64Array;
  /** Index of the nearest teacher of each student. */
  group: Int32Array;
  /** Students per teacher, m_l. */
  groupSizes: Int32Array;
  /** ‖w_i‖. */
  norms: Float64Array;
  /** ‖w_i‖·m_l/‖v_l‖ (Zhu et al.'s balance: within [¼, 4] after training). */
  balance: Float64Array;
  /** H_l = ‖v_l‖ − Σ_{i∈group l}⟨w_i, v_l/‖v_l‖⟩. */
  residuals: Float64Array;
}

/**
 * Geometry of students W (m×d, rows) against teachers V (k×d, rows). With { lines: true }
 * (the |·| model, where w and −w are the same neuron) the angle is min(θ, π − θ).
 */
export function teacherStudentGeometry(fl: Engine, W: Matrix, V: Matrix, options: { lines?: boolean } = {}): TeacherStudentGeometry {
  if (W.cols !== V.cols) throw new ShapeError(`teacherStudentGeometry: W is ${W.rows}×${W.cols} but V is ${V.rows}×${V.cols}`);
  const [m, k] = [W.rows, V.rows];
  if (k < 1) throw new ArgumentError('teacherStudentGeometry: needs at least one teacher');
  return fl.scope(() => {
    const W64 = fl.astype(W, 'f64'), V64 = fl.astype(V, 'f64');
    const theta = fl.zeros(m, k);
    fl.kernels.row_angles_f64(m, k, W.cols, W64.ptr, V64.ptr, theta.ptr);
    const th = options.lines ? theta.toArray().map((t) => Math.min(t, Math.PI - t)) : theta.toArray();
    const wn = fl.sumRows(fl.hadamard(W64, W64)).toArray().map(Math.sqrt);
    const vn = fl.sumRows(fl.hadamard(V64, V64)).toArray().map(Math.sqrt);
    const inner = fl.matmul(W64, V64, { transB: true }).toArray(); // ⟨w_i, v_l⟩
    const group = new Int32Array(m), angles = new Float64Array(m), sizes = new Int32Array(k);
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let l = 1; l < k; l++) if (th[i * k + l]! < th[i * k + best]!) best = l;
      group[i] = best;
      angles[i] = th[i * k + best]!;
      sizes[best]!++;
    }
    const balance = new Float64Array(m), residuals = new Float64Array(k);
    for (let l = 0; l < k; l++) residuals[l] = vn[l]!;
    for (let i = 0; i < m; i++) {
      const l = group[i]!;
      balance[i] = (wn[i]! * sizes[l]!) / vn[l]!;
      residuals[l]! -= (options.lines ? Math.abs(inner[i * k + l]!) : inner[i * k + l]!) / vn[l]!;
    }
    return { angles, group, groupSizes: sizes, norms: Float64Array.from(wn), balance, residuals };
  });
}
