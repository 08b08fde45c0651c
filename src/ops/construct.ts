// Constructors and copies: fromArray, zeros, full, eye, randn, rand, copy, astype, transpose, reshape.

import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from '../core/errors.js';
import { checkShape, type EngineCore } from '../core/core.js';
import type { FromArrayOptions, RandomOptions } from '../core/types.js';
import { checkDType, checkScalar, describeValue, splitSeed } from '../core/validate.js';
import type { DType, Matrix } from '../core/matrix.js';
import { checkBoolean, checkIndex, checkOptions, checkSeed } from '../core/options.js';

const TWO_32 = 2 ** 32;

/** Copies `data` (row-major, length rows·cols) into a new matrix; dtype follows the array type. */
export function fromArray<A extends Float64Array | Float32Array>(
  core: EngineCore,
  data: A,
  rows: number,
  cols: number,
  options?: FromArrayOptions,
): Matrix<A extends Float64Array ? 'f64' : 'f32'> {
  core.checkAlive();
  const allowNonFinite = checkBoolean('fromArray', 'allowNonFinite', checkOptions('fromArray', options, ['allowNonFinite']).allowNonFinite, false);
  const dtype: DType | undefined = data instanceof Float64Array ? 'f64' : data instanceof Float32Array ? 'f32' : undefined;
  if (dtype === undefined) {
    const kind = data === null ? 'null' : ((data as object)?.constructor?.name ?? typeof data);
    throw new DTypeError(`fromArray expects a Float64Array or Float32Array, got ${kind}`);
  }
  checkShape(rows, cols, 'fromArray');
  if (data.length !== rows * cols) {
    throw new ShapeError(`fromArray: data has ${data.length} elements but a ${rows}×${cols} matrix needs ${rows * cols}`);
  }
  const m = core.alloc(rows, cols, dtype);
  m.view().set(data);
  if (!allowNonFinite) {
    const first = core.family('first_nonfinite', dtype)(m.size, m.ptr);
    if (first >= 0) {
      const value = data[first];
      m.dispose();
      throw new NonFiniteError(
        `fromArray: element [${Math.floor(first / cols)}, ${first % cols}] is ${value}; ` + `pass { allowNonFinite: true } to accept NaN/Infinity`,
      );
    }
  }
  return m as Matrix<A extends Float64Array ? 'f64' : 'f32'>;
}

/** A rows×cols matrix of zeros. */
export function zeros(core: EngineCore, rows: number, cols: number, options?: { dtype?: DType }): Matrix {
  return filled(core, 'zeros', rows, cols, 0, options);
}

/** A rows×cols matrix with every entry `value`. */
export function full(core: EngineCore, rows: number, cols: number, value: number, options?: { dtype?: DType }): Matrix {
  return filled(core, 'full', rows, cols, value, options);
}

function filled(core: EngineCore, op: string, rows: number, cols: number, value: number, options: { dtype?: DType } | undefined): Matrix {
  const dtype = checkDType(checkOptions(op, options, ['dtype']).dtype, op);
  checkShape(rows, cols, op);
  checkScalar(value, `${op}: value`);
  if (dtype === 'f32' && Math.abs(value) > 3.4028234663852886e38) {
    throw new ArgumentError(`${op}: value ${value} overflows f32 (|value| ≤ 3.4028235e38)`);
  }
  const m = core.alloc(rows, cols, dtype);
  core.family('fill', dtype)(m.size, m.ptr, value);
  return m;
}

/** The n×n identity. */
export function eye(core: EngineCore, n: number, options?: { dtype?: DType }): Matrix {
  const m = filled(core, 'eye', n, n, 0, options);
  core.family('set_diagonal', m.dtype)(n, m.ptr, 1);
  return m;
}

/** Standard normal entries from Philox4x32-10 (Box–Muller), a pure function of (seed, stream, index). */
export function randn(core: EngineCore, rows: number, cols: number, options?: RandomOptions): Matrix {
  return random(core, 'rng_normal', 'randn', rows, cols, options);
}

/** Uniform entries in the open interval (0, 1), a pure function of (seed, stream, index). */
export function rand(core: EngineCore, rows: number, cols: number, options?: RandomOptions): Matrix {
  return random(core, 'rng_uniform', 'rand', rows, cols, options);
}

function random(core: EngineCore, family: 'rng_normal' | 'rng_uniform', op: string, rows: number, cols: number, options: RandomOptions | undefined): Matrix {
  const o = checkOptions(op, options, ['seed', 'stream', 'offset', 'dtype']);
  const dtype = checkDType(o.dtype, op);
  checkShape(rows, cols, op);
  const [seedLo, seedHi] = splitSeed(checkSeed(op, o.seed));
  const stream = checkIndex(op, 'stream', o.stream);
  const offset = checkIndex(op, 'offset', o.offset);
  if (offset + rows * cols > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`${op}: offset + size exceeds 2^53`);
  const m = core.alloc(rows, cols, dtype);
  core.family(family, dtype)(m.ptr, m.size, offset, seedLo, seedHi, stream % TWO_32, Math.floor(stream / TWO_32));
  return m;
}

/** A copy. */
export function copy(core: EngineCore, a: Matrix): Matrix {
  core.checkMatrix(a, 'copy');
  const out = core.alloc(a.rows, a.cols, a.dtype);
  core.copyBytes(out.ptr, a.ptr, a.byteLength);
  return out;
}

/** A copy in another precision (f64 → f32 rounds to nearest). */
export function astype(core: EngineCore, a: Matrix, dtype: DType): Matrix {
  core.checkMatrix(a, 'astype');
  if (dtype !== 'f64' && dtype !== 'f32') throw new DTypeError(`astype: dtype must be 'f64' or 'f32', got ${describeValue(dtype)}`);
  if (a.dtype === dtype) return copy(core, a);
  const out = core.alloc(a.rows, a.cols, dtype);
  if (dtype === 'f32') core.kernels.convert_f64_to_f32(a.size, a.ptr, out.ptr);
  else core.kernels.convert_f32_to_f64(a.size, a.ptr, out.ptr);
  // f64 values beyond ±3.4e38 overflow to ±Infinity in f32: refuse that (NaN/Inf already
  // present in an input accepted with allowNonFinite carry over as they are).
  if (dtype === 'f32' && core.checkFinite && core.kernels.count_nonfinite_f32(out.size, out.ptr) > core.kernels.count_nonfinite_f64(a.size, a.ptr)) {
    out.dispose();
    throw new NonFiniteError(`astype(f32): ${a.describe()} has finite values beyond the f32 range (±3.4e38)`);
  }
  return out;
}

/** The transpose Aᵀ as a new matrix. */
export function transpose(core: EngineCore, a: Matrix): Matrix {
  core.checkMatrix(a, 'transpose');
  const out = core.alloc(a.cols, a.rows, a.dtype);
  core.family('transpose', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
  return out;
}

/** The same data viewed with another shape (rows·cols must match); a copy. */
export function reshape(core: EngineCore, a: Matrix, rows: number, cols: number): Matrix {
  core.checkMatrix(a, 'reshape');
  checkShape(rows, cols, 'reshape');
  if (rows * cols !== a.size) throw new ShapeError(`reshape: cannot view ${a.describe()} as ${rows}×${cols}`);
  const out = core.alloc(rows, cols, a.dtype);
  core.copyBytes(out.ptr, a.ptr, a.byteLength);
  return out;
}
