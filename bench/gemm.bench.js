// GEMM benchmark: C = A·B for square n, f64 and f32, single-threaded, featurelab against
// tfjs-backend-wasm, ml-matrix and numpy in the same run; then featurelab's speed-up on
// several threads against one thread, measured in interleaved rounds. Prints GFLOP/s
// tables and the issues' targets, and writes bench/results/gemm.json. It also measures this
// machine's peak for the instructions GEMM may use (bench/limits.js: independent f64x2 /
// f32x4 multiplies and adds, no FMA) before and after the timings, and reports GEMM's rate
// as a fraction of that peak.
//
//   npm run bench                                  # builds, then runs everything
//   node --expose-gc bench/gemm.bench.js --sizes 256,512 --dtypes f32
//   node --expose-gc bench/gemm.bench.js --threads 1,2,4 --thread-sizes 2048 --rounds 9

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { interleaved, measure, threadCounts } from './harness.js';
import { measureLimits } from './limits.js';
import { loadMlMatrix, loadTfjsWasm, probeNumpy, runNumpy } from './peers.js';

const started = performance.now();

const { values: cli } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,512,1024,2048' },
    dtypes: { type: 'string', default: 'f64,f32' },
    // Thread counts compared with one thread (default: 1 and the available cores), at these sizes.
    threads: { type: 'string' },
    'thread-sizes': { type: 'string', default: '1024,2048' },
    rounds: { type: 'string', default: '9' },
  },
});
const THREADS = threadCounts(cli.threads, os.availableParallelism());
const THREAD_SIZES = cli['thread-sizes'] === '' ? [] : cli['thread-sizes'].split(',').map(Number);
const ROUNDS = Number(cli.rounds);
const SIZES = cli.sizes.split(',').map(Number);
const DTYPES = cli.dtypes.split(',');
for (const n of SIZES) if (!Number.isInteger(n) || n < 1) throw new Error(`bad size ${n}`);
for (const d of DTYPES) if (d !== 'f64' && d !== 'f32') throw new Error(`bad dtype ${d}`);

// How long to measure each size: warmup calls (untimed), then tinybench runs until both
// `time` ms and `iterations` samples are reached. Budgeted so the full suite takes about
// two minutes on a 2-core machine (2048 f64 is ~1 s per call for featurelab).
const PLANS = [
  { upTo: 256, warmup: 20, time: 1000, iterations: 50 },
  { upTo: 512, warmup: 5, time: 1000, iterations: 20 },
  { upTo: 1024, warmup: 3, time: 1500, iterations: 10 },
  { upTo: Infinity, warmup: 2, time: 0, iterations: 7 },
];
// ml-matrix runs at ~0.6-0.9 GFLOP/s (2.5 s per call at 1024), so it gets a few samples
// and nothing past 1024.
const ML_MATRIX_PLANS = [
  { upTo: 256, warmup: 2, time: 1000, iterations: 5 },
  { upTo: 512, warmup: 1, time: 0, iterations: 5 },
  { upTo: 1024, warmup: 1, time: 0, iterations: 3 },
];
// numpy measures in its own process: seconds of timing per case, at least minReps runs.
const NUMPY_PLANS = [
  { upTo: 512, minTime: 1.0, minReps: 20, warmup: 3 },
  { upTo: 1024, minTime: 1.5, minReps: 10, warmup: 2 },
  { upTo: Infinity, minTime: 0, minReps: 7, warmup: 2 },
];
const planFor = (plans, n) => plans.find((p) => n <= p.upTo);

// Targets from the issues, checked at these sizes.
const TARGET_N = 1024;
const TARGET_F64_GFLOPS = 10;
const TARGET_F32_VS_TFJS = 2;
const TARGET_THREADS_N = 2048;
const TARGET_THREADS_SPEEDUP = 1.8; // f64, on all cores of a 2-core machine

const gflops = (n, ms) => (2 * n ** 3) / (ms * 1e6);
const fraction = (rate, limit) => `${((100 * rate) / limit).toFixed(0)}%`;

/** max |got - want| / max |want|: a normwise relative error, robust to entries near 0. */
function relativeError(got, want) {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

/** Standard normal A and B (seeded, so every library multiplies the same matrices) and a zero C. */
function operands(fl, n, dtype) {
  return {
    A: fl.randn(n, n, { dtype, seed: 1 }),
    B: fl.randn(n, n, { dtype, seed: 2 }),
    C: fl.zeros(n, n, { dtype }),
  };
}

// ---------------------------------------------------------------------------------------
// Setup

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// One thread for the comparison with the peers (all single-threaded); default options
// otherwise: the finite check on C is part of the cost.
const fl = await createEngine({ threads: 1 });
const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
  loadavgAtStart: os.loadavg(),
};
console.log(`GEMM benchmark · ${machine.cpu} · ${machine.cores} cores · Node ${machine.node} · ${new Date().toISOString()}`);
console.log(`load average at start: ${machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}`);
console.log(
  `featurelab ${pkg.version}: checkFinite=${fl.checkFinite}, gemm f64 ${JSON.stringify(fl.gemmConfig.f64)}, f32 ${JSON.stringify(fl.gemmConfig.f32)}`,
);

// The peak before and after the timings; the higher of the two counts (a peak is what the
// machine can do undisturbed).
const limitsBefore = await measureLimits();
console.log(`peak (one thread, no FMA): f64x2 ${limitsBefore.f64.toFixed(1)} GFLOP/s, f32x4 ${limitsBefore.f32.toFixed(1)} GFLOP/s`);

const jsPeers = [];
const peerInfo = {};
for (const [name, load] of [
  ['tfjs-wasm', loadTfjsWasm],
  ['ml-matrix', loadMlMatrix],
]) {
  const peer = await load();
  if (peer.skip) {
    console.log(`note: ${name} skipped: ${peer.skip}`);
    peerInfo[name] = { skipped: peer.skip };
    continue;
  }
  jsPeers.push(peer);
  peerInfo[name] = { version: peer.version, ...peer.info };
  console.log(`${name} ${peer.version} ${JSON.stringify(peer.info)}`);
}
const numpy = probeNumpy();
if (numpy.skip) {
  console.log(`note: numpy skipped: ${numpy.skip}`);
  peerInfo.numpy = { skipped: numpy.skip };
} else {
  peerInfo.numpy = { version: numpy.version, ...numpy.info, threadsEnv: 1 };
  console.log(`numpy ${numpy.version} ${JSON.stringify(numpy.info)}`);
}

// ---------------------------------------------------------------------------------------
// Correctness: before timing anything, check the peers compute the same product.

const CHECKS = [
  { dtype: 'f32', peer: 'tfjs-wasm', tolerance: 1e-3 },
  { dtype: 'f64', peer: 'ml-matrix', tolerance: 1e-10 },
];
const correctness = [];
console.log('\ncorrectness at n=256 (max|C - C_peer| / max|C_peer|):');
for (const { dtype, peer: peerName, tolerance } of CHECKS) {
  const peer = jsPeers.find((p) => p.name === peerName);
  if (!peer) {
    console.log(`  ${dtype} vs ${peerName}: skipped (peer unavailable)`);
    continue;
  }
  const n = 256;
  const { A, B, C } = operands(fl, n, dtype);
  fl.gemm(C, A, B);
  const run = peer.setup(n, A.toArray(), B.toArray());
  const error = relativeError(C.toArray(), run.result());
  run.dispose();
  for (const m of [A, B, C]) m.dispose();
  const ok = error <= tolerance;
  correctness.push({ n, dtype, peer: peerName, relativeError: error, tolerance, ok });
  console.log(`  ${dtype} vs ${peerName}: ${error.toExponential(2)} (tolerance ${tolerance}) ${ok ? 'OK' : 'FAIL'}`);
  if (!ok) {
    console.error(`\nFAIL: featurelab ${dtype} GEMM disagrees with ${peerName}; timings would compare different things.`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------
// Timing

const cases = [];
const record = (entry) => {
  cases.push(entry);
  const what = `${String(entry.n).padStart(4)} ${entry.dtype} ${entry.library.padEnd(10)}`;
  if (entry.skipped) console.log(`  ${what} skipped: ${entry.skipped}`);
  else
    console.log(
      `  ${what} ${entry.medianMs.toFixed(2).padStart(9)} ms  ${entry.gflops.toFixed(2).padStart(6)} GFLOP/s  (${entry.samples} samples, ±${entry.rme.toFixed(1)}%)`,
    );
};

console.log('\ntiming (median of samples):');
for (const n of SIZES) {
  for (const dtype of DTYPES) {
    const plan = planFor(PLANS, n);
    const { A, B, C } = operands(fl, n, dtype);
    const stats = measure(`featurelab ${dtype} ${n}`, () => fl.gemm(C, A, B), plan);
    record({ n, dtype, library: 'featurelab', ...stats, gflops: gflops(n, stats.medianMs) });

    for (const peer of jsPeers.filter((p) => p.dtypes.includes(dtype))) {
      const peerPlan = peer.name === 'ml-matrix' ? planFor(ML_MATRIX_PLANS, n) : plan;
      if (!peerPlan) {
        record({ n, dtype, library: peer.name, skipped: 'too slow' });
        continue;
      }
      const run = peer.setup(n, A.toArray(), B.toArray());
      const peerStats = measure(`${peer.name} ${dtype} ${n}`, run.run, peerPlan);
      run.dispose();
      record({ n, dtype, library: peer.name, ...peerStats, gflops: gflops(n, peerStats.medianMs) });
    }
    for (const m of [A, B, C]) m.dispose();

    // numpy runs right after the JS libraries for the same case, so they see similar load.
    if (!numpy.skip) {
      const { results } = runNumpy([n], [dtype], planFor(NUMPY_PLANS, n));
      const r = results[0];
      record({
        n,
        dtype,
        library: 'numpy',
        medianMs: r.medianMs,
        minMs: r.minMs,
        gflops: r.gflops,
        samples: r.samples,
        samplesMs: r.samplesMs,
        rme: relativeSpread(r.samplesMs),
      });
    }
  }
}

/** tinybench-style relative margin of error (95%, in %), for numpy's raw samples. */
function relativeSpread(samples) {
  const k = samples.length;
  if (k < 2) return 0;
  const mean = samples.reduce((s, x) => s + x, 0) / k;
  const sd = Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1));
  return (100 * 1.96 * sd) / Math.sqrt(k) / mean;
}

// ---------------------------------------------------------------------------------------
// Threads: featurelab on each thread count against one thread, in interleaved rounds (the
// machine's drift hits every count alike). Every count must compute the same bytes.

const scaling = [];
const threadTargets = [];
if (THREADS.length > 1 && THREAD_SIZES.length > 0) {
  const engines = [];
  for (const threads of THREADS) engines.push(await createEngine({ threads }));
  console.log(
    `\nthreads: ${engines.map((e) => `${e.threads}${e.threadInfo.fallback ? ` (fallback: ${e.threadInfo.fallback})` : ''}`).join(', ')} · ${ROUNDS} interleaved rounds after 2 warm-up rounds`,
  );
  console.log('speed-up = median over rounds of t(1 thread)/t(N threads) within the round; median ms and GFLOP/s over rounds');
  for (const n of THREAD_SIZES) {
    for (const dtype of DTYPES) {
      const runs = engines.map((e) => ({ engine: e, ...operands(e, n, dtype) }));
      const before = engines.map((e) => e.threadTaskCounts());
      const results = interleaved(
        runs.map((r) => ({ name: `${r.engine.threads}`, fn: () => r.engine.gemm(r.C, r.A, r.B) })),
        { warmup: 2, rounds: ROUNDS },
      );
      const fingerprints = new Set(runs.map((r) => r.engine.fingerprint(r.C)));
      if (fingerprints.size !== 1) {
        console.error(`\nFAIL: n=${n} ${dtype}: the thread counts computed different bytes`);
        process.exit(1);
      }
      results.forEach((res, i) => {
        const counts = engines[i].threadTaskCounts();
        const tasks = counts.map((c, t) => c - (before[i][t] ?? 0));
        const total = tasks.reduce((a, b) => a + b, 0);
        const entry = {
          n,
          dtype,
          threads: engines[i].threads,
          medianMs: res.medianMs,
          minMs: res.minMs,
          samplesMs: res.samplesMs,
          gflops: gflops(n, res.medianMs),
          // Paired: the median over rounds of (one thread's time) / (this count's time) in the
          // same round, which the machine's slow drift does not bias; and the ratio of medians.
          speedup: res.speedup,
          speedupOfMedians: results[0].medianMs / res.medianMs,
          taskShare: total > 0 ? tasks.map((c) => +(c / total).toFixed(3)) : undefined,
        };
        scaling.push(entry);
        console.log(
          `  ${String(n).padStart(4)} ${dtype} ${String(entry.threads).padStart(2)} thread(s) ${entry.medianMs.toFixed(1).padStart(8)} ms ` +
            `${entry.gflops.toFixed(2).padStart(6)} GFLOP/s  speed-up ${entry.speedup.toFixed(2)}× (ratio of medians ${entry.speedupOfMedians.toFixed(2)}×)` +
            (entry.taskShare ? `  tasks per thread ${entry.taskShare.map((x) => `${Math.round(x * 100)}%`).join('/')}` : ''),
        );
      });
      for (const r of runs) for (const m of [r.A, r.B, r.C]) m.dispose();
    }
  }
  for (const e of engines) e.dispose();
  const best = scaling.filter((c) => c.n === TARGET_THREADS_N && c.dtype === 'f64' && c.threads === Math.max(...THREADS));
  if (best.length > 0) {
    const speedup = best[0].speedup;
    threadTargets.push({
      target: `f64 at n=${TARGET_THREADS_N}: ≥ ${TARGET_THREADS_SPEEDUP}× on ${best[0].threads} threads against one (same run)`,
      value: speedup,
      met: speedup >= TARGET_THREADS_SPEEDUP,
    });
  }
} else {
  console.log(`\nthreads: skipped (${THREADS.length > 1 ? 'no --thread-sizes' : 'one core: pass --threads 1,2 to compare anyway'})`);
}

// ---------------------------------------------------------------------------------------
// Report

const PEERS = [
  { name: 'tfjs-wasm', short: 'tfjs' },
  { name: 'ml-matrix', short: 'ml' },
  { name: 'numpy', short: 'np' },
];
const find = (n, dtype, library) => cases.find((c) => c.n === n && c.dtype === dtype && c.library === library);

const limitsAfter = await measureLimits();
const peak = { f64: Math.max(limitsBefore.f64, limitsAfter.f64), f32: Math.max(limitsBefore.f32, limitsAfter.f32) };
console.log(
  `\npeak (one thread, independent SIMD multiplies and adds, no FMA; best of before/after): f64x2 ${peak.f64.toFixed(1)} GFLOP/s, f32x4 ${peak.f32.toFixed(1)} GFLOP/s`,
);

// The same comparison robust to a busy machine: GEMM timed like the peak, as the best of many
// short calls (n = 256: ≈ 1.5 ms each, as long as a call of the peak kernel), right after the peak.
const SHORT_N = 256;
const shortCalls = {};
for (const dtype of DTYPES) {
  const { A, B, C } = operands(fl, SHORT_N, dtype);
  for (let i = 0; i < 3; i++) fl.gemm(C, A, B);
  let best = Infinity;
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    fl.gemm(C, A, B);
    best = Math.min(best, performance.now() - t);
  }
  shortCalls[dtype] = { n: SHORT_N, bestMs: best, gflops: gflops(SHORT_N, best), ofPeak: gflops(SHORT_N, best) / peak[dtype] };
  for (const M of [A, B, C]) M.dispose();
  console.log(
    `GEMM ${dtype}, n = ${SHORT_N}, best of 200 calls: ${shortCalls[dtype].gflops.toFixed(1)} GFLOP/s = ${fraction(shortCalls[dtype].gflops, peak[dtype])} of the ${dtype === 'f64' ? 'f64x2' : 'f32x4'} peak`,
  );
}

const header = ['n', 'dtype', 'fl ms', 'featurelab', 'of peak', 'best of peak'];
for (const p of PEERS) header.push(p.name, `fl/${p.short}`);
const rows = [];
for (const n of SIZES) {
  for (const dtype of DTYPES) {
    const own = find(n, dtype, 'featurelab');
    // of peak: at the median time; best of peak: at the fastest sample (the undisturbed run).
    const row = [
      String(n),
      dtype,
      own.medianMs.toFixed(2),
      own.gflops.toFixed(2),
      fraction(own.gflops, peak[dtype]),
      fraction(gflops(n, own.minMs), peak[dtype]),
    ];
    for (const p of PEERS) {
      const other = find(n, dtype, p.name);
      if (!other)
        row.push('—', '—'); // peer does not do this dtype, or is not installed
      else if (other.skipped) row.push('skipped', '—');
      else row.push(other.gflops.toFixed(2), `${(own.gflops / other.gflops).toFixed(2)}x`);
    }
    rows.push(row);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log('\nGFLOP/s = 2n³ / median time (single thread); of peak = featurelab GFLOP/s ÷ the peak above; fl/x = featurelab GFLOP/s ÷ x GFLOP/s');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));

// Targets from the issue.
const targets = [];
const f64 = find(TARGET_N, 'f64', 'featurelab');
targets.push({
  target: `f64 ≥ ${TARGET_F64_GFLOPS} GFLOP/s at n=${TARGET_N}`,
  value: f64?.gflops,
  met: f64 ? f64.gflops >= TARGET_F64_GFLOPS : null,
});
const f32 = find(TARGET_N, 'f32', 'featurelab');
const tfjs = find(TARGET_N, 'f32', 'tfjs-wasm');
targets.push({
  target: `f32 ≥ ${TARGET_F32_VS_TFJS}× tfjs-backend-wasm f32 at n=${TARGET_N}`,
  value: f32 && tfjs && !tfjs.skipped ? f32.gflops / tfjs.gflops : undefined,
  met: f32 && tfjs && !tfjs.skipped ? f32.gflops >= TARGET_F32_VS_TFJS * tfjs.gflops : null,
});
targets.push(...threadTargets);
console.log('\ntargets:');
for (const t of targets) {
  const status = t.met === null ? 'not measured' : t.met ? 'MET' : 'NOT MET';
  const value = t.value === undefined ? '' : t.target.includes('GFLOP/s') ? ` (${t.value.toFixed(2)} GFLOP/s)` : ` (${t.value.toFixed(2)}×)`;
  console.log(`  ${t.target}: ${status}${value}`);
}

const elapsedSeconds = (performance.now() - started) / 1000;
machine.loadavgAtEnd = os.loadavg();
const out = new URL('./results/gemm.json', import.meta.url);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      featurelab: { version: pkg.version, checkFinite: fl.checkFinite, gemmConfig: fl.gemmConfig },
      peers: peerInfo,
      correctness,
      limits: { before: limitsBefore, after: limitsAfter, peak, shortCalls },
      cases,
      threads: { counts: THREADS, rounds: ROUNDS, cases: scaling },
      targets,
      elapsedSeconds,
    },
    null,
    2,
  ) + '\n',
);
console.log(
  `\nwrote ${new URL(out).pathname} · suite took ${elapsedSeconds.toFixed(1)} s · load average at end: ${machine.loadavgAtEnd.map((x) => x.toFixed(2)).join(' ')}`,
);
fl.dispose();
