// Level 3 and 2: matmul, gemm, gram, gemv.

import { ArgumentError, DTypeError, ShapeError } from '../core/errors.js';
import { sameDType, type EngineCore } from '../core/core.js';
import type { GemmOptions, GemvOptions, MatmulOptions } from '../core/types.js';
import { describeValue, isVector } from '../core/validate.js';
import { BYTES, type Matrix } from '../core/matrix.js';
import { checkBoolean, checkNumber, checkOptions } from '../core/options.js';
import type { Ptr } from '../core/wasm.js';
import { astype, copy } from './construct.js';

/** α·op(A)·op(B) as a new matrix. */
export function matmul(core: EngineCore, a: Matrix, b: Matrix, options?: MatmulOptions): Matrix {
  const o = productOptions('matmul', options, false);
  const shape = productShape(core, 'matmul', a, b, o);
  const c = core.alloc(shape.m, shape.n, a.dtype);
  try {
    gemmInto(core, c, a, b, shape, o.alpha, 0, o, 'matmul');
  } catch (error) {
    c.dispose();
    throw error;
  }
  return c;
}

/** C := α·op(A)·op(B) + β·C in place; returns C. With β = 0, C's old contents are never read. */
export function gemm(core: EngineCore, c: Matrix, a: Matrix, b: Matrix, options?: GemmOptions): Matrix {
  const o = productOptions('gemm', options, true);
  // every handle first: a disposed C is a DisposedError even when A and B also mismatch
  core.checkMatrix(c, 'gemm (C)');
  const shape = productShape(core, 'gemm', a, b, o);
  const { m, n } = shape;
  if (c.dtype !== a.dtype) throw new DTypeError(`gemm: C is ${c.dtype} but A and B are ${a.dtype}`);
  if (c.rows !== m || c.cols !== n) {
    throw new ShapeError(`gemm: C is ${c.rows}×${c.cols} but op(A)·op(B) is ${m}×${n}`);
  }
  if (c === a || c === b) throw new ArgumentError('gemm: C must not be A or B');
  gemmInto(core, c, a, b, shape, o.alpha, o.beta, o, 'gemm');
  return c;
}

/**
 * The Gram matrix AᵀA ('AtA', default; cols×cols) or A·Aᵀ ('AAt'; rows×rows), f64 (f32 input
 * is converted). Only one triangle is computed, then mirrored: half the flops of matmul,
 * and bit-identical to matmul(A, A, { transA: true }) (resp. { transB: true }).
 */
export function gram(core: EngineCore, a: Matrix, side: 'AtA' | 'AAt' = 'AtA'): Matrix {
  core.checkMatrix(a, 'gram');
  if (side !== 'AtA' && side !== 'AAt') throw new ArgumentError(`gram: side must be 'AtA' or 'AAt', got ${describeValue(side)}`);
  const outer = side === 'AAt';
  const n = outer ? a.rows : a.cols,
    k = outer ? a.cols : a.rows;
  const a64 = a.dtype === 'f64' ? a : astype(core, a, 'f64');
  let c: Matrix | undefined;
  let work: Ptr | undefined;
  try {
    c = core.alloc(n, n, 'f64');
    work = core.heap.alloc(core.kernels.la_gemm_workspace(n) * 8, 'gram workspace');
    core.kernels.gram_f64(outer ? 1 : 0, n, k, a64.ptr, a.cols, c.ptr, n, work);
    core.assertFinite(c, 'gram');
    return c;
  } catch (error) {
    c?.dispose();
    throw error;
  } finally {
    if (work !== undefined) core.heap.release(work);
    if (a64 !== a) a64.dispose();
  }
}

/** y := α·op(A)·x + β·y. x and y are vectors (n×1 or 1×n); the result equals matmul bit for bit. */
export function gemv(core: EngineCore, a: Matrix, x: Matrix, options?: GemvOptions): Matrix {
  const o = checkOptions('gemv', options, ['trans', 'alpha', 'beta', 'y']);
  core.checkMatrix(a, 'gemv (A)');
  core.checkMatrix(x, 'gemv (x)');
  // every handle first: a disposed y is a DisposedError even when x also mismatches
  if (o.y !== undefined) core.checkMatrix(o.y, 'gemv (y)');
  sameDType('gemv', a, x);
  const trans = checkBoolean('gemv', 'trans', o.trans, false);
  const alpha = checkNumber('gemv', 'alpha', o.alpha, 1);
  const beta = checkNumber('gemv', 'beta', o.beta, 0);
  const [outLen, inLen] = trans ? [a.cols, a.rows] : [a.rows, a.cols];
  if (!isVector(x) || x.size !== inLen) {
    throw new ShapeError(`gemv: x is ${x.rows}×${x.cols} but op(A) is ${outLen}×${inLen}, so x needs ${inLen} entries`);
  }
  const y = o.y;
  if (y !== undefined) {
    core.checkMatrix(y, 'gemv (y)');
    sameDType('gemv', a, y);
    if (!isVector(y) || y.size !== outLen) {
      throw new ShapeError(`gemv: y is ${y.rows}×${y.cols} but op(A)·x has ${outLen} entries`);
    }
    if (y === x || y === a) throw new ArgumentError('gemv: y must not be A or x');
  } else if (beta !== 0) {
    throw new ArgumentError('gemv: beta ≠ 0 needs an existing y');
  }
  const out = y ?? core.alloc(outLen, 1, a.dtype);
  let old: Matrix | undefined;
  try {
    if (beta !== 0) old = copy(core, out);
    core.family('gemv', a.dtype)(trans ? 1 : 0, a.rows, a.cols, a.ptr, a.cols, x.ptr, out.ptr);
    if (alpha !== 1 || beta !== 0) {
      core.family('gemm_epilogue', a.dtype)(outLen, 1, alpha, out.ptr, 1, beta, old ? old.ptr : out.ptr, 1);
    }
    core.assertFinite(out, 'gemv');
  } catch (error) {
    if (!y) out.dispose();
    throw error;
  } finally {
    old?.dispose();
  }
  return out;
}

function productShape(core: EngineCore, op: string, a: Matrix, b: Matrix, options: Required<MatmulOptions>): { m: number; n: number; k: number } {
  core.checkMatrix(a, `${op} (A)`);
  core.checkMatrix(b, `${op} (B)`);
  sameDType(op, a, b);
  const [m, k] = options.transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const [kb, n] = options.transB ? [b.cols, b.rows] : [b.rows, b.cols];
  if (k !== kb) {
    const opA = options.transA ? `Aᵀ (A is ${a.rows}×${a.cols})` : `A (${a.rows}×${a.cols})`;
    const opB = options.transB ? `Bᵀ (B is ${b.rows}×${b.cols})` : `B (${b.rows}×${b.cols})`;
    throw new ShapeError(`${op}: inner dimensions differ: ${opA} has ${k} columns but ${opB} has ${kb} rows`);
  }
  return { m, n, k };
}

/** The validated core of matmul and gemm: raw sums into C, then the α/β epilogue. */
function gemmInto(
  core: EngineCore,
  c: Matrix,
  a: Matrix,
  b: Matrix,
  { m, n, k }: { m: number; n: number; k: number },
  alpha: number,
  beta: number,
  options: Required<MatmulOptions>,
  op: string,
): void {
  const dtype = a.dtype;
  // One column or one row: the matrix–vector kernel, whose sums are GEMM's (each in
  // increasing k from +0), reads the matrix once instead of packing it.
  const vector = k === 0 ? undefined : n === 1 ? { trans: options.transA, M: a, x: b } : m === 1 ? { trans: !options.transB, M: b, x: a } : undefined;
  const cfg = core.gemmConfig[dtype];
  // Blocks no larger than the problem (rounded to the tile) keep the workspace small.
  const mc = Math.min(cfg.mc, Math.ceil(Math.max(m, 1) / cfg.mr) * cfg.mr);
  const nc = Math.min(cfg.nc, Math.ceil(Math.max(n, 1) / cfg.nr) * cfg.nr);
  const kc = Math.min(cfg.kc, Math.max(k, 1));
  const work = vector ? undefined : core.heap.alloc(core.family('gemm_workspace', dtype)(mc, nc, kc) * BYTES[dtype], `${op} packing workspace`);
  let old: Matrix | undefined;
  try {
    if (beta !== 0) old = copy(core, c);
    if (vector) core.family('gemv', dtype)(vector.trans ? 1 : 0, vector.M.rows, vector.M.cols, vector.M.ptr, vector.M.cols, vector.x.ptr, c.ptr);
    else core.family('gemm', dtype)(options.transA ? 1 : 0, options.transB ? 1 : 0, m, n, k, a.ptr, a.cols, b.ptr, b.cols, c.ptr, c.cols, work!, mc, nc, kc, 0);
    if (alpha !== 1 || beta !== 0) {
      core.family('gemm_epilogue', dtype)(m, n, alpha, c.ptr, n, beta, old ? old.ptr : c.ptr, n);
    }
  } finally {
    if (work !== undefined) core.heap.release(work);
    old?.dispose();
  }
  core.assertFinite(c, op);
}

/** matmul's and gemm's options, validated, with their defaults. */
function productOptions(op: string, options: GemmOptions | undefined, withBeta: boolean): Required<GemmOptions> {
  const o = checkOptions(op, options, withBeta ? ['transA', 'transB', 'alpha', 'beta'] : ['transA', 'transB', 'alpha']);
  return {
    transA: checkBoolean(op, 'transA', o.transA, false),
    transB: checkBoolean(op, 'transB', o.transB, false),
    alpha: checkNumber(op, 'alpha', o.alpha, 1),
    beta: checkNumber(op, 'beta', o.beta, 0),
  };
}
