// Argument checks shared by the network layer (src/net/), run before any allocation so a
// failed call leaves nothing behind, and exact power-of-two rescaling for the measurements
// whose intermediate sums of squares would overflow or underflow at extreme magnitudes.
// Every error names the public function and the argument.

import { Engine } from '../core/engine.js';
import { ArgumentError, DisposedError, DTypeError, FeaturelabError, NonFiniteError, ShapeError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { assertLive } from '../ops/network.js';
import { checkOptions, describeArg } from '../core/options.js';
import { pow2, rescaleExponent as rescaleByBits, timesPow2 } from '../core/pow2.js';

/** The largest count of steps or points a loop in src/net accepts (kernels index with i32). */
export const MAX_STEPS = 2 ** 31 - 1;

/** `fl` must be a live featurelab engine. */
export function checkEngine(fl: unknown, fn: string): asserts fl is Engine {
  if (!(fl instanceof Engine)) throw new ArgumentError(`${fn}: fl must be an engine from createEngine(), got ${describeArg(fl)}`);
  if (fl.disposed) throw new DisposedError(`${fn}: the engine was used after dispose()`);
}

/**
 * `M` must be a live matrix of this engine (never a foreign or disposed one: its pointer would
 * be read in this engine's memory), optionally of a dtype and shape.
 */
export function checkMatrix(fl: Engine, fn: string, name: string, M: unknown, want: { dtype?: 'f64'; rows?: number; cols?: number } = {}): asserts M is Matrix {
  assertLive(fl.core, M as Matrix, `${fn} (${name})`);
  const m = M as Matrix;
  if (want.dtype && m.dtype !== want.dtype) throw new DTypeError(`${fn}: ${name} must be ${want.dtype}, got ${m.describe()}`);
  if ((want.rows !== undefined && m.rows !== want.rows) || (want.cols !== undefined && m.cols !== want.cols)) {
    throw new ShapeError(`${fn}: ${name} must be ${want.rows ?? 'any'}×${want.cols ?? 'any'}, got ${m.describe()}`);
  }
}

/** An integer in [min, max] (a count, a size, a number of steps). */
export function checkInteger(fn: string, name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ArgumentError(`${fn}: ${name} must be an integer in [${min}, ${max === MAX_STEPS ? '2^31 − 1' : max}], got ${describeArg(v)}`);
  }
  return v;
}

/** A finite number with optional bounds (`above`: strictly greater; `atLeast`: ≥). */
export function checkNumber(fn: string, name: string, v: unknown, bounds: { above?: number; atLeast?: number; below?: number; atMost?: number } = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (bounds.above === undefined || v > bounds.above) &&
    (bounds.atLeast === undefined || v >= bounds.atLeast) &&
    (bounds.below === undefined || v < bounds.below) &&
    (bounds.atMost === undefined || v <= bounds.atMost);
  if (!ok) {
    const parts = [
      bounds.above !== undefined ? `> ${bounds.above}` : '',
      bounds.atLeast !== undefined ? `≥ ${bounds.atLeast}` : '',
      bounds.below !== undefined ? `< ${bounds.below}` : '',
      bounds.atMost !== undefined ? `≤ ${bounds.atMost}` : '',
    ].filter(Boolean);
    const what = parts.length === 1 && bounds.above === 0 ? 'a positive finite number' : `a finite number${parts.length ? ` ${parts.join(' and ')}` : ''}`;
    throw new ArgumentError(`${fn}: ${name} must be ${what}, got ${describeArg(v)}`);
  }
  return v as number;
}

/** An optional callback. */
export function checkCallback<F>(fn: string, name: string, v: F | undefined): F | undefined {
  if (v !== undefined && typeof v !== 'function') throw new ArgumentError(`${fn}: ${name} must be a function or omitted, got ${describeArg(v)}`);
  return v;
}

/** An object argument that is required (a network, a batch, a target, parameters). */
export function checkObject(fn: string, name: string, v: unknown): asserts v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ArgumentError(`${fn}: ${name} must be an object, got ${describeArg(v)}`);
}

/**
 * The random-stream options { seed, stream } (plus `extra` keys): seed an integer in [0, 2^53)
 * or a bigint, stream an integer in [0, 2^53 − `streamsUsed`] (a batch also uses stream + 1).
 */
export function checkRng<T extends { seed: number | bigint; stream: number }>(
  fn: string,
  rng: T,
  extra: readonly string[] = [],
  streamsUsed = 1,
  what = 'options',
): T {
  if (rng === undefined) throw new ArgumentError(`${fn}: ${what} { seed, stream } are required`);
  checkOptions(fn, rng, ['seed', 'stream', ...extra], what);
  const { seed, stream } = rng;
  if (!(typeof seed === 'bigint' ? seed >= 0n && seed < 1n << 64n : typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) {
    throw new ArgumentError(`${fn}: ${what}.seed must be an integer in [0, 2^53) or a bigint in [0, 2^64), got ${describeArg(seed)}`);
  }
  checkInteger(fn, `${what}.stream`, stream, 0, Number.MAX_SAFE_INTEGER - (streamsUsed - 1));
  return rng;
}

// ---------------------------------------------------------------------------------------
// Exact power-of-two rescaling. Multiplying by 2^k changes no bit of a normal number's
// significand, so a measurement computed on M·2^k is the same bits as on M wherever M's own
// computation neither overflows nor underflows; inputs whose largest entry lies within
// 2^±SAFE_EXPONENT are left as they are (their sums of squares and products of two such
// entries stay far from both limits), so ordinary results do not change.

export const SAFE_EXPONENT = 200;

export { timesPow2 } from '../core/pow2.js';

/**
 * The k that brings the largest magnitude `amax` into [1, 2) when it lies outside
 * [2^−SAFE_EXPONENT, 2^SAFE_EXPONENT]; 0 otherwise (and for zero or non-finite amax).
 */
export function rescaleExponent(amax: number): number {
  return rescaleByBits(amax, SAFE_EXPONENT);
}

/** M·2^k as a new f64 matrix (in the current scope), or M itself when k = 0. */
export function scaledByPow2(fl: Engine, M: Matrix, k: number): Matrix {
  if (k === 0) return M;
  let out = fl.astype(M, 'f64');
  for (let left = k; left !== 0; ) {
    const step = Math.max(-1000, Math.min(1000, left));
    out = fl.scale(out, pow2(step), { out });
    left -= step;
  }
  return out;
}

/** M rescaled into the safe range: the matrix to compute on and its exponent k (M·2^k). */
export function inSafeRange(fl: Engine, M: Matrix): { M: Matrix; k: number } {
  const k = rescaleExponent(fl.norm(M, 'max'));
  return { M: scaledByPow2(fl, M, k), k };
}

/**
 * ‖r‖²/divisor for a residual r, finite whenever the true value is: the squares are summed
 * on r·2^k when r's largest entry lies outside the safe range (so ‖r‖² neither overflows nor
 * underflows on the way), then scaled back. A true value beyond the double range throws.
 */
export function meanSquare(fl: Engine, fn: string, r: Matrix, divisor: number): number {
  const { M, k } = inSafeRange(fl, r);
  const value = timesPow2(fl.dot(M, M) / divisor, -2 * k);
  if (!Number.isFinite(value))
    throw new NonFiniteError(`${fn}: the mean squared error is ${value} (a residual held NaN/Infinity, or the value exceeds the double range)`);
  return value;
}

/**
 * Runs `body`, prefixing the public function's name to a FeaturelabError raised by an engine
 * operation inside it (`matmul: the result has 6 non-finite values` → `forward: matmul: …`),
 * keeping its class.
 */
export function named<T>(fn: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof FeaturelabError && !error.message.startsWith(`${fn}`)) {
      const Kind = error.constructor as new (message: string) => FeaturelabError;
      throw new Kind(`${fn}: ${error.message}`);
    }
    throw error;
  }
}
