// Symmetric eigensolver benchmark: eigvalsh and eigh of S = G·Gᵀ/n (G Gaussian) for
// n = 200, 500, 1000, 2000 (`--sizes 1000,2000,4000` for the paper sizes), featurelab on one
// thread and on all cores (interleaved rounds; the thread counts must compute the same bytes)
// beside numpy/LAPACK (python3) on as many threads, and ml-matrix's EigenvalueDecomposition
// (n ≤ 1000, one thread), in the same run. Beside each time: the limit for this design, the
// flops of the tridiagonal reduction (4n³/3; eigh adds the back-transformation's 2n³) at the
// GEMM f64 rate measured in the same rounds on as many threads, and the speed-up of N threads
// over one. Prints tables and the issues' targets, and writes bench/results/eig.json.
//
//   node --expose-gc bench/eig.bench.js --sizes 200,500 [--threads 1,2] [--rounds 5]

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { interleaved, measure, threadCounts } from './harness.js';
import { measureLimits } from './limits.js';
import { packageVersion, runNumpyEig } from './peers.js';

const started = performance.now();
const loadAtStart = os.loadavg();
const { values: cli } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,500,1000,2000' },
    threads: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const SIZES = cli.sizes.split(',').map(Number);
const THREADS = threadCounts(cli.threads, os.availableParallelism());
const TARGET_N = 1000;
// ml-matrix is O(10 s) at n = 1000 (plain JS Householder + QL): one timed run there, none beyond.
const ML_MATRIX_MAX_N = 1000;
// Interleaved rounds per size (each round: eigvalsh, eigh and a GEMM on every thread count).
const roundsFor = (n) => (cli.rounds ? Number(cli.rounds) : n <= 200 ? 10 : n <= 500 ? 7 : n <= 1000 ? 5 : 3);

const engines = [];
for (const threads of THREADS) engines.push(await createEngine({ threads }));
const fl = engines[0];
let Matrix, EigenvalueDecomposition;
try {
  ({ Matrix, EigenvalueDecomposition } = await import('ml-matrix'));
} catch {
  console.log('note: ml-matrix not installed; skipped');
}
console.log(
  `eigensolver benchmark · ${os.cpus()[0]?.model} · Node ${process.version} · featurelab on ${engines.map((e) => e.threads).join(', ')} thread(s) · ` +
    `${new Date().toISOString()} · load ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`,
);
const limits = await measureLimits();
console.log(
  `this machine, one thread: f64x2 multiply/add peak ${limits.f64.toFixed(1)} GFLOP/s, streaming read ${limits.readGBs.toFixed(1)} GB/s (bench/limits.js)`,
);

// The library's own memory-bound kernel, timed like the stream (best of many short calls, so a
// busy machine does not bias it): y = A·x for a 2000×2000 A (32 MB, past the caches), the
// reduction's matrix–vector products' closest public relative.
const gemvBandwidth = (() => {
  const m = 2000;
  const A = fl.randn(m, m, { seed: 3 });
  const x = fl.randn(m, 1, { seed: 4 });
  const y = fl.zeros(m, 1);
  let best = Infinity;
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    fl.gemv(A, x, { y });
    best = Math.min(best, performance.now() - t);
  }
  for (const M of [A, x, y]) M.dispose();
  const GBs = (8 * m * m) / (best * 1e6);
  return { n: m, bestMs: best, GBs, ofBandwidth: GBs / limits.readGBs };
})();
console.log(
  `matrix–vector product (gemv), n = ${gemvBandwidth.n}, best of 100 calls: ${gemvBandwidth.GBs.toFixed(1)} GB/s = ${(100 * gemvBandwidth.ofBandwidth).toFixed(0)}% of the streaming read`,
);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// Where the time goes, per thread count (best of `reps` calls each, after the timed rounds):
// the two-stage reduction's kernels one by one (stage 1 dense → band, stage 2 bulge chasing
// at the default bandwidth, then dsterf on its tridiagonal), the one-stage eigvalsh, and
// divide and conquer (dstedc, eigTridiagonal with vectors) on the same tridiagonal.
const BANDWIDTH = 32; // src/core/config.ts's default
function stageTimes(e, S, n, reps) {
  const k = e.kernels;
  const doubles = (m) => e.allocBytes(m * 8);
  const a = doubles(n * n),
    tau = doubles(n),
    d = doubles(n),
    off = doubles(n);
  const work = doubles(Math.max(k.sy2sb_workspace(n, BANDWIDTH), k.sb2st_workspace(n, BANDWIDTH)));
  const gemmWork = doubles(k.la_gemm_workspace(n));
  const best = { stage1: Infinity, stage2: Infinity, dsterf: Infinity, oneStage: Infinity, dstedc: Infinity };
  const time = (key, fn) => {
    const t = performance.now();
    fn();
    best[key] = Math.min(best[key], performance.now() - t);
  };
  try {
    for (let r = 0; r < reps; r++) {
      k.symmetrize_lower(n, S.ptr, a);
      time('stage1', () => k.dsytrd_sy2sb(n, BANDWIDTH, a, tau, work, gemmWork));
      time('stage2', () => k.dsytrd_sb2st(n, BANDWIDTH, a, d, off, 0, work, gemmWork));
      const diag = new Float64Array(e.memory.buffer, d, n).slice();
      const sub = new Float64Array(e.memory.buffer, off, n - 1).slice();
      time('dsterf', () => k.dsterf(n, d, off, 30));
      time('dstedc', () => e.eigTridiagonal(diag, sub, { vectors: true }).vectors?.dispose?.());
      time('oneStage', () => e.eigvalsh(S, { twoStageMin: 1e9 }));
    }
  } finally {
    for (const ptr of [a, tau, d, off, work, gemmWork]) e.freeBytes(ptr);
  }
  return best;
}
const rows = [];
for (const n of SIZES) {
  // The same S on every engine (same seed, so the same bytes), and a GEMM of its size for the rate.
  const work = engines.map((e) =>
    e.scope(() => {
      const G = e.randn(n, n, { seed: 1 });
      const S = e.keep(e.matmul(G, G, { transB: true, alpha: 1 / n }));
      return { S, A: e.keep(e.randn(n, n, { seed: 2 })), C: e.keep(e.zeros(n, n)) };
    }),
  );
  const values = engines.map(() => []);
  const timed = interleaved(
    engines.flatMap((e, i) => [
      { name: `eigvalsh ${e.threads}`, fn: () => values[i].push(e.fingerprint(e.eigvalsh(work[i].S))) },
      { name: `eigh ${e.threads}`, fn: () => e.eigh(work[i].S).vectors.dispose() },
      { name: `gemm ${e.threads}`, fn: () => e.gemm(work[i].C, work[i].S, work[i].A) },
    ]),
    { warmup: 1, rounds: roundsFor(n) },
  );
  if (!values.every((v) => v.every((f) => f === values[0][0]))) {
    console.error(`FAIL: eigvalsh at n=${n} computed different bytes on different thread counts or rounds`);
    process.exit(1);
  }
  const of = (i, what) => timed[3 * i + (what === 'eigvalsh' ? 0 : what === 'eigh' ? 1 : 2)];
  const reductionFlops = (4 * n ** 3) / 3;
  const backFlops = 2 * n ** 3;
  const perThreads = engines.map((e, i) => {
    const gemmGflops = (2 * n ** 3) / (of(i, 'gemm').medianMs * 1e6);
    const eigvalshMs = of(i, 'eigvalsh').medianMs;
    const eighMs = of(i, 'eigh').medianMs;
    const limitEigvalshMs = reductionFlops / (gemmGflops * 1e6);
    const limitEighMs = (reductionFlops + backFlops) / (gemmGflops * 1e6);
    // Speed-up over one thread: the median over rounds of the paired ratio.
    const paired = (what) => median(of(0, what).samplesMs.map((t0, r) => t0 / of(i, what).samplesMs[r]));
    const stages = stageTimes(e, work[i].S, n, n >= 4000 ? 1 : 2);
    return {
      stages,
      threads: e.threads,
      eigvalsh: eigvalshMs,
      eigh: eighMs,
      gemmGflops,
      limitEigvalshMs,
      limitEighMs,
      eigvalshOfLimit: eigvalshMs / limitEigvalshMs,
      eighOfLimit: eighMs / limitEighMs,
      speedup: i === 0 ? undefined : { eigvalsh: paired('eigvalsh'), eigh: paired('eigh') },
    };
  });
  const one = perThreads[0];
  // The one-stage reduction (dsytrd) reads the trailing triangle once per column: Σ 8·m²/2 ≈
  // 4n³/3 bytes in its symmetric matrix–vector products, while its other half (2n³/3 flops)
  // runs in GEMM. Its memory-bound part, estimated on one thread: the one-stage eigvalsh less
  // dsterf and less that GEMM half at the measured GEMM rate.
  const level2Ms = one.stages.oneStage - one.stages.dsterf - (2 * n ** 3) / 3 / (one.gemmGflops * 1e6);
  const level2GBs = level2Ms > 0 ? (4 * n ** 3) / 3 / (level2Ms * 1e6) : undefined;
  const row = {
    n,
    featurelab: { eigvalsh: one.eigvalsh, eigh: one.eigh },
    threads: perThreads,
    memoryBound: { level2Ms, level2GBs, ofBandwidth: level2GBs && level2GBs / limits.readGBs },
  };
  // Accuracy of what was timed, so the comparison is between correct results.
  const S = work[0].S;
  const check = fl.scope(() => {
    const { values: w, vectors: V } = fl.eigh(S);
    const SV = fl.matmul(S, V);
    const VL = fl.matmul(
      V,
      fl.fromArray(
        Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? w[i / (n + 1)] : 0)),
        n,
        n,
      ),
    );
    const R = fl.axpy(-1, VL, SV);
    return { residual: fl.norm(R) / fl.norm(S), orthogonality: fl.norm(fl.axpy(-1, fl.eye(n), fl.matmul(V, V, { transA: true })), 'max') };
  });
  row.check = check;
  // numpy on one thread, and on each of featurelab's other thread counts.
  row.numpyThreads = engines.map((e) => {
    const np = runNumpyEig(n, { reps: n >= 2000 ? 3 : 5, threads: e.threads });
    return np.skip
      ? { threads: e.threads, skipped: np.skip }
      : { threads: e.threads, eigvalsh: np.eigvalsh.medianMs, eigh: np.eigh.medianMs, version: np.numpy };
  });
  const np = row.numpyThreads[0];
  row.numpy = np.skipped ? { skipped: np.skipped } : { eigvalsh: np.eigvalsh, eigh: np.eigh, version: np.version };
  if (Matrix && n <= ML_MATRIX_MAX_N) {
    const M = Matrix.from1DArray(n, n, S.toArray());
    const ml = measure(`ml-matrix ${n}`, () => new EigenvalueDecomposition(M, { assumeSymmetric: true }), {
      warmup: n <= 200 ? 1 : 0,
      time: 0,
      iterations: n <= 200 ? 5 : 1,
    });
    row.mlMatrix = { eigh: ml.medianMs, version: packageVersion('ml-matrix') };
  } else {
    row.mlMatrix = { skipped: Matrix ? 'too slow' : 'not installed' };
  }
  for (const w of work) for (const M of Object.values(w)) M.dispose();
  rows.push(row);
  const f = (v) => (v === undefined ? '—' : v.toFixed(1));
  console.log(
    `n=${n}: featurelab eigvalsh ${f(row.featurelab.eigvalsh)} ms, eigh ${f(row.featurelab.eigh)} ms` +
      ` (residual ${check.residual.toExponential(1)}, ‖VᵀV−I‖ ${check.orthogonality.toExponential(1)})` +
      ` · numpy ${row.numpy.skipped ? row.numpy.skipped : `${f(row.numpy.eigvalsh)} / ${f(row.numpy.eigh)} ms`}` +
      ` · ml-matrix ${row.mlMatrix.skipped ?? `${f(row.mlMatrix.eigh)} ms`}`,
  );
}

console.log('\n   n  fl eigvalsh  np eigvalsh  ratio   fl eigh  np eigh  ratio   ml-matrix  ml/fl eigh');
for (const r of rows) {
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
  const pad = (s, w) => String(s).padStart(w);
  console.log(
    `${pad(r.n, 4)}  ${pad(r.featurelab.eigvalsh.toFixed(1), 11)}  ${pad(r.numpy.eigvalsh?.toFixed(1) ?? '—', 11)}  ${pad(ratio(r.featurelab.eigvalsh, r.numpy.eigvalsh), 5)}` +
      `  ${pad(r.featurelab.eigh.toFixed(1), 8)}  ${pad(r.numpy.eigh?.toFixed(1) ?? '—', 7)}  ${pad(ratio(r.featurelab.eigh, r.numpy.eigh), 5)}` +
      `  ${pad(r.mlMatrix.eigh?.toFixed(0) ?? r.mlMatrix.skipped, 10)}  ${pad(ratio(r.mlMatrix.eigh, r.featurelab.eigh), 10)}`,
  );
}

console.log(
  '\nagainst the limit for this design (4n³/3 flops for eigvalsh, + 2n³ for eigh, at the GEMM f64 rate of the same rounds) and numpy on as many threads:',
);
console.log('   n  thr  GEMM GF/s  eigvalsh ms  ×limit  ×numpy  speed-up     eigh ms  ×limit  ×numpy  speed-up');
for (const r of rows) {
  for (const [i, t] of r.threads.entries()) {
    const np = r.numpyThreads[i];
    const pad = (s, w) => String(s).padStart(w);
    const x = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
    console.log(
      `${pad(r.n, 4)}  ${pad(t.threads, 3)}  ${pad(t.gemmGflops.toFixed(1), 9)}  ${pad(t.eigvalsh.toFixed(1), 11)}  ${pad(`${t.eigvalshOfLimit.toFixed(2)}×`, 6)}  ${pad(x(t.eigvalsh, np.eigvalsh), 6)}  ${pad(t.speedup ? `${t.speedup.eigvalsh.toFixed(2)}×` : '—', 8)}` +
        `  ${pad(t.eigh.toFixed(1), 10)}  ${pad(`${t.eighOfLimit.toFixed(2)}×`, 6)}  ${pad(x(t.eigh, np.eigh), 6)}  ${pad(t.speedup ? `${t.speedup.eigh.toFixed(2)}×` : '—', 8)}`,
    );
  }
}
console.log(
  `\nthe one-stage reduction's memory-bound half (4n³/3 bytes of symmetric matrix–vector products; its time = the one-stage eigvalsh less dsterf and less the GEMM half at the GEMM rate), one thread, against ${limits.readGBs.toFixed(1)} GB/s streaming:`,
);
for (const r of rows) {
  const m = r.memoryBound;
  console.log(
    `  n=${r.n}: ≈ ${m.level2Ms.toFixed(0)} ms → ${m.level2GBs ? `${m.level2GBs.toFixed(1)} GB/s, ${(100 * m.ofBandwidth).toFixed(0)}% of the streaming bandwidth` : 'not estimable'}`,
  );
}

console.log(
  '\nwhere the time goes (best of 1–2 calls): two-stage eigvalsh = stage 1 (dense → band, GEMM) + stage 2 (bulge chasing) + dsterf; eigh (one-stage) = reduction (one-stage eigvalsh less dsterf) + dstedc + back-transformation (the rest):',
);
console.log('   n  thr  stage 1 ms  GF/s  stage 2 ms  dsterf ms  shares 1/2/dsterf   one-stage eigvalsh ms  eigh: reduction  dstedc  back-transf.');
for (const r of rows) {
  for (const t of r.threads) {
    const g = t.stages;
    const two = g.stage1 + g.stage2 + g.dsterf;
    const reduction = g.oneStage - g.dsterf;
    const pct = (x, of) => `${Math.round((100 * x) / of)}%`;
    const pad = (v, w) => String(v).padStart(w);
    console.log(
      `${pad(r.n, 4)}  ${pad(t.threads, 3)}  ${pad(g.stage1.toFixed(0), 10)}  ${pad(((4 * r.n ** 3) / 3 / (g.stage1 * 1e6)).toFixed(1), 4)}  ${pad(g.stage2.toFixed(0), 10)}  ${pad(g.dsterf.toFixed(0), 9)}  ${pad(`${pct(g.stage1, two)}/${pct(g.stage2, two)}/${pct(g.dsterf, two)}`, 17)}` +
        `  ${pad(g.oneStage.toFixed(0), 21)}  ${pad(pct(reduction, t.eigh), 15)}  ${pad(pct(g.dstedc, t.eigh), 6)}  ${pad(pct(t.eigh - reduction - g.dstedc, t.eigh), 12)}`,
    );
  }
}

// Issue 15's targets, at every size run (its sizes: --sizes 1000,2000,4000).
const many = THREADS.length > 1 ? THREADS.length - 1 : undefined;
const issue15 = rows.flatMap((r) => {
  const one = r.threads[0];
  const out = [
    { target: `eigvalsh ≤ 1.25× its limit on one thread, n=${r.n}`, value: one.eigvalshOfLimit, limit: 1.25, lower: true },
    { target: `eigh ≤ 2× numpy on one thread, n=${r.n}`, value: r.numpy.eigh && one.eigh / r.numpy.eigh, limit: 2, lower: true },
  ];
  if (many !== undefined) {
    const t = r.threads[many];
    const np = r.numpyThreads[many];
    out.push(
      { target: `eigvalsh 1 → ${t.threads} threads speed-up ≥ 1.6×, n=${r.n}`, value: t.speedup.eigvalsh, limit: 1.6, lower: false },
      {
        target: `eigvalsh on ${t.threads} threads ≤ 1.5× numpy on ${t.threads}, n=${r.n}`,
        value: np.eigvalsh && t.eigvalsh / np.eigvalsh,
        limit: 1.5,
        lower: true,
      },
    );
  }
  return out;
});
console.log('\nissue 15 targets:');
for (const x of issue15) {
  x.met = x.value ? (x.lower ? x.value <= x.limit : x.value >= x.limit) : null;
  console.log(`  ${x.target}: ${x.met === null ? 'not measured' : x.met ? 'MET' : 'NOT MET'}${x.value ? ` (${x.value.toFixed(2)}×)` : ''}`);
}

const t = rows.find((r) => r.n === TARGET_N);
const targets = t
  ? [
      { target: 'eigvalsh ≤ 2× numpy at n=1000', value: t.numpy.eigvalsh && t.featurelab.eigvalsh / t.numpy.eigvalsh, limit: 2, lower: true },
      { target: 'eigh ≤ 3× numpy at n=1000', value: t.numpy.eigh && t.featurelab.eigh / t.numpy.eigh, limit: 3, lower: true },
      { target: 'eigh ≥ 20× faster than ml-matrix at n=1000', value: t.mlMatrix.eigh && t.mlMatrix.eigh / t.featurelab.eigh, limit: 20, lower: false },
    ]
  : [];
console.log('\ntargets:');
for (const x of targets) {
  x.met = x.value ? (x.lower ? x.value <= x.limit : x.value >= x.limit) : null;
  console.log(`  ${x.target}: ${x.met === null ? 'not measured' : x.met ? 'MET' : 'NOT MET'}${x.value ? ` (${x.value.toFixed(2)}×)` : ''}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/eig.json', import.meta.url);
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model,
      node: process.version,
      threads: THREADS,
      limits,
      gemvBandwidth,
      loadavg: { start: loadAtStart, end: os.loadavg() },
      rows,
      targets,
      issue15,
      elapsedSeconds: (performance.now() - started) / 1000,
    },
    null,
    2,
  ) + '\n',
);
console.log(
  `\nwrote ${out.pathname} · suite took ${((performance.now() - started) / 1000).toFixed(1)} s · load average at end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const e of engines) e.dispose();
