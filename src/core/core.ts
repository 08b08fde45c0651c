// The engine's internal state (EngineCore): the kernels, memory, heap, thread pool, live
// matrices and scopes, with the checks every operation makes before handing a pointer to a
// kernel. The free functions of src/ops/ and src/linalg/ take it as their first argument;
// the public Engine (src/core/engine.ts) is a façade over them.

import { ArgumentError, DisposedError, DTypeError, FeaturelabError, InternalError, MemoryLimitError, NonFiniteError, ShapeError } from './errors.js';
import type { EngineOptions, GemmBlocking, MemoryStats } from './types.js';
import { Heap, formatBytes, MAX_MEMORY_BYTES } from './heap.js';
import { BYTES, Matrix, type DType, type MatrixOwner } from './matrix.js';
import type { ThreadInfo, ThreadPool } from './threads.js';
import type { Kernels, Ptr } from './wasm.js';
import { describeValue } from './validate.js';

/** The GEMM register tile and blocking per dtype. (not exported by the package index.) */
export type GemmConfig = Record<DType, GemmBlocking & { mr: number; nr: number }>;

/** Kernel families with an f64 and an f32 member. (not exported by the package index.) */
export type KernelFamily =
  | 'gemm'
  | 'gemm_workspace'
  | 'gemm_epilogue'
  | 'gemm_ref'
  | 'gemv'
  | 'fill'
  | 'axpy'
  | 'scal'
  | 'hadamard'
  | 'transpose'
  | 'count_nonfinite'
  | 'first_nonfinite'
  | 'canonicalize_nan'
  | 'sum'
  | 'dot'
  | 'asum'
  | 'amax'
  | 'nrm2'
  | 'norm1'
  | 'norminf'
  | 'row_sums'
  | 'col_sums'
  | 'map'
  | 'rng_uniform'
  | 'rng_normal'
  | 'set_diagonal';

/** What createEngine hands the constructor besides the instance. (not exported by the package index.) */
export interface EngineSetup {
  pool?: ThreadPool;
  threadInfo?: ThreadInfo;
  heapBase?: Ptr;
  gemmConfig?: GemmConfig;
}

/** The FinalizationRegistry that stops the workers of an engine dropped without dispose(). */
export const abandonedPools = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.stop()) : undefined;

/** The state behind one Engine, and the checks on it. (not exported by the package index.) */
export class EngineCore {
  /** The guarded kernels: a trap becomes a FeaturelabError and the pool cleans up. */
  readonly kernels: Kernels;
  readonly checkFinite: boolean;
  readonly heap: Heap;
  readonly pool: ThreadPool | undefined;
  readonly live = new Set<Matrix>();
  readonly scopes: Set<Matrix>[] = [];
  disposed = false;
  threadInfo: ThreadInfo;

  constructor(
    /** The Engine: the owner of every matrix allocated here. */
    readonly owner: MatrixOwner,
    rawKernels: Kernels,
    readonly memory: WebAssembly.Memory,
    options: EngineOptions,
    setup: EngineSetup,
    readonly gemmConfig: GemmConfig,
  ) {
    this.kernels = guardKernels(rawKernels, (error, name) => this.kernelFailed(error, name));
    this.checkFinite = options.checkFinite ?? true;
    this.heap = new Heap(memory, setup.heapBase ?? rawKernels.heap_base());
    this.pool = setup.pool;
    this.threadInfo = Object.freeze({ ...(setup.threadInfo ?? { threads: 1, requested: 1 }) });
  }

  /**
   * An error escaped kernel `name` on this thread: lets the pool clean up a parallel job it
   * interrupted (or, if it cannot, fall back to one thread, saying why in threadInfo), and
   * returns the error to throw: a FeaturelabError as it is, a wasm trap wrapped in one.
   */
  private kernelFailed(error: unknown, name: string): Error {
    const pool = this.pool;
    const { state, workerError } = pool && !this.disposed ? pool.recover() : { state: 'idle' as const, workerError: undefined };
    if (state === 'lost') {
      this.threadInfo = Object.freeze({
        threads: 1,
        requested: this.threadInfo.requested,
        fallback: `a kernel (${name}) failed on the calling thread during a parallel job and the worker threads did not finish their tasks; the engine runs on one thread from now on`,
      });
    }
    if (error instanceof FeaturelabError) return error;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const after =
      state === 'recovered'
        ? '; the interrupted parallel job was cleaned up and the thread pool carries on'
        : state === 'lost'
          ? '; the engine now runs on one thread (see threadInfo.fallback)'
          : '';
    const also = workerError ? ` (a worker thread failed in the same job: ${workerError})` : '';
    return new InternalError(`featurelab internal error: the kernel ${name} failed: ${what}${also}${after}`);
  }

  /** The f64 or f32 member of a kernel family. */
  family<F extends KernelFamily>(name: F, dtype: DType): Kernels[`${F}_f64`] {
    return this.kernels[`${name}_${dtype}`] as Kernels[`${F}_f64`];
  }

  /** A new matrix of this engine (in the innermost scope). */
  alloc(rows: number, cols: number, dtype: DType): Matrix {
    this.checkAlive();
    const bytes = rows * cols * BYTES[dtype];
    const ptr = this.heap.alloc(bytes, `a ${rows}×${cols} ${dtype} matrix`);
    const m = new Matrix(this.owner, ptr, rows, cols, dtype);
    this.live.add(m);
    this.scopes[this.scopes.length - 1]?.add(m);
    return m;
  }

  /** A new f64 matrix, its shape checked (`what` names the caller). */
  newMatrix(rows: number, cols: number, what: string): Matrix {
    checkShape(rows, cols, what);
    return this.alloc(rows, cols, 'f64');
  }

  /** Raw scratch memory; `what` says what for, in a MemoryLimitError. */
  allocBytes(bytes: number, what = 'buffer'): Ptr {
    this.checkAlive();
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ArgumentError(`allocBytes: bytes must be a non-negative integer, got ${describeValue(bytes)} (for ${what})`);
    }
    return this.heap.alloc(bytes, what);
  }

  /** A no-op after dispose(), which freed everything. */
  freeBytes(ptr: Ptr): void {
    if (this.disposed) return;
    this.heap.release(ptr);
  }

  copyBytes(dst: Ptr, src: Ptr, bytes: number): void {
    new Uint8Array(this.memory.buffer).copyWithin(dst, src, src + bytes);
  }

  releaseMatrix(matrix: Matrix): void {
    if (!this.live.delete(matrix)) return;
    this.heap.release(matrix.ptr);
  }

  memoryStats(): MemoryStats {
    return {
      bytesInUse: this.heap.bytesInUse,
      liveMatrices: this.live.size,
      memoryBytes: this.memory.buffer.byteLength,
      limitBytes: MAX_MEMORY_BYTES,
    };
  }

  /** Frees every matrix and stops the worker threads. */
  dispose(): void {
    if (this.disposed) return;
    if (this.pool) {
      this.pool.stop();
      abandonedPools?.unregister(this.pool);
    }
    for (const m of this.live) m.invalidate();
    this.live.clear();
    this.heap.reset();
    this.disposed = true;
  }

  checkAlive(): void {
    if (this.disposed) throw new DisposedError('the engine was used after dispose()');
  }

  /** Throws unless `a` is a live matrix of this engine: what must hold before `a.ptr` goes to a kernel. */
  checkMatrix(a: Matrix, what: string): void {
    this.checkAlive();
    if (!(a instanceof Matrix)) throw new ArgumentError(`${what}: expected a Matrix, got ${describeValue(a)}`);
    if (a.owner !== this.owner) throw new ArgumentError(`${what}: the matrix belongs to another engine`);
    if (a.disposed) throw new DisposedError(`${what}: matrix ${a.describe()} was used after dispose()`);
    // Only matrices this engine allocated (and has not freed) are live: a Matrix built with the
    // internal constructor would otherwise hand any address to the kernels.
    if (!this.live.has(a)) throw new ArgumentError(`${what}: the matrix was not created by this engine (use its constructors: fromArray, zeros, randn, …)`);
  }

  /** checkMatrix, and of `dtype` if given. */
  assertMatrix(a: Matrix, what: string, dtype?: DType): void {
    this.checkMatrix(a, what);
    if (dtype !== undefined && a.dtype !== dtype) throw new DTypeError(`${what}: expected an ${dtype} matrix, got ${a.describe()}`);
  }

  /** Both checked, same dtype and shape. */
  sameShape(op: string, a: Matrix, b: Matrix): void {
    this.checkMatrix(a, op);
    this.checkMatrix(b, op);
    sameDType(op, a, b);
    if (a.rows !== b.rows || a.cols !== b.cols) {
      throw new ShapeError(`${op}: shapes differ: ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
    }
  }

  /**
   * A scalar reduction's result, or (as assertFinite for matrices) a NonFiniteError if it is
   * NaN/±Infinity: the inputs held non-finite values, or the sum overflowed although every
   * entry is finite (the fixed summation order is kept; nothing is rescaled).
   */
  finiteResult(value: number, op: string, ...inputs: Matrix[]): number {
    if (!this.checkFinite || Number.isFinite(value)) return value;
    const bad = inputs.reduce((n, m) => n + this.family('count_nonfinite', m.dtype)(m.size, m.ptr), 0);
    throw new NonFiniteError(
      bad > 0
        ? `${op}: the result is ${value}: the input holds ${bad} non-finite value${bad === 1 ? '' : 's'} ` +
            `(createEngine({ checkFinite: false }) disables this check)`
        : `${op}: the result overflows f64 (${value}) although every entry of the input is finite; scale the input down ` +
            `(createEngine({ checkFinite: false }) disables this check)`,
    );
  }

  /** Throws NonFiniteError if `m` holds NaN/Infinity (disposing `owned`, a fresh output). */
  assertFinite(m: Matrix, op: string, owned?: Matrix): void {
    if (!this.checkFinite) return;
    const first = this.family('first_nonfinite', m.dtype)(m.size, m.ptr);
    if (first < 0) return;
    const count = this.family('count_nonfinite', m.dtype)(m.size, m.ptr);
    const value = m.view()[first];
    owned?.dispose();
    throw new NonFiniteError(
      `${op}: the result has ${count} non-finite value${count === 1 ? '' : 's'} (first: ${value} at ` +
        `[${Math.floor(first / m.cols)}, ${first % m.cols}] of ${m.rows}×${m.cols}); an input held NaN/Infinity or ` +
        `the arithmetic overflowed (createEngine({ checkFinite: false }) disables this check)`,
    );
  }

  /** The output of an elementwise op: a new matrix shaped like `a`, or `out`, checked. */
  output(op: string, a: Matrix, out: Matrix | undefined): Matrix {
    if (out === undefined) return this.alloc(a.rows, a.cols, a.dtype);
    this.checkMatrix(out, `${op} (out)`);
    if (out.dtype !== a.dtype || out.rows !== a.rows || out.cols !== a.cols) {
      throw new ShapeError(`${op}: out is ${out.describe()} but the result is ${a.describe()}`);
    }
    return out;
  }
}

export function checkShape(rows: number, cols: number, op: string): void {
  for (const [name, v] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${describeValue(v)}`);
    }
  }
  // Kernels index with i32; the byte size itself is checked when allocating.
  if (rows * cols > 2 ** 31 - 1) {
    throw new MemoryLimitError(
      `${op}: a ${rows}×${cols} matrix has ${rows * cols} elements; a matrix holds at most 2^31 − 1 ` +
        `(and wasm32 memory at most ${formatBytes(MAX_MEMORY_BYTES)})`,
    );
  }
}

export function sameDType(op: string, a: Matrix, b: Matrix): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: mixed dtypes ${a.describe()} and ${b.describe()}; convert with astype()`);
}

/**
 * The module's exports with every function wrapped: an error thrown inside (a wasm trap, or
 * the WorkerError of a failed worker task) goes through `failed`, which cleans up and
 * returns the error to throw.
 */
function guardKernels(raw: Kernels, failed: (error: unknown, name: string) => Error): Kernels {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'function') {
      guarded[name] = value;
      continue;
    }
    const fn = value as (...args: number[]) => number;
    // Fixed parameters (the widest export, gemm, takes 16; wasm ignores extra arguments):
    // a rest parameter and spread would cost about twice as much per call.
    guarded[name] =
      fn.length <= 16
        ? (
            a: number,
            b: number,
            c: number,
            d: number,
            e: number,
            f: number,
            g: number,
            h: number,
            i: number,
            j: number,
            k: number,
            l: number,
            m: number,
            n: number,
            o: number,
            p: number,
          ): number => {
            try {
              return fn(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p);
            } catch (error) {
              throw failed(error, name);
            }
          }
        : (...args: number[]): number => {
            try {
              return fn(...args);
            } catch (error) {
              throw failed(error, name);
            }
          };
  }
  return guarded as unknown as Kernels;
}
