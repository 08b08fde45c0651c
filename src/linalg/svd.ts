// Singular values: svdvals through the Gram matrix, svdTop by Lanczos (recomputed on A when σ is small).

import { ArgumentError, NonFiniteError } from '../core/errors.js';
import type { EngineCore } from '../core/core.js';
import type { Matrix } from '../core/matrix.js';
import { checkOptions, describeArg } from '../core/options.js';
import { rescaleExponent } from '../core/pow2.js';
import { gemv, gram, matmul } from '../ops/blas.js';
import { EIGVALS_OPTIONS, f64View, withBuffers, type EigOptions } from './common.js';
import { eigvalsh } from './eig.js';
import { qr } from './factor.js';
import { lanczos, lanczosOptions, type LanczosOptions } from './lanczos.js';

/** √max(λ, 0) of each entry, computed in wasm. */
function sqrtClamped(core: EngineCore, values: Float64Array, what: string): Float64Array {
  const n = values.length;
  return withBuffers(core, [Math.max(n, 1) * 8], what, (p) => {
    f64View(core, p!, n).set(values);
    core.kernels.sqrt_clamped_f64(n, p!, p!);
    return f64View(core, p!, n).slice();
  });
}

/** Singular values, descending, from ascending Gram eigenvalues. */
function singularFromGram(core: EngineCore, ascending: Float64Array): Float64Array {
  return sqrtClamped(core, ascending, 'singular values').reverse();
}

/**
 * Singular values of A (m×n), descending, min(m, n) of them, through the symmetric
 * eigenproblem of the smaller Gram matrix (AᵀA or AAᵀ). Absolute accuracy ≈ ε·‖A‖₂²/σ_i:
 * excellent for the top of the spectrum, poor for σ_i ≪ √ε·‖A‖₂.
 */
export function svdvals(core: EngineCore, A: Matrix, options?: EigOptions): Float64Array {
  const o = checkOptions('svdvals', options, EIGVALS_OPTIONS);
  core.assertMatrix(A, 'svdvals');
  checkInputFinite(core, A, 'svdvals');
  // Far from 1 in magnitude, the Gram matrix would underflow (all zeros) or overflow: it is
  // formed from 2^e·A instead (exact), and the singular values scaled back by 2^−e.
  const e = gramScaleExponent(core, A);
  const scaled = e === 0 ? A : scaledCopy(core, A, e, 'svdvals scaled copy');
  try {
    const G = gram(core, scaled, A.rows >= A.cols ? 'AtA' : 'AAt');
    try {
      const sigma = singularFromGram(core, eigvalsh(core, G, o, 'svdvals'));
      return e === 0 ? sigma : unscaleSingularValues(sigma, e, 'svdvals');
    } finally {
      G.dispose();
    }
  } finally {
    if (scaled !== A) scaled.dispose();
  }
}

/** A NonFiniteError naming `op` (not an inner gram or gemv) when A holds NaN/±Infinity. */
function checkInputFinite(core: EngineCore, A: Matrix, op: string): void {
  const first = core.family('first_nonfinite', A.dtype)(A.size, A.ptr);
  if (first >= 0) {
    throw new NonFiniteError(`${op}: A[${Math.floor(first / A.cols)}, ${first % A.cols}] is ${A.get(Math.floor(first / A.cols), first % A.cols)}`);
  }
}

/** Entries of A within [2^−300, 2^300] in magnitude keep Gram matrices (and AᵀA·x) far from under- and overflow. */
const SAFE_EXPONENT = 300;

/**
 * 0 when the f64 matrix A's largest |a_ij| lies within 2^±SAFE_EXPONENT (or A is zero, f32
 * or not finite), else the e with max|2^e·a_ij| in [1, 2).
 */
function gramScaleExponent(core: EngineCore, A: Matrix): number {
  if (A.dtype !== 'f64' || A.size === 0) return 0;
  const amax = core.kernels.amax_f64(A.size, A.ptr);
  return rescaleExponent(amax, SAFE_EXPONENT);
}

/** 2^e·A as a new f64 matrix (in two exact steps when 2^e itself is out of range). */
function scaledCopy(core: EngineCore, A: Matrix, e: number, what: string): Matrix {
  const out = core.newMatrix(A.rows, A.cols, what);
  const first = Math.abs(e) <= 1000 ? e : Math.trunc(e / 2);
  core.kernels.scal_f64(A.size, 2 ** first, A.ptr, out.ptr);
  if (first !== e) core.kernels.scal_f64(A.size, 2 ** (e - first), out.ptr, out.ptr);
  return out;
}

/** σ·2^−e for singular values σ of 2^e·A (rounded once); an overflow is a NonFiniteError. */
function unscaleSingularValues(sigma: Float64Array, e: number, op: string): Float64Array {
  const half = Math.trunc(-e / 2);
  const out = sigma.map((s) => s * 2 ** half * 2 ** (-e - half));
  if (!out.every(Number.isFinite)) {
    throw new NonFiniteError(`${op}: the largest singular value, ${sigma[0]}·2^${-e}, overflows f64`);
  }
  return out;
}

export interface SvdTop {
  /** The k largest singular values, descending. */
  values: Float64Array;
  /** Left singular vectors as columns (m×k). */
  U: Matrix;
  /** Right singular vectors as columns (n×k). */
  V: Matrix;
  iterations: number;
}

/**
 * Triplets from the Lanczos vectors L (n×k right vectors when tall, m×k left vectors when
 * wide) computed on A itself, not on the Gram matrix: U₀ = orth(A·L) (tall) or orth(L)
 * (wide), U₁ = orth(A·orth(Aᵀ·U₀)); Aᵀ·U₁ = V₁·R (Householder QR); Rᵀ = X·Σ·Yᵀ (Jacobi). Then U = U₁X, V = V₁Y and
 * Aᵀu_i = V₁·R·x_i = σ_i·v_i to rounding (ε·‖A‖), whatever the size of σ_i; σ_i carry an
 * absolute error ≈ ε·‖A‖ instead of ε·‖A‖²/σ_i.
 */
function tripletsOnA(core: EngineCore, A64: Matrix, L: Matrix, tall: boolean, negligible: number): { sigma: Float64Array; U: Matrix; V: Matrix } {
  const k = L.cols;
  const temps: Matrix[] = [];
  const temp = (m: Matrix) => (temps.push(m), m);
  let U: Matrix | undefined;
  try {
    const orth = (M: Matrix) => {
      const f = qr(core, M);
      temp(f.R);
      return temp(f.Q);
    };
    // U₀ spans the wanted left subspace; one step of subspace iteration on A (not AᵀA) then
    // removes the Gram route's ε·‖A‖²/σ contamination from it, so Av ≈ σu holds too.
    const U0 = orth(tall ? temp(matmul(core, A64, L)) : L);
    const U1 = orth(temp(matmul(core, A64, orth(temp(matmul(core, A64, U0, { transA: true }))))));
    const { Q: V1, R } = qr(core, temp(matmul(core, A64, U1, { transA: true })));
    temp(V1);
    temp(R);
    // Rᵀ = X·Σ·Yᵀ by one-sided Jacobi in wasm (assembly/lapack/jacobi.ts)
    const X = temp(core.newMatrix(k, k, 'svdTop Jacobi factor'));
    const Y = temp(core.newMatrix(k, k, 'svdTop Jacobi factor'));
    const sigma = withBuffers(core, [k * 8, core.kernels.jacobi_svd_workspace(k) * 8], 'svdTop workspace', (s, work) => {
      core.kernels.jacobi_svd_rt_f64(k, R.ptr, negligible, s!, X.ptr, Y.ptr, work!);
      return f64View(core, s!, k).slice();
    });
    core.assertFinite(X, 'svdTop');
    U = matmul(core, U1, X);
    const V = matmul(core, V1, Y);
    return { sigma, U, V };
  } catch (error) {
    U?.dispose();
    throw error;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/**
 * The k largest singular triplets of A (m×n) by Lanczos on AᵀA (or AAᵀ when m < n),
 * applied matrix-free as two GEMVs per step; the other factor follows as A·v/σ (or Aᵀu/σ).
 * When σ_k < 10⁻³·σ₁ (A rank-deficient or ill-conditioned), where A·v/σ would carry an error
 * ≈ ε·‖A‖²/σ, the triplets are recomputed on A itself (tripletsOnA): then Aᵀu = σv to
 * rounding, σ below ε·max(m, n)·σ₁ is exactly 0, and U, V stay orthonormal.
 */
/** Below SMALL_SIGMA·σ₁ the Gram formulation's ε·‖A‖²/σ error would show: svdTop recomputes on A. */
const SMALL_SIGMA = 1e-3;

export function svdTop(core: EngineCore, A: Matrix, k: number, options?: LanczosOptions): SvdTop {
  core.assertMatrix(A, 'svdTop');
  checkInputFinite(core, A, 'svdTop');
  const [m, n] = [A.rows, A.cols];
  const tall = m >= n;
  const dim = tall ? n : m;
  if (!Number.isInteger(k) || k < 1 || k > dim) throw new ArgumentError(`svdTop: k must be an integer in [1, ${dim}], got ${describeArg(k)}`);
  lanczosOptions('svdTop', options, dim, k);
  // Far from 1 in magnitude, AᵀA·x would underflow or overflow: Lanczos runs on 2^e·A
  // (exact), and the singular values are scaled back by 2^−e (the vectors do not change).
  const e = gramScaleExponent(core, A);
  let A64: Matrix;
  if (e !== 0) A64 = scaledCopy(core, A, e, 'svdTop scaled copy');
  else if (A.dtype === 'f64') A64 = A;
  else {
    A64 = core.newMatrix(m, n, 'svdTop f64 copy');
    core.kernels.convert_f32_to_f64(m * n, A.ptr, A64.ptr);
  }
  try {
    const op = (x: Matrix) => {
      const y = gemv(core, A64, x, { trans: !tall });
      try {
        return gemv(core, A64, y, { trans: tall });
      } finally {
        y.dispose();
      }
    };
    const result = lanczos(core, op, dim, k, options, 'svdTop');
    try {
      const sigma = sqrtClamped(core, result.values, 'svdTop');
      // σ² is an eigenvalue of AᵀA with an absolute error ≈ ε·max(m, n)·σ₁², so the other side
      // A·v/σ (or Aᵀu/σ) is accurate only for σ well above √ε·σ₁. When a σ is small (a
      // rank-deficient or ill-conditioned A), the triplets are recomputed on A itself.
      if (sigma[0]! > 0 && sigma[k - 1]! >= SMALL_SIGMA * sigma[0]!) {
        const values = e === 0 ? sigma : unscaleSingularValues(sigma, e, 'svdTop');
        // the other side: A·V·diag(1/σ) (or Aᵀ·U·diag(1/σ)), the columns scaled in wasm
        const other = core.newMatrix(tall ? m : n, k, 'svdTop singular vectors');
        try {
          const AL = matmul(core, A64, result.vectors, { transA: !tall });
          try {
            withBuffers(core, [k * 8], 'svdTop workspace', (inv) => {
              const view = f64View(core, inv!, k);
              for (let i = 0; i < k; i++) view[i] = 1 / sigma[i]!;
              core.kernels.scale_cols_f64(AL.rows, k, AL.ptr, inv!, other.ptr);
            });
            core.assertFinite(other, 'svdTop');
          } finally {
            AL.dispose();
          }
        } catch (error) {
          other.dispose();
          throw error;
        }
        return tall
          ? { values, U: other, V: result.vectors, iterations: result.iterations }
          : { values, U: result.vectors, V: other, iterations: result.iterations };
      }
      // below ε·max(m, n)·‖A‖ a singular value of the computed R is rounding noise: 0
      const negligible = 2 ** -52 * Math.max(m, n) * sigma[0]!;
      const t = tripletsOnA(core, A64, result.vectors, tall, negligible);
      let values: Float64Array;
      try {
        values = e === 0 ? t.sigma : unscaleSingularValues(t.sigma, e, 'svdTop');
      } catch (error) {
        t.U.dispose();
        t.V.dispose();
        throw error;
      }
      result.vectors.dispose();
      return { values, U: t.U, V: t.V, iterations: result.iterations };
    } catch (error) {
      if (!result.vectors.disposed) result.vectors.dispose();
      throw error;
    }
  } finally {
    if (A64 !== A) A64.dispose();
  }
}
