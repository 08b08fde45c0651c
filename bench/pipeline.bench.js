// The Ba et al. one-step pipeline at d = 1000, n = N = 2000 (data, one step, all singular
// values of W1, ridge on a fresh batch, test risk on 2000 fresh points: bench/ba-pipeline.js,
// the library's own src/experiments/ba-pipeline.ts), featurelab on one thread and on all
// cores (interleaved runs; the results must be the same bytes) beside the same pipeline in
// numpy (bench/numpy_pipeline.py) on one thread and on as many threads, in the same run.
// The pipeline's limit for this design: its GEMM, eigensolver and Cholesky flops at the GEMM
// f64 rate measured in the same rounds (a 2000×1000 by 1000×2000 product) on the same threads.
//
//   node --expose-gc bench/pipeline.bench.js [--d 1000 --n 2000 --N 2000] [--threads 1,2] [--reps 5]

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { baPipeline, pipelineFlops } from './ba-pipeline.js';
import { interleaved, threadCounts } from './harness.js';
import { runPythonScript } from './peers.js';

const { values: cli } = parseArgs({
  options: {
    d: { type: 'string', default: '1000' },
    n: { type: 'string', default: '2000' },
    N: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string' },
  },
});
const [d, n, N, reps] = [cli.d, cli.n, cli.N, cli.reps].map(Number);
const THREADS = threadCounts(cli.threads, os.availableParallelism());
const TARGET_SPEEDUP = 1.5; // on all cores of a 2-core machine, against one thread
const TARGET_OF_LIMIT = 1.2; // issue 15: within 1.2× of the limit for this design
const loadAtStart = os.loadavg();

const engines = [];
for (const threads of THREADS) engines.push(await createEngine({ threads }));

/** One run of the pipeline on engine `fl` under seed `seed`: (s1, risk) and the fingerprint of every singular value and the risk. */
const pipeline = (fl, seed) => baPipeline(fl, { d, n, N }, seed);

// The GEMM f64 rate of each engine, timed in the same rounds: the pipeline's largest products are n×d by d×N.
const gemmOperands = engines.map((fl) => ({ A: fl.randn(n, d, { seed: 1 }), B: fl.randn(d, N, { seed: 2 }), C: fl.zeros(n, N) }));
const gemmFlops = 2 * n * d * N;

console.log(`Ba one-step pipeline · d=${d} n=${n} N=${N} · ${os.cpus()[0]?.model} · ${os.availableParallelism()} cores · Node ${process.version}`);
console.log(
  `threads: ${engines.map((e) => `${e.threads}${e.threadInfo.fallback ? ` (fallback: ${e.threadInfo.fallback})` : ''}`).join(', ')} · ${reps} interleaved runs each after a warm-up`,
);
// Every thread count runs the same seeds; the results must agree bit for bit.
// Call k on every engine uses seed 100 + k (the first call is the warm-up).
const seen = engines.map(() => []);
const measured = interleaved(
  [
    ...engines.map((fl, i) => ({ name: `${fl.threads}`, fn: () => seen[i].push(pipeline(fl, 100 + seen[i].length)) })),
    ...engines.map((fl, i) => ({ name: `gemm ${fl.threads}`, fn: () => fl.gemm(gemmOperands[i].C, gemmOperands[i].A, gemmOperands[i].B) })),
  ],
  { warmup: 1, rounds: reps },
);
const results = measured.slice(0, engines.length);
const gemmResults = measured.slice(engines.length);
const fingerprints = (i) => JSON.stringify(seen[i].map((r) => r.fingerprint));
if (!engines.every((_, i) => fingerprints(i) === fingerprints(0))) {
  console.error('FAIL: the thread counts computed different results');
  process.exit(1);
}
const last = seen[0][seen[0].length - 1];
// speed-up: the median over rounds of t(1 thread)/t(N threads) within the round (paired, so
// the machine's slow drift does not bias it), beside the ratio of the medians.
for (const [i, r] of results.entries()) {
  console.log(
    `featurelab, ${String(engines[i].threads).padStart(2)} thread(s): median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)})` +
      (i > 0 ? ` · speed-up ${r.speedup.toFixed(2)}× (ratio of medians ${(results[0].medianMs / r.medianMs).toFixed(2)}×)` : ''),
  );
}
console.log(`  (s1 = ${last.s1.toFixed(3)}, test risk = ${last.risk.toFixed(4)}; identical on every thread count)`);
// The limit for this design: every large kernel at the GEMM rate just measured on as many threads.
const flops = pipelineFlops({ d, n, N });
const totalFlops = flops.gemm + flops.eig + flops.cholesky;
const limits = engines.map((fl, i) => {
  const rate = gemmFlops / (gemmResults[i].medianMs * 1e6); // GFLOP/s at the median
  const limitMs = totalFlops / (rate * 1e6);
  return { threads: fl.threads, gemmGflops: rate, limitMs, ofLimit: results[i].medianMs / limitMs };
});
console.log(
  `limit for this design: ${(flops.gemm / 1e9).toFixed(1)} GFLOP of GEMM + ${(flops.eig / 1e9).toFixed(2)} of eigensolver (4m³/3) + ${(flops.cholesky / 1e9).toFixed(2)} of Cholesky at the GEMM f64 rate measured in the same rounds:`,
);
for (const l of limits) {
  console.log(
    `  ${String(l.threads).padStart(2)} thread(s): GEMM ${l.gemmGflops.toFixed(1)} GFLOP/s → limit ${l.limitMs.toFixed(0)} ms; pipeline at ${l.ofLimit.toFixed(2)}× its limit — target ≤ ${TARGET_OF_LIMIT}×: ${l.ofLimit <= TARGET_OF_LIMIT ? 'MET' : 'NOT MET'}`,
  );
}
const single = results[0].medianMs;
const all = results[results.length - 1];
const speedup = all.speedup;
if (engines.length > 1) {
  console.log(
    `target ≥ ${TARGET_SPEEDUP}× on ${engines[engines.length - 1].threads} threads against one: ${speedup >= TARGET_SPEEDUP ? 'MET' : 'NOT MET'} (${speedup.toFixed(2)}×)`,
  );
}
// numpy on one thread and on as many threads as featurelab's largest count.
const np = runPythonScript('numpy_pipeline.py', [`--d=${d}`, `--n=${n}`, `--N=${N}`, `--reps=${reps}`]);
const npThreads =
  engines.length > 1 ? runPythonScript('numpy_pipeline.py', [`--d=${d}`, `--n=${n}`, `--N=${N}`, `--reps=${reps}`], { threads: Number(all.name) }) : undefined;
let ratio;
if (np.skip) console.log(`numpy: skipped (${np.skip})`);
else {
  ratio = single / np.medianMs;
  console.log(`numpy ${np.numpy} (one thread): median ${np.medianMs.toFixed(0)} ms (s1 = ${np.s1.toFixed(3)}, test risk = ${np.risk.toFixed(4)})`);
  console.log(`ratio featurelab (one thread)/numpy (one thread) = ${ratio.toFixed(2)}× — target ≤ 2×: ${ratio <= 2 ? 'MET' : 'NOT MET'}`);
  if (npThreads && !npThreads.skip) {
    console.log(`numpy (${all.name} threads): median ${npThreads.medianMs.toFixed(0)} ms`);
    console.log(`ratio featurelab (${all.name} threads)/numpy (${all.name} threads) = ${(all.medianMs / npThreads.medianMs).toFixed(2)}×`);
  }
}
console.log(
  `load average: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at end`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/pipeline.json', import.meta.url),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      d,
      n,
      N,
      featurelab: { medianMs: single, samplesMs: results[0].samplesMs, s1: last.s1, risk: last.risk },
      threads: results.map((r, i) => ({
        threads: engines[i].threads,
        medianMs: r.medianMs,
        samplesMs: r.samplesMs,
        speedup: r.speedup,
        speedupOfMedians: single / r.medianMs,
      })),
      limits: { flops, perThreads: limits },
      numpy: np,
      numpyThreads: npThreads,
      ratio,
      loadavg: { start: loadAtStart, end: os.loadavg() },
    },
    null,
    2,
  ) + '\n',
);
for (const ops of gemmOperands) for (const M of Object.values(ops)) M.dispose();
for (const e of engines) e.dispose();
