// Sweeps (issue 13): the quick Ba et al. Fig. 3c sweep run by featurelab (`featurelab figure
// ba-fig3c --preset quick --jobs P`, a fresh directory each time, P = the cores) beside the same
// sweep in numpy (bench/numpy_ba_fig3c.py: a multiprocessing pool of P single-threaded
// processes), as a ratio measured in the same run; then sweep throughput (points/s) of one
// small sweep run with --jobs 1 and --jobs P, against the target 0.85·P × one process. Every
// time is the wall time of the whole command (process start, planning, running, reporting).
//
//   node --expose-gc bench/sweep.bench.js [--reps 3] [--jobs P] [--seeds 12]

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PSI1_GRID } from '../dist/experiments/ba-one-step.js';
import { findFigure } from '../dist/experiments/figures/index.js';
import { interleaved } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', 'dist', 'cli', 'main.js');
const PYTHON = process.env.PYTHON ?? 'python3';

const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    jobs: { type: 'string' },
    seeds: { type: 'string', default: '12' },
  },
});
const reps = Number(opt.reps);
const jobs = Number(opt.jobs ?? os.availableParallelism());
const throughputSeeds = Number(opt.seeds);
const TARGET_EFFICIENCY = 0.85; // throughput on P processes ≥ 0.85·P × one process (issue 13)
const root = mkdtempSync(path.join(os.tmpdir(), 'fl-sweep-bench-'));
let fresh = 0;
const freshDir = (name) => path.join(root, `${name}-${fresh++}`);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}
function featurelab(args) {
  const r = run(process.execPath, [CLI, ...args]);
  if (r.status !== 0) throw new Error(`featurelab ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

// The figure's own quick settings, so both sides run the same sweep.
const fig = findFigure('ba-fig3c');
const quick = fig.presets.quick;
const setting = (k) => quick.grid[k][0];
const npArgs = [
  path.join(here, 'numpy_ba_fig3c.py'),
  `--seeds=${quick.seeds}`,
  `--d=${setting('dCurve')}`,
  `--psi2=${setting('psi2')}`,
  `--n-test=${setting('nTest')}`,
  `--lam=${setting('lambda')}`,
  `--noise=${setting('noise')}`,
  `--psi1=${PSI1_GRID.join(',')}`,
  `--procs=${jobs}`,
];
// numpy single-threaded; this machine's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE overrides are dropped for this command alone
const npEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
delete npEnv.OPENBLAS_CORETYPE;
delete npEnv.OPENBLAS_L2_SIZE;
const probe = run(PYTHON, [path.join(here, 'numpy_ba_fig3c.py'), '--seeds=1', '--d=8', '--procs=1'], npEnv);
const numpySkip = probe.error ? `${PYTHON} not found` : probe.status === 2 ? 'numpy or scipy not installed' : probe.status !== 0 ? probe.stderr : undefined;

console.log(`Sweeps · ${os.cpus()[0]?.model} · ${os.availableParallelism()} cores · Node ${process.version} · ${reps} interleaved rounds`);
console.log(
  `Ba Fig. 3c quick: ${quick.seeds} seeds × ${3 * PSI1_GRID.length} (ψ1, α) risks at d = ${setting('dCurve')}, ψ2 = ${setting('psi2')}, nTest = ${setting('nTest')}; ${jobs} processes each side`,
);
let flOut, npOut;
const variants = [
  { name: 'featurelab', fn: () => (flOut = featurelab(['figure', 'ba-fig3c', '--preset', 'quick', '--jobs', String(jobs), '--out', freshDir('fig3c')])) },
];
if (!numpySkip) {
  variants.push({
    name: 'numpy',
    fn: () => {
      const r = run(PYTHON, npArgs, npEnv);
      if (r.status !== 0) throw new Error(`numpy_ba_fig3c.py exited with ${r.status}:\n${r.stderr}`);
      npOut = JSON.parse(r.stdout);
    },
  });
}
const fig3c = interleaved(variants, { warmup: 0, rounds: reps });
const flMs = fig3c[0].medianMs;
console.log(
  `featurelab figure ba-fig3c --jobs ${jobs}: median ${(flMs / 1000).toFixed(1)} s (${fig3c[0].samplesMs.map((t) => (t / 1000).toFixed(1)).join(', ')})`,
);
console.log(`  ${flOut.split('\n').find((l) => l.startsWith('Measured'))}`);
let ratio;
if (numpySkip) console.log(`numpy: skipped (${numpySkip})`);
else {
  const npMs = fig3c[1].medianMs;
  ratio = flMs / npMs;
  console.log(
    `numpy ${npOut.numpy} (Pool(${jobs}), one thread each): median ${(npMs / 1000).toFixed(1)} s (${fig3c[1].samplesMs.map((t) => (t / 1000).toFixed(1)).join(', ')}; the pool alone ${npOut.seconds.toFixed(1)} s)`,
  );
  console.log(`  numpy mean risk at ψ1 = 8: α = 0: ${npOut.meanRisk['8/0'].toFixed(4)}, α = ½: ${npOut.meanRisk['8/0.5'].toFixed(4)}`);
  console.log(`ratio featurelab/numpy = ${ratio.toFixed(2)}× (median over rounds of the paired ratio ${fig3c[1].speedup.toFixed(2)}×)`);
}

// Throughput: one small sweep (the Fig. 3c quick curve's points, more seeds), planned once per run, run with --jobs 1 and --jobs P.
const grid = ['d=16', 'n=32', 'N=16', 'psi1=0.1', 'psi2=2', 'dCurve=128', 'nTest=1000'];
const fingerprints = new Set();
const runSweep = (p) => {
  const dir = freshDir(`jobs${p}`);
  featurelab(['sweep', 'ba-one-step', ...grid, '--seeds', String(throughputSeeds), '--out', dir, '--plan-only']);
  const t = performance.now();
  featurelab(['sweep', 'run', dir, '--jobs', String(p)]);
  const ms = performance.now() - t;
  featurelab(['sweep', 'report', dir]);
  fingerprints.add(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).fingerprint);
  return ms;
};
// interleaved() times the whole call (plan + run + report); the run alone is kept here
const runMs = { 1: [], [jobs]: [] };
const thr = interleaved(
  [1, jobs].map((p) => ({ name: `${p}`, fn: () => runMs[p].push(runSweep(p)) })),
  { warmup: 0, rounds: reps },
);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = (p) => throughputSeeds / (median(runMs[p]) / 1000);
const speedup = perSecond(jobs) / perSecond(1);
console.log(`throughput (sweep run of ${throughputSeeds} points, ba-one-step ${grid.join(' ')}):`);
console.log(`  --jobs 1: ${perSecond(1).toFixed(2)} points/s (${runMs[1].map((t) => (t / 1000).toFixed(1)).join(', ')} s)`);
console.log(`  --jobs ${jobs}: ${perSecond(jobs).toFixed(2)} points/s (${runMs[jobs].map((t) => (t / 1000).toFixed(1)).join(', ')} s)`);
console.log(
  `  ratio ${speedup.toFixed(2)}× against the target ${(TARGET_EFFICIENCY * jobs).toFixed(2)}× (0.85·P): ${speedup >= TARGET_EFFICIENCY * jobs ? 'MET' : 'NOT MET'}; same sweep fingerprint on both: ${fingerprints.size === 1 ? 'yes' : 'NO'}`,
);
if (fingerprints.size !== 1) {
  console.error('FAIL: --jobs 1 and --jobs P gave different sweep fingerprints');
  process.exitCode = 1;
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/sweep.json', import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      jobs,
      fig3c: { featurelabMs: fig3c[0].samplesMs, numpyMs: fig3c[1]?.samplesMs, ratio, numpy: npOut },
      throughput: { points: throughputSeeds, runMs, pointsPerSecond: { 1: perSecond(1), [jobs]: perSecond(jobs) }, speedup, target: TARGET_EFFICIENCY * jobs },
      roundsMs: thr.map((r) => r.samplesMs),
    },
    null,
    2,
  )}\n`,
);
rmSync(root, { recursive: true, force: true });
