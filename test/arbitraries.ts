// fast-check arbitraries, plain-JS float64 references and error bounds for the property-based
// tests of the public API (test/property-*.test.ts).
//
// Conventions of the bounds (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.):
// u is the unit roundoff (2^-53 for f64, 2^-24 for f32), γ_k = k·u/(1 − k·u), and η the
// smallest subnormal (2^-1074, 2^-149): with gradual underflow a product or quotient carries an
// extra absolute error ≤ η/2, additions of subnormals are exact. References are computed on
// data scaled by an exact power of two (max |x| ≈ 1), so they neither overflow nor underflow,
// and engine results are scaled by the same power before comparing.

import fc from 'fast-check';
import { FeaturelabError, type Engine, type Matrix } from '../dist/index.js';

export type DType = 'f64' | 'f32';

/** One fixed seed for every property (CI is deterministic); FC_SEED overrides it to explore. */
export const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261129;

/** fast-check parameters: the fixed seed, numRuns, and a wall-clock cap per property. */
export function params(numRuns: number, timeLimitMs = 8000): fc.Parameters<unknown> {
  return {
    seed: SEED,
    numRuns,
    // Stop generating new cases after the time limit (already-started cases always finish; a
    // truly hanging call is run in a worker with a timeout instead, see property-net).
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
    // the failing check's message (what differs, by how much) goes into the report
    includeErrorInReport: true,
  };
}

export const U: Record<DType, number> = { f64: 2 ** -53, f32: 2 ** -24 };
export const ETA: Record<DType, number> = { f64: 2 ** -1074, f32: 2 ** -149 };
export const MAX: Record<DType, number> = { f64: Number.MAX_VALUE, f32: 3.4028234663852886e38 };

/** γ_k = k·u/(1 − k·u). */
export function gamma(k: number, dtype: DType = 'f64'): number {
  const ku = k * U[dtype];
  return ku / (1 - ku);
}

/** x·2^e, exact unless the result over- or underflows (steps of 2^±600 avoid overflowing the factor). */
export function ldexp(x: number, e: number): number {
  while (e > 600) {
    x *= 2 ** 600;
    e -= 600;
  }
  while (e < -600) {
    x *= 2 ** -600;
    e += 600;
  }
  return x * 2 ** e;
}

/** The exponent e with max|x|·2^-e in [0.5, 1) (0 for an all-zero array). */
export function exponentOf(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]!));
  if (m === 0) return 0;
  let e = Math.floor(Math.log2(m));
  // log2 is not exact near powers of two or for subnormals; correct by stepping.
  while (ldexp(m, -e) >= 1) e++;
  while (ldexp(m, -e) < 0.5) e--;
  return e;
}

/** Scaled copy x·2^-e (exact: max |x·2^-e| ≥ 0.5, so nothing becomes subnormal that matters). */
export function scaled(xs: ArrayLike<number>, e: number): Float64Array {
  return Float64Array.from(xs as ArrayLike<number>, (v) => ldexp(v, -e));
}

// ---------------------------------------------------------------------------------------
// Matrix data

/** lowbias32 integer hash (as test/helpers.ts). */
function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Dyadic value in [-1, 1) with 24 significant bits (exact in f32 and f64). */
export function hashValue(seed: number, i: number): number {
  return (mix32((Math.imul(seed, 0x9e3779b1) + i) >>> 0) >>> 8) / 2 ** 23 - 1;
}

export type Kind = 'random' | 'zeros' | 'constant' | 'graded';

/** What a generated matrix holds: a shape, a dtype, a kind of content and a magnitude. */
export interface MatrixSpec {
  rows: number;
  cols: number;
  dtype: DType;
  kind: Kind;
  /** Typical magnitude of the entries (1, 1e±300, subnormal, …). */
  scale: number;
  seed: number;
}

/** Magnitudes per dtype: normal, huge, tiny, and subnormal (all finite). */
export const SCALES: Record<DType, number[]> = {
  f64: [1, 1, 3.7, 1.7e308, 1e300, 1e200, 1e150, 1e-150, 1e-200, 1e-300, 1e-310, 2 ** -1070],
  f32: [1, 1, 3.7, 3e38, 1e30, 1e20, 1e-20, 1e-30, 1e-38, 1e-42],
};

/** The entries of a spec, rounded to its dtype. */
export function specData(s: MatrixSpec): Float64Array | Float32Array {
  const n = s.rows * s.cols;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (s.kind) {
      case 'zeros':
        out[i] = 0;
        break;
      case 'constant':
        out[i] = s.scale * (s.seed % 2 ? -1 : 1);
        break;
      case 'random':
        out[i] = hashValue(s.seed, i) * s.scale;
        break;
      // Entries spread over 2^±20 around the scale (wide dynamic range inside one matrix).
      case 'graded':
        out[i] = hashValue(s.seed, i) * ldexp(s.scale, (mix32(s.seed + i) % 41) - 20);
        break;
    }
  }
  // 'graded' at the top scales would overflow: clamp to the largest finite value (data stay finite)
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) out[i] = Math.sign(out[i]!) * MAX.f64;
  if (s.dtype === 'f32') {
    const f = Float32Array.from(out);
    for (let i = 0; i < n; i++) if (!Number.isFinite(f[i]!)) f[i] = Math.sign(out[i]!) * MAX.f32;
    return f;
  }
  return out;
}

export function toMatrix(fl: Engine, s: MatrixSpec): Matrix {
  return fl.fromArray(specData(s), s.rows, s.cols);
}

/** A dimension in 0…70, biased to the small and the edge cases (0, 1). */
export const dim = (max = 70): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(0, 1), weight: 2 },
    { arbitrary: fc.integer({ min: 2, max: Math.min(9, max) }), weight: 4 },
    { arbitrary: fc.integer({ min: 2, max }), weight: 3 },
  );

export const dtype: fc.Arbitrary<DType> = fc.constantFrom('f64', 'f32');
export const kind: fc.Arbitrary<Kind> = fc.constantFrom<Kind>('random', 'random', 'random', 'graded', 'zeros', 'constant');

/** A spec with the given shape arbitraries and dtype (scale drawn for that dtype). */
export function specOf(rows: fc.Arbitrary<number>, cols: fc.Arbitrary<number>, dt: DType): fc.Arbitrary<MatrixSpec> {
  return fc.record({
    rows,
    cols,
    dtype: fc.constant(dt),
    kind,
    scale: fc.constantFrom(...SCALES[dt]),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  });
}

export const matrixSpec = (maxDim = 70): fc.Arbitrary<MatrixSpec> => dtype.chain((dt) => specOf(dim(maxDim), dim(maxDim), dt));

/** Spec description for failure messages. */
export function describeSpec(s: MatrixSpec): string {
  return `${s.rows}×${s.cols} ${s.dtype} ${s.kind} scale=${s.scale} seed=${s.seed}`;
}

// ---------------------------------------------------------------------------------------
// Outcomes

/** Throws unless `error` is a FeaturelabError (a TypeError, RangeError, wasm trap… is a bug). */
export function expectFeaturelabError(error: unknown, context: string): FeaturelabError {
  if (error instanceof FeaturelabError) return error;
  const what = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  throw new Error(`${context}: threw ${what}, not a FeaturelabError`);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: FeaturelabError };

/** Runs fn; a FeaturelabError becomes { ok: false }, any other throw fails the property. */
export function attempt<T>(fn: () => T, context: string): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error: expectFeaturelabError(error, context) };
  }
}

/** Runs body with a leak check: the engine's live matrices and bytes must return to where they were. */
export function leakChecked<T>(engines: Engine[], context: string, body: () => T): T {
  const before = engines.map((e) => e.memoryStats());
  const result = body();
  engines.forEach((e, i) => {
    const after = e.memoryStats();
    if (after.liveMatrices !== before[i]!.liveMatrices || after.bytesInUse !== before[i]!.bytesInUse) {
      throw new Error(
        `${context}: leak in engine ${i}: live ${before[i]!.liveMatrices} → ${after.liveMatrices} matrices, ` +
          `${before[i]!.bytesInUse} → ${after.bytesInUse} bytes`,
      );
    }
  });
  return result;
}

/** Disposes every matrix found in a result (matrices, arrays, plain objects). */
export function disposeAll(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Matrix).dispose === 'function' && 'rows' in (value as object)) {
    (value as Matrix).dispose();
    return;
  }
  if (Array.isArray(value)) for (const v of value) disposeAll(v, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) disposeAll(v, seen);
}

/** Throws with a message unless `cond`. */
export function check(cond: boolean, message: () => string): void {
  if (!cond) throw new Error(message());
}

/** True when every entry is finite. */
export function allFinite(xs: ArrayLike<number>): boolean {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i]!)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------
// Plain-JS references (f64, on scaled data)

/** Row-major get of op(A). */
export function opGet(a: ArrayLike<number>, rows: number, cols: number, trans: boolean, i: number, j: number): number {
  return trans ? a[j * cols + i]! : a[i * cols + j]!;
}

/**
 * Neumaier's compensated sum (Higham §4.3): error ≤ 2u·|s| + O(n·u²)·Σ|x_i|, far below any
 * bound checked here, so it serves as the exact sum.
 */
export function compensatedSum(xs: ArrayLike<number>): number {
  let s = 0,
    c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

/** Frobenius norm of (scaled) data, by a compensated sum of squares. */
export function frobenius(xs: ArrayLike<number>): number {
  const sq = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) sq[i] = xs[i]! * xs[i]!;
  return Math.sqrt(compensatedSum(sq));
}

/**
 * Singular values (descending) of the m×n row-major x, by one-sided Jacobi (Hestenes): column
 * pairs are rotated until orthogonal, then σ_i are the column norms. High relative accuracy;
 * an independent reference for deciding whether σ₁ truly leaves the f64 range.
 */
export function jacobiSingularValues(x: ArrayLike<number>, m: number, n: number): Float64Array {
  // work on the columns of the taller orientation
  const [rows, cols] = m >= n ? [m, n] : [n, m];
  const col = Array.from({ length: cols }, (_, j) => Float64Array.from({ length: rows }, (_, i) => (m >= n ? x[i * n + j]! : x[j * n + i]!)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols; p++)
      for (let q = p + 1; q < cols; q++) {
        const a = col[p]!,
          b = col[q]!;
        let alpha = 0,
          beta = 0,
          g = 0;
        for (let i = 0; i < rows; i++) {
          alpha += a[i]! ** 2;
          beta += b[i]! ** 2;
          g += a[i]! * b[i]!;
        }
        if (g === 0 || Math.abs(g) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * g);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let i = 0; i < rows; i++) {
          const ai = a[i]!,
            bi = b[i]!;
          a[i] = c * ai - s * bi;
          b[i] = s * ai + c * bi;
        }
      }
    if (!rotated) break;
  }
  return Float64Array.from(col, (v) => frobenius(v))
    .sort()
    .reverse();
}

/**
 * Upper-triangular R (n×n, row-major) of the m×n row-major x by modified Gram–Schmidt: its
 * entries are accurate to O(m·n·u)·‖a_j‖ (Björck), enough to decide whether R truly leaves the
 * f64 range.
 */
export function gramSchmidtR(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const R = new Float64Array(n * n);
  const col = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => x[i * n + j]!));
  for (let j = 0; j < n; j++) {
    const v = col[j]!;
    const norm = frobenius(v);
    R[j * n + j] = norm;
    if (norm > 0) for (let i = 0; i < m; i++) v[i] = v[i]! / norm;
    for (let k = j + 1; k < n; k++) {
      const w = col[k]!;
      let r = 0;
      for (let i = 0; i < m; i++) r += v[i]! * w[i]!;
      R[j * n + k] = r;
      for (let i = 0; i < m; i++) w[i] = w[i]! - r * v[i]!;
    }
  }
  return R;
}
