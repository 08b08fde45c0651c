// A checked layer over the network kernels (assembly/nn/net.ts, assembly/nn/): the only code
// the two-layer network layer (src/net/) goes through to reach a kernel by pointer. Every
// function checks that its matrices are live f64 matrices of this engine with the shapes the
// kernel reads, allocates outputs and workspace, calls the kernel, and frees what it
// allocated when anything throws. `label` is the public function's name ("gradients",
// "empiricalNTK"), so errors name what the caller called; arguments appear as "label (name)".

import { EngineCore } from '../core/core.js';
import { scope } from '../core/memory.js';
import { pow2 } from '../core/pow2.js';
import { InternalError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { DType, Matrix, MatrixOwner } from '../core/matrix.js';
import type { Ptr } from '../core/wasm.js';
import { fromArray, transpose, zeros } from './construct.js';

/**
 * The engine state the functions below run on: an EngineCore, or anything holding one as
 * `core` (the Engine façade, typed structurally so that ops/ never imports engine.ts).
 */
export type CoreSource = EngineCore | { readonly core: EngineCore };

/** The EngineCore of `source` (itself, if it is one). */
export function coreOf(source: CoreSource): EngineCore {
  return source instanceof EngineCore ? source : source.core;
}

/**
 * Throws unless `M` is a live matrix of `source` (of `dtype`, if given); `what` names the public
 * function and argument ("forward (X)"). The check src/net makes on every matrix it is given.
 */
export function assertLive(source: CoreSource, M: Matrix, what: string, dtype?: DType): void {
  coreOf(source).assertMatrix(M, what, dtype);
}

/** The owner (the Engine) of a matrix (Matrix.owner is internal: src/net asks here). */
export function ownerOf(M: Matrix): MatrixOwner {
  return M.owner;
}

/** `M` must be a live f64 matrix of `core`, rows×cols where given. */
function checkF64(core: EngineCore, label: string, name: string, M: Matrix, rows?: number, cols?: number): void {
  core.assertMatrix(M, `${label} (${name})`, 'f64');
  if ((rows !== undefined && M.rows !== rows) || (cols !== undefined && M.cols !== cols)) {
    throw new ShapeError(`${label}: ${name} must be ${rows ?? 'any'}×${cols ?? 'any'}, got ${M.describe()}`);
  }
}

/** `M` must be an f64 vector of n entries (n×1 or 1×n). */
function checkVector(core: EngineCore, label: string, name: string, M: Matrix, n: number): void {
  core.assertMatrix(M, `${label} (${name})`, 'f64');
  if (M.size !== n || (M.rows !== 1 && M.cols !== 1)) throw new ShapeError(`${label}: ${name} must be a vector of ${n} entries, got ${M.describe()}`);
}

/** Runs `body` with `bytes` of scratch memory, freed afterwards whatever happens. */
function withWorkspace<T>(core: EngineCore, bytes: number, what: string, body: (work: Ptr) => T): T {
  const work = core.allocBytes(bytes, what);
  try {
    return body(work);
  } finally {
    core.freeBytes(work);
  }
}

/**
 * A new rows×cols f64 output, disposed if `body` throws. It is not zeroed first: every kernel
 * called here writes each element of its output.
 */
function withOutput(core: EngineCore, rows: number, cols: number, body: (out: Matrix) => void): Matrix {
  const out = core.newMatrix(rows, cols, 'network kernel output');
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
export function scaleRowsCols(source: CoreSource, label: string, M: Matrix, r: Matrix, c: Matrix, out?: Matrix): Matrix {
  const core = coreOf(source);
  checkF64(core, label, 'M', M);
  checkVector(core, label, 'r', r, M.rows);
  checkVector(core, label, 'c', c, M.cols);
  const run = (o: Matrix) => core.kernels.rank1_hadamard_f64(M.rows, M.cols, M.ptr, r.ptr, c.ptr, o.ptr);
  if (out === undefined) return withOutput(core, M.rows, M.cols, run);
  checkF64(core, label, 'out', out, M.rows, M.cols);
  run(out);
  return out;
}

/** 1 − H² elementwise as a new matrix (tanh′ from tanh values; kernel one_minus_square_f64). */
export function oneMinusSquare(source: CoreSource, label: string, H: Matrix): Matrix {
  const core = coreOf(source);
  checkF64(core, label, 'H', H);
  return withOutput(core, H.rows, H.cols, (out) => core.kernels.one_minus_square_f64(H.size, H.ptr, out.ptr));
}

/** Σ_k c_k·z^k elementwise (Horner, c_0 first) as a new matrix (kernel polyval_f64). */
export function polyval(source: CoreSource, label: string, Z: Matrix, coefficients: Float64Array): Matrix {
  const core = coreOf(source);
  checkF64(core, label, 'Z', Z);
  if (coefficients.length < 1) throw new InternalError(`${label}: polyval needs at least one coefficient`);
  return scope(core, () => {
    const c = fromArray(core, coefficients, 1, coefficients.length);
    return withOutput(core, Z.rows, Z.cols, (out) => core.kernels.polyval_f64(Z.size, Z.ptr, c.ptr, c.size, out.ptr));
  });
}

/** H·K·H (H = I − 11ᵀ/n) of a square symmetric K as a new matrix (kernel center_kernel_f64). */
export function centerKernel(source: CoreSource, label: string, K: Matrix): Matrix {
  const core = coreOf(source);
  checkF64(core, label, 'K', K, K.rows, K.rows);
  return withWorkspace(core, K.rows * 8, 'kernel row means', (work) =>
    withOutput(core, K.rows, K.rows, (out) => core.kernels.center_kernel_f64(K.rows, K.ptr, out.ptr, work)),
  );
}

/** The m×k angles between the rows of A (m×d) and of B (k×d), stable atan2 form (kernel row_angles_f64). */
export function rowAngles(source: CoreSource, label: string, A: Matrix, B: Matrix, names: [string, string] = ['A', 'B']): Matrix {
  const core = coreOf(source);
  checkF64(core, label, names[0], A);
  checkF64(core, label, names[1], B, undefined, A.cols);
  return withOutput(core, A.rows, B.rows, (out) => core.kernels.row_angles_f64(A.rows, B.rows, A.cols, A.ptr, B.ptr, out.ptr));
}

/**
 * The infinite-width ReLU NTK (n1×n2, new) from the angles θ and inner products G of the rows
 * (both n1×n2) and their squared norms na2 (n1) and nb2 (n2), in d dimensions, times 2^e
 * (kernel relu_ntk_f64): (√(na2_i·nb2_j)(sin θ + (π − θ)cos θ) + G_ij(π − θ))/(2πd).
 */
export function reluNtk(source: CoreSource, label: string, theta: Matrix, G: Matrix, na2: Matrix, nb2: Matrix, d: number, e: number): Matrix {
  const core = coreOf(source);
  checkF64(core, label, 'theta', theta);
  checkF64(core, label, 'G', G, theta.rows, theta.cols);
  checkVector(core, label, 'na2', na2, theta.rows);
  checkVector(core, label, 'nb2', nb2, theta.cols);
  if (!Number.isInteger(d) || d < 1 || !Number.isInteger(e) || Math.abs(e) > 2 ** 30)
    throw new InternalError(`${label}: reluNtk needs an integer d ≥ 1 and exponent e, got d = ${d}, e = ${e}`);
  return withOutput(core, theta.rows, theta.cols, (out) =>
    core.kernels.relu_ntk_f64(theta.rows, theta.cols, d, theta.ptr, G.ptr, na2.ptr, nb2.ptr, e, out.ptr),
  );
}

/**
 * For each row of the angles θ (m×k, k ≥ 1): the index of the first smallest angle and that
 * angle; with `lines`, θ counts as min(θ, π − θ) (kernel nearest_angles_f64).
 */
export function nearestAngles(source: CoreSource, label: string, theta: Matrix, lines: boolean): { angles: Float64Array; group: Int32Array } {
  const core = coreOf(source);
  checkF64(core, label, 'theta', theta);
  if (theta.cols < 1) throw new ShapeError(`${label}: needs at least one column of angles, got ${theta.describe()}`);
  return scope(core, () => {
    const angles = zeros(core, theta.rows, 1),
      group = zeros(core, theta.rows, 1);
    core.kernels.nearest_angles_f64(theta.rows, theta.cols, theta.ptr, lines ? 1 : 0, angles.ptr, group.ptr);
    return { angles: angles.toArray() as Float64Array, group: Int32Array.from(group.toArray()) };
  });
}

/** Index of the first NaN/±Infinity in M (row-major), or −1 (kernel first_nonfinite_f64). */
export function firstNonFinite(source: CoreSource, label: string, M: Matrix): number {
  const core = coreOf(source);
  checkF64(core, label, 'M', M);
  return core.kernels.first_nonfinite_f64(M.size, M.ptr);
}

/**
 * M := M·2^k in place, exactly unless it under- or overflows, in steps of at most 2^±1000 whose
 * factors are normal (kernel scal_f64). No finite scan: the caller reports overflow itself.
 */
export function scaleByPow2InPlace(source: CoreSource, label: string, M: Matrix, k: number): void {
  const core = coreOf(source);
  checkF64(core, label, 'M', M);
  if (!Number.isInteger(k)) throw new InternalError(`${label}: a power of two needs an integer exponent, got ${k}`);
  for (let left = k; left !== 0; ) {
    const step = Math.max(-1000, Math.min(1000, left));
    core.kernels.scal_f64(M.size, pow2(step), M.ptr, M.ptr);
    left -= step;
  }
}

/**
 * G_ii += s in place for a square f64 G: the bytes of axpy(s, I, G) when G has no −0 entries
 * (a Gram matrix: its sums start at +0, so G_ij + 0 = G_ij off the diagonal), without an n×n
 * identity and a pass over all of G. A diagonal entry that would overflow is a NonFiniteError
 * naming `label`, and G is left unchanged.
 */
export function shiftDiagonal(source: CoreSource, label: string, G: Matrix, s: number): void {
  const core = coreOf(source);
  checkF64(core, label, 'G', G, G.cols, G.cols);
  const n = G.rows,
    g = G.view();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(g[i * n + i]! + s)) throw new NonFiniteError(`${label}: the shifted Gram matrix overflows at [${i}, ${i}]`);
  }
  for (let i = 0; i < n; i++) g[i * n + i]! += s;
}

/** Students W (m×d) and teachers V (k×d): live f64 matrices of one width. */
function checkStudentsTeachers(core: EngineCore, label: string, W: Matrix, V: Matrix, vName: string): void {
  checkF64(core, label, 'W', W);
  checkF64(core, label, vName, V, undefined, W.cols);
}

/**
 * The ReLU population loss at students W (m×d rows) for teachers V (k×d rows), its gradient
 * written into grad (m×d) (kernel relu_population_grad).
 */
export function reluPopulationGrad(source: CoreSource, label: string, W: Matrix, V: Matrix, grad: Matrix): number {
  const core = coreOf(source);
  checkStudentsTeachers(core, label, W, V, 'V');
  checkF64(core, label, 'grad', grad, W.rows, W.cols);
  return withWorkspace(core, (W.rows + V.rows) * 8, 'population norms', (norms) =>
    core.kernels.relu_population_grad(W.rows, V.rows, W.cols, W.ptr, V.ptr, grad.ptr, norms),
  );
}

/**
 * `steps` ReLU population GD steps W −= η∇L in place, with grad (m×d) as scratch; returns
 * the loss before the last step (kernel relu_population_gd).
 */
export function reluPopulationGD(source: CoreSource, label: string, W: Matrix, V: Matrix, eta: number, steps: number, grad: Matrix): number {
  const core = coreOf(source);
  checkStudentsTeachers(core, label, W, V, 'V');
  checkF64(core, label, 'grad', grad, W.rows, W.cols);
  if (!Number.isInteger(steps) || steps < 0 || steps > 2 ** 31 - 1) throw new InternalError(`${label}: steps must be an i32 count, got ${steps}`);
  return withWorkspace(core, (W.rows + V.rows) * 8, 'population norms', (norms) =>
    core.kernels.relu_population_gd(W.rows, V.rows, W.cols, W.ptr, V.ptr, eta, steps, grad.ptr, norms),
  );
}

/**
 * The regularised absolute-value population loss of students (W m×d, a m×1) against
 * teachers (Ws k×d, as k×1), its gradients written into gW (m×d) and ga (m×1)
 * (kernel abs_population_grad).
 */
export function absPopulationGrad(
  source: CoreSource,
  label: string,
  W: Matrix,
  a: Matrix,
  Ws: Matrix,
  as: Matrix,
  lambda: number,
  gW: Matrix,
  ga: Matrix,
): number {
  const core = coreOf(source);
  checkStudentsTeachers(core, label, W, Ws, 'Ws');
  checkF64(core, label, 'a', a, W.rows, 1);
  checkF64(core, label, 'as', as, Ws.rows, 1);
  checkF64(core, label, 'gW', gW, W.rows, W.cols);
  checkF64(core, label, 'ga', ga, W.rows, 1);
  return withWorkspace(core, (W.rows + Ws.rows) * 8, 'population norms', (norms) =>
    core.kernels.abs_population_grad(W.rows, Ws.rows, W.cols, W.ptr, a.ptr, Ws.ptr, as.ptr, lambda, gW.ptr, ga.ptr, norms),
  );
}

/**
 * The n×1 f64 columns side by side as a new n×K matrix: copied in as the rows of a K×n
 * matrix, then transposed in wasm.
 */
export function stackColumns(source: CoreSource, label: string, cols: readonly Matrix[]): Matrix {
  const core = coreOf(source);
  const n = cols[0]?.rows ?? 0;
  cols.forEach((c, k) => checkF64(core, label, `column ${k}`, c, n, 1));
  if (cols.length === 0) throw new InternalError(`${label}: stackColumns needs at least one column`);
  return scope(core, () => {
    const rows = zeros(core, cols.length, n);
    cols.forEach((c, k) => rows.view().set(c.view(), k * n)); // a copy of bits, no arithmetic
    return transpose(core, rows);
  });
}
