// The engine: a thin façade over free functions per domain. Each method validates nothing
// itself: it hands the engine's state (EngineCore, src/core/core.ts) to the function that
// does the work — src/ops/ (construct, blas, elementwise, reductions), src/linalg/ (eig,
// factor, lanczos, svd), src/core/ (memory, fingerprint). TS decides, wasm computes: no
// arithmetic on matrix data happens in TypeScript.

import type { Activation } from './activations.js';
import { abandonedPools, EngineCore, type EngineSetup } from './core.js';
import { checkEngineOptions, resolveBlocking } from './engine-options.js';
import { InternalError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import * as memory from './memory.js';
import type {
  EngineOptions,
  FingerprintPart,
  FromArrayOptions,
  GemmBlocking,
  GemmOptions,
  GemvOptions,
  MapOptions,
  MatmulOptions,
  MemoryStats,
  NormKind,
  RandomOptions,
} from './types.js';
import type { EigOptions } from '../linalg/common.js';
import * as eig from '../linalg/eig.js';
import type { Eigh, EigSelection, TridiagonalEig } from '../linalg/eig.js';
import * as factor from '../linalg/factor.js';
import * as lanczos from '../linalg/lanczos.js';
import type { LanczosOptions, LanczosResult } from '../linalg/lanczos.js';
import * as svd from '../linalg/svd.js';
import type { SvdTop } from '../linalg/svd.js';
import type { DType, Matrix } from './matrix.js';
import { DetMath } from './detmath.js';
import * as blas from '../ops/blas.js';
import * as construct from '../ops/construct.js';
import * as elementwise from '../ops/elementwise.js';
import * as reductions from '../ops/reductions.js';
import { planThreads, poolBytes, ThreadPool, type ThreadInfo } from './threads.js';
import { instantiate, loadModule, PAGE_BYTES, type HostHooks, type Kernels, type Ptr } from './wasm.js';

export type {
  EngineOptions,
  FingerprintPart,
  FromArrayOptions,
  GemmBlocking,
  GemmOptions,
  GemvOptions,
  MapOptions,
  MatmulOptions,
  MemoryStats,
  NormKind,
  RandomOptions,
} from './types.js';

import { DEFAULT_GRAIN, MAX_WORKER_WORKSPACE, SPIN } from './config.js';

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
      if (!pool) throw new InternalError('featurelab internal error: a thread failure was reported without a pool');
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

export class Engine {
  /** @internal The engine's state: kernels, memory, heap, pool, live matrices, scopes. */
  readonly core: EngineCore;
  /** Deterministic scalar transcendentals (exp, log, pow, sin, …) computed in wasm. */
  readonly math: DetMath;

  /** @internal Use createEngine(). */
  constructor(kernels: Kernels, memory: WebAssembly.Memory, options: EngineOptions = {}, setup: EngineSetup = {}) {
    this.core = new EngineCore(this, kernels, memory, options, setup, setup.gemmConfig ?? resolveBlocking(kernels, options.blocking));
    // DetMath's scalar functions start no job and cannot trap: they keep the raw exports.
    this.math = new DetMath(kernels);
  }

  get memory(): WebAssembly.Memory {
    return this.core.memory;
  }
  /** @internal The raw kernels; for tests and advanced callers who manage pointers themselves. */
  get kernels(): Kernels {
    return this.core.kernels;
  }
  get checkFinite(): boolean {
    return this.core.checkFinite;
  }
  /** GEMM register tile and blocking in use, per dtype. */
  get gemmConfig(): Record<DType, GemmBlocking & { mr: number; nr: number }> {
    return this.core.gemmConfig;
  }
  /** Threads the engine computes on (1: the calling thread only). */
  get threads(): number {
    return this.core.threadInfo.threads;
  }
  /** Threads the engine computes on, those requested, and why fewer, if so. */
  get threadInfo(): ThreadInfo {
    return this.core.threadInfo;
  }
  /** @internal Tasks each thread has run so far (index 0: the calling thread; empty with one thread). */
  threadTaskCounts(): number[] {
    return this.core.pool?.taskCounts() ?? [];
  }
  /** @internal Settles when the worker threads have exited (after dispose()). */
  get threadsClosed(): Promise<void> {
    return this.core.pool?.closed ?? Promise.resolve();
  }

  // Construction (src/ops/construct.ts)

  /** Copies `data` (row-major, length rows·cols) into a new matrix; dtype follows the array type. */
  fromArray<A extends Float64Array | Float32Array>(
    data: A,
    rows: number,
    cols: number,
    options?: FromArrayOptions,
  ): Matrix<A extends Float64Array ? 'f64' : 'f32'> {
    return construct.fromArray(this.core, data, rows, cols, options);
  }
  /** A rows×cols matrix of zeros. */
  zeros(rows: number, cols: number, options?: { dtype?: DType }): Matrix {
    return construct.zeros(this.core, rows, cols, options);
  }
  /** A rows×cols matrix with every entry `value`. */
  full(rows: number, cols: number, value: number, options?: { dtype?: DType }): Matrix {
    return construct.full(this.core, rows, cols, value, options);
  }
  /** The n×n identity. */
  eye(n: number, options?: { dtype?: DType }): Matrix {
    return construct.eye(this.core, n, options);
  }
  /** Standard normal entries from Philox4x32-10 (Box–Muller), a pure function of (seed, stream, index). */
  randn(rows: number, cols: number, options?: RandomOptions): Matrix {
    return construct.randn(this.core, rows, cols, options);
  }
  /** Uniform entries in the open interval (0, 1), a pure function of (seed, stream, index). */
  rand(rows: number, cols: number, options?: RandomOptions): Matrix {
    return construct.rand(this.core, rows, cols, options);
  }
  /** A copy. */
  copy(a: Matrix): Matrix {
    return construct.copy(this.core, a);
  }
  /** A copy in another precision (f64 → f32 rounds to nearest). */
  astype(a: Matrix, dtype: DType): Matrix {
    return construct.astype(this.core, a, dtype);
  }
  /** The transpose Aᵀ as a new matrix. */
  transpose(a: Matrix): Matrix {
    return construct.transpose(this.core, a);
  }
  /** The same data viewed with another shape (rows·cols must match); a copy. */
  reshape(a: Matrix, rows: number, cols: number): Matrix {
    return construct.reshape(this.core, a, rows, cols);
  }

  // Level 3 and 2 (src/ops/blas.ts)

  /** α·op(A)·op(B) as a new matrix. */
  matmul(a: Matrix, b: Matrix, options?: MatmulOptions): Matrix {
    return blas.matmul(this.core, a, b, options);
  }
  /** C := α·op(A)·op(B) + β·C in place; returns C. With β = 0, C's old contents are never read. */
  gemm(c: Matrix, a: Matrix, b: Matrix, options?: GemmOptions): Matrix {
    return blas.gemm(this.core, c, a, b, options);
  }
  /**
   * The Gram matrix AᵀA ('AtA', default; cols×cols) or A·Aᵀ ('AAt'; rows×rows), f64 (f32 input
   * is converted). Only one triangle is computed, then mirrored: half the flops of matmul,
   * and bit-identical to matmul(A, A, { transA: true }) (resp. { transB: true }).
   */
  gram(a: Matrix, side: 'AtA' | 'AAt' = 'AtA'): Matrix {
    return blas.gram(this.core, a, side);
  }
  /** y := α·op(A)·x + β·y. x and y are vectors (n×1 or 1×n); the result equals matmul bit for bit. */
  gemv(a: Matrix, x: Matrix, options?: GemvOptions): Matrix {
    return blas.gemv(this.core, a, x, options);
  }

  // Level 1 and elementwise (src/ops/elementwise.ts), reductions (src/ops/reductions.ts)

  /** y := y + α·x in place (same shape and dtype); returns y. */
  axpy(alpha: number, x: Matrix, y: Matrix): Matrix {
    return elementwise.axpy(this.core, alpha, x, y);
  }
  /** α·A as a new matrix (or in place with { out: A }). */
  scale(a: Matrix, alpha: number, options?: { out?: Matrix }): Matrix {
    return elementwise.scale(this.core, a, alpha, options);
  }
  /** Elementwise product A ∘ B as a new matrix (or into { out }). */
  hadamard(a: Matrix, b: Matrix, options?: { out?: Matrix }): Matrix {
    return elementwise.hadamard(this.core, a, b, options);
  }
  /** f(A) or f′(A) elementwise, for the activations the experiments use. */
  map(a: Matrix, activation: Activation, options?: MapOptions): Matrix {
    return elementwise.map(this.core, a, activation, options);
  }
  /** Σ_i x_i y_i over all entries (same shape), in f64 with a fixed summation order. */
  dot(x: Matrix, y: Matrix): number {
    return reductions.dot(this.core, x, y);
  }
  /** Sum of all entries, in f64 with a fixed order. */
  sum(a: Matrix): number {
    return reductions.sum(this.core, a);
  }
  /** Matrix norm: Frobenius (default, overflow-safe), max |a_ij|, 1 (max column sum) or inf (max row sum). */
  norm(a: Matrix, kind: NormKind = 'fro'): number {
    return reductions.norm(this.core, a, kind);
  }
  /** Row sums as a rows×1 matrix. */
  sumRows(a: Matrix): Matrix {
    return reductions.sumRows(this.core, a);
  }
  /** Column sums as a 1×cols matrix. */
  sumCols(a: Matrix): Matrix {
    return reductions.sumCols(this.core, a);
  }
  /** Number of NaN/±Infinity entries. */
  countNonFinite(a: Matrix): number {
    return reductions.countNonFinite(this.core, a);
  }

  // Linear algebra (src/linalg/). f32 input is computed in f64; results are f64.

  /** Eigenvalues of the symmetric S, ascending. Only the lower triangle (i ≥ j) of S is read. */
  eigvalsh(S: Matrix, options: EigOptions = {}): Float64Array {
    return eig.eigvalsh(this.core, S, options);
  }
  /** Eigenvalues (ascending) and eigenvectors (column j pairs with values[j]); lower triangle read. */
  eigh(S: Matrix, options: EigOptions = {}): Eigh {
    return eig.eigh(this.core, S, options);
  }
  /** Eigenvalues (and with { vectors: true } eigenvectors) of the symmetric tridiagonal matrix (d, e). */
  eigTridiagonal(
    d: Float64Array | readonly number[],
    e: Float64Array | readonly number[],
    options: { vectors?: boolean; leafSize?: number; maxSweepsPerN?: number } = {},
  ): TridiagonalEig {
    return eig.eigTridiagonal(this.core, d, e, options);
  }
  /** Selected eigenpairs of the symmetric S: { largest: k }, { smallest: k } or { indices: [from, to) }, ascending. */
  eighSelect(S: Matrix, selection: EigSelection, options: EigOptions = {}): Eigh {
    return eig.eighSelect(this.core, S, selection, options);
  }
  /** Singular values of A, descending, through the eigenvalues of the smaller Gram matrix. */
  svdvals(A: Matrix, options: EigOptions = {}): Float64Array {
    return svd.svdvals(this.core, A, options);
  }
  /**
   * The k largest singular triplets of A by matrix-free Lanczos on AᵀA (or AAᵀ); when σ_k <
   * 10⁻³·σ₁ (rank-deficient or ill-conditioned A) they are recomputed on A itself, so Av = σu
   * and Aᵀu = σv hold to rounding and a zero σ is exactly 0.
   */
  svdTop(A: Matrix, k: number, options: LanczosOptions = {}): SvdTop {
    return svd.svdTop(this.core, A, k, options);
  }
  /**
   * The k largest eigenpairs of the symmetric operator x ↦ op(x) on R^n (op returns a new
   * n×1 f64 matrix, which is disposed), by Lanczos with full reorthogonalisation.
   */
  lanczos(op: (x: Matrix) => Matrix, n: number, k: number, options: LanczosOptions = {}): LanczosResult {
    return lanczos.lanczos(this.core, op, n, k, options);
  }
  /** Cholesky factor L (S = L·Lᵀ, lower triangular, f64) of the SPD matrix S; lower triangle read. */
  cholesky(S: Matrix, options: { blockSize?: number } = {}): Matrix {
    return factor.cholesky(this.core, S, options);
  }
  /** X = (L·Lᵀ)⁻¹·B for a factor L from cholesky(). */
  choleskySolve(L: Matrix, B: Matrix): Matrix {
    return factor.choleskySolve(this.core, L, B);
  }
  /** Solves S·X = B for symmetric positive definite S (lower triangle read). */
  solveSPD(S: Matrix, B: Matrix): Matrix {
    return factor.solveSPD(this.core, S, B);
  }
  /** Thin Householder QR, A = Q·R (A m×n with m ≥ n); { positiveDiagonal: true } makes diag(R) ≥ 0. */
  qr(A: Matrix, options: { positiveDiagonal?: boolean } = {}): { Q: Matrix; R: Matrix } {
    return factor.qr(this.core, A, options);
  }
  /** A Haar-distributed random orthogonal n×n matrix (QR of a seeded Gaussian matrix, diag(R) > 0). */
  randomOrthogonal(n: number, options?: { seed?: number | bigint; stream?: number }): Matrix {
    return factor.randomOrthogonal(this.core, n, options);
  }

  // Memory (src/core/core.ts, src/core/memory.ts)

  /**
   * Runs `fn` and disposes every matrix created inside it, except those it returns (a
   * matrix, or matrices inside returned arrays and plain objects), which move to the
   * enclosing scope. `fn` must be synchronous.
   */
  scope<T>(fn: () => T): T {
    return memory.scope(this.core, fn);
  }
  /** Removes a matrix from every enclosing scope, so that no scope() disposes it. */
  keep<T extends Matrix>(m: T): T {
    return memory.keep(this.core, m);
  }
  memoryStats(): MemoryStats {
    return this.core.memoryStats();
  }
  /** Frees every matrix of this engine and stops its worker threads; the engine cannot be used afterwards. */
  dispose(): void {
    this.core.dispose();
  }
  get disposed(): boolean {
    return this.core.disposed;
  }
  /** @internal Called by Matrix.dispose(). */
  releaseMatrix(matrix: Matrix): void {
    this.core.releaseMatrix(matrix);
  }
  /** @internal Raw scratch memory for callers that drive kernels directly (tests, later layers). */
  allocBytes(bytes: number, what = 'buffer'): Ptr {
    return this.core.allocBytes(bytes, what);
  }
  /** @internal (a no-op after dispose(), which freed everything) */
  freeBytes(ptr: Ptr): void {
    this.core.freeBytes(ptr);
  }
  /** @internal A new f64 matrix (for the linear algebra layer). */
  newMatrix(rows: number, cols: number, what: string): Matrix {
    return this.core.newMatrix(rows, cols, what);
  }
  /**
   * @internal Throws unless `a` is a live matrix of this engine (and of `dtype`, if given): what every
   * caller must check before handing `a.ptr` to a kernel. `what` names the function and
   * argument in the error ("empiricalNTK (net.a)").
   */
  assertMatrix(a: Matrix, what: string, dtype?: DType): void {
    this.core.assertMatrix(a, what, dtype);
  }

  // Fingerprints (src/core/fingerprint.ts)

  /**
   * SHA-256 (hex) over the canonical bytes of the parts, hashed in wasm so every engine
   * computes it alike. Encoding (little-endian, each item tagged): a matrix or float array as
   * its kind, dtype and shape then its data with every NaN canonicalised; a number as its
   * f64 bytes (so −0 ≠ 0); a string as UTF-8; arrays and plain objects recursively (object
   * keys sorted). Matrices nested in arrays or objects are hashed by their data.
   */
  fingerprint(...parts: FingerprintPart[]): string {
    return fingerprint(this.core, parts);
  }
}
