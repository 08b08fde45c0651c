// The engine: owns one wasm instance and its memory, validates every call, allocates
// outputs, and hands pointers to the kernels. TS decides, wasm computes: no arithmetic on
// matrix data happens here.

import { activationCode, activationLabel, type Activation } from './activations.js';
import * as linalg from './linalg.js';
import { DetMath } from './net/detmath.js';
import {
  ArgumentError,
  DisposedError,
  FeaturelabError,
  WorkerError,
  DTypeError,
  MemoryLimitError,
  NonFiniteError,
  ShapeError,
} from './errors.js';
import { Heap, formatBytes, MAX_MEMORY_BYTES } from './heap.js';
import { BYTES, Matrix, type DType, type MatrixOwner } from './matrix.js';
import { checkBoolean, checkIndex, checkNumber, checkOptions, checkSeed } from './options.js';
import { checkThreads, planThreads, poolBytes, ThreadPool, type ThreadInfo } from './threads.js';
import { instantiate, loadModule, PAGE_BYTES, type HostHooks, type Kernels, type Ptr, type WasmSource } from './wasm.js';

/** Cache-blocking parameters of GEMM. They change speed only, never results. */
export interface GemmBlocking {
  /** Rows of op(A) packed per block (rounded up to the register tile). */
  mc: number;
  /** Columns of op(B) packed per block (rounded up to the register tile). */
  nc: number;
  /** Depth of a packed block. */
  kc: number;
}

export interface EngineOptions {
  /** The featurelab.wasm module: bytes, a compiled module or a URL. Default: the file beside this module. */
  wasm?: WasmSource;
  /**
   * Scan the results of operations that can overflow (matmul, gemm, gemv, axpy, scale,
   * hadamard, Hermite maps) and throw a NonFiniteError if they hold NaN or ±Infinity.
   * Costs one pass over each output. Default true.
   */
  checkFinite?: boolean;
  /** GEMM blocking per dtype (tuning only: results do not depend on it). */
  blocking?: Partial<Record<DType, Partial<GemmBlocking>>>;
  /**
   * Threads to compute on: the calling thread and threads − 1 workers sharing the engine's
   * memory (an integer in [1, 64]). Results are bit-identical for every value. Default: the
   * available cores, at most 16 (in Node and Bun the environment variable
   * FEATURELAB_THREADS overrides the default). Where threads cannot run — a browser page's
   * main thread, a page that is not cross-origin isolated — the engine uses one thread and
   * says why in `threadInfo` (and once on the console).
   */
  threads?: number;
  /**
   * Least work, in flops, of a task handed to a thread (tuning only: results do not depend
   * on it). Smaller splits smaller problems; 0 splits everything (the tests use it so
   * every parallel path runs on small inputs). Default 262144.
   */
  grain?: number;
}

export interface FromArrayOptions {
  /** Accept NaN/±Infinity in the data (rejected by default). */
  allowNonFinite?: boolean;
}

export interface RandomOptions {
  /** Seed: an integer in [0, 2^53) or a bigint in [0, 2^64). Default 0. */
  seed?: number | bigint;
  /** Independent stream under the same seed: an integer in [0, 2^53). Default 0. */
  stream?: number;
  /** Index of the first value drawn (row-major), for drawing a part of a larger sample. Default 0. */
  offset?: number;
  dtype?: DType;
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** Scale of the product. Default 1. */
  alpha?: number;
}

export interface GemmOptions extends MatmulOptions {
  /** Scale of the existing C. Default 0, in which case C is never read. */
  beta?: number;
}

export interface GemvOptions {
  /** Use Aᵀ. */
  trans?: boolean;
  alpha?: number;
  beta?: number;
  /** Accumulate into this vector (required when beta ≠ 0); otherwise a new one is returned. */
  y?: Matrix;
}

export interface MapOptions {
  /** Apply the derivative f′ instead of f. */
  derivative?: boolean;
  /** Write into this matrix (same shape and dtype; may be the input) instead of a new one. */
  out?: Matrix;
}

export type NormKind = 'fro' | 'max' | '1' | 'inf';

/** Things that can be fingerprinted: matrices, float arrays, strings and JSON-like values. */
export type FingerprintPart =
  | Matrix
  | Float64Array
  | Float32Array
  | string
  | number
  | boolean
  | null
  | readonly FingerprintPart[]
  | { readonly [key: string]: FingerprintPart };

export interface MemoryStats {
  /** Bytes held by live matrices and buffers. */
  bytesInUse: number;
  /** Live matrices owned by this engine. */
  liveMatrices: number;
  /** Current size of wasm linear memory. */
  memoryBytes: number;
  /** The most wasm32 memory can grow to. */
  limitBytes: number;
}

const DEFAULT_BLOCKING: Record<DType, GemmBlocking> = {
  f64: { mc: 96, nc: 2048, kc: 256 },
  f32: { mc: 96, nc: 2048, kc: 512 },
};

const TWO_32 = 2 ** 32;

type KernelFamily =
  | 'gemm' | 'gemm_workspace' | 'gemm_epilogue' | 'gemm_ref' | 'gemv' | 'fill' | 'axpy' | 'scal' | 'hadamard' | 'transpose'
  | 'count_nonfinite' | 'first_nonfinite' | 'canonicalize_nan' | 'sum' | 'dot' | 'asum' | 'amax' | 'nrm2'
  | 'norm1' | 'norminf' | 'row_sums' | 'col_sums' | 'map' | 'rng_uniform' | 'rng_normal';

const DEFAULT_GRAIN = 262_144;
/** Polls of a flag before a thread sleeps on it (≈ tens of microseconds). */
const SPIN = 20_000;
/** Workers' packing workspaces are capped; GEMMs blocked for more run on one thread (the kernels check). */
const MAX_WORKER_WORKSPACE = 64 * 2 ** 20;

/**
 * Creates an engine: compiles (or takes) the wasm module, instantiates it over a fresh
 * shared memory and starts its worker threads (rejecting with a WorkerError if one fails).
 */
export async function createEngine(options?: EngineOptions): Promise<Engine> {
  options = checkEngineOptions(options);
  const grain = options.grain ?? DEFAULT_GRAIN;
  const { module, bytes } = await loadModule(options.wasm, 'createEngine');
  let pool: ThreadPool | undefined;
  const hooks: HostHooks = {
    threadFailure: () => {
      if (!pool) throw new WorkerError('featurelab internal error: a thread failure was reported without a pool');
      return pool.threadFailure();
    },
  };
  const { kernels, memory, shared } = await instantiate(module, 16, hooks, bytes);
  const plan = await planThreads(options.threads, shared);
  const gemmConfig = resolveBlocking(kernels, options.blocking);
  // The pool's control block and the workers' workspaces sit between the static data and
  // the heap (so they never show in memoryStats).
  let heapBase = kernels.heap_base();
  if (plan.threads > 1) {
    const workBytes = Math.min(
      MAX_WORKER_WORKSPACE,
      kernels.thread_workspace_bytes(gemmConfig.f64.mc, gemmConfig.f64.kc, gemmConfig.f32.mc, gemmConfig.f32.kc),
    );
    const region = Math.ceil(heapBase / 64) * 64;
    heapBase = region + poolBytes(kernels, plan.threads, workBytes);
    if (heapBase > memory.buffer.byteLength) memory.grow(Math.ceil((heapBase - memory.buffer.byteLength) / PAGE_BYTES));
    new Uint8Array(memory.buffer, region, heapBase - region).fill(0);
    pool = await ThreadPool.start({ module, memory, kernels, threads: plan.threads, region, workBytes, spin: SPIN, grain });
  }
  const engine = new Engine(kernels, memory, options, { pool, threadInfo: plan, heapBase, gemmConfig });
  // An engine dropped without dispose() stops its workers when it is garbage-collected.
  if (pool) abandonedPools?.register(engine, pool, pool);
  return engine;
}

const ENGINE_OPTIONS = ['wasm', 'checkFinite', 'blocking', 'threads', 'grain'] as const;

/** Validates createEngine's options before any work (the wasm source is checked when loading). */
function checkEngineOptions(options: EngineOptions | undefined): EngineOptions {
  const o = checkOptions('createEngine', options, ENGINE_OPTIONS);
  checkBoolean('createEngine', 'checkFinite', o.checkFinite, true);
  if (o.grain !== undefined && (typeof o.grain !== 'number' || !(o.grain >= 0) || !Number.isFinite(o.grain))) {
    throw new ArgumentError(`createEngine: grain must be a finite number ≥ 0, got ${describeValue(o.grain)}`);
  }
  if (o.threads !== undefined) checkThreads(o.threads, 'createEngine: threads');
  if (o.blocking !== undefined) {
    const blocking = checkOptions('createEngine', o.blocking, ['f64', 'f32'], 'blocking');
    for (const dtype of ['f64', 'f32'] as const) {
      const b = checkOptions('createEngine', blocking[dtype], ['mc', 'nc', 'kc'], `blocking.${dtype}`);
      for (const key of ['mc', 'nc', 'kc'] as const) if (b[key] !== undefined) checkBlock(dtype, key, b[key]);
    }
  }
  return o;
}

function checkBlock(dtype: DType, key: keyof GemmBlocking, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1 << 16) {
    throw new ArgumentError(`createEngine: blocking.${dtype}.${key} must be an integer in [1, 65536], got ${describeValue(v)}`);
  }
}

const abandonedPools =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => pool.stop()) : undefined;

type GemmConfig = Record<DType, GemmBlocking & { mr: number; nr: number }>;

/** The GEMM blocking per dtype: defaults, overridden by the options, rounded to the register tile. */
function resolveBlocking(kernels: Kernels, blocking: EngineOptions['blocking']): GemmConfig {
  const tile = (dtype: DType) =>
    dtype === 'f64'
      ? { mr: kernels.GEMM_F64_MR.value as number, nr: kernels.GEMM_F64_NR.value as number }
      : { mr: kernels.GEMM_F32_MR.value as number, nr: kernels.GEMM_F32_NR.value as number };
  const config = (dtype: DType) => {
    const { mr, nr } = tile(dtype);
    const requested = { ...DEFAULT_BLOCKING[dtype] };
    for (const key of ['mc', 'nc', 'kc'] as const) {
      const v = blocking?.[dtype]?.[key];
      if (v === undefined) continue;
      checkBlock(dtype, key, v);
      requested[key] = v;
    }
    return {
      mr,
      nr,
      mc: Math.ceil(requested.mc / mr) * mr,
      nc: Math.ceil(requested.nc / nr) * nr,
      kc: requested.kc,
    };
  };
  return { f64: config('f64'), f32: config('f32') };
}

/** @internal What createEngine hands the constructor besides the instance. */
export interface EngineSetup {
  pool?: ThreadPool;
  threadInfo?: ThreadInfo;
  heapBase?: Ptr;
  gemmConfig?: GemmConfig;
}

export class Engine implements MatrixOwner, linalg.SvdHost {
  readonly memory: WebAssembly.Memory;
  /** @internal The raw kernels; for tests and advanced callers who manage pointers themselves. */
  readonly kernels: Kernels;
  readonly checkFinite: boolean;
  /** Deterministic scalar transcendentals (exp, log, pow, sin, …) computed in wasm. */
  readonly math: DetMath;
  /** GEMM register tile and blocking in use, per dtype. */
  readonly gemmConfig: Record<DType, GemmBlocking & { mr: number; nr: number }>;

  readonly #heap: Heap;
  readonly #pool: ThreadPool | undefined;
  readonly #live = new Set<Matrix>();
  readonly #scopes: Set<Matrix>[] = [];
  #disposed = false;
  #threadInfo: ThreadInfo;

  /** @internal Use createEngine(). */
  constructor(kernels: Kernels, memory: WebAssembly.Memory, options: EngineOptions = {}, setup: EngineSetup = {}) {
    // Every kernel call goes through a guard that turns a trap into a FeaturelabError and
    // lets the pool clean up a job the trap interrupted (DetMath's scalar functions start no
    // job and cannot trap: they keep the raw exports).
    this.kernels = guardKernels(kernels, (error, name) => this.kernelFailed(error, name));
    this.memory = memory;
    this.checkFinite = options.checkFinite ?? true;
    this.math = new DetMath(kernels);
    this.#heap = new Heap(memory, setup.heapBase ?? kernels.heap_base());
    this.gemmConfig = setup.gemmConfig ?? resolveBlocking(kernels, options.blocking);
    this.#pool = setup.pool;
    this.#threadInfo = Object.freeze({ ...(setup.threadInfo ?? { threads: 1, requested: 1 }) });
  }

  /** Threads the engine computes on (1: the calling thread only). */
  get threads(): number {
    return this.#threadInfo.threads;
  }

  /** Threads the engine computes on, those requested, and why fewer, if so. */
  get threadInfo(): ThreadInfo {
    return this.#threadInfo;
  }

  /**
   * An error escaped kernel `name` on this thread: lets the pool clean up a parallel job it
   * interrupted (or, if it cannot, fall back to one thread, saying why in threadInfo), and
   * returns the error to throw: a FeaturelabError as it is, a wasm trap wrapped in one.
   */
  private kernelFailed(error: unknown, name: string): Error {
    const pool = this.#pool;
    const { state, workerError } = pool && !this.#disposed ? pool.recover() : { state: 'idle' as const, workerError: undefined };
    if (state === 'lost') {
      this.#threadInfo = Object.freeze({
        threads: 1,
        requested: this.#threadInfo.requested,
        fallback: `a kernel (${name}) failed on the calling thread during a parallel job and the worker threads did not finish their tasks; the engine runs on one thread from now on`,
      });
    }
    if (error instanceof FeaturelabError) return error;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const after =
      state === 'recovered' ? '; the interrupted parallel job was cleaned up and the thread pool carries on'
      : state === 'lost' ? '; the engine now runs on one thread (see threadInfo.fallback)'
      : '';
    const also = workerError ? ` (a worker thread failed in the same job: ${workerError})` : '';
    return new FeaturelabError(`featurelab internal error: the kernel ${name} failed: ${what}${also}${after}`);
  }

  /**
   * @internal Tasks each thread has run so far (index 0: the calling thread; empty with one
   * thread), to see how the work was shared (benchmarks, diagnostics).
   */
  threadTaskCounts(): number[] {
    return this.#pool?.taskCounts() ?? [];
  }

  /** @internal Settles when the worker threads have exited (after dispose()). */
  get threadsClosed(): Promise<void> {
    return this.#pool?.closed ?? Promise.resolve();
  }

  // -------------------------------------------------------------------------------------
  // Construction

  /** Copies `data` (row-major, length rows·cols) into a new matrix; dtype follows the array type. */
  fromArray<A extends Float64Array | Float32Array>(
    data: A,
    rows: number,
    cols: number,
    options?: FromArrayOptions,
  ): Matrix<A extends Float64Array ? 'f64' : 'f32'> {
    this.checkAlive();
    const allowNonFinite = checkBoolean('fromArray', 'allowNonFinite', checkOptions('fromArray', options, ['allowNonFinite']).allowNonFinite, false);
    const dtype: DType | undefined =
      data instanceof Float64Array ? 'f64' : data instanceof Float32Array ? 'f32' : undefined;
    if (dtype === undefined) {
      const kind = data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data;
      throw new DTypeError(`fromArray expects a Float64Array or Float32Array, got ${kind}`);
    }
    this.checkShape(rows, cols, 'fromArray');
    if (data.length !== rows * cols) {
      throw new ShapeError(`fromArray: data has ${data.length} elements but a ${rows}×${cols} matrix needs ${rows * cols}`);
    }
    const m = this.alloc(rows, cols, dtype);
    m.view().set(data);
    if (!allowNonFinite) {
      const first = this.family('first_nonfinite', dtype)(m.size, m.ptr);
      if (first >= 0) {
        const value = data[first];
        m.dispose();
        throw new NonFiniteError(
          `fromArray: element [${Math.floor(first / cols)}, ${first % cols}] is ${value}; ` +
            `pass { allowNonFinite: true } to accept NaN/Infinity`,
        );
      }
    }
    return m as Matrix<A extends Float64Array ? 'f64' : 'f32'>;
  }

  /** A rows×cols matrix of zeros. */
  zeros(rows: number, cols: number, options?: { dtype?: DType }): Matrix {
    return this.filled('zeros', rows, cols, 0, options);
  }

  /** A rows×cols matrix with every entry `value`. */
  full(rows: number, cols: number, value: number, options?: { dtype?: DType }): Matrix {
    return this.filled('full', rows, cols, value, options);
  }

  private filled(op: string, rows: number, cols: number, value: number, options: { dtype?: DType } | undefined): Matrix {
    const dtype = this.checkDType(checkOptions(op, options, ['dtype']).dtype, op);
    this.checkShape(rows, cols, op);
    this.checkScalar(value, `${op}: value`);
    if (dtype === 'f32' && Math.abs(value) > 3.4028234663852886e38) {
      throw new ArgumentError(`${op}: value ${value} overflows f32 (|value| ≤ 3.4028235e38)`);
    }
    const m = this.alloc(rows, cols, dtype);
    this.family('fill', dtype)(m.size, m.ptr, value);
    return m;
  }

  /** The n×n identity. */
  eye(n: number, options?: { dtype?: DType }): Matrix {
    const m = this.filled('eye', n, n, 0, options);
    const view = m.view();
    for (let i = 0; i < n; i++) view[i * n + i] = 1;
    return m;
  }

  /** Standard normal entries from Philox4x32-10 (Box–Muller), a pure function of (seed, stream, index). */
  randn(rows: number, cols: number, options?: RandomOptions): Matrix {
    return this.random('rng_normal', 'randn', rows, cols, options);
  }

  /** Uniform entries in the open interval (0, 1), a pure function of (seed, stream, index). */
  rand(rows: number, cols: number, options?: RandomOptions): Matrix {
    return this.random('rng_uniform', 'rand', rows, cols, options);
  }

  /** A copy. */
  copy(a: Matrix): Matrix {
    this.checkMatrix(a, 'copy');
    const out = this.alloc(a.rows, a.cols, a.dtype);
    this.copyBytes(out.ptr, a.ptr, a.byteLength);
    return out;
  }

  /** A copy in another precision (f64 → f32 rounds to nearest). */
  astype(a: Matrix, dtype: DType): Matrix {
    this.checkMatrix(a, 'astype');
    if (dtype !== 'f64' && dtype !== 'f32') throw new DTypeError(`astype: dtype must be 'f64' or 'f32', got ${describeValue(dtype)}`);
    if (a.dtype === dtype) return this.copy(a);
    const out = this.alloc(a.rows, a.cols, dtype);
    if (dtype === 'f32') this.kernels.convert_f64_to_f32(a.size, a.ptr, out.ptr);
    else this.kernels.convert_f32_to_f64(a.size, a.ptr, out.ptr);
    // f64 values beyond ±3.4e38 overflow to ±Infinity in f32: refuse that (NaN/Inf already
    // present in an input accepted with allowNonFinite carry over as they are).
    if (dtype === 'f32' && this.checkFinite && this.kernels.count_nonfinite_f32(out.size, out.ptr) > this.kernels.count_nonfinite_f64(a.size, a.ptr)) {
      out.dispose();
      throw new NonFiniteError(`astype(f32): ${a.describe()} has finite values beyond the f32 range (±3.4e38)`);
    }
    return out;
  }

  /** The transpose Aᵀ as a new matrix. */
  transpose(a: Matrix): Matrix {
    this.checkMatrix(a, 'transpose');
    const out = this.alloc(a.cols, a.rows, a.dtype);
    this.family('transpose', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
    return out;
  }

  /** The same data viewed with another shape (rows·cols must match); a copy. */
  reshape(a: Matrix, rows: number, cols: number): Matrix {
    this.checkMatrix(a, 'reshape');
    this.checkShape(rows, cols, 'reshape');
    if (rows * cols !== a.size) throw new ShapeError(`reshape: cannot view ${a.describe()} as ${rows}×${cols}`);
    const out = this.alloc(rows, cols, a.dtype);
    this.copyBytes(out.ptr, a.ptr, a.byteLength);
    return out;
  }

  // -------------------------------------------------------------------------------------
  // Level 3 and 2

  /** α·op(A)·op(B) as a new matrix. */
  matmul(a: Matrix, b: Matrix, options?: MatmulOptions): Matrix {
    const o = productOptions('matmul', options, false);
    const shape = this.productShape('matmul', a, b, o);
    const c = this.alloc(shape.m, shape.n, a.dtype);
    try {
      this.gemmInto(c, a, b, shape, o.alpha, 0, o, 'matmul');
    } catch (error) {
      c.dispose();
      throw error;
    }
    return c;
  }

  /** C := α·op(A)·op(B) + β·C in place; returns C. With β = 0, C's old contents are never read. */
  gemm(c: Matrix, a: Matrix, b: Matrix, options?: GemmOptions): Matrix {
    const o = productOptions('gemm', options, true);
    // every handle first: a disposed C is a DisposedError even when A and B also mismatch
    this.checkMatrix(c, 'gemm (C)');
    const shape = this.productShape('gemm', a, b, o);
    const { m, n } = shape;
    if (c.dtype !== a.dtype) throw new DTypeError(`gemm: C is ${c.dtype} but A and B are ${a.dtype}`);
    if (c.rows !== m || c.cols !== n) {
      throw new ShapeError(`gemm: C is ${c.rows}×${c.cols} but op(A)·op(B) is ${m}×${n}`);
    }
    if (c === a || c === b) throw new ArgumentError('gemm: C must not be A or B');
    this.gemmInto(c, a, b, shape, o.alpha, o.beta, o, 'gemm');
    return c;
  }

  /**
   * The Gram matrix AᵀA ('AtA', default; cols×cols) or A·Aᵀ ('AAt'; rows×rows), f64 (f32 input
   * is converted). Only one triangle is computed, then mirrored: half the flops of matmul,
   * and bit-identical to matmul(A, A, { transA: true }) (resp. { transB: true }).
   */
  gram(a: Matrix, side: 'AtA' | 'AAt' = 'AtA'): Matrix {
    this.checkMatrix(a, 'gram');
    if (side !== 'AtA' && side !== 'AAt') throw new ArgumentError(`gram: side must be 'AtA' or 'AAt', got ${describeValue(side)}`);
    const outer = side === 'AAt';
    const n = outer ? a.rows : a.cols, k = outer ? a.cols : a.rows;
    const a64 = a.dtype === 'f64' ? a : this.astype(a, 'f64');
    let c: Matrix | undefined;
    let work: Ptr | undefined;
    try {
      c = this.alloc(n, n, 'f64');
      work = this.#heap.alloc(this.kernels.la_gemm_workspace(n) * 8, 'gram workspace');
      this.kernels.gram_f64(outer ? 1 : 0, n, k, a64.ptr, a.cols, c.ptr, n, work);
      this.assertFinite(c, 'gram');
      return c;
    } catch (error) {
      c?.dispose();
      throw error;
    } finally {
      if (work !== undefined) this.#heap.release(work);
      if (a64 !== a) a64.dispose();
    }
  }

  /** y := α·op(A)·x + β·y. x and y are vectors (n×1 or 1×n); the result equals matmul bit for bit. */
  gemv(a: Matrix, x: Matrix, options?: GemvOptions): Matrix {
    const o = checkOptions('gemv', options, ['trans', 'alpha', 'beta', 'y']);
    this.checkMatrix(a, 'gemv (A)');
    this.checkMatrix(x, 'gemv (x)');
    // every handle first: a disposed y is a DisposedError even when x also mismatches
    if (o.y !== undefined) this.checkMatrix(o.y, 'gemv (y)');
    this.sameDType('gemv', a, x);
    const trans = checkBoolean('gemv', 'trans', o.trans, false);
    const alpha = checkNumber('gemv', 'alpha', o.alpha, 1);
    const beta = checkNumber('gemv', 'beta', o.beta, 0);
    const [outLen, inLen] = trans ? [a.cols, a.rows] : [a.rows, a.cols];
    if (!isVector(x) || x.size !== inLen) {
      throw new ShapeError(`gemv: x is ${x.rows}×${x.cols} but op(A) is ${outLen}×${inLen}, so x needs ${inLen} entries`);
    }
    const y = o.y;
    if (y !== undefined) {
      this.checkMatrix(y, 'gemv (y)');
      this.sameDType('gemv', a, y);
      if (!isVector(y) || y.size !== outLen) {
        throw new ShapeError(`gemv: y is ${y.rows}×${y.cols} but op(A)·x has ${outLen} entries`);
      }
      if (y === x || y === a) throw new ArgumentError('gemv: y must not be A or x');
    } else if (beta !== 0) {
      throw new ArgumentError('gemv: beta ≠ 0 needs an existing y');
    }
    const out = y ?? this.alloc(outLen, 1, a.dtype);
    let old: Matrix | undefined;
    try {
      if (beta !== 0) old = this.copy(out);
      this.family('gemv', a.dtype)(trans ? 1 : 0, a.rows, a.cols, a.ptr, a.cols, x.ptr, out.ptr);
      if (alpha !== 1 || beta !== 0) {
        this.family('gemm_epilogue', a.dtype)(outLen, 1, alpha, out.ptr, 1, beta, old ? old.ptr : out.ptr, 1);
      }
      this.assertFinite(out, 'gemv');
    } catch (error) {
      if (!y) out.dispose();
      throw error;
    } finally {
      old?.dispose();
    }
    return out;
  }

  // -------------------------------------------------------------------------------------
  // Level 1 and elementwise

  /** y := y + α·x in place (same shape and dtype); returns y. */
  axpy(alpha: number, x: Matrix, y: Matrix): Matrix {
    this.sameShape('axpy', x, y);
    this.checkScalar(alpha, 'axpy: alpha');
    this.family('axpy', x.dtype)(x.size, alpha, x.ptr, y.ptr);
    this.assertFinite(y, 'axpy');
    return y;
  }

  /** α·A as a new matrix (or in place with { out: A }). */
  scale(a: Matrix, alpha: number, options?: { out?: Matrix }): Matrix {
    const given = checkOptions('scale', options, ['out']).out;
    this.checkMatrix(a, 'scale');
    this.checkScalar(alpha, 'scale: alpha');
    const out = this.output('scale', a, given);
    this.family('scal', a.dtype)(a.size, alpha, a.ptr, out.ptr);
    this.assertFinite(out, 'scale', given ? undefined : out);
    return out;
  }

  /** Elementwise product A ∘ B as a new matrix (or into { out }). */
  hadamard(a: Matrix, b: Matrix, options?: { out?: Matrix }): Matrix {
    const given = checkOptions('hadamard', options, ['out']).out;
    this.sameShape('hadamard', a, b);
    const out = this.output('hadamard', a, given);
    this.family('hadamard', a.dtype)(a.size, a.ptr, b.ptr, out.ptr);
    this.assertFinite(out, 'hadamard', given ? undefined : out);
    return out;
  }

  /** f(A) or f′(A) elementwise, for the activations the experiments use. */
  map(a: Matrix, activation: Activation, options?: MapOptions): Matrix {
    const o = checkOptions('map', options, ['derivative', 'out']);
    const derivative = checkBoolean('map', 'derivative', o.derivative, false);
    this.checkMatrix(a, 'map');
    const { code, param } = activationCode(activation, 'map');
    const out = this.output('map', a, o.out);
    this.family('map', a.dtype)(code, derivative ? 1 : 0, param, a.size, a.ptr, out.ptr);
    if (code === 7 || code === 8) {
      // Only polynomials can overflow on finite input.
      this.assertFinite(out, `map(${activationLabel(activation)})`, o.out ? undefined : out);
    }
    return out;
  }

  /** Σ_i x_i y_i over all entries (same shape), in f64 with a fixed summation order. */
  dot(x: Matrix, y: Matrix): number {
    this.sameShape('dot', x, y);
    return this.finiteResult(this.family('dot', x.dtype)(x.size, x.ptr, y.ptr), 'dot', x, y);
  }

  /** Sum of all entries, in f64 with a fixed order. */
  sum(a: Matrix): number {
    this.checkMatrix(a, 'sum');
    return this.finiteResult(this.family('sum', a.dtype)(a.size, a.ptr), 'sum', a);
  }

  /** Matrix norm: Frobenius (default, overflow-safe), max |a_ij|, 1 (max column sum) or inf (max row sum). */
  norm(a: Matrix, kind: NormKind = 'fro'): number {
    this.checkMatrix(a, 'norm');
    switch (kind) {
      case 'fro':
        return this.finiteResult(this.family('nrm2', a.dtype)(a.size, a.ptr), "norm(A, 'fro')", a);
      case 'max':
        return this.family('amax', a.dtype)(a.size, a.ptr);
      case 'inf':
        return this.finiteResult(this.family('norminf', a.dtype)(a.rows, a.cols, a.ptr), "norm(A, 'inf')", a);
      case '1': {
        const work = this.#heap.alloc(a.cols * 8, 'norm workspace');
        try {
          return this.finiteResult(this.family('norm1', a.dtype)(a.rows, a.cols, a.ptr, work), "norm(A, '1')", a);
        } finally {
          this.#heap.release(work);
        }
      }
      default:
        throw new ArgumentError(`norm: unknown kind '${String(kind)}': expected 'fro', 'max', '1' or 'inf'`);
    }
  }

  /** Row sums as a rows×1 matrix. */
  sumRows(a: Matrix): Matrix {
    this.checkMatrix(a, 'sumRows');
    const out = this.alloc(a.rows, 1, a.dtype);
    this.family('row_sums', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
    this.assertFinite(out, 'sumRows', out);
    return out;
  }

  /** Column sums as a 1×cols matrix. */
  sumCols(a: Matrix): Matrix {
    this.checkMatrix(a, 'sumCols');
    const out = this.alloc(1, a.cols, a.dtype);
    this.family('col_sums', a.dtype)(a.rows, a.cols, a.ptr, out.ptr);
    this.assertFinite(out, 'sumCols', out);
    return out;
  }

  /** Number of NaN/±Infinity entries. */
  countNonFinite(a: Matrix): number {
    this.checkMatrix(a, 'countNonFinite');
    return this.family('count_nonfinite', a.dtype)(a.size, a.ptr);
  }

  // -------------------------------------------------------------------------------------
  // Linear algebra (src/linalg.ts). f32 input is computed in f64; results are f64.

  /** Eigenvalues of the symmetric S, ascending. Only the lower triangle (i ≥ j) of S is read. */
  eigvalsh(S: Matrix, options: linalg.EigOptions = {}): Float64Array {
    return linalg.eigvalsh(this, S, options);
  }

  /** Eigenvalues (ascending) and eigenvectors (column j pairs with values[j]); lower triangle read. */
  eigh(S: Matrix, options: linalg.EigOptions = {}): linalg.Eigh {
    return linalg.eigh(this, S, options);
  }

  /** Eigenvalues (and with { vectors: true } eigenvectors) of the symmetric tridiagonal matrix (d, e). */
  eigTridiagonal(
    d: Float64Array | readonly number[],
    e: Float64Array | readonly number[],
    options: { vectors?: boolean; leafSize?: number; maxSweepsPerN?: number } = {},
  ): linalg.TridiagonalEig {
    this.checkAlive();
    return linalg.eigTridiagonal(this, d, e, options);
  }

  /** Selected eigenpairs of the symmetric S: { largest: k }, { smallest: k } or { indices: [from, to) }, ascending. */
  eighSelect(S: Matrix, selection: linalg.EigSelection, options: linalg.EigOptions = {}): linalg.Eigh {
    return linalg.eighSelect(this, S, selection, options);
  }

  /** Singular values of A, descending, through the eigenvalues of the smaller Gram matrix. */
  svdvals(A: Matrix, options: linalg.EigOptions = {}): Float64Array {
    return linalg.svdvals(this, (M, tall) => this.gram(M, tall ? 'AtA' : 'AAt'), A, options);
  }

  /**
   * The k largest singular triplets of A by matrix-free Lanczos on AᵀA (or AAᵀ); when σ_k <
   * 10⁻³·σ₁ (rank-deficient or ill-conditioned A) they are recomputed on A itself, so Av = σu
   * and Aᵀu = σv hold to rounding and a zero σ is exactly 0.
   */
  svdTop(A: Matrix, k: number, options: linalg.LanczosOptions = {}): linalg.SvdTop {
    return linalg.svdTop(this, A, k, options);
  }

  /**
   * The k largest eigenpairs of the symmetric operator x ↦ op(x) on R^n (op returns a new
   * n×1 f64 matrix, which is disposed), by Lanczos with full reorthogonalisation.
   */
  lanczos(op: (x: Matrix) => Matrix, n: number, k: number, options: linalg.LanczosOptions = {}): linalg.LanczosResult {
    this.checkAlive();
    return linalg.lanczos(this, op, n, k, options);
  }

  /** Cholesky factor L (S = L·Lᵀ, lower triangular, f64) of the SPD matrix S; lower triangle read. */
  cholesky(S: Matrix, options: { blockSize?: number } = {}): Matrix {
    return linalg.cholesky(this, S, options);
  }

  /** X = (L·Lᵀ)⁻¹·B for a factor L from cholesky(). */
  choleskySolve(L: Matrix, B: Matrix): Matrix {
    return linalg.choleskySolve(this, L, B);
  }

  /** Solves S·X = B for symmetric positive definite S (lower triangle read). */
  solveSPD(S: Matrix, B: Matrix): Matrix {
    return linalg.solveSPD(this, S, B);
  }

  /** Thin Householder QR, A = Q·R (A m×n with m ≥ n); { positiveDiagonal: true } makes diag(R) ≥ 0. */
  qr(A: Matrix, options: { positiveDiagonal?: boolean } = {}): { Q: Matrix; R: Matrix } {
    return linalg.qr(this, A, options);
  }

  /** A Haar-distributed random orthogonal n×n matrix (QR of a seeded Gaussian matrix, diag(R) > 0). */
  randomOrthogonal(n: number, options?: { seed?: number | bigint; stream?: number }): Matrix {
    const o = checkOptions('randomOrthogonal', options, ['seed', 'stream']);
    this.checkShape(n, n, 'randomOrthogonal');
    const G = this.randn(n, n, { seed: checkSeed('randomOrthogonal', o.seed), stream: checkIndex('randomOrthogonal', 'stream', o.stream) });
    try {
      return linalg.randomOrthogonal(this, G);
    } finally {
      G.dispose();
    }
  }

  // -------------------------------------------------------------------------------------
  // Memory

  /**
   * Runs `fn` and disposes every matrix created inside it, except those it returns (a
   * matrix, or matrices inside returned arrays and plain objects), which move to the
   * enclosing scope. `fn` must be synchronous.
   */
  scope<T>(fn: () => T): T {
    this.checkAlive();
    if (typeof fn !== 'function') throw new ArgumentError(`scope: fn must be a function, got ${describeValue(fn)}`);
    const created = new Set<Matrix>();
    this.#scopes.push(created);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#scopes.pop();
      for (const m of created) m.dispose();
      throw error;
    }
    this.#scopes.pop();
    if (result instanceof Promise) {
      for (const m of created) m.dispose();
      throw new ArgumentError('scope: the callback returned a Promise; scope() only supports synchronous callbacks');
    }
    const kept = new Set<Matrix>();
    collectMatrices(result, kept);
    const parent = this.#scopes[this.#scopes.length - 1];
    for (const m of created) {
      if (kept.has(m)) parent?.add(m);
      else m.dispose();
    }
    return result;
  }

  /** Removes a matrix from every enclosing scope, so that no scope() disposes it. */
  keep<T extends Matrix>(m: T): T {
    this.checkMatrix(m, 'keep');
    for (const s of this.#scopes) s.delete(m);
    return m;
  }

  memoryStats(): MemoryStats {
    return {
      bytesInUse: this.#heap.bytesInUse,
      liveMatrices: this.#live.size,
      memoryBytes: this.memory.buffer.byteLength,
      limitBytes: MAX_MEMORY_BYTES,
    };
  }

  /** Frees every matrix of this engine and stops its worker threads; the engine cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#pool) {
      this.#pool.stop();
      abandonedPools?.unregister(this.#pool);
    }
    for (const m of this.#live) m.invalidate();
    this.#live.clear();
    this.#heap.reset();
    this.#disposed = true;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal Called by Matrix.dispose(). */
  releaseMatrix(matrix: Matrix): void {
    if (!this.#live.delete(matrix)) return;
    this.#heap.release(matrix.ptr);
  }

  /** @internal Raw scratch memory for callers that drive kernels directly (tests, later layers). */
  allocBytes(bytes: number, what = 'buffer'): Ptr {
    this.checkAlive();
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ArgumentError(`allocBytes: bytes must be a non-negative integer, got ${describeValue(bytes)} (for ${what})`);
    }
    return this.#heap.alloc(bytes, what);
  }

  /** @internal (a no-op after dispose(), which freed everything) */
  freeBytes(ptr: Ptr): void {
    if (this.#disposed) return;
    this.#heap.release(ptr);
  }

  /** @internal A new f64 matrix (for the linear algebra layer). */
  newMatrix(rows: number, cols: number, what: string): Matrix {
    this.checkShape(rows, cols, what);
    return this.alloc(rows, cols, 'f64');
  }

  /**
   * Throws unless `a` is a live matrix of this engine (and of `dtype`, if given): what every
   * caller must check before handing `a.ptr` to a kernel. `what` names the function and
   * argument in the error ("empiricalNTK (net.a)").
   */
  assertMatrix(a: Matrix, what: string, dtype?: DType): void {
    this.checkMatrix(a, what);
    if (dtype !== undefined && a.dtype !== dtype) throw new DTypeError(`${what}: expected an ${dtype} matrix, got ${a.describe()}`);
  }

  // -------------------------------------------------------------------------------------
  // Fingerprints

  /**
   * SHA-256 (hex) over the canonical bytes of the parts, hashed in wasm so every engine
   * computes it alike. Encoding (little-endian, each item tagged): a matrix or float array as
   * its kind, dtype and shape then its data with every NaN canonicalised; a number as its
   * f64 bytes (so −0 ≠ 0); a string as UTF-8; arrays and plain objects recursively (object
   * keys sorted). Matrices nested in arrays or objects are hashed by their data.
   */
  fingerprint(...parts: FingerprintPart[]): string {
    this.checkAlive();
    const ctxBytes = this.kernels.SHA256_CONTEXT_BYTES.value as number;
    const ctx = this.#heap.alloc(ctxBytes + 32, 'fingerprint context');
    try {
      this.kernels.sha256_init(ctx);
      this.hashPart(ctx, parts, []);
      this.kernels.sha256_final(ctx, ctx + ctxBytes);
      const digest = new Uint8Array(this.memory.buffer, ctx + ctxBytes, 32);
      return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    } finally {
      this.#heap.release(ctx);
    }
  }

  /** Hashes one part; `path` holds the arrays and objects it is nested in (to refuse cycles). */
  private hashPart(ctx: Ptr, part: unknown, path: unknown[]): void {
    if (part !== null && typeof part === 'object' && !ArrayBuffer.isView(part) && !(part instanceof Matrix)) {
      if (path.includes(part)) throw new ArgumentError('fingerprint: the input contains a cycle (an array or object inside itself)');
      if (path.length >= MAX_FINGERPRINT_DEPTH) throw new ArgumentError(`fingerprint: the input is nested more than ${MAX_FINGERPRINT_DEPTH} levels deep`);
    }
    if (part instanceof Matrix) {
      this.checkMatrix(part, 'fingerprint');
      this.hashBytes(ctx, encodeHeader('M', part.dtype, part.rows, part.cols));
      this.hashFloats(ctx, part.ptr, part.size, part.dtype);
    } else if (part instanceof Float64Array || part instanceof Float32Array) {
      const dtype: DType = part instanceof Float64Array ? 'f64' : 'f32';
      this.hashBytes(ctx, encodeHeader('A', dtype, part.length, 1));
      const ptr = this.#heap.alloc(part.byteLength, 'fingerprint data');
      try {
        new Uint8Array(this.memory.buffer, ptr, part.byteLength).set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
        this.hashFloats(ctx, ptr, part.length, dtype);
      } finally {
        this.#heap.release(ptr);
      }
    } else if (typeof part === 'string') {
      this.hashBytes(ctx, encodeText('S', part));
    } else if (typeof part === 'number') {
      const out = new Uint8Array(9);
      out[0] = 'N'.charCodeAt(0);
      new DataView(out.buffer).setFloat64(1, Number.isNaN(part) ? NaN : part, true);
      this.hashBytes(ctx, out);
    } else if (typeof part === 'boolean' || part === null) {
      this.hashBytes(ctx, Uint8Array.of('B'.charCodeAt(0), part === null ? 2 : part ? 1 : 0));
    } else if (Array.isArray(part)) {
      this.hashBytes(ctx, encodeCount('L', part.length));
      path.push(part);
      for (const item of part) this.hashPart(ctx, item, path);
      path.pop();
    } else if (typeof part === 'object' && part !== null && Object.getPrototypeOf(part) === Object.prototype) {
      const keys = Object.keys(part).filter((k) => (part as Record<string, unknown>)[k] !== undefined).sort();
      this.hashBytes(ctx, encodeCount('O', keys.length));
      path.push(part);
      for (const key of keys) {
        this.hashBytes(ctx, encodeText('S', key));
        this.hashPart(ctx, (part as Record<string, unknown>)[key], path);
      }
      path.pop();
    } else {
      throw new ArgumentError(
        `fingerprint: cannot hash ${describeValue(part)}; use matrices, Float64/Float32Arrays, strings, numbers, booleans, null, arrays and plain objects`,
      );
    }
  }

  private hashFloats(ctx: Ptr, ptr: Ptr, count: number, dtype: DType): void {
    const bytes = count * BYTES[dtype];
    if (this.family('count_nonfinite', dtype)(count, ptr) === 0) {
      this.kernels.sha256_update(ctx, ptr, bytes);
      return;
    }
    const tmp = this.#heap.alloc(bytes, 'fingerprint data');
    try {
      this.family('canonicalize_nan', dtype)(count, ptr, tmp);
      this.kernels.sha256_update(ctx, tmp, bytes);
    } finally {
      this.#heap.release(tmp);
    }
  }

  private hashBytes(ctx: Ptr, bytes: Uint8Array): void {
    const ptr = this.#heap.alloc(bytes.length, 'fingerprint data');
    try {
      new Uint8Array(this.memory.buffer, ptr, bytes.length).set(bytes);
      this.kernels.sha256_update(ctx, ptr, bytes.length);
    } finally {
      this.#heap.release(ptr);
    }
  }

  // -------------------------------------------------------------------------------------
  // Internals

  /** The f64 or f32 member of a kernel family. */
  private family<F extends KernelFamily>(name: F, dtype: DType): Kernels[`${F}_f64`] {
    return this.kernels[`${name}_${dtype}`] as Kernels[`${F}_f64`];
  }

  private alloc(rows: number, cols: number, dtype: DType): Matrix {
    this.checkAlive();
    const bytes = rows * cols * BYTES[dtype];
    const ptr = this.#heap.alloc(bytes, `a ${rows}×${cols} ${dtype} matrix`);
    const m = new Matrix(this, ptr, rows, cols, dtype);
    this.#live.add(m);
    this.#scopes[this.#scopes.length - 1]?.add(m);
    return m;
  }

  private random(family: 'rng_normal' | 'rng_uniform', op: string, rows: number, cols: number, options: RandomOptions | undefined): Matrix {
    const o = checkOptions(op, options, ['seed', 'stream', 'offset', 'dtype']);
    const dtype = this.checkDType(o.dtype, op);
    this.checkShape(rows, cols, op);
    const [seedLo, seedHi] = splitSeed(checkSeed(op, o.seed));
    const stream = checkIndex(op, 'stream', o.stream);
    const offset = checkIndex(op, 'offset', o.offset);
    if (offset + rows * cols > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`${op}: offset + size exceeds 2^53`);
    const m = this.alloc(rows, cols, dtype);
    this.family(family, dtype)(m.ptr, m.size, offset, seedLo, seedHi, stream % TWO_32, Math.floor(stream / TWO_32));
    return m;
  }

  private productShape(op: string, a: Matrix, b: Matrix, options: Required<MatmulOptions>): { m: number; n: number; k: number } {
    this.checkMatrix(a, `${op} (A)`);
    this.checkMatrix(b, `${op} (B)`);
    this.sameDType(op, a, b);
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
  private gemmInto(
    c: Matrix, a: Matrix, b: Matrix, { m, n, k }: { m: number; n: number; k: number },
    alpha: number, beta: number, options: Required<MatmulOptions>, op: string,
  ): void {
    const dtype = a.dtype;
    const cfg = this.gemmConfig[dtype];
    // Blocks no larger than the problem (rounded to the tile) keep the workspace small.
    const mc = Math.min(cfg.mc, Math.ceil(Math.max(m, 1) / cfg.mr) * cfg.mr);
    const nc = Math.min(cfg.nc, Math.ceil(Math.max(n, 1) / cfg.nr) * cfg.nr);
    const kc = Math.min(cfg.kc, Math.max(k, 1));
    const workElems = this.family('gemm_workspace', dtype)(mc, nc, kc);
    const work = this.#heap.alloc(workElems * BYTES[dtype], `${op} packing workspace`);
    let old: Matrix | undefined;
    try {
      if (beta !== 0) old = this.copy(c);
      this.family('gemm', dtype)(
        options.transA ? 1 : 0, options.transB ? 1 : 0, m, n, k,
        a.ptr, a.cols, b.ptr, b.cols, c.ptr, c.cols, work, mc, nc, kc, 0,
      );
      if (alpha !== 1 || beta !== 0) {
        this.family('gemm_epilogue', dtype)(m, n, alpha, c.ptr, n, beta, old ? old.ptr : c.ptr, n);
      }
    } finally {
      this.#heap.release(work);
      old?.dispose();
    }
    this.assertFinite(c, op);
  }

  private output(op: string, a: Matrix, out: Matrix | undefined): Matrix {
    if (out === undefined) return this.alloc(a.rows, a.cols, a.dtype);
    this.checkMatrix(out, `${op} (out)`);
    if (out.dtype !== a.dtype || out.rows !== a.rows || out.cols !== a.cols) {
      throw new ShapeError(`${op}: out is ${out.describe()} but the result is ${a.describe()}`);
    }
    return out;
  }

  private copyBytes(dst: Ptr, src: Ptr, bytes: number): void {
    new Uint8Array(this.memory.buffer).copyWithin(dst, src, src + bytes);
  }

  /**
   * A scalar reduction's result, or (as assertFinite for matrices) a NonFiniteError if it is
   * NaN/±Infinity: the inputs held non-finite values, or the sum overflowed although every
   * entry is finite (the fixed summation order is kept; nothing is rescaled).
   */
  private finiteResult(value: number, op: string, ...inputs: Matrix[]): number {
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
  private assertFinite(m: Matrix, op: string, owned?: Matrix): void {
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

  private checkAlive(): void {
    if (this.#disposed) throw new DisposedError('the engine was used after dispose()');
  }

  private checkMatrix(a: Matrix, what: string): void {
    this.checkAlive();
    if (!(a instanceof Matrix)) throw new ArgumentError(`${what}: expected a Matrix, got ${describeValue(a)}`);
    if (a.owner !== this) throw new ArgumentError(`${what}: the matrix belongs to another engine`);
    if (a.disposed) throw new DisposedError(`${what}: matrix ${a.describe()} was used after dispose()`);
    // Only matrices this engine allocated (and has not freed) are live: a Matrix built with the
    // internal constructor would otherwise hand any address to the kernels.
    if (!this.#live.has(a)) throw new ArgumentError(`${what}: the matrix was not created by this engine (use its constructors: fromArray, zeros, randn, …)`);
  }

  private checkShape(rows: number, cols: number, op: string): void {
    for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
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

  private checkDType(dtype: DType | undefined, op: string): DType {
    if (dtype === undefined) return 'f64';
    if (dtype !== 'f64' && dtype !== 'f32') throw new DTypeError(`${op}: dtype must be 'f64' or 'f32', got ${describeValue(dtype)}`);
    return dtype;
  }

  private checkScalar(v: number, what: string): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${what} must be a finite number, got ${describeValue(v)}`);
  }

  private sameDType(op: string, a: Matrix, b: Matrix): void {
    if (a.dtype !== b.dtype) throw new DTypeError(`${op}: mixed dtypes ${a.describe()} and ${b.describe()}; convert with astype()`);
  }

  private sameShape(op: string, a: Matrix, b: Matrix): void {
    this.checkMatrix(a, op);
    this.checkMatrix(b, op);
    this.sameDType(op, a, b);
    if (a.rows !== b.rows || a.cols !== b.cols) {
      throw new ShapeError(`${op}: shapes differ: ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
    }
  }
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
        ? (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number,
            i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number): number => {
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

function isVector(m: Matrix): boolean {
  return m.rows === 1 || m.cols === 1;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v == null) return String(v);
  if (v instanceof Matrix) return `matrix ${v.describe()}`;
  return (v as object).constructor?.name ?? typeof v;
}

/** The low and high 32 bits of a seed validated by checkSeed. */
function splitSeed(seed: number | bigint): [number, number] {
  if (typeof seed === 'bigint') return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  return [seed % TWO_32, Math.floor(seed / TWO_32)];
}

function collectMatrices(value: unknown, into: Set<Matrix>, seen = new Set<unknown>()): void {
  if (value instanceof Matrix) {
    into.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const v of value) collectMatrices(v, into, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectMatrices(v, into, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectMatrices(v, into, seen);
  }
}

/** Arrays and objects nested deeper than this are refused (instead of a stack overflow). */
const MAX_FINGERPRINT_DEPTH = 1000;

const textEncoder = new TextEncoder();

/** Does the string hold a lone (unpaired) surrogate, which UTF-8 cannot encode? */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * A string as tag, byte length and UTF-8. UTF-8 would turn every lone surrogate into
 * U+FFFD (so '\uD800' and '\uDC00' would collide): such strings are hashed as tag 'U',
 * code-unit count and their UTF-16 code units (little-endian) instead. Well-formed strings
 * keep their encoding, so their fingerprints do not change.
 */
function encodeText(tag: string, text: string): Uint8Array {
  if (hasLoneSurrogate(text)) {
    const out = new Uint8Array(1 + 8 + 2 * text.length);
    const view = new DataView(out.buffer);
    out[0] = 'U'.charCodeAt(0);
    view.setBigUint64(1, BigInt(text.length), true);
    for (let i = 0; i < text.length; i++) view.setUint16(9 + 2 * i, text.charCodeAt(i), true);
    return out;
  }
  const body = textEncoder.encode(text);
  const out = new Uint8Array(1 + 8 + body.length);
  out[0] = tag.charCodeAt(0);
  new DataView(out.buffer).setBigUint64(1, BigInt(body.length), true);
  out.set(body, 9);
  return out;
}

function encodeHeader(tag: string, dtype: DType, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(1 + 1 + 8 + 8);
  out[0] = tag.charCodeAt(0);
  out[1] = dtype === 'f64' ? 8 : 4;
  const view = new DataView(out.buffer);
  view.setBigUint64(2, BigInt(rows), true);
  view.setBigUint64(10, BigInt(cols), true);
  return out;
}

function encodeCount(tag: string, count: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = tag.charCodeAt(0);
  new DataView(out.buffer).setBigUint64(1, BigInt(count), true);
  return out;
}

