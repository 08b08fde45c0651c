// The Ba et al. one-step pipeline at d = 1000, n = N = 2000 (data, one step, all singular
// values of W1, ridge on a fresh batch, test risk on 2000 fresh points), featurelab on one
// thread and on all cores (interleaved runs; the results must be the same bytes) beside the
// same pipeline in numpy (bench/numpy_pipeline.py, one thread) in the same run.
//
//   node --expose-gc bench/pipeline.bench.js [--d 1000 --n 2000 --N 2000] [--threads 1,2] [--reps 3]

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine, createNetwork, gdStep, meanSquaredError, randomUnitVector, ridge, sampleBatch, evaluateTarget, gaussianInputs } from '../dist/index.js';
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
const eta = 4,
  lambda = 1e-3,
  noise = 0.1;
const THREADS = threadCounts(cli.threads, os.availableParallelism());
const TARGET_SPEEDUP = 1.5; // on all cores of a 2-core machine, against one thread

const engines = [];
for (const threads of THREADS) engines.push(await createEngine({ threads }));

/** One run of the pipeline on engine `fl` under seed `seed`; returns (s1, risk) and the fingerprint of both. */
function pipeline(fl, seed) {
  return fl.scope(() => {
    const beta = randomUnitVector(fl, d, { seed, stream: 0 });
    const target = { kind: 'single-index', link: 'tanh', beta };
    const train = sampleBatch(fl, target, n, d, { seed, stream: 2, noise });
    const net = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed, stream: 10 });
    gdStep(fl, net, train.X, train.y, { etaW: eta * Math.sqrt(N) }); // W1 = W0 + η√N·G0
    const s = fl.svdvals(net.W);
    const fresh = sampleBatch(fl, target, n, d, { seed, stream: 4, noise });
    const Phi = fl.scale(fl.map(fl.matmul(fresh.X, net.W), 'tanh'), 1 / Math.sqrt(N));
    const ahat = ridge(fl, Phi, fresh.y, lambda, 'primal');
    const Xt = gaussianInputs(fl, n, d, { seed, stream: 6 });
    const pred = fl.matmul(fl.scale(fl.map(fl.matmul(Xt, net.W), 'tanh'), 1 / Math.sqrt(N)), ahat);
    const s1 = s[0];
    const risk = meanSquaredError(fl, pred, evaluateTarget(fl, target, Xt));
    return { s1, risk, fingerprint: fl.fingerprint([s1, risk]) };
  });
}

console.log(`Ba one-step pipeline · d=${d} n=${n} N=${N} · ${os.cpus()[0]?.model} · ${os.availableParallelism()} cores · Node ${process.version}`);
console.log(
  `threads: ${engines.map((e) => `${e.threads}${e.threadInfo.fallback ? ` (fallback: ${e.threadInfo.fallback})` : ''}`).join(', ')} · ${reps} interleaved runs each after a warm-up`,
);
// Every thread count runs the same seeds; the results must agree bit for bit.
// Call k on every engine uses seed 100 + k (the first call is the warm-up).
const seen = engines.map(() => []);
const results = interleaved(
  engines.map((fl, i) => ({ name: `${fl.threads}`, fn: () => seen[i].push(pipeline(fl, 100 + seen[i].length)) })),
  { warmup: 1, rounds: reps },
);
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
const single = results[0].medianMs;
const all = results[results.length - 1];
const speedup = all.speedup;
if (engines.length > 1) {
  console.log(
    `target ≥ ${TARGET_SPEEDUP}× on ${engines[engines.length - 1].threads} threads against one: ${speedup >= TARGET_SPEEDUP ? 'MET' : 'NOT MET'} (${speedup.toFixed(2)}×)`,
  );
}
const np = runPythonScript('numpy_pipeline.py', [`--d=${d}`, `--n=${n}`, `--N=${N}`, `--reps=${reps}`]);
let ratio;
if (np.skip) console.log(`numpy: skipped (${np.skip})`);
else {
  ratio = single / np.medianMs;
  console.log(`numpy ${np.numpy} (one thread): median ${np.medianMs.toFixed(0)} ms (s1 = ${np.s1.toFixed(3)}, test risk = ${np.risk.toFixed(4)})`);
  console.log(`ratio featurelab (one thread)/numpy = ${ratio.toFixed(2)}× — target ≤ 2×: ${ratio <= 2 ? 'MET' : 'NOT MET'}`);
  if (engines.length > 1) console.log(`ratio featurelab (${all.name} threads)/numpy (one thread) = ${(all.medianMs / np.medianMs).toFixed(2)}×`);
}
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
      numpy: np,
      ratio,
    },
    null,
    2,
  ) + '\n',
);
for (const e of engines) e.dispose();
