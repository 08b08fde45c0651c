// Peer libraries for the GEMM benchmark. Each loader returns an adapter, or
// { skip: reason } when the peer cannot run here, so the suite still runs without it.
//
// An adapter has: name, version, dtypes it supports, and setup(n, a, b) taking
// row-major Float32Array/Float64Array inputs and returning { run, result, dispose }:
// run() computes C = A·B once (the timed call), result() returns C row-major.

import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Version of an installed package (some, like ml-matrix, do not export ./package.json). */
export function packageVersion(name) {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === name) return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------
// @tensorflow/tfjs-backend-wasm (XNNPACK kernels), f32 only.

export async function loadTfjsWasm() {
  let tf, wasm;
  try {
    tf = await import('@tensorflow/tfjs-core');
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { skip: `@tensorflow/tfjs-backend-wasm not installed (${error.code ?? error.message})` };
  }

  // The backend picks its binary from these flags: SIMD without threads selects
  // tfjs-backend-wasm-simd.wasm. Threads are never enabled in Node, and we ask XNNPACK
  // for one thread anyway so the comparison stays single-threaded everywhere.
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const binary = simd ? (threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm') : 'tfjs-backend-wasm.wasm';
  // Load the .wasm files straight from node_modules (a directory prefix, so the
  // backend's own SIMD choice applies).
  const distDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);
  wasm.setWasmPaths(distDir);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) return { skip: 'tfjs wasm backend failed to initialise' };
  await tf.ready();
  const threads = wasm.getThreadsCount();
  if (threads !== 1) throw new Error(`tfjs-backend-wasm runs ${threads} threads, expected 1`);
  if (!simd) console.warn('note: WebAssembly SIMD unavailable, tfjs-backend-wasm runs its scalar binary');

  return {
    name: 'tfjs-wasm',
    version: packageVersion('@tensorflow/tfjs-backend-wasm'),
    dtypes: ['f32'],
    info: { binary, simd, threads },
    setup(n, a, b) {
      const ta = tf.tensor2d(a, [n, n], 'float32');
      const tb = tf.tensor2d(b, [n, n], 'float32');
      const product = () => tf.matMul(ta, tb);
      return {
        // dataSync() reads the result back, so the product has really been computed.
        run() {
          const c = product();
          c.dataSync();
          c.dispose();
        },
        result() {
          const c = product();
          const out = c.dataSync().slice();
          c.dispose();
          return out;
        },
        dispose() {
          ta.dispose();
          tb.dispose();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// ml-matrix (plain JavaScript triple loop), f64 only.

export async function loadMlMatrix() {
  let Matrix;
  try {
    ({ Matrix } = await import('ml-matrix'));
  } catch (error) {
    return { skip: `ml-matrix not installed (${error.code ?? error.message})` };
  }
  return {
    name: 'ml-matrix',
    version: packageVersion('ml-matrix'),
    dtypes: ['f64'],
    info: {},
    setup(n, a, b) {
      const A = Matrix.from1DArray(n, n, a);
      const B = Matrix.from1DArray(n, n, b);
      return {
        run: () => A.mmul(B), // allocates C each call: ml-matrix has no in-place product
        result: () => Float64Array.from(A.mmul(B).to1DArray()),
        dispose() {},
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// numpy (OpenBLAS/MKL) in a python3 child process, both dtypes.

export const PYTHON = process.env.PYTHON ?? 'python3';
const SINGLE_THREAD_ENV = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/**
 * The environment of a numpy child on `threads` BLAS threads. The scripts set the thread
 * variables themselves too; setting them here also covers anything python imports before the
 * script runs (sitecustomize). This machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set for
 * old OpenBLAS builds; they slow a current numpy) are dropped.
 */
export function numpyEnv(threads = 1) {
  const env = { ...process.env, ...SINGLE_THREAD_ENV };
  if (threads !== 1) {
    for (const key of Object.keys(SINGLE_THREAD_ENV)) env[key] = String(threads);
    env.BENCH_NUMPY_THREADS = String(threads);
  }
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/**
 * Runs a bench/ python script single-threaded (or on `threads` BLAS threads) and returns its
 * parsed JSON stdout, or { skip: reason } when python3 or numpy is missing (the scripts exit
 * with 2 then). Its environment is numpyEnv(threads).
 */
export function runPythonScript(name, args, { threads = 1 } = {}) {
  const child = spawnSync(PYTHON, [path.join(here, name), ...args], {
    encoding: 'utf8',
    env: numpyEnv(threads),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error?.code === 'ENOENT') return { skip: `${PYTHON} not found` };
  if (child.error) return { skip: `${PYTHON} failed: ${child.error.message}` };
  if (child.status === 2) return { skip: 'numpy not installed' };
  if (child.status !== 0) throw new Error(`bench/${name} exited with ${child.status}:\n${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** numpy GEMM timings (bench/numpy_gemm.py) for sizes × dtypes. */
export function runNumpy(sizes, dtypes, { minTime = 1.0, minReps = 5, warmup = 2 } = {}) {
  return runPythonScript('numpy_gemm.py', [
    `--sizes=${sizes.join(',')}`,
    `--dtypes=${dtypes.join(',')}`,
    `--min-time=${minTime}`,
    `--min-reps=${minReps}`,
    `--warmup=${warmup}`,
  ]);
}

/** numpy eigvalsh/eigh timings (bench/numpy_eig.py) for one size. */
export function runNumpyEig(n, { reps = 5, warmup = 1, threads = 1 } = {}) {
  return runPythonScript('numpy_eig.py', [`--n=${n}`, `--reps=${reps}`, `--warmup=${warmup}`], { threads });
}

/** Probes python3 + numpy once, so the suite can print a note up front. */
export function probeNumpy() {
  const probe = runNumpy([8], ['f64'], { minTime: 0, minReps: 1, warmup: 0 });
  if (probe.skip) return probe;
  return { name: 'numpy', version: probe.numpy, info: { python: probe.python, blas: probe.blas, threadpools: probe.threadpools } };
}
