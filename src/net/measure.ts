// Measurements shared by the experiments: spectra and outliers, alignments, principal
// angles, empirical NTK and kernel comparisons, teacher–student geometry.

import type { Engine } from '../core/engine.js';
import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { checkEnum, checkOptions, checkBoolean, describeArg } from '../core/options.js';
import { checkEngine, checkMatrix, checkNumber, inSafeRange, named, rescaleExponent, scaledByPow2, timesPow2 } from './check.js';
import { applyFunction } from './functions.js';
import { checkNetwork, type TwoLayer } from './model.js';
import { fitMarchenkoPastur, type MPFit, type Quadrature } from './theory.js';

export interface Spectrum extends MPFit {
  /** Singular values, descending. */
  values: Float64Array;
}

/** Singular values of M (p×q) with the fitted Marchenko–Pastur edge and outlier count. */
export function spectrum(fl: Engine, M: Matrix, margin = 0.05): Spectrum {
  checkEngine(fl, 'spectrum');
  checkMatrix(fl, 'spectrum', 'M', M);
  checkNumber('spectrum', 'margin', margin, { atLeast: 0 });
  if (M.rows < 1 || M.cols < 1) throw new ShapeError(`spectrum: M must have at least one row and one column, got ${M.describe()}`);
  const values = named('spectrum', () => fl.svdvals(M));
  return { values, ...fitMarchenkoPastur(values, M.rows, M.cols, margin) };
}

/**
 * M − 1·mean(M) (column means over the rows removed), as a new matrix: drops the constant
 * (He_0) component of a feature matrix, whose rank-one mean term would otherwise be its top
 * singular value for activations with E σ ≠ 0.
 */
export function centerColumns(fl: Engine, M: Matrix): Matrix {
  checkMatrix(fl, 'centerColumns', 'M', M);
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
  if (!Array.isArray(points) || points.length < 2) throw new ArgumentError(`logLogSlope: needs at least 2 points, got ${describeArg(points)}`);
  points.forEach((p, i) => {
    if (!(p && typeof p.x === 'number' && p.x > 0 && Number.isFinite(p.x)))
      throw new ArgumentError(`logLogSlope: point ${i} has x = ${describeArg(p?.x)}; x must be a positive finite number`);
    if (!(typeof p.y === 'number' && p.y !== 0 && Number.isFinite(p.y)))
      throw new ArgumentError(`logLogSlope: point ${i} has y = ${describeArg(p.y)}; log|y| needs a finite non-zero y`);
  });
  if (points.every((p) => p.x === points[0]!.x)) throw new ArgumentError(`logLogSlope: every point has x = ${points[0]!.x}: the slope is undefined`);
  return fl.scope(() => {
    const m = points.length,
      ones = fl.full(m, 1, 1);
    const centred = (values: number[]) => {
      const v = fl.fromArray(Float64Array.from(values), m, 1);
      return fl.axpy(-fl.sum(v) / m, ones, v);
    };
    const x = centred(points.map((p) => fl.math.log(p.x))),
      y = centred(points.map((p) => fl.math.log(Math.abs(p.y))));
    return fl.dot(x, y) / fl.dot(x, x);
  });
}

/**
 * The first time a positive sequence values[0], values[1], … (one per step) falls below `level`,
 * interpolated linearly in log(value) between the two steps around it (logs by fl.math): a
 * crossing time of a loss curve with sub-step resolution. 0 if values[0] is already at or below
 * the level; NaN if the sequence never falls below it. Values up to the crossing must be positive.
 */
export function logCrossing(fl: Engine, values: ArrayLike<number>, level: number): number {
  checkEngine(fl, 'logCrossing');
  checkNumber('logCrossing', 'level', level, { above: 0 });
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number' || values.length < 1)
    throw new ArgumentError(`logCrossing: values must be a non-empty array of positive numbers, got ${describeArg(values)}`);
  // only the values up to the crossing are read (and checked): later ones may reach 0
  const at = (t: number) => {
    const v = values[t];
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
      throw new ArgumentError(`logCrossing: values[${t}] = ${describeArg(v)}; the log needs positive finite values up to the crossing`);
    return v;
  };
  if (at(0) <= level) return 0;
  for (let t = 1; t < values.length; t++) {
    if (at(t) < level) {
      const before = fl.math.log(values[t - 1]!),
        after = fl.math.log(values[t]!);
      return t - 1 + (before - fl.math.log(level)) / (before - after);
    }
  }
  return NaN;
}

/** NaN/Infinity in an input would come out as a NaN measurement: refuse them by name. */
function checkAllFinite(fl: Engine, fn: string, named: readonly [string, Matrix][]): void {
  for (const [name, M] of named) {
    if (fl.countNonFinite(M) > 0) throw new NonFiniteError(`${fn}: ${name} holds NaN or Infinity`);
  }
}

/** A measured value must be finite; otherwise it overflowed the double range. */
function finiteResult(fn: string, value: number, what: string): number {
  if (!Number.isFinite(value)) throw new NonFiniteError(`${fn}: ${what} is ${value} (beyond the double range)`);
  return value;
}

/**
 * ⟨u_i, β⟩² / ‖β‖² for the columns u_i of U (unit vectors) and a direction β (same rows).
 * β must not be zero. U and β are rescaled by powers of two when their entries lie beyond
 * 2^±200, so the squares neither overflow nor underflow.
 */
export function alignments(fl: Engine, U: Matrix, beta: Matrix): Float64Array {
  checkEngine(fl, 'alignments');
  checkMatrix(fl, 'alignments', 'U', U);
  checkMatrix(fl, 'alignments', 'beta', beta);
  if (U.rows !== beta.rows || beta.cols !== 1)
    throw new ShapeError(`alignments: U is ${U.rows}×${U.cols}, β must be ${U.rows}×1, got ${beta.rows}×${beta.cols}`);
  if (U.dtype !== beta.dtype) throw new DTypeError(`alignments: U is ${U.describe()} but β is ${beta.describe()}; convert with astype()`);
  return fl.scope(() => {
    checkAllFinite(fl, 'alignments', [
      ['U', U],
      ['beta', beta],
    ]);
    const u = inSafeRange(fl, U),
      b = inSafeRange(fl, beta);
    const c = fl.gemv(u.M, b.M, { trans: true }).toArray();
    const b2 = fl.dot(b.M, b.M);
    if (b2 === 0) throw new ArgumentError('alignments: β is zero: the alignment with a zero direction is undefined');
    return Float64Array.from(c, (v) => finiteResult('alignments', timesPow2((v * v) / b2, -2 * u.k), 'an alignment'));
  });
}

/**
 * Cosines of the principal angles between span(A) and span(B) (columns, same rows),
 * descending: singular values of Q_Aᵀ·Q_B for orthonormal bases from QR. The columns of each
 * must be linearly independent (a basis of the subspace).
 * see: Björck & Golub, "Numerical methods for computing angles between linear subspaces",
 *      Math. Comp. 27 (1973).
 */
export function principalCosines(fl: Engine, A: Matrix, B: Matrix): Float64Array {
  checkEngine(fl, 'principalCosines');
  checkMatrix(fl, 'principalCosines', 'A', A);
  checkMatrix(fl, 'principalCosines', 'B', B);
  if (A.rows !== B.rows) throw new ShapeError(`principalCosines: A is ${A.rows}×${A.cols} but B is ${B.rows}×${B.cols}`);
  for (const [name, M] of [
    ['A', A],
    ['B', B],
  ] as const) {
    if (M.cols < 1 || M.cols > M.rows)
      throw new ShapeError(`principalCosines: ${name} must have between 1 and ${M.rows} columns (a basis of a subspace of R^${M.rows}), got ${M.describe()}`);
  }
  return fl.scope(() => {
    checkAllFinite(fl, 'principalCosines', [
      ['A', A],
      ['B', B],
    ]);
    const basis = (name: string, M: Matrix): Matrix => {
      const { Q, R } = fl.qr(inSafeRange(fl, M).M); // the span is unchanged by the scaling
      // A diagonal entry of R at rounding level means a column depends on the others.
      const n = R.cols,
        r = R.toArray();
      let largest = 0;
      for (let j = 0; j < n; j++) largest = Math.max(largest, Math.abs(r[j * n + j]!));
      for (let j = 0; j < n; j++) {
        if (!(Math.abs(r[j * n + j]!) > M.rows * EPS * largest)) {
          throw new ArgumentError(
            `principalCosines: the columns of ${name} are linearly dependent (column ${j} lies in the span of the others, or is zero); pass a basis`,
          );
        }
      }
      return Q;
    };
    const qa = basis('A', A),
      qb = basis('B', B);
    return fl.svdvals(fl.matmul(qa, qb, { transA: true })).map((c) => Math.min(c, 1));
  });
}

const EPS = 2 ** -52;

/**
 * Empirical NTK of the network on probe inputs Xp (p×d):
 * K = s²·[σ(XpW)·σ(XpW)ᵀ + (Xp·Xpᵀ) ⊙ (σ′(XpW)·diag(a²)·σ′(XpW)ᵀ)]
 * (the Jacobian Gram over both layers; s² = 1/N gives the spec's form).
 */
export function empiricalNTK(fl: Engine, net: TwoLayer, Xp: Matrix, options: { layers?: 'both' | 'first' | 'second' } = {}): Matrix {
  checkEngine(fl, 'empiricalNTK');
  if (!(Xp instanceof Matrix)) throw new ArgumentError(`empiricalNTK: Xp must be a Matrix, got ${describeArg(Xp)}`);
  checkNetwork(net, Xp, 'empiricalNTK', fl);
  const layers = checkOptions('empiricalNTK', options, ['layers']).layers ?? 'both';
  checkEnum('empiricalNTK', 'layers', layers, ['both', 'first', 'second']);
  return named('empiricalNTK', () =>
    fl.scope(() => {
      const Z = fl.matmul(Xp, net.W);
      const H = applyFunction(fl, net.activation, Z);
      const D = applyFunction(fl, net.activation, Z, true);
      network.scaleRowsCols(fl.core, 'empiricalNTK', D, fl.full(Xp.rows, 1, 1), net.a, D); // D·diag(a)
      // second layer (a): σ(XpW)·σ(XpW)ᵀ; first layer (W): (Xp·Xpᵀ) ⊙ (σ′·diag(a²)·σ′ᵀ)
      const K = layers === 'first' ? fl.zeros(Xp.rows, Xp.rows) : fl.gram(H, 'AAt');
      if (layers !== 'second') fl.axpy(1, fl.hadamard(fl.gram(Xp, 'AAt'), fl.gram(D, 'AAt')), K);
      return fl.scale(K, net.scale * net.scale, { out: K });
    }),
  );
}

/** Two kernels to compare: live matrices of this engine with one shape and dtype. */
function checkKernels(fl: Engine, fn: string, K1: Matrix, K2: Matrix, square: boolean): void {
  checkEngine(fl, fn);
  checkMatrix(fl, fn, 'K1', K1);
  checkMatrix(fl, fn, 'K2', K2);
  if (K1.rows !== K2.rows || K1.cols !== K2.cols) throw new ShapeError(`${fn}: K1 is ${K1.rows}×${K1.cols} but K2 is ${K2.rows}×${K2.cols}`);
  if (K1.dtype !== K2.dtype) throw new DTypeError(`${fn}: K1 is ${K1.describe()} but K2 is ${K2.describe()}; convert with astype()`);
  if (square && K1.rows !== K1.cols) throw new ShapeError(`${fn}: kernels must be square, got ${K1.describe()}`);
  if (K1.size === 0) throw new ShapeError(`${fn}: the kernels are empty (${K1.describe()})`);
}

/**
 * ⟨A, B⟩_F / (‖A‖_F‖B‖_F) on finite inputs, each rescaled by a power of two when beyond
 * 2^±200 (the ratio is scale-free); a zero input is an ArgumentError (`zero` says why).
 */
function alignmentOf(fl: Engine, fn: string, A: Matrix, B: Matrix, zero: (name: string) => string): number {
  const a = inSafeRange(fl, A).M,
    b = inSafeRange(fl, B).M;
  const dot = fl.dot(a, b);
  const na = fl.norm(a),
    nb = fl.norm(b);
  if (na === 0) throw new ArgumentError(`${fn}: ${zero('K1')}`);
  if (nb === 0) throw new ArgumentError(`${fn}: ${zero('K2')}`);
  return dot / (na * nb);
}

/** ⟨K1, K2⟩_F / (‖K1‖_F‖K2‖_F). Neither kernel may be zero. */
export function kernelAlignment(fl: Engine, K1: Matrix, K2: Matrix): number {
  checkKernels(fl, 'kernelAlignment', K1, K2, false);
  return fl.scope(() => {
    checkAllFinite(fl, 'kernelAlignment', [
      ['K1', K1],
      ['K2', K2],
    ]);
    return alignmentOf(fl, 'kernelAlignment', K1, K2, (name) => `${name} is zero: the alignment with a zero kernel is undefined`);
  });
}

/** 1 − kernel alignment (Fort et al. 2020). */
export function kernelDistance(fl: Engine, K1: Matrix, K2: Matrix): number {
  checkKernels(fl, 'kernelDistance', K1, K2, false);
  return fl.scope(() => {
    checkAllFinite(fl, 'kernelDistance', [
      ['K1', K1],
      ['K2', K2],
    ]);
    return 1 - alignmentOf(fl, 'kernelDistance', K1, K2, (name) => `${name} is zero: the distance to a zero kernel is undefined`);
  });
}

/** H·K·H (H = I − 11ᵀ/n) of a square K as a new f64 matrix, in wasm. */
function centred(fl: Engine, fn: string, K: Matrix): Matrix {
  return fl.scope(() => network.centerKernel(fl.core, fn, K.dtype === 'f64' ? K : fl.astype(K, 'f64')));
}

/**
 * H·K·H with H = I − 11ᵀ/n, for a symmetric kernel K (the row means serve as column means).
 * Entries beyond 2^±200 are centred on K·2^k and scaled back (exact), so the row sums cannot
 * overflow; a centred kernel beyond the double range is a NonFiniteError.
 */
export function centerKernel(fl: Engine, K: Matrix): Matrix {
  checkEngine(fl, 'centerKernel');
  checkMatrix(fl, 'centerKernel', 'K', K);
  if (K.rows !== K.cols) throw new ShapeError(`centerKernel: K must be square, got ${K.rows}×${K.cols}`);
  return fl.scope(() => {
    checkAllFinite(fl, 'centerKernel', [['K', K]]);
    const { M, k } = inSafeRange(fl, K);
    const out = centred(fl, 'centerKernel', M);
    if (k === 0) return out;
    try {
      return scaledByPow2(fl, out, -k);
    } catch (error) {
      if (error instanceof NonFiniteError) throw new NonFiniteError(`centerKernel: the centred kernel exceeds the double range`);
      throw error;
    }
  });
}

/**
 * The centred kernel (scaled by a power of two) for an alignment; a kernel whose centred
 * entries are all within the rounding error of the centring, (3n + 4)·ε·max|K| (a constant
 * kernel, or K_ij = u_i + u_j), has no direction to align and is an ArgumentError.
 */
function centredForAlignment(fl: Engine, fn: string, name: string, K: Matrix): Matrix {
  const { M } = inSafeRange(fl, K);
  const C = centred(fl, fn, M);
  const n = K.rows;
  if (!(fl.norm(C, 'max') > (3 * n + 4) * EPS * fl.norm(M, 'max'))) {
    throw new ArgumentError(`${fn}: ${name} is zero after centring (a constant kernel, or K_ij = u_i + u_j): the alignment is undefined`);
  }
  return C;
}

/** Centred kernel alignment (CKA). Neither kernel may be constant after centring. */
export function cka(fl: Engine, K1: Matrix, K2: Matrix): number {
  checkKernels(fl, 'cka', K1, K2, true);
  return fl.scope(() => {
    checkAllFinite(fl, 'cka', [
      ['K1', K1],
      ['K2', K2],
    ]);
    const C1 = centredForAlignment(fl, 'cka', 'K1', K1),
      C2 = centredForAlignment(fl, 'cka', 'K2', K2);
    return alignmentOf(fl, 'cka', C1, C2, (name) => `${name} is zero after centring`);
  });
}

/**
 * Target alignment y_cᵀK_c y_c / (‖K_c‖_F‖y_c‖²) (Baratin et al. 2021). K must not be
 * constant after centring, nor y constant.
 */
export function targetAlignment(fl: Engine, K: Matrix, y: Matrix): number {
  checkEngine(fl, 'targetAlignment');
  checkMatrix(fl, 'targetAlignment', 'K', K);
  checkMatrix(fl, 'targetAlignment', 'y', y);
  if (K.rows !== K.cols || K.rows < 1) throw new ShapeError(`targetAlignment: K must be square and non-empty, got ${K.describe()}`);
  if (y.rows !== K.rows || y.cols !== 1) throw new ShapeError(`targetAlignment: y must be ${K.rows}×1, got ${y.rows}×${y.cols}`);
  return fl.scope(() => {
    checkAllFinite(fl, 'targetAlignment', [
      ['K', K],
      ['y', y],
    ]);
    const Kc = centredForAlignment(fl, 'targetAlignment', 'K', K);
    const y64 = inSafeRange(fl, fl.astype(y, 'f64')).M;
    const mean = fl.sum(y64) / y.rows;
    const yc = fl.axpy(-mean, fl.full(y.rows, 1, 1), fl.copy(y64));
    // centred entries at rounding level, (n + 2)·ε·max|y|: y is constant
    if (!(fl.norm(yc, 'max') > (y.rows + 2) * EPS * fl.norm(y64, 'max'))) {
      throw new ArgumentError('targetAlignment: y is constant (zero after centring): the alignment is undefined');
    }
    const Ky = fl.gemv(Kc, yc);
    return fl.dot(yc, Ky) / (fl.norm(Kc) * fl.dot(yc, yc));
  });
}

/**
 * ‖M_t − M_0‖_F / ‖M_0‖_F (kernels or weights: lazy vs rich). M_0 must not be zero; both are
 * rescaled by one power of two when beyond 2^±200, so the difference cannot overflow.
 */
export function relativeChange(fl: Engine, Mt: Matrix, M0: Matrix): number {
  checkEngine(fl, 'relativeChange');
  checkMatrix(fl, 'relativeChange', 'Mt', Mt);
  checkMatrix(fl, 'relativeChange', 'M0', M0);
  if (Mt.rows !== M0.rows || Mt.cols !== M0.cols) throw new ShapeError(`relativeChange: Mt is ${Mt.rows}×${Mt.cols} but M0 is ${M0.rows}×${M0.cols}`);
  if (Mt.dtype !== M0.dtype) throw new DTypeError(`relativeChange: Mt is ${Mt.describe()} but M0 is ${M0.describe()}; convert with astype()`);
  return fl.scope(() => {
    checkAllFinite(fl, 'relativeChange', [
      ['Mt', Mt],
      ['M0', M0],
    ]);
    const k = rescaleExponent(Math.max(fl.norm(Mt, 'max'), fl.norm(M0, 'max')));
    const A = scaledByPow2(fl, Mt, k),
      B = scaledByPow2(fl, M0, k);
    const base = fl.norm(B);
    if (base === 0) throw new ArgumentError('relativeChange: M0 is zero (or negligible next to Mt): the change relative to it is undefined');
    return finiteResult('relativeChange', fl.norm(fl.axpy(-1, B, fl.copy(A))) / base, 'the relative change');
  });
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
 * (the |·| model, where w and −w are the same neuron) the angle is min(θ, π − θ). No
 * student or teacher may be zero (its angle is undefined). W and V are rescaled by powers of
 * two when beyond 2^±200 (angles are scale-free; norms are scaled back).
 */
export function teacherStudentGeometry(fl: Engine, W: Matrix, V: Matrix, options: { lines?: boolean } = {}): TeacherStudentGeometry {
  checkEngine(fl, 'teacherStudentGeometry');
  checkMatrix(fl, 'teacherStudentGeometry', 'W', W);
  checkMatrix(fl, 'teacherStudentGeometry', 'V', V);
  const lines = checkBoolean('teacherStudentGeometry', 'lines', checkOptions('teacherStudentGeometry', options, ['lines']).lines, false);
  if (W.cols !== V.cols) throw new ShapeError(`teacherStudentGeometry: W is ${W.rows}×${W.cols} but V is ${V.rows}×${V.cols}`);
  const [m, k] = [W.rows, V.rows];
  if (k < 1) throw new ArgumentError('teacherStudentGeometry: needs at least one teacher');
  if (W.cols < 1) throw new ShapeError(`teacherStudentGeometry: neurons need at least one input dimension, got W ${W.describe()}`);
  return fl.scope(() => {
    checkAllFinite(fl, 'teacherStudentGeometry', [
      ['W', W],
      ['V', V],
    ]);
    const w = inSafeRange(fl, fl.astype(W, 'f64')),
      v = inSafeRange(fl, fl.astype(V, 'f64'));
    const W64 = w.M,
      V64 = v.M;
    const theta = network.rowAngles(fl.core, 'teacherStudentGeometry', W64, V64, ['W', 'V']);
    // each student's nearest teacher (the first smallest angle, as lines with { lines })
    const { angles, group } = network.nearestAngles(fl.core, 'teacherStudentGeometry', theta, lines);
    // norms of the rescaled rows (scaled back below), and ⟨w_i, v_l⟩ of the rescaled rows
    const wn = fl.sumRows(fl.hadamard(W64, W64)).toArray().map(Math.sqrt);
    const vn = fl.sumRows(fl.hadamard(V64, V64)).toArray().map(Math.sqrt);
    wn.forEach((x, i) => {
      if (x === 0) throw new ArgumentError(`teacherStudentGeometry: student ${i} (row ${i} of W) is zero: its angle to the teachers is undefined`);
    });
    vn.forEach((x, l) => {
      if (x === 0) throw new ArgumentError(`teacherStudentGeometry: teacher ${l} (row ${l} of V) is zero: angles and balance against it are undefined`);
    });
    const inner = fl.matmul(W64, V64, { transB: true }).toArray();
    const sizes = new Int32Array(k);
    for (let i = 0; i < m; i++) sizes[group[i]!]!++;
    const balance = new Float64Array(m),
      residuals = new Float64Array(k);
    for (let l = 0; l < k; l++) residuals[l] = timesPow2(vn[l]!, -v.k);
    for (let i = 0; i < m; i++) {
      const l = group[i]!;
      balance[i] = timesPow2((wn[i]! * sizes[l]!) / vn[l]!, v.k - w.k);
      residuals[l]! -= timesPow2((lines ? Math.abs(inner[i * k + l]!) : inner[i * k + l]!) / vn[l]!, -w.k);
    }
    const norms = Float64Array.from(wn, (x) => timesPow2(x, -w.k));
    for (const [what, values] of [
      ['a norm', norms],
      ['a balance', balance],
      ['a residual', residuals],
    ] as const) {
      for (const x of values) finiteResult('teacherStudentGeometry', x, what);
    }
    return { angles, group, groupSizes: sizes, norms, balance, residuals };
  });
}

/**
 * The degree-k Hermite coefficient of the predictor f̂(x) = s·Σ_j â_j·σ(w_jᵀx) along a unit
 * direction β, E_x[f̂(x)·He_k(⟨β, x⟩)]/k! for x ~ N(0, I_d), exactly (no sampling): with
 * u = w_jᵀx/‖w_j‖ and v = ⟨β, x⟩ unit Gaussians of correlation ρ_j = ⟨β, w_j⟩/‖w_j‖, Mehler's
 * formula gives E[σ(‖w_j‖u)·He_k(v)] = ρ_j^k·E[σ(‖w_j‖u)·He_k(u)] = ρ_j^k·k!·c_k(σ(‖w_j‖·)), and
 * the last coefficient comes from the quadrature rule. Divided by the target's c*_k it is the
 * share of the target's He_k component that the predictor carries (Moniri et al.'s q_k).
 * see: O'Donnell, "Analysis of Boolean Functions" (2014), §11.2 (Mehler: E[He_j(u)He_k(v)] = δ_jk·k!·ρ^k).
 */
export function hermiteComponent(fl: Engine, net: TwoLayer, readout: Matrix, beta: Matrix, k: number, quad: Quadrature): number {
  checkEngine(fl, 'hermiteComponent');
  checkNetwork(net, undefined, 'hermiteComponent', fl);
  const { W } = net;
  checkMatrix(fl, 'hermiteComponent', 'readout', readout, { dtype: 'f64', rows: W.cols, cols: 1 });
  checkMatrix(fl, 'hermiteComponent', 'beta', beta, { dtype: 'f64', rows: W.rows, cols: 1 });
  if (!Number.isInteger(k) || k < 0 || k > 30) throw new ArgumentError(`hermiteComponent: k must be an integer in [0, 30], got ${describeArg(k)}`);
  if (
    !(quad && quad.nodes instanceof Float64Array && quad.weights instanceof Float64Array && quad.nodes.length === quad.weights.length && quad.nodes.length > 0)
  )
    throw new ArgumentError('hermiteComponent: quad must be a rule from gaussHermite()');
  const betaNorm = fl.norm(beta);
  if (!(Math.abs(betaNorm - 1) < 1e-9)) throw new ArgumentError(`hermiteComponent: beta must be a unit vector, got ‖beta‖ = ${betaNorm}`);
  return named('hermiteComponent', () =>
    fl.scope(() => {
      const W64 = fl.astype(W, 'f64');
      const norms = fl.sumCols(fl.hadamard(W64, W64)).toArray(); // 1×N: ‖w_j‖²
      const projections = fl.matmul(beta, W64, { transA: true }).toArray(); // 1×N: ⟨β, w_j⟩
      const N = W.cols,
        Q = quad.nodes.length;
      const scales = new Float64Array(N);
      const rhoK = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        const s = Math.sqrt(norms[j]!);
        scales[j] = s;
        const rho = s > 0 ? projections[j]! / s : 0;
        let power = 1;
        for (let i = 0; i < k; i++) power *= rho;
        rhoK[j] = power;
      }
      // c_k(σ(s_j·)) = Σ_q w_q·σ(s_j·x_q)·He_k(x_q)/k! for every neuron: one N×Q map and a product
      const nodes = fl.fromArray(quad.nodes, 1, Q);
      const S = fl.matmul(fl.fromArray(scales, N, 1), nodes); // N×Q: s_j·x_q
      const heK = applyFunction(fl, { hermite: k }, fl.fromArray(quad.nodes, Q, 1)).toArray();
      let kFactorial = 1;
      for (let i = 2; i <= k; i++) kFactorial *= i;
      const weights = new Float64Array(Q);
      for (let q = 0; q < Q; q++) weights[q] = (quad.weights[q]! * heK[q]!) / kFactorial;
      const ck = fl.matmul(applyFunction(fl, net.activation, S), fl.fromArray(weights, Q, 1)).toArray(); // N×1
      const a = fl.astype(readout, 'f64').toArray();
      let sum = 0;
      for (let j = 0; j < N; j++) sum += a[j]! * rhoK[j]! * ck[j]!;
      return net.scale * sum;
    }),
  );
}
