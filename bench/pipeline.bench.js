// The Ba et al. one-step pipeline at d = 1000, n = N = 2000 (data, one step, all singular
// values of W1, ridge on a fresh batch, test risk on 2000 fresh points), featurelab beside
// the same pipeline in numpy (bench/numpy_pipeline.py, one thread) in the same run.
//
//   node --expose-gc bench/pipeline.bench.js [--d 1000 --n 2000 --N 2000]

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  createEngine, createNetwork, gdStep, meanSquaredError, randomUnitVector, ridge, sampleBatch, evaluateTarget, gaussianInputs,
} from '../dist/index.js';
import { runPythonScript } from './peers.js';

const { values: cli } = parseArgs({ options: { d: { type: 'string', default: '1000' }, n: { type: 'string', default: '2000' }, N: { type: 'string', default: '2000' }, reps: { type: 'string', default: '3' } } });
const [d, n, N, reps] = [cli.d, cli.n, cli.N, cli.reps].map(Number);
const eta = 4, lambda = 1e-3, noise = 0.1;

const fl = await createEngine();

/** One run of the pipeline under seed `seed`; returns (s1, risk). */
function pipeline(seed) {
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
    return { s1: s[0], risk: meanSquaredError(fl, pred, evaluateTarget(fl, target, Xt)) };
  });
}

console.log(`Ba one-step pipeline · d=${d} n=${n} N=${N} · ${os.cpus()[0]?.model} · Node ${process.version}`);
pipeline(100); // warm-up: V8 tiers the wasm up on a first run
globalThis.gc?.();
const samples = [];
let last;
for (let r = 0; r < reps; r++) {
  const t = performance.now();
  last = pipeline(r);
  samples.push(performance.now() - t);
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(`featurelab: median ${median.toFixed(0)} ms over ${reps} runs (s1 = ${last.s1.toFixed(3)}, test risk = ${last.risk.toFixed(4)})`);
const np = runPythonScript('numpy_pipeline.py', [`--d=${d}`, `--n=${n}`, `--N=${N}`, `--reps=${reps}`]);
let ratio;
if (np.skip) console.log(`numpy: skipped (${np.skip})`);
else {
  ratio = median / np.medianMs;
  console.log(`numpy ${np.numpy}: median ${np.medianMs.toFixed(0)} ms (s1 = ${np.s1.toFixed(3)}, test risk = ${np.risk.toFixed(4)})`);
  console.log(`ratio featurelab/numpy = ${ratio.toFixed(2)}× — target ≤ 2×: ${ratio <= 2 ? 'MET' : 'NOT MET'}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/pipeline.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), d, n, N, featurelab: { medianMs: median, samplesMs: samples, ...last }, numpy: np, ratio }, null, 2) + '\n');
fl.dispose();
