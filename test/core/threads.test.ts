// Threads (issue 7): the kernels split over a pool of workers sharing the engine's memory
// must give the same bytes for every thread count. The conformance suite runs at 1–4
// threads with grain 0 (every kernel split even on tiny inputs) against the goldens, in Node
// and in Chromium (engine in a Web Worker of a cross-origin-isolated page); larger problems
// compare 2–4 threads with 1 at the default grain. Failures in a worker surface as a
// WorkerError, dispose() stops the workers, and creating and disposing engines leaks
// neither threads nor pending work.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, createEngine, DisposedError, FeaturelabError, WorkerError, type Engine } from '../../dist/index.js';
import { runConformance } from '../../dist/harness/conformance.js';
import { BUN, CHROMIUM, FIREFOX, ISOLATION_HEADERS, modulePage, runInBun, runInChromium, runInFirefox } from '../engines.js';

const GOLDENS = JSON.parse(readFileSync(new URL('../goldens/conformance.json', import.meta.url), 'utf8')) as Record<string, string>;
const THREAD_COUNTS = [1, 2, 3, 4];

/** Names of the cases whose fingerprint differs from the goldens. */
function mismatches(results: Record<string, string>): string[] {
  return Object.keys(GOLDENS).filter((name) => results[name] !== GOLDENS[name]);
}

/** Threads of this process (Linux), to see that disposed engines leave none behind. */
function osThreads(): number | undefined {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

describe('thread count', () => {
  it('defaults to the available cores (at most 16) and reports what it uses', async () => {
    const saved = process.env.FEATURELAB_THREADS;
    delete process.env.FEATURELAB_THREADS;
    try {
      const fl = await createEngine();
      const cores = Math.min(16, os.availableParallelism());
      expect(fl.threads).toBe(cores);
      expect(fl.threadInfo).toEqual({ threads: cores, requested: cores });
      fl.dispose();
    } finally {
      if (saved !== undefined) process.env.FEATURELAB_THREADS = saved;
    }
  });

  it('FEATURELAB_THREADS overrides the default, the option overrides both', async () => {
    const saved = process.env.FEATURELAB_THREADS;
    process.env.FEATURELAB_THREADS = '3';
    try {
      const a = await createEngine();
      expect(a.threads).toBe(3);
      a.dispose();
      const b = await createEngine({ threads: 1 });
      expect(b.threadInfo).toEqual({ threads: 1, requested: 1 });
      b.dispose();
      process.env.FEATURELAB_THREADS = 'many';
      await expect(createEngine()).rejects.toThrow(/FEATURELAB_THREADS must be an integer in \[1, 64\], got NaN/);
    } finally {
      if (saved === undefined) delete process.env.FEATURELAB_THREADS;
      else process.env.FEATURELAB_THREADS = saved;
    }
  });

  it('an engine that cannot create shared memory loads the module with an unshared memory, on one thread', async () => {
    // A child process whose WebAssembly.Memory refuses shared: true (as a browser might).
    const { spawnSync } = await import('node:child_process');
    const dist = new URL('../../dist/', import.meta.url).href;
    const script = `const Original = WebAssembly.Memory;
WebAssembly.Memory = function Memory(d) { if (d && d.shared) throw new TypeError('no shared memory here'); return new Original(d); };
WebAssembly.Memory.prototype = Original.prototype;
const { createEngine } = await import(${JSON.stringify(`${dist}index.js`)});
const fl = await createEngine({ threads: 4 });
const fp = fl.fingerprint(fl.matmul(fl.randn(50, 40, { seed: 1 }), fl.randn(40, 30, { seed: 2 })), fl.math.exp(1), 'abc');
let compiled = '';
try { await createEngine({ wasm: await WebAssembly.compile((await import('node:fs')).readFileSync(new URL('featurelab.wasm', ${JSON.stringify(dist)}))) }); }
catch (e) { compiled = e.message; }
console.log(JSON.stringify({ info: fl.threadInfo, shared: fl.memory.buffer instanceof SharedArrayBuffer, fp, compiled }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(run.stdout) as { info: unknown; shared: boolean; fp: string; compiled: string };
    expect(got.info).toEqual({ threads: 1, requested: 4, fallback: 'this JavaScript engine cannot create a shared WebAssembly.Memory' });
    expect(got.shared).toBe(false);
    expect(run.stderr).toMatch(/running on one thread instead of 4: this JavaScript engine cannot create a shared WebAssembly.Memory/);
    expect(got.compiled).toMatch(/cannot create a shared WebAssembly.Memory, and the module was given compiled: pass its bytes or URL/);
    const fl = await createEngine({ threads: 1 });
    expect(got.fp).toBe(fl.fingerprint(fl.matmul(fl.randn(50, 40, { seed: 1 }), fl.randn(40, 30, { seed: 2 })), fl.math.exp(1), 'abc'));
    fl.dispose();
  });

  it('rejects invalid thread counts and grains with an ArgumentError', async () => {
    for (const threads of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(createEngine({ threads })).rejects.toThrow(ArgumentError);
    }
    await expect(createEngine({ threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 64\], got 0/);
    await expect(createEngine({ grain: -1 })).rejects.toThrow(/grain must be a finite number ≥ 0/);
  });
});

describe('bit-identical results for any thread count (Node)', () => {
  for (const threads of THREAD_COUNTS) {
    it(`the conformance suite reproduces the goldens on ${threads} thread(s), every kernel split (grain 0)`, async () => {
      const fl = await createEngine({ threads, grain: 0 });
      try {
        expect(fl.threads).toBe(threads);
        expect(mismatches(runConformance(fl))).toEqual([]);
      } finally {
        fl.dispose();
      }
    });
  }

  // Sizes past every block edge: m > mc (96), n > nc (2048) for two column panels, k > kc
  // (256 f64, 512 f32) for several depth blocks, odd edges; plus the linear algebra whose
  // GEMM parts run on the pool (tridiagonal reduction, divide and conquer merges,
  // back-transformation, Cholesky, Gram matrices) and the network kernels.
  function workload(fl: Engine): string[] {
    return [
      fl.scope(() => {
        const A = fl.randn(301, 611, { seed: 1 }),
          B = fl.randn(611, 2101, { seed: 2 });
        const C = fl.randn(301, 2101, { seed: 3 });
        fl.gemm(C, A, B, { alpha: 0.5, beta: -2 });
        return fl.fingerprint(fl.matmul(A, B), C, fl.matmul(B, A, { transA: true, transB: true }));
      }),
      fl.scope(() => {
        const A = fl.randn(203, 1100, { seed: 4, dtype: 'f32' }),
          B = fl.randn(1100, 517, { seed: 5, dtype: 'f32' });
        return fl.fingerprint(fl.matmul(A, B), fl.matmul(A, A, { transB: true, alpha: 1 / 1100 }));
      }),
      fl.scope(() => {
        const X = fl.randn(700, 333, { seed: 6 });
        const S = fl.gram(X);
        const { values, vectors } = fl.eigh(S);
        const L = fl.cholesky(fl.axpy(1, fl.eye(333), fl.copy(S)));
        return fl.fingerprint(values, vectors, fl.eigvalsh(S), L, fl.svdvals(X));
      }),
      fl.scope(() => {
        const Z = fl.randn(513, 1025, { seed: 7 });
        const r = fl.randn(513, 1, { seed: 8 }),
          c = fl.randn(1025, 1, { seed: 9 });
        const M = fl.map(Z, 'tanh', { derivative: true });
        fl.kernels.rank1_hadamard_f64(513, 1025, M.ptr, r.ptr, c.ptr, M.ptr);
        const H = fl.map(Z, 'tanh');
        const D = fl.zeros(513, 1025);
        fl.kernels.one_minus_square_f64(H.size, H.ptr, D.ptr);
        return fl.fingerprint(
          M,
          D,
          fl.map(Z, 'erf'),
          fl.map(fl.astype(Z, 'f32'), 'softplus'),
          fl.rand(999, 1001, { seed: 10, offset: 7 }),
          fl.hadamard(Z, Z),
          fl.scale(Z, 1 / 3),
          fl.axpy(-0.25, Z, fl.copy(H)),
        );
      }),
      fl.scope(() => {
        // GEMV splits rows (plain) or columns (transposed) over the pool; odd edges on both.
        const A = fl.randn(1003, 517, { seed: 11 });
        const x = fl.randn(517, 1, { seed: 12 }),
          xt = fl.randn(1003, 1, { seed: 13 });
        const A32 = fl.astype(A, 'f32');
        return fl.fingerprint(
          fl.gemv(A, x),
          fl.gemv(A, xt, { trans: true }),
          fl.gemv(A32, fl.astype(x, 'f32')),
          fl.gemv(A32, fl.astype(xt, 'f32'), { trans: true, alpha: 0.5 }),
        );
      }),
    ];
  }

  let serial: string[];
  beforeAll(async () => {
    const fl = await createEngine({ threads: 1 });
    serial = workload(fl);
    fl.dispose();
  }, 120_000);

  for (const threads of [2, 3, 4]) {
    for (const grain of [undefined, 0]) {
      it(`large GEMMs, eigensolvers, Cholesky, maps and random numbers: ${threads} threads${grain === 0 ? ', grain 0' : ''} equal 1 thread`, async () => {
        const fl = await createEngine({ threads, grain });
        try {
          expect(workload(fl)).toEqual(serial);
        } finally {
          fl.dispose();
        }
      }, 120_000);
    }
  }

  it('two pooled engines used in turn do not disturb each other', async () => {
    const a = await createEngine({ threads: 2, grain: 0 }),
      b = await createEngine({ threads: 3, grain: 0 });
    try {
      for (let i = 0; i < 3; i++) {
        expect(a.scope(() => a.fingerprint(a.matmul(a.randn(130, 70, { seed: i }), a.randn(70, 90, { seed: i + 1 }))))).toBe(
          b.scope(() => b.fingerprint(b.matmul(b.randn(130, 70, { seed: i }), b.randn(70, 90, { seed: i + 1 })))),
        );
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('scheduling, failures and shutdown (Node)', () => {
  it('many short jobs in a row: every task runs exactly once, and a job returns only when all have', async () => {
    // Each job adds 1 to every value: a task run twice leaves too much, a job that returns
    // early too little. The task count changes from job to job (a claim race once showed
    // only then), and the jobs follow each other inside wasm, as a GEMM's do.
    for (const threads of [2, 4]) {
      const fl = await createEngine({ threads, grain: 0 });
      try {
        const count = 1000,
          rounds = 2000;
        const out = fl.allocBytes(count * 4);
        const view = () => new Int32Array(fl.memory.buffer, out, count);
        for (let batch = 0; batch < 10; batch++) {
          view().fill(0);
          fl.kernels.threads_selftest_fill(out, count, rounds);
          const v = view();
          for (let i = 0; i < count; i++) if (v[i] !== rounds) throw new Error(`${threads} threads, batch ${batch}: out[${i}] = ${v[i]}, not ${rounds}`);
        }
        fl.freeBytes(out);
      } finally {
        fl.dispose();
      }
    }
  }, 60_000);

  it('GEMM with α/β under stress: thousands of small threaded products equal one thread', async () => {
    const ref = await createEngine({ threads: 1 });
    const fl = await createEngine({ threads: 4, grain: 0 });
    const product = (e: Engine, dtype: 'f64' | 'f32', i: number) =>
      e.scope(() => {
        const [m, n, k] = [
          [67, 130, 33],
          [7, 33, 67],
          [40, 9, 300],
        ][i % 3]!;
        const A = e.randn(m, k, { seed: i, dtype }),
          B = e.randn(n, k, { seed: i, stream: 1, dtype });
        const C = e.randn(m, n, { seed: i, stream: 2, dtype });
        e.gemm(C, A, B, { transB: true, alpha: 0.375, beta: -1.25 });
        return e.fingerprint(C, e.matmul(A, B, { transB: true, alpha: -3.5 }));
      });
    try {
      for (let i = 0; i < 1500; i++) {
        const dtype = i % 2 === 0 ? 'f64' : 'f32';
        if (product(fl, dtype, i % 30) !== product(ref, dtype, i % 30)) throw new Error(`product ${i} (${dtype}) differs from one thread`);
      }
    } finally {
      ref.dispose();
      fl.dispose();
    }
  }, 60_000);

  it('a task that fails in a worker throws a WorkerError on the calling thread; the engine carries on', async () => {
    const fl = await createEngine({ threads: 3, grain: 0 });
    try {
      const before = fl.scope(() => fl.fingerprint(fl.matmul(fl.randn(150, 80, { seed: 1 }), fl.randn(80, 60, { seed: 2 }))));
      for (let i = 0; i < 3; i++) {
        expect(() => fl.kernels.threads_selftest_trap(5)).toThrow(WorkerError);
      }
      expect(() => fl.kernels.threads_selftest_trap(5)).toThrow(/a worker thread failed while computing: worker thread \d: RuntimeError: unreachable/);
      const after = fl.scope(() => fl.fingerprint(fl.matmul(fl.randn(150, 80, { seed: 1 }), fl.randn(80, 60, { seed: 2 }))));
      expect(after).toBe(before);
      expect(fl.memoryStats().liveMatrices).toBe(0);
    } finally {
      fl.dispose();
    }
  });

  it('a trap on the calling thread during a parallel job is a FeaturelabError, and the pool keeps working', async () => {
    // A map over memory beyond the end traps in every task, on the calling thread too (the
    // internal hook: the engine never hands out such pointers). Wasm has no finally: the job
    // state the trap left behind used to keep every later job on one thread, silently.
    const fl = await createEngine({ threads: 2, grain: 0 });
    try {
      const work = () =>
        fl.scope(() =>
          fl.fingerprint(fl.map(fl.randn(300, 300, { seed: 1 }), 'tanh'), fl.matmul(fl.randn(150, 80, { seed: 1 }), fl.randn(80, 60, { seed: 2 }))),
        );
      const before = work();
      const beyond = 2 ** 32 - 2 ** 20;
      let callerTraps = 0;
      // Which thread traps first is up to the scheduler (on a loaded machine the worker can win
      // many times in a row): repeat until the calling thread has trapped, at least 10 times.
      for (let i = 0; i < 10 || (callerTraps === 0 && i < 1000); i++) {
        let error: unknown;
        try {
          fl.kernels.map_f64(3, 0, 0, 1 << 16, beyond, beyond);
        } catch (e) {
          error = e;
        }
        // Either a worker's task failed first (WorkerError) or the calling thread's did.
        expect(error).toBeInstanceOf(FeaturelabError);
        if (/the kernel map_f64 failed: RuntimeError: memory access out of bounds; the interrupted parallel job was cleaned up/.test((error as Error).message))
          callerTraps++;
      }
      expect(callerTraps).toBeGreaterThan(0);
      const workers = () => fl.threadTaskCounts()[1]!;
      const ran = workers();
      expect(work()).toBe(before);
      expect(workers()).toBeGreaterThan(ran); // the worker takes tasks again
      expect(fl.threads).toBe(2);
      expect(fl.threadInfo).toEqual({ threads: 2, requested: 2 });
      expect(fl.memoryStats().liveMatrices).toBe(0);
    } finally {
      fl.dispose();
    }
  });

  it('a worker that cannot start makes createEngine reject with a WorkerError (no hang, no leak)', async () => {
    // A copy of the build without the worker script.
    const dir = mkdtempSync(join(tmpdir(), 'featurelab-noworker-'));
    try {
      const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
      cpSync(dist, dir, {
        recursive: true,
        filter: (src) => !/thread-worker\.js|[/\\]web$/.test(src),
      });
      expect(existsSync(join(dir, 'thread-worker.js'))).toBe(false);
      const copy = (await import(pathToFileURL(join(dir, 'index.js')).href)) as typeof import('../../dist/index.js');
      const attempt = copy.createEngine({ threads: 2 });
      await expect(within(attempt, 30_000, 'createEngine')).rejects.toThrow(/worker thread 1 of 1 failed/);
      await expect(attempt).rejects.toBeInstanceOf(copy.WorkerError);
      const single = await copy.createEngine({ threads: 1 });
      expect(single.scope(() => single.sum(single.full(3, 3, 2)))).toBe(18);
      single.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dispose() stops the workers; repeated create/dispose leaves no threads behind', async () => {
    const baseline = osThreads();
    for (let i = 0; i < 12; i++) {
      const fl = await createEngine({ threads: 1 + (i % 4), grain: 0 });
      fl.scope(() => fl.fingerprint(fl.eigh(fl.gram(fl.randn(60, 40, { seed: i }))).vectors));
      fl.dispose();
      expect(() => fl.matmul(fl.zeros(1, 1), fl.zeros(1, 1))).toThrow(DisposedError);
      await within(fl.threadsClosed, 10_000, `engine ${i}: workers exiting`);
    }
    if (baseline !== undefined) {
      // Node's own helper threads may come and go a little; the pools' would add up to 18.
      await new Promise((r) => setTimeout(r, 200));
      expect(osThreads()!).toBeLessThanOrEqual(baseline + 2);
    }
  }, 120_000);

  it('engines dropped without dispose() stop their workers when garbage-collected', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `import { createEngine } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
import { readFileSync } from 'node:fs';
const threads = () => Number(/^Threads:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
const base = threads();
for (let i = 0; i < 8; i++) { const fl = await createEngine({ threads: 3 }); fl.matmul(fl.randn(100, 100), fl.randn(100, 100)); }
const peak = threads();
for (let i = 0; i < 50 && threads() > base + 2; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 100)); }
console.log(JSON.stringify({ base, peak, after: threads() }));`;
    if (osThreads() === undefined) return; // needs /proc
    const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { timeout: 60_000, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { base, peak, after } = JSON.parse(run.stdout) as { base: number; peak: number; after: number };
    expect(peak).toBeGreaterThanOrEqual(base + 16); // 8 engines × 2 workers were running
    expect(after).toBeLessThanOrEqual(base + 2);
  });

  it('an engine that is never disposed does not keep the process alive', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `import { createEngine } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
const fl = await createEngine({ threads: 3 });
fl.matmul(fl.randn(200, 200), fl.randn(200, 200));
console.log('done', fl.threads);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    expect(run.error, 'the process did not exit').toBeUndefined();
    expect(run.stdout.trim()).toBe('done 3');
    expect(run.status).toBe(0);
  });
});

// The engine must run in a Web Worker of a cross-origin-isolated page to use threads (the
// page's main thread may not block); the worker posts its results to the page.
const WORKER = `import { createEngine } from '/dist/index.js';
import { runConformance } from '/dist/harness/conformance.js';
onmessage = async ({ data }) => {
  try {
    const out = [];
    for (const threads of data.threads) {
      const fl = await createEngine({ threads, grain: 0 });
      const started = performance.now();
      out.push({ threads: fl.threads, info: fl.threadInfo, results: runConformance(fl), ms: performance.now() - started });
      fl.dispose();
    }
    postMessage({ ok: out });
  } catch (e) {
    postMessage({ error: e instanceof Error ? e.name + ': ' + e.message + '\\n' + e.stack : String(e) });
  }
};`;

const BROWSER_BODY = `
const main = await createEngine({ threads: 2 });
const onMain = main.threadInfo;
main.dispose();
const worker = new Worker('/worker.js', { type: 'module' });
const reply = await new Promise((resolve, reject) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => reject(new Error('worker: ' + (e.message || 'failed to load')));
  worker.postMessage({ threads: ${JSON.stringify(THREAD_COUNTS)} });
});
worker.terminate();
if (reply.error) throw new Error(reply.error);
return { isolated: crossOriginIsolated, onMain, runs: reply.ok };`;

interface BrowserRun {
  isolated: boolean;
  onMain: { threads: number; requested: number; fallback?: string };
  runs: { threads: number; info: { threads: number; requested: number; fallback?: string }; results: Record<string, string>; ms: number }[];
}

const browsers = [
  { name: 'chromium', binary: CHROMIUM, run: (page: string, serve: Parameters<typeof runInChromium>[2]) => runInChromium<BrowserRun>(page, 150_000, serve) },
  { name: 'firefox', binary: FIREFOX, run: (page: string, serve: Parameters<typeof runInFirefox>[2]) => runInFirefox<BrowserRun>(page, 150_000, serve) },
];

describe('bit-identical results for any thread count (browsers with the engine in a Web Worker, and Bun)', () => {
  for (const browser of browsers) {
    const present = existsSync(browser.binary);
    // Chromium is required (as for the other browser tests); Firefox runs where installed.
    const required = browser.name === 'chromium' && process.env.CI;
    (present || required ? it : it.skip)(
      `${browser.name}: the conformance suite at ${THREAD_COUNTS.join(', ')} threads reproduces the goldens`,
      async () => {
        expect(present, `${browser.binary} is missing`).toBe(true);
        const page = modulePage(`import { createEngine } from './dist/index.js';`, BROWSER_BODY);
        const got = await browser.run(page, { headers: ISOLATION_HEADERS, scripts: { '/worker.js': WORKER } });
        expect(got.isolated).toBe(true);
        // The page's main thread may not block: one thread, and the reason.
        expect(got.onMain).toMatchObject({ threads: 1, requested: 2 });
        expect(got.onMain.fallback).toMatch(/may not block.*Web Worker/);
        expect(got.runs.map((r) => r.info)).toEqual(THREAD_COUNTS.map((t) => ({ threads: t, requested: t })));
        for (const run of got.runs) {
          console.log(`threads: ${browser.name} ${run.threads} thread(s): ${Object.keys(run.results).length} cases in ${(run.ms / 1000).toFixed(2)} s`);
          expect(mismatches(run.results), `${browser.name}, ${run.threads} threads`).toEqual([]);
        }
      },
      200_000,
    );
  }

  (existsSync(BUN) || process.env.CI ? it : it.skip)(
    `bun: the conformance suite at ${THREAD_COUNTS.join(', ')} threads reproduces the goldens (worker_threads)`,
    async () => {
      const body = `
const out = [];
for (const threads of ${JSON.stringify(THREAD_COUNTS)}) {
  const fl = await createEngine({ threads, grain: 0 });
  out.push({ threads: fl.threads, info: fl.threadInfo, results: runConformance(fl) });
  fl.dispose();
}
return out;`;
      const runs = await runInBun<BrowserRun['runs']>(
        `import { createEngine } from './dist/index.js';\nimport { runConformance } from './dist/harness/conformance.js';`,
        body,
        120_000,
      );
      expect(runs.map((r) => r.info)).toEqual(THREAD_COUNTS.map((t) => ({ threads: t, requested: t })));
      for (const run of runs) expect(mismatches(run.results), `bun, ${run.threads} threads`).toEqual([]);
    },
    150_000,
  );

  (existsSync(CHROMIUM) || process.env.CI ? it : it.skip)(
    'chromium: a page that is not cross-origin isolated runs on one thread and says why',
    async () => {
      const body = `
const fl = await createEngine({ threads: 4 });
const fp = fl.fingerprint(fl.matmul(fl.randn(50, 40, { seed: 1 }), fl.randn(40, 30, { seed: 2 })));
const info = fl.threadInfo;
fl.dispose();
return { info, fp, isolated: crossOriginIsolated };`;
      const got = await runInChromium<{ info: BrowserRun['onMain']; fp: string; isolated: boolean }>(
        modulePage(`import { createEngine } from './dist/index.js';`, body),
        60_000,
      );
      expect(got.isolated).toBe(false);
      expect(got.info).toMatchObject({ threads: 1, requested: 4 });
      expect(got.info.fallback).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
      const fl = await createEngine({ threads: 1 });
      expect(got.fp).toBe(fl.fingerprint(fl.matmul(fl.randn(50, 40, { seed: 1 }), fl.randn(40, 30, { seed: 2 }))));
      fl.dispose();
    },
    90_000,
  );
});

afterAll(() => undefined);
