// A checked layer over the network kernels (assembly/net.ts, assembly/nn/): the only code
// the two-layer network layer (src/net/) goes through to reach a kernel by pointer. Every
// function checks that its matrices are live f64 matrices of this engine with the shapes the
// kernel reads, allocates outputs and workspace, calls the kernel, and frees what it
// allocated when anything throws. `label` is the public function's name ("gradients",
// "empiricalNTK"), so errors name what the caller called; arguments appear as "label (name)".

import type { Engine } from '../engine.js';
import { InternalError, ShapeError } from '../errors.js';
import type { DType, Matrix } from '../matrix.js';
import type { Ptr } from '../wasm.js';

/**
 * Throws unless `M` is a live matrix of `fl` (of `dtype`, if given); `what` names the public
 * function and argument ("forward (X)"). The check src/net makes on every matrix it is given.
 */
export function assertLive(fl: Engine, M: Matrix, what: string, dtype?: DType): void {
  fl.assertMatrix(M, what, dtype);
}

/** The engine a matrix belongs to (Matrix.owner is internal: src/net asks here). */
export function engineOf(M: Matrix): Engine {
  return M.owner as Engine;
}

/** `M` must be a live f64 matrix of `fl`, rows×cols where given. */
function checkF64(fl: Engine, label: string, name: string, M: Matrix, rows?: number, cols?: number): void {
  fl.assertMatrix(M, `${label} (${name})`, 'f64');
  if ((rows !== undefined && M.rows !== rows) || (cols !== undefined && M.cols !== cols)) {
    throw new ShapeError(`${label}: ${name} must be ${rows ?? 'any'}×${cols ?? 'any'}, got ${M.describe()}`);
  }
}

/** `M` must be an f64 vector of n entries (n×1 or 1×n). */
function checkVector(fl: Engine, label: string, name: string, M: Matrix, n: number): void {
  fl.assertMatrix(M, `${label} (${name})`, 'f64');
  if (M.size !== n || (M.rows !== 1 && M.cols !== 1)) throw new ShapeError(`${label}: ${name} must be a vector of ${n} entries, got ${M.describe()}`);
}

/** Runs `body` with `bytes` of scratch memory, freed afterwards whatever happens. */
function withWorkspace<T>(fl: Engine, bytes: number, what: string, body: (work: Ptr) => T): T {
  const work = fl.allocBytes(bytes, what);
  try {
    return body(work);
  } finally {
    fl.freeBytes(work);
  }
}

/** A new rows×cols f64 output, disposed if `body` throws. */
function withOutput(fl: Engine, rows: number, cols: number, body: (out: Matrix) => void): Matrix {
  const out = fl.zeros(rows, cols);
  try {
    body(out);
    return out;
  } catch (error) {
    out.dispose();
    throw error;
  }
}

/**
 * out_ij := m_ij·r_i·c_j (M n×N, r n entries, c N entries): M scaled by r along its rows and by
 * c along its columns (kernel rank1_hadamard_f64: σ′ ⊙ r·cᵀ in backpropagation). Into a new
 * matrix, or into `out` (which may be M itself).
 */
export function scaleRowsCols(fl: Engine, label: string, M: Matrix, r: Matrix, c: Matrix, out?: Matrix): Matrix {
  checkF64(fl, label, 'M', M);
  checkVector(fl, label, 'r', r, M.rows);
  checkVector(fl, label, 'c', c, M.cols);
  const run = (o: Matrix) => fl.kernels.rank1_hadamard_f64(M.rows, M.cols, M.ptr, r.ptr, c.ptr, o.ptr);
  if (out === undefined) return withOutput(fl, M.rows, M.cols, run);
  checkF64(fl, label, 'out', out, M.rows, M.cols);
  run(out);
  return out;
}

/** 1 − H² elementwise as a new matrix (tanh′ from tanh values; kernel one_minus_square_f64). */
export function oneMinusSquare(fl: Engine, label: string, H: Matrix): Matrix {
  checkF64(fl, label, 'H', H);
  return withOutput(fl, H.rows, H.cols, (out) => fl.kernels.one_minus_square_f64(H.size, H.ptr, out.ptr));
}

/** Σ_k c_k·z^k elementwise (Horner, c_0 first) as a new matrix (kernel polyval_f64). */
export function polyval(fl: Engine, label: string, Z: Matrix, coefficients: Float64Array): Matrix {
  checkF64(fl, label, 'Z', Z);
  if (coefficients.length < 1) throw new InternalError(`${label}: polyval needs at least one coefficient`);
  return fl.scope(() => {
    const c = fl.fromArray(coefficients, 1, coefficients.length);
    return withOutput(fl, Z.rows, Z.cols, (out) => fl.kernels.polyval_f64(Z.size, Z.ptr, c.ptr, c.size, out.ptr));
  });
}

/** H·K·H (H = I − 11ᵀ/n) of a square symmetric K as a new matrix (kernel center_kernel_f64). */
export function centerKernel(fl: Engine, label: string, K: Matrix): Matrix {
  checkF64(fl, label, 'K', K, K.rows, K.rows);
  return withWorkspace(fl, K.rows * 8, 'kernel row means', (work) =>
    withOutput(fl, K.rows, K.rows, (out) => fl.kernels.center_kernel_f64(K.rows, K.ptr, out.ptr, work)));
}

/** The m×k angles between the rows of A (m×d) and of B (k×d), stable atan2 form (kernel row_angles_f64). */
export function rowAngles(fl: Engine, label: string, A: Matrix, B: Matrix, names: [string, string] = ['A', 'B']): Matrix {
  checkF64(fl, label, names[0], A);
  checkF64(fl, label, names[1], B, undefined, A.cols);
  return withOutput(fl, A.rows, B.rows, (out) => fl.kernels.row_angles_f64(A.rows, B.rows, A.cols, A.ptr, B.ptr, out.ptr));
}

/**
 * The infinite-width ReLU NTK (n1×n2, new) from the angles θ and inner products G of the rows
 * (both n1×n2) and their squared norms na2 (n1) and nb2 (n2), in d dimensions, times 2^e
 * (kernel relu_ntk_f64): (√(na2_i·nb2_j)(sin θ + (π − θ)cos θ) + G_ij(π − θ))/(2πd).
 */
export function reluNtk(fl: Engine, label: string, theta: Matrix, G: Matrix, na2: Matrix, nb2: Matrix, d: number, e: number): Matrix {
  checkF64(fl, label, 'theta', theta);
  checkF64(fl, label, 'G', G, theta.rows, theta.cols);
  checkVector(fl, label, 'na2', na2, theta.rows);
  checkVector(fl, label, 'nb2', nb2, theta.cols);
  if (!Number.isInteger(d) || d < 1 || !Number.isInteger(e) || Math.abs(e) > 2 ** 30) throw new InternalError(`${label}: reluNtk needs an integer d ≥ 1 and exponent e, got d = ${d}, e = ${e}`);
  return withOutput(fl, theta.rows, theta.cols, (out) =>
    fl.kernels.relu_ntk_f64(theta.rows, theta.cols, d, theta.ptr, G.ptr, na2.ptr, nb2.ptr, e, out.ptr));
}

/**
 * For each row of the angles θ (m×k, k ≥ 1): the index of the first smallest angle and that
 * angle; with `lines`, θ counts as min(θ, π − θ) (kernel nearest_angles_f64).
 */
export function nearestAngles(fl: Engine, label: string, theta: Matrix, lines: boolean): { angles: Float64Array; group: Int32Array } {
  checkF64(fl, label, 'theta', theta);
  if (theta.cols < 1) throw new ShapeError(`${label}: needs at least one column of angles, got ${theta.describe()}`);
  return fl.scope(() => {
    const angles = fl.zeros(theta.rows, 1), group = fl.zeros(theta.rows, 1);
    fl.kernels.nearest_angles_f64(theta.rows, theta.cols, theta.ptr, lines ? 1 : 0, angles.ptr, group.ptr);
    return { angles: angles.toArray() as Float64Array, group: Int32Array.from(group.toArray()) };
  });
}

/** Index of the first NaN/±Infinity in M (row-major), or −1 (kernel first_nonfinite_f64). */
export function firstNonFinite(fl: Engine, label: string, M: Matrix): number {
  checkF64(fl, label, 'M', M);
  return fl.kernels.first_nonfinite_f64(M.size, M.ptr);
}

/**
 * M := M·2^k in place, exactly unless it under- or overflows, in steps of at most 2^±1000 whose
 * factors are normal (kernel scal_f64). No finite scan: the caller reports overflow itself.
 */
export function scaleByPow2InPlace(fl: Engine, label: string, M: Matrix, k: number): void {
  checkF64(fl, label, 'M', M);
  if (!Number.isInteger(k)) throw new InternalError(`${label}: a power of two needs an integer exponent, got ${k}`);
  for (let left = k; left !== 0;) {
    const step = Math.max(-1000, Math.min(1000, left));
    fl.kernels.scal_f64(M.size, pow2(step), M.ptr, M.ptr);
    left -= step;
  }
}

const bits = new DataView(new ArrayBuffer(8));

/** 2^e for an integer e in [−1022, 1023], from its bits (exact in every engine, unlike 2 ** e). */
function pow2(e: number): number {
  bits.setUint32(0, (e + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

/** Students W (m×d) and teachers V (k×d): live f64 matrices of one width. */
function checkStudentsTeachers(fl: Engine, label: string, W: Matrix, V: Matrix, vName: string): void {
  checkF64(fl, label, 'W', W);
  checkF64(fl, label, vName, V, undefined, W.cols);
}

/**
 * The ReLU population loss at students W (m×d rows) for teachers V (k×d rows), its gradient
 * written into grad (m×d) (kernel relu_population_grad).
 */
export function reluPopulationGrad(fl: Engine, label: string, W: Matrix, V: Matrix, grad: Matrix): number {
  checkStudentsTeachers(fl, label, W, V, 'V');
  checkF64(fl, label, 'grad', grad, W.rows, W.cols);
  return withWorkspace(fl, (W.rows + V.rows) * 8, 'population norms', (norms) =>
    fl.kernels.relu_population_grad(W.rows, V.rows, W.cols, W.ptr, V.ptr, grad.ptr, norms));
}

/**
 * `steps` ReLU population GD steps W −= η∇L in place, with grad (m×d) as scratch; returns
 * the loss before the last step (kernel relu_population_gd).
 */
export function reluPopulationGD(fl: Engine, label: string, W: Matrix, V: Matrix, eta: number, steps: number, grad: Matrix): number {
  checkStudentsTeachers(fl, label, W, V, 'V');
  checkF64(fl, label, 'grad', grad, W.rows, W.cols);
  if (!Number.isInteger(steps) || steps < 0 || steps > 2 ** 31 - 1) throw new InternalError(`${label}: steps must be an i32 count, got ${steps}`);
  return withWorkspace(fl, (W.rows + V.rows) * 8, 'population norms', (norms) =>
    fl.kernels.relu_population_gd(W.rows, V.rows, W.cols, W.ptr, V.ptr, eta, steps, grad.ptr, norms));
}

/**
 * The regularised absolute-value population loss of students (W m×d, a m×1) against
 * teachers (Ws k×d, as k×1), its gradients written into gW (m×d) and ga (m×1)
 * (kernel abs_population_grad).
 */
export function absPopulationGrad(
  fl: Engine, label: string, W: Matrix, a: Matrix, Ws: Matrix, as: Matrix, lambda: number, gW: Matrix, ga: Matrix,
): number {
  checkStudentsTeachers(fl, label, W, Ws, 'Ws');
  checkF64(fl, label, 'a', a, W.rows, 1);
  checkF64(fl, label, 'as', as, Ws.rows, 1);
  checkF64(fl, label, 'gW', gW, W.rows, W.cols);
  checkF64(fl, label, 'ga', ga, W.rows, 1);
  return withWorkspace(fl, (W.rows + Ws.rows) * 8, 'population norms', (norms) =>
    fl.kernels.abs_population_grad(W.rows, Ws.rows, W.cols, W.ptr, a.ptr, Ws.ptr, as.ptr, lambda, gW.ptr, ga.ptr, norms));
}

/**
 * The n×1 f64 columns side by side as a new n×K matrix: copied in as the rows of a K×n
 * matrix, then transposed in wasm.
 */
export function stackColumns(fl: Engine, label: string, cols: readonly Matrix[]): Matrix {
  const n = cols[0]?.rows ?? 0;
  cols.forEach((c, k) => checkF64(fl, label, `column ${k}`, c, n, 1));
  if (cols.length === 0) throw new InternalError(`${label}: stackColumns needs at least one column`);
  return fl.scope(() => {
    const rows = fl.zeros(cols.length, n);
    cols.forEach((c, k) => rows.view().set(c.view(), k * n)); // a copy of bits, no arithmetic
    return fl.transpose(rows);
  });
}
