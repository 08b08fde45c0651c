// The engine's thread pool: worker threads (Node/Bun worker_threads, browser Web Workers),
// each with its own instance of featurelab.wasm over the engine's shared memory. The
// kernels split their work themselves (assembly/parallel/pool.ts): the engine's thread posts a
// job in the control block, takes part in it and blocks (Atomics.wait) until it is done, so
// the API stays synchronous. Results are bit-identical for any number of threads.
//
// Blocking needs a thread that may block: Node's and Bun's main threads, and Web Workers.
// A browser's main thread may not, and a page that is not cross-origin isolated cannot
// share memory with workers: there the engine runs on one thread and says why
// (Engine.threadInfo, and one console warning).

import { WASM_CONSTANTS } from './abi-constants.js';
import { DEFAULT_MAX_THREADS } from './config.js';
import { ArgumentError, WorkerError } from './errors.js';
import type { Kernels, Ptr } from './wasm.js';

/** The most threads an engine uses (assembly/abi.ts MAX_THREADS, via src/core/abi-constants.ts). */
export const MAX_THREADS: number = WASM_CONSTANTS.MAX_THREADS;
/** The default is the available cores, but at most DEFAULT_MAX_THREADS (src/core/config.ts). */
export { DEFAULT_MAX_THREADS };
/** How long a worker may take to start (load its script, instantiate the module). */
const START_TIMEOUT_MS = 60_000;
/** How long the engine's thread waits for the workers' tasks of a job a trap interrupted. */
const RECOVER_WAIT_MS = 10_000;

export interface ThreadInfo {
  /** Threads the engine computes on (the calling thread and threads − 1 workers). */
  threads: number;
  /** Threads asked for (the option, or the default: the available cores, at most 16). */
  requested: number;
  /** Why fewer threads than requested run (one thread), if so. */
  fallback?: string;
}

// Module names in variables: bundlers and browsers never try to resolve them; these
// branches only run in Node and Bun.
const WORKER_THREADS = 'node:worker_threads';
const OS = 'node:os';
const WORKER_SCRIPT = './thread-worker.js';

interface NodeProcess {
  versions?: { node?: string };
  execArgv?: string[];
  env?: Record<string, string | undefined>;
}
const nodeProcess = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;
const isNodeLike = (): boolean => typeof nodeProcess()?.versions?.node === 'string';

/** Can this thread block in Atomics.wait? (A browser's main thread cannot.) */
function canBlock(): boolean {
  try {
    const cell = new Int32Array(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer);
    Atomics.wait(cell, 0, 1, 0); // value 0 ≠ 1: returns at once where waiting is allowed
    return true;
  } catch {
    return false;
  }
}

/** Why threads cannot be used here, or undefined when they can. */
function whyNoThreads(sharedMemory: boolean): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (!sharedMemory) return 'this JavaScript engine cannot create a shared WebAssembly.Memory';
  const reasons: string[] = [];
  if (!canBlock()) reasons.push("this thread may not block (a browser page's main thread): run the engine in a Web Worker");
  if (g.crossOriginIsolated === false) {
    reasons.push(
      'the page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (featurelab serve does)',
    );
  }
  if (!isNodeLike() && typeof g.Worker !== 'function') reasons.push('Web Workers are not available');
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

async function availableCores(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (isNodeLike()) {
    try {
      const os = (await import(/* @vite-ignore */ OS)) as { availableParallelism?: () => number; cpus: () => unknown[] };
      return os.availableParallelism?.() ?? os.cpus().length;
    } catch {
      // fall through
    }
  }
  return nav?.hardwareConcurrency ?? 1;
}

/** A thread count: an integer in [1, MAX_THREADS]; `what` names it in the error. */
export function checkThreads(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new ArgumentError(`${what} must be an integer in [1, ${MAX_THREADS}], got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  return value;
}

let warned = false;

/**
 * The threads to run on: `requested` (validated), or by default the available cores (at
 * most 16; FEATURELAB_THREADS in the environment overrides the default in Node and Bun);
 * one, with the reason, where this environment cannot run threads (or the engine's memory
 * is not shared).
 */
export async function planThreads(requested: number | undefined, sharedMemory = true): Promise<ThreadInfo> {
  let wanted: number;
  if (requested !== undefined) wanted = checkThreads(requested, 'createEngine: threads');
  else {
    const env = nodeProcess()?.env?.FEATURELAB_THREADS;
    wanted =
      env !== undefined && env !== ''
        ? checkThreads(Number(env), 'the environment variable FEATURELAB_THREADS')
        : Math.max(1, Math.min(DEFAULT_MAX_THREADS, await availableCores()));
  }
  if (wanted === 1) return { threads: 1, requested: 1 };
  const fallback = whyNoThreads(sharedMemory);
  if (fallback === undefined) return { threads: wanted, requested: wanted };
  if (!warned) {
    warned = true;
    console.warn(`featurelab: running on one thread instead of ${wanted}: ${fallback}`);
  }
  return { threads: 1, requested: wanted, fallback };
}

/** What a worker is sent when it starts (src/thread-worker.ts). */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: Ptr;
  id: number;
}

/** What a worker answers. */
export type WorkerReply = { ready: number } | { error: string };

interface WorkerHandle {
  /** Settles when the worker has instantiated the module (or failed to). */
  ready: Promise<void>;
  /** Called if the worker dies after it was ready (not when the pool stops it). */
  onLost?: (reason: string) => void;
  /** Settles when the worker has exited (or was terminated). */
  exited: Promise<void>;
  terminate(): void;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  const event = error as { message?: unknown } | null;
  return typeof event?.message === 'string' && event.message !== '' ? event.message : String(error);
}

async function spawnNode(init: WorkerInit, label: string): Promise<WorkerHandle> {
  type NodeWorker = {
    on(event: string, listener: (arg: never) => void): void;
    once(event: string, listener: (arg: never) => void): void;
    postMessage(message: unknown): void;
    terminate(): Promise<number>;
    unref(): void;
  };
  const { Worker } = (await import(/* @vite-ignore */ WORKER_THREADS)) as { Worker: new (url: URL, options?: object) => NodeWorker };
  // Workers inherit the process's Node options, but --input-type (node --input-type=module
  // -e …) is refused for a worker's file: then they get none (an explicit list may not hold
  // V8 or per-process options either, so it cannot simply be filtered).
  const inputType = (nodeProcess()?.execArgv ?? []).some((arg) => arg.startsWith('--input-type'));
  // (The script's name in a variable: bundlers must not take this Node-only call for a Web Worker.)
  const script = new URL(WORKER_SCRIPT, import.meta.url);
  const worker = new Worker(script, inputType ? { name: label, execArgv: [] } : { name: label });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let started = false,
    stopping = false,
    lastError = '';
  const handle: WorkerHandle = {
    ready: new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          started = true;
          resolve();
        } else reject(new WorkerError(`${label} failed to start: ${reply.error}`));
      });
      worker.on('error', (error: unknown) => {
        lastError = describe(error);
        reject(new WorkerError(`${label} failed: ${lastError}`));
      });
      worker.once('exit', (code: number) => {
        reject(new WorkerError(`${label} exited (code ${code}) before it was ready`));
        if (started && !stopping) handle.onLost?.(`${label} exited (code ${code})${lastError ? `: ${lastError}` : ''}`);
      });
    }),
    exited,
    terminate: () => {
      stopping = true;
      void worker.terminate().catch(() => {});
    },
  };
  // An engine that is never disposed must not keep the process alive. (After the listeners:
  // adding a 'message' listener refs the worker's port again.)
  worker.unref();
  worker.postMessage(init);
  return handle;
}

function spawnWeb(init: WorkerInit, label: string): WorkerHandle {
  // This exact form lets bundlers (Vite) find and bundle the worker script.
  const worker = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
  let markExited!: () => void;
  const exited = new Promise<void>((resolve) => (markExited = resolve));
  let started = false;
  const handle: WorkerHandle = {
    ready: new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const reply = event.data;
        if ('ready' in reply) {
          started = true;
          resolve();
        } else reject(new WorkerError(`${label} failed to start: ${reply.error}`));
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        const message = event.message || 'its script (thread-worker.js) could not be loaded';
        reject(new WorkerError(`${label} failed: ${message}`));
        if (started) handle.onLost?.(`${label} failed: ${message}`);
      };
      worker.onmessageerror = () => reject(new WorkerError(`${label}: the module or memory could not be sent to it`));
    }),
    exited,
    terminate: () => {
      worker.terminate();
      markExited();
    },
  };
  worker.postMessage(init);
  return handle;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new WorkerError(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface PoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The engine's own instance. */
  kernels: Kernels;
  threads: number;
  /** A zeroed region for the control block and the workers' workspaces (see poolBytes). */
  region: Ptr;
  /** Bytes of each worker's GEMM packing workspace. */
  workBytes: number;
  /** Polls of a flag before sleeping on it. */
  spin: number;
  /** Least work (≈ flops) per task. */
  grain: number;
}

const align64 = (n: number): number => Math.ceil(n / 64) * 64;

/** Bytes of the region a pool of `threads` threads needs (control block, workspaces). */
export function poolBytes(kernels: Kernels, threads: number, workBytes: number): number {
  return align64(kernels.thread_ctl_bytes()) + (threads - 1) * align64(workBytes);
}

/** A running pool; the engine's instance is attached to it. */
export class ThreadPool {
  readonly threads: number;
  readonly ctl: Ptr;
  readonly #kernels: Kernels;
  readonly #memory: WebAssembly.Memory;
  readonly #workers: WorkerHandle[];
  #stopped = false;

  private constructor(options: PoolOptions, workers: WorkerHandle[]) {
    this.threads = options.threads;
    this.ctl = options.region;
    this.#kernels = options.kernels;
    this.#memory = options.memory;
    this.#workers = workers;
  }

  /** Starts threads − 1 workers and attaches the engine's instance; rejects with a WorkerError if one fails. */
  static async start(options: PoolOptions): Promise<ThreadPool> {
    const { kernels, threads, region, workBytes } = options;
    const ctl = region;
    kernels.threads_attach(ctl);
    kernels.threads_configure(1, options.spin, options.grain, workBytes); // serial until every worker is ready
    let work = ctl + align64(kernels.thread_ctl_bytes());
    for (let id = 1; id < threads; id++, work += align64(workBytes)) kernels.threads_set_workspace(id, work);
    const workers: WorkerHandle[] = [];
    const pool = new ThreadPool(options, workers);
    try {
      const web = !isNodeLike();
      for (let id = 1; id < threads; id++) {
        const label = `featurelab worker thread ${id} of ${threads - 1}`;
        const init: WorkerInit = { module: options.module, memory: options.memory, ctl, id };
        workers.push(web ? spawnWeb(init, label) : await spawnNode(init, label));
      }
      await withTimeout(
        Promise.all(workers.map((w) => w.ready)),
        START_TIMEOUT_MS,
        `featurelab: the worker threads did not start within ${START_TIMEOUT_MS / 1000} s`,
      );
    } catch (error) {
      pool.stop();
      throw error instanceof WorkerError ? error : new WorkerError(`featurelab: could not start the worker threads: ${describe(error)}`);
    }
    kernels.threads_configure(threads, options.spin, options.grain, workBytes);
    // A worker that dies later (between calls) takes no more tasks: the others and the
    // engine's thread do them. (One dying in the middle of a task would leave its job
    // unfinished; nothing in featurelab's code makes a worker die.)
    for (const w of workers) w.onLost = (reason) => console.warn(`featurelab: ${reason}; the engine carries on with the other threads`);
    return pool;
  }

  /**
   * Called from wasm (the import env.thread_failure) when a task failed in a worker: throws
   * the worker's error, after clearing it. Every task of the job has finished by then.
   */
  threadFailure(): never {
    const text = this.takeMessage();
    this.#kernels.thread_clear_failure();
    throw new WorkerError(`featurelab: a worker thread failed while computing: ${text || 'unknown error'}`);
  }

  /**
   * Called by the engine after an error escaped a kernel on the calling thread. A wasm trap
   * there in the middle of a parallel job leaves the job's state set (wasm has no finally),
   * which would silently keep every later job on one thread: the job is stopped, the
   * workers finish the tasks they took and the state is cleared. Returns 'idle' (no job
   * was in progress), 'recovered' (the pool works as before; `workerError` is a worker's
   * failure in the same job, if any) or 'lost' (the workers did not finish in time: the
   * pool is no longer used and the engine runs on one thread).
   */
  recover(): { state: 'idle' | 'recovered' | 'lost'; workerError?: string } {
    if (this.#stopped) return { state: 'idle' };
    const status = this.#kernels.threads_recover(RECOVER_WAIT_MS);
    if (status === 0) return { state: 'idle' };
    if (status < 0) {
      this.#kernels.threads_configure(1, 0, 0, 0);
      return { state: 'lost' };
    }
    const workerError = this.takeMessage();
    this.#kernels.thread_clear_failure();
    return workerError ? { state: 'recovered', workerError } : { state: 'recovered' };
  }

  /** A failed worker's error text from the control block (cleared), or '' if none. */
  private takeMessage(): string {
    const offset = this.ctl + this.#kernels.thread_message_offset();
    const length = new Int32Array(this.#memory.buffer, offset, 1);
    const n = Math.max(0, Math.min(Atomics.load(length, 0), this.#kernels.thread_message_bytes() - 4));
    const text = new TextDecoder().decode(new Uint8Array(this.#memory.buffer, offset + 4, n).slice());
    Atomics.store(length, 0, 0);
    return text;
  }

  /** Tasks each thread has run so far (index 0: the engine's thread), for diagnostics. */
  taskCounts(): number[] {
    if (this.#stopped) return [];
    return Array.from(new Uint32Array(this.#memory.buffer, this.ctl + this.#kernels.thread_tasks_offset(), this.threads));
  }

  /** Settles when every worker has exited. */
  get closed(): Promise<void> {
    return Promise.all(this.#workers.map((w) => w.exited)).then(() => undefined);
  }

  /** Stops the workers (they return from their loop, and are terminated) and detaches the engine. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#kernels.threads_configure(1, 0, 0, 0);
    this.#kernels.threads_stop();
    this.#kernels.threads_attach(0);
    for (const w of this.#workers) w.terminate();
  }
}
