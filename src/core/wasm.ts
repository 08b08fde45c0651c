// Loading the one featurelab.wasm, identically in Node, Bun and browsers.
//
// We use the plain WebAssembly API rather than @assemblyscript/loader or the compiler's
// generated bindings: every export takes and returns numbers (pointers, sizes, scalars),
// memory is imported from us, and no managed AssemblyScript objects cross the boundary,
// so there is nothing for a binding layer to translate. That keeps one code path for all
// engines and lets callers hand us the module themselves.
//
// The memory is a shared WebAssembly.Memory (the module imports it as shared), so worker
// threads can instantiate the same module over it (src/core/threads.ts). The module carries no
// data section: its static data sits in the custom section `featurelab.static-data`
// (scripts/static-data.mjs) and is written once, by the instance that owns the memory.

import { WASM_CONSTANTS } from './abi-constants.js';
import { ArgumentError, FeaturelabError } from './errors.js';
import { describeArg } from './options.js';

/** Pointer into wasm linear memory (byte offset). */
export type Ptr = number;

/** The kernels exported by assembly/index.ts (see the files there for their contracts). */
export interface Kernels {
  abi_version(): number;
  heap_base(): Ptr;

  gemm_workspace_f64(mc: number, nc: number, kc: number): number;
  gemm_workspace_f32(mc: number, nc: number, kc: number): number;
  gemm_f64(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    c: Ptr,
    ldc: number,
    work: Ptr,
    mc: number,
    nc: number,
    kc: number,
    flags: number,
  ): void;
  gemm_f32(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    c: Ptr,
    ldc: number,
    work: Ptr,
    mc: number,
    nc: number,
    kc: number,
    flags: number,
  ): void;
  gemm_epilogue_f64(m: number, n: number, alpha: number, c: Ptr, ldc: number, beta: number, w: Ptr, ldw: number): void;
  gemm_epilogue_f32(m: number, n: number, alpha: number, c: Ptr, ldc: number, beta: number, w: Ptr, ldw: number): void;
  gemm_ref_f64(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    beta: number,
    c: Ptr,
    ldc: number,
  ): void;
  gemm_ref_f32(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    beta: number,
    c: Ptr,
    ldc: number,
  ): void;
  gemv_f64(trans: number, m: number, n: number, a: Ptr, lda: number, x: Ptr, y: Ptr): void;
  gemv_f32(trans: number, m: number, n: number, a: Ptr, lda: number, x: Ptr, y: Ptr): void;

  fill_f64(n: number, x: Ptr, value: number): void;
  fill_f32(n: number, x: Ptr, value: number): void;
  axpy_f64(n: number, alpha: number, x: Ptr, y: Ptr): void;
  axpy_f32(n: number, alpha: number, x: Ptr, y: Ptr): void;
  scal_f64(n: number, alpha: number, x: Ptr, out: Ptr): void;
  scal_f32(n: number, alpha: number, x: Ptr, out: Ptr): void;
  hadamard_f64(n: number, x: Ptr, y: Ptr, out: Ptr): void;
  hadamard_f32(n: number, x: Ptr, y: Ptr, out: Ptr): void;
  convert_f64_to_f32(n: number, x: Ptr, out: Ptr): void;
  convert_f32_to_f64(n: number, x: Ptr, out: Ptr): void;
  transpose_f64(m: number, n: number, a: Ptr, out: Ptr): void;
  transpose_f32(m: number, n: number, a: Ptr, out: Ptr): void;
  count_nonfinite_f64(n: number, x: Ptr): number;
  count_nonfinite_f32(n: number, x: Ptr): number;
  first_nonfinite_f64(n: number, x: Ptr): number;
  first_nonfinite_f32(n: number, x: Ptr): number;
  canonicalize_nan_f64(n: number, x: Ptr, out: Ptr): void;
  canonicalize_nan_f32(n: number, x: Ptr, out: Ptr): void;

  sum_f64(n: number, x: Ptr): number;
  sum_f32(n: number, x: Ptr): number;
  dot_f64(n: number, x: Ptr, y: Ptr): number;
  dot_f32(n: number, x: Ptr, y: Ptr): number;
  asum_f64(n: number, x: Ptr): number;
  asum_f32(n: number, x: Ptr): number;
  dot_ref_f64(n: number, x: Ptr, y: Ptr): number;
  sum_ref_f64(n: number, x: Ptr): number;
  amax_f64(n: number, x: Ptr): number;
  amax_f32(n: number, x: Ptr): number;
  nrm2_f64(n: number, x: Ptr): number;
  nrm2_f32(n: number, x: Ptr): number;
  norm1_f64(m: number, n: number, a: Ptr, work: Ptr): number;
  norm1_f32(m: number, n: number, a: Ptr, work: Ptr): number;
  norminf_f64(m: number, n: number, a: Ptr): number;
  norminf_f32(m: number, n: number, a: Ptr): number;
  row_sums_f64(m: number, n: number, a: Ptr, out: Ptr): void;
  row_sums_f32(m: number, n: number, a: Ptr, out: Ptr): void;
  col_sums_f64(m: number, n: number, a: Ptr, out: Ptr): void;
  col_sums_f32(m: number, n: number, a: Ptr, out: Ptr): void;

  erf(x: number): number;
  map_f64(kind: number, derive: number, param: number, n: number, x: Ptr, out: Ptr): void;
  map_f32(kind: number, derive: number, param: number, n: number, x: Ptr, out: Ptr): void;
  map_ref_f64(kind: number, derive: number, param: number, n: number, x: Ptr, out: Ptr): void;

  philox4x32_10(out: Ptr, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void;
  rng_uniform_f64(out: Ptr, count: number, first: number, seedLo: number, seedHi: number, streamLo: number, streamHi: number): void;
  rng_uniform_f32(out: Ptr, count: number, first: number, seedLo: number, seedHi: number, streamLo: number, streamHi: number): void;
  rng_normal_f64(out: Ptr, count: number, first: number, seedLo: number, seedHi: number, streamLo: number, streamHi: number): void;
  rng_normal_f32(out: Ptr, count: number, first: number, seedLo: number, seedHi: number, streamLo: number, streamHi: number): void;
  /** Test kernels: normals 2j, 2j + 1 from uniforms u1[j], u2[j] two pairs at a time (n even), or one by one (the reference). */
  box_muller_x2_f64(n: number, u1: Ptr, u2: Ptr, out: Ptr): void;
  box_muller_ref_f64(n: number, u1: Ptr, u2: Ptr, out: Ptr): void;
  /** Test kernels: out = [sin θ, cos θ] (2n values), two lanes at a time (n even) or scalar (the reference). */
  sincos_x2_f64(n: number, theta: Ptr, out: Ptr): void;
  sincos_ref_f64(n: number, theta: Ptr, out: Ptr): void;

  la_gemm_workspace(n: number): number;
  gram_f64(outer: number, n: number, k: number, a: Ptr, lda: number, c: Ptr, ldc: number, work: Ptr): void;
  eig_workspace(n: number, nb: number): number;
  symmetrize_lower(n: number, src: Ptr, dst: Ptr): number;
  eigvalsh_driver(n: number, a: Ptr, scale: number, w: Ptr, nb: number, sweepsPerN: number, work: Ptr, gemmWork: Ptr): number;
  eigh_driver(
    n: number,
    a: Ptr,
    scale: number,
    w: Ptr,
    z: Ptr,
    nb: number,
    leafSize: number,
    sweepsPerN: number,
    work: Ptr,
    dcWork: Ptr,
    gemmWork: Ptr,
  ): number;
  /** The two-stage reduction (assembly/lapack/band.ts): bandwidth b, back-transformation block nb. */
  eig2_workspace(n: number, b: number, nb: number): number;
  eigvalsh2_driver(n: number, a: Ptr, scale: number, w: Ptr, b: number, sweepsPerN: number, work: Ptr, gemmWork: Ptr): number;
  eigh2_driver(
    n: number,
    a: Ptr,
    scale: number,
    w: Ptr,
    z: Ptr,
    b: number,
    nb: number,
    leafSize: number,
    sweepsPerN: number,
    work: Ptr,
    dcWork: Ptr,
    gemmWork: Ptr,
  ): number;
  sy2sb_workspace(n: number, b: number): number;
  sb2st_workspace(n: number, b: number): number;
  dsytrd_sy2sb(n: number, b: number, a: Ptr, tau: Ptr, work: Ptr, gemmWork: Ptr): void;
  dsytrd_sb2st(n: number, b: number, a: Ptr, d: Ptr, e: Ptr, store: number, work: Ptr, gemmWork: Ptr): void;
  dstedc_workspace(n: number): number;
  dstedc(n: number, d: Ptr, e: Ptr, q: Ptr, ldq: number, leafSize: number, sweepsPerN: number, work: Ptr, gemmWork: Ptr): number;
  dsterf(n: number, d: Ptr, e: Ptr, sweepsPerN: number): number;

  sqrt_clamped_f64(n: number, x: Ptr, out: Ptr): void;
  qr_extract_r_f64(m: number, n: number, at: Ptr, scale: number, pre: number, r: Ptr): void;
  qr_positive_diagonal_f64(m: number, n: number, q: Ptr, r: Ptr): void;
  first_nonfinite_lower_f64(n: number, a: Ptr): number;
  scale_cols_f64(m: number, k: number, a: Ptr, d: Ptr, out: Ptr): void;
  copy_block_f64(rows: number, cols: number, src: Ptr, rs: number, cs: number, dst: Ptr): void;
  set_diagonal_f64(n: number, a: Ptr, value: number): void;
  set_diagonal_f32(n: number, a: Ptr, value: number): void;
  jacobi_svd_workspace(k: number): number;
  jacobi_svd_rt_f64(k: number, r: Ptr, negligible: number, sigma: Ptr, x: Ptr, y: Ptr, work: Ptr): void;
  dpotrf(n: number, a: Ptr, nb: number, info: Ptr, gemmWork: Ptr): number;
  dpotrs(n: number, l: Ptr, b: Ptr, k: number): void;
  dgeqr2t(m: number, n: number, at: Ptr, tau: Ptr): void;
  dorg2rt(m: number, n: number, at: Ptr, tau: Ptr, q: Ptr, work: Ptr): void;

  math_exp(x: number): number;
  math_expm1(x: number): number;
  math_log(x: number): number;
  math_log1p(x: number): number;
  math_pow(x: number, y: number): number;
  math_sin(x: number): number;
  math_cos(x: number): number;
  math_tanh(x: number): number;
  math_sinh(x: number): number;
  math_cosh(x: number): number;
  math_atan2(y: number, x: number): number;
  math_acos(x: number): number;
  math_erf(x: number): number;
  rank1_hadamard_f64(n: number, N: number, m: Ptr, r: Ptr, c: Ptr, out: Ptr): void;
  center_kernel_f64(n: number, k: Ptr, out: Ptr, work: Ptr): void;
  row_angles_f64(m: number, k: number, d: number, a: Ptr, b: Ptr, out: Ptr): void;
  relu_population_grad(m: number, k: number, d: number, w: Ptr, v: Ptr, grad: Ptr, norms: Ptr): number;
  relu_population_gd(m: number, k: number, d: number, w: Ptr, v: Ptr, eta: number, steps: number, grad: Ptr, norms: Ptr): number;
  abs_population_grad(m: number, k: number, d: number, w: Ptr, a: Ptr, ws: Ptr, as: Ptr, lambda: number, gw: Ptr, ga: Ptr, norms: Ptr): number;
  polyval_f64(n: number, x: Ptr, c: Ptr, ncoef: number, out: Ptr): void;
  one_minus_square_f64(n: number, h: Ptr, out: Ptr): void;
  relu_ntk_f64(n1: number, n2: number, d: number, theta: Ptr, g: Ptr, na2: Ptr, nb2: Ptr, e: number, out: Ptr): void;
  nearest_angles_f64(m: number, k: number, theta: Ptr, lines: number, angle: Ptr, group: Ptr): void;

  MAX_THREADS: WebAssembly.Global;
  thread_workspace_bytes(mc64: number, kc64: number, mc32: number, kc32: number): number;
  thread_ctl_bytes(): number;
  thread_tasks_offset(): number;
  thread_message_offset(): number;
  thread_message_bytes(): number;
  threads_attach(ctl: Ptr): void;
  threads_configure(threads: number, spin: number, grain: number, workBytes: number): void;
  threads_set_workspace(id: number, work: Ptr): void;
  threads_stop(): void;
  thread_generation(ctl: Ptr): number;
  thread_worker(ctl: Ptr, id: number, seen: number): void;
  thread_task_failed(): void;
  thread_clear_failure(): void;
  threads_recover(waitMs: number): number;
  threads_selftest_trap(tasks: number): void;
  threads_selftest_fill(out: Ptr, count: number, rounds: number): void;

  sha256_init(ctx: Ptr): void;
  sha256_update(ctx: Ptr, data: Ptr, len: number): void;
  sha256_final(ctx: Ptr, out: Ptr): void;

  GEMM_F64_MR: WebAssembly.Global;
  GEMM_F64_NR: WebAssembly.Global;
  GEMM_F32_MR: WebAssembly.Global;
  GEMM_F32_NR: WebAssembly.Global;
  SHA256_CONTEXT_BYTES: WebAssembly.Global;

  // The ABI's facts (assembly/abi.ts, assembly/math/activations.ts; src/core/abi-constants.ts).
  ABI_VERSION: WebAssembly.Global;
  STATUS_OK: WebAssembly.Global;
  STATUS_NO_CONVERGENCE: WebAssembly.Global;
  STATUS_NOT_POSITIVE_DEFINITE: WebAssembly.Global;
  ACT_IDENTITY: WebAssembly.Global;
  ACT_RELU: WebAssembly.Global;
  ACT_ABS: WebAssembly.Global;
  ACT_TANH: WebAssembly.Global;
  ACT_ERF: WebAssembly.Global;
  ACT_SOFTPLUS: WebAssembly.Global;
  ACT_SIGMOID: WebAssembly.Global;
  ACT_HERMITE: WebAssembly.Global;
  ACT_SQUARE: WebAssembly.Global;
  /** The imported memory, exported again by the module. */
  memory: WebAssembly.Memory;
}

/** Where the module comes from: bytes, a compiled module, or a URL (default: beside this file). */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

/** wasm32 pages are 64 KiB; 65 536 pages = 4 GiB is the most a 32-bit address can reach. */
export const PAGE_BYTES = 65536;
export const MAX_PAGES = 65536;

/** The kernel ABI this TS layer was built against (assembly/abi.ts, via src/core/abi-constants.ts). */
export const ABI_VERSION: number = WASM_CONSTANTS.ABI_VERSION;

/** Name of the custom section holding the module's static data (scripts/static-data.mjs). */
export const STATIC_DATA_SECTION = 'featurelab.static-data';

/** What the module imports from its host besides the memory. */
export interface HostHooks {
  /** A worker thread's task failed; throws that failure as an error (called from wasm). */
  threadFailure(): never;
}

const defaultUrl = (): URL => new URL('../featurelab.wasm', import.meta.url);

/** Compiles the featurelab module from the given source (or the .wasm beside this file). */
export async function compileModule(source: WasmSource = defaultUrl()): Promise<WebAssembly.Module> {
  return (await loadModule(source, 'compileModule')).module;
}

/**
 * The compiled module and, unless it was handed over compiled, its bytes. `fn` names the
 * public function in errors: a source of the wrong type is an ArgumentError, a file or URL
 * that cannot be read or bytes that do not compile a FeaturelabError naming the source.
 * @internal
 */
export async function loadModule(
  source: WasmSource = defaultUrl(),
  fn = 'createEngine',
): Promise<{ module: WebAssembly.Module; bytes?: Uint8Array<ArrayBuffer> }> {
  if (source instanceof WebAssembly.Module) return { module: source };
  let bytes: Uint8Array<ArrayBuffer>;
  let from = 'the given bytes';
  if (ArrayBuffer.isView(source)) bytes = new Uint8Array(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength);
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (typeof source === 'string' || source instanceof URL) {
    let url: URL;
    try {
      url = typeof source === 'string' ? new URL(source, defaultUrl()) : source;
    } catch {
      throw new ArgumentError(`${fn}: wasm ${describeArg(source)} is not a valid path or URL`);
    }
    from = url.href;
    try {
      if (url.protocol === 'file:') {
        // Node and Bun: read from disk. The module name is a variable so that bundlers and
        // browsers never try to resolve it; this branch only runs where file: URLs are loaded.
        const fsName = 'node:fs/promises';
        const fs: { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> } = await import(/* @vite-ignore */ fsName);
        bytes = await fs.readFile(url);
      } else {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        bytes = new Uint8Array(await response.arrayBuffer());
      }
    } catch (error) {
      throw new FeaturelabError(`${fn}: cannot read the wasm module from ${url.href}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    throw new ArgumentError(
      `${fn}: wasm must be the module's bytes (an ArrayBuffer or typed array), a WebAssembly.Module, a URL or a path, got ${describeArg(source)}`,
    );
  }
  try {
    return { module: await WebAssembly.compile(bytes), bytes };
  } catch (error) {
    throw new FeaturelabError(
      `${fn}: the wasm module from ${from} does not compile (is it featurelab.wasm?): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

let tierChosen = false;

/**
 * @internal
 * Node: has V8 compile wasm functions with its optimising compiler (TurboFan) on their first
 * call, instead of starting them in the baseline tier (Liftoff). V8 swaps optimised code in
 * only between calls (wasm has no on-stack replacement), so a kernel that runs once for a
 * long time (a QR iteration, a large map, a whole reduction) would stay in Liftoff, ≈ 1.5–2×
 * slower, on its first call: the cost of every cold CLI run. The flag is process-wide (it
 * also covers worker threads, which share the compiled module) and changes no result (the
 * tiers run the same wasm semantics). Because it is process-wide, only the CLI calls it (the
 * process is ours); a library user who owns the process may call it before createEngine, or
 * run `node --no-liftoff`. FEATURELAB_BASELINE_TIER=1 keeps V8's default
 * (bench/cold-start.bench.js uses it to measure the difference). Bun (JavaScriptCore) and
 * browsers are left alone: JSC replaces a running loop with optimised code (loop OSR), and
 * browsers give pages no say (docs/benchmarks.md, "Cold start").
 * see: V8's flag definitions (--liftoff, --wasm-lazy-compilation) in src/flags/flag-definitions.h.
 */
export async function preferOptimisingTier(): Promise<void> {
  if (tierChosen) return;
  tierChosen = true;
  const proc = (globalThis as { process?: { versions?: Record<string, string | undefined>; env?: Record<string, string | undefined> } }).process;
  if (!proc?.versions?.node || proc.versions.bun || proc.versions.deno) return;
  if (proc.env?.FEATURELAB_BASELINE_TIER === '1') return;
  try {
    const v8Name = 'node:v8'; // a variable, so bundlers never resolve it (as node:fs above)
    const v8: { setFlagsFromString(flags: string): void } = await import(/* @vite-ignore */ v8Name);
    v8.setFlagsFromString('--no-liftoff');
  } catch {
    // not Node after all, or flags frozen: V8's default tiering, same results
  }
}

/**
 * The module's bytes with its memory import declared unshared (the limits flag 0x03 →
 * 0x01; nothing else changes: the same code, so the same results). For engines that cannot
 * create a shared memory; atomic instructions are valid on an unshared memory and the
 * kernels never reach them without a thread pool.
 * see: WebAssembly core specification 2.0, §5.5.5 (import section), §5.3.7 (limits);
 *      the threads proposal (shared limits flag 0x03).
 */
export function unshareMemoryImport(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  const leb = (pos: number): [number, number] => {
    let value = 0,
      shift = 0,
      byte: number;
    do {
      byte = out[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, pos];
  };
  for (let pos = 8; pos < out.length; ) {
    const id = out[pos++]!;
    let size: number;
    [size, pos] = leb(pos);
    if (id !== 2) {
      pos += size;
      continue;
    }
    let count: number, p: number;
    [count, p] = leb(pos);
    for (let i = 0; i < count; i++) {
      for (let name = 0; name < 2; name++) {
        let length: number;
        [length, p] = leb(p);
        p += length;
      }
      const kind = out[p++]!;
      if (kind === 0)
        [, p] = leb(p); // function: type index
      else if (kind === 3)
        p += 2; // global: value type, mutability
      else {
        if (kind === 1) p++; // table: element type, then limits
        const flags = out[p]!;
        if (kind === 2 && flags === 0x03) {
          out[p] = 0x01;
          return out;
        }
        [, p] = leb(p + 1);
        if (flags & 1) [, p] = leb(p);
      }
    }
    break;
  }
  throw new FeaturelabError('featurelab: the wasm module does not import a shared memory (is it featurelab.wasm?)');
}

/**
 * A fresh shared memory that may grow to the wasm32 limit, or as far as this engine can
 * reserve (a shared memory's maximum is reserved up front: 4 GiB may fail on 32-bit
 * platforms), or undefined if it cannot create shared memories at all. (Browsers create
 * shared memories also without cross-origin isolation; only handing one to a worker needs it.)
 */
export function createSharedMemory(initialPages: number): WebAssembly.Memory | undefined {
  for (const maximum of [MAX_PAGES, MAX_PAGES / 4, MAX_PAGES / 16]) {
    try {
      return new WebAssembly.Memory({ initial: initialPages, maximum, shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  return undefined;
}

/**
 * Instantiates the module over `memory`. The memory's owner (`owner`: the engine's own
 * instance, not a worker's) also writes the static data, before any kernel runs.
 */
export async function instantiateOver(module: WebAssembly.Module, memory: WebAssembly.Memory, hooks: HostHooks, owner: boolean): Promise<Kernels> {
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory, thread_failure: () => hooks.threadFailure() } });
  } catch (error) {
    throw new FeaturelabError(`featurelab: the wasm module could not be instantiated (is it featurelab.wasm?): ${String(error)}`);
  }
  const kernels = instance.exports as unknown as Kernels;
  const version = typeof kernels.abi_version === 'function' ? kernels.abi_version() : undefined;
  if (version !== ABI_VERSION) {
    throw new FeaturelabError(
      `featurelab: the wasm module has kernel ABI ${version ?? '(none: not a featurelab module)'} but this build expects ${ABI_VERSION}; ` +
        `use the featurelab.wasm shipped with this package`,
    );
  }
  checkConstants(kernels);
  if (owner) writeStaticData(module, memory);
  return kernels;
}

/**
 * Instantiates the module over a fresh memory: shared if this engine can (else the module is
 * recompiled from `bytes` with an unshared memory import: one thread only).
 */
export async function instantiate(
  module: WebAssembly.Module,
  initialPages: number,
  hooks: HostHooks,
  bytes?: Uint8Array<ArrayBuffer>,
): Promise<{ kernels: Kernels; memory: WebAssembly.Memory; shared: boolean }> {
  const memory = createSharedMemory(initialPages);
  if (memory) return { kernels: await instantiateOver(module, memory, hooks, true), memory, shared: true };
  if (!bytes) {
    throw new FeaturelabError(
      'featurelab: this JavaScript engine cannot create a shared WebAssembly.Memory, and the module was given compiled: ' +
        'pass its bytes or URL to createEngine({ wasm }) so that it can be loaded with an unshared memory',
    );
  }
  const unshared = await WebAssembly.compile(unshareMemoryImport(bytes));
  const plain = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES });
  return { kernels: await instantiateOver(unshared, plain, hooks, true), memory: plain, shared: false };
}

/**
 * The module's ABI globals must be the values this TS layer was built with (a module and
 * a TS build out of step, same ABI version: src/core/abi-constants.ts is stale).
 */
function checkConstants(kernels: Kernels): void {
  const exports = kernels as unknown as Record<string, WebAssembly.Global | undefined>;
  for (const [name, value] of Object.entries(WASM_CONSTANTS)) {
    const actual = exports[name]?.value as unknown;
    if (actual !== value) {
      throw new FeaturelabError(
        `featurelab: the wasm module has ${name} = ${String(actual)} but this build expects ${value}; ` +
          `use the featurelab.wasm shipped with this package (or run node scripts/generate-constants.mjs after npm run build:wasm)`,
      );
    }
  }
}

/** Copies the static data segments (offset, bytes) from the module's custom section into memory. */
function writeStaticData(module: WebAssembly.Module, memory: WebAssembly.Memory): void {
  const sections = WebAssembly.Module.customSections(module, STATIC_DATA_SECTION);
  if (sections.length !== 1) {
    throw new FeaturelabError(`featurelab: the wasm module has no ${STATIC_DATA_SECTION} section (build it with npm run build:wasm)`);
  }
  const data = new Uint8Array(sections[0]!);
  const view = new DataView(data.buffer);
  const heap = new Uint8Array(memory.buffer);
  let pos = 4;
  for (let i = 0, count = view.getUint32(0, true); i < count; i++) {
    const offset = view.getUint32(pos, true);
    const length = view.getUint32(pos + 4, true);
    heap.set(data.subarray(pos + 8, pos + 8 + length), offset);
    pos += 8 + length;
  }
}
