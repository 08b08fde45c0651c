// Cold start: the first call of a computation in a fresh process against the same call once
// warm, for eigvalsh (n = 2000, or --n), the Ba et al. pipeline (d = 1000, n = N = 2000) and
// one large map (tanh of 4M entries: one long call of a small kernel), in
// fresh processes of each runtime, interleaved over rounds:
//
//   node            V8 compiles each wasm function with its optimising compiler on first call
//                   (what the CLI does in Node: src/core/wasm.ts, preferOptimisingTier)
//   node-baseline   FEATURELAB_BASELINE_TIER=1: V8's default, Liftoff first and TurboFan for
//                   later calls (what cold runs paid before)
//   bun             JavaScriptCore's own tiers (skipped when bun is not installed)
//
// Each child first touches as much fresh memory as the computation uses (learned from a
// first child), because first touches of fresh pages are slow on some VMs (≈ 15 µs a page on
// the development machine) whatever the engine does; `--raw` skips that, so the cold call
// also pays the page faults. Every child must compute the same bytes (a fingerprint of the
// outputs), on every runtime and tier. Prints cold/warm per case and runtime (median over
// rounds) and writes bench/results/cold-start.json.
//
//   node bench/cold-start.bench.js [--cases eigvalsh,pipeline,map] [--rounds 3] [--warm 2] [--n 2000] [--threads 1] [--raw]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values: cli } = parseArgs({
  options: {
    cases: { type: 'string', default: 'eigvalsh,pipeline' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    warm: { type: 'string', default: '2' },
    n: { type: 'string', default: '2000' },
    raw: { type: 'boolean', default: false },
    runtimes: { type: 'string', default: 'node,node-baseline,bun' },
    // internal: run one case in this process and print JSON
    child: { type: 'string' },
    'touch-bytes': { type: 'string', default: '0' },
  },
});

const TARGET = 1.2; // issue 15: a cold run pays at most 1.2× a warm one

/** The computations, each returning what it computed (fingerprinted). */
async function runChild(name) {
  const t0 = performance.now();
  const { createEngine } = await import('../dist/index.js');
  // as the CLI does (src/cli/main.ts); FEATURELAB_BASELINE_TIER=1 makes it a no-op
  await (await import('../dist/core/wasm.js')).preferOptimisingTier();
  const fl = await createEngine({ threads: Number(cli.threads) });
  const engineMs = performance.now() - t0;
  const touch = Number(cli['touch-bytes']);
  if (touch > 0) fl.zeros(Math.ceil(touch / 8 / 1000), 1000).dispose(); // touch the pages, then free them for reuse
  // compute() is timed; fingerprint(out) is not.
  let compute;
  let fingerprint = (out) => fl.fingerprint(out);
  if (name === 'eigvalsh') {
    const n = Number(cli.n);
    const S = fl.scope(() => {
      const G = fl.randn(n, n, { seed: 1 });
      return fl.matmul(G, G, { transB: true, alpha: 1 / n });
    });
    compute = () => fl.eigvalsh(S);
  } else if (name === 'map') {
    // One long call of one small kernel: the case where a baseline tier hurts most.
    const X = fl.randn(2000, 2000, { seed: 1 });
    compute = () => fl.map(X, 'tanh');
    fingerprint = (Y) => {
      const f = fl.fingerprint(Y);
      Y.dispose();
      return f;
    };
  } else if (name === 'pipeline') {
    const { baPipeline } = await import('./ba-pipeline.js');
    compute = () => baPipeline(fl, { d: 1000, n: 2000, N: 2000 }, 7);
    fingerprint = (out) => out.fingerprint;
  } else throw new Error(`unknown case ${name}`);
  const times = [];
  const fingerprints = [];
  for (let i = 0; i <= Number(cli.warm); i++) {
    const t = performance.now();
    const out = compute();
    times.push(performance.now() - t);
    fingerprints.push(fingerprint(out));
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  const memoryBytes = fl.memoryStats().memoryBytes;
  fl.dispose();
  return { engineMs, coldMs: times[0], warmMs: warm[warm.length >> 1], warmSamplesMs: times.slice(1), fingerprints, memoryBytes };
}

if (cli.child) {
  process.stdout.write(JSON.stringify(await runChild(cli.child)));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------

const here = fileURLToPath(new URL('./cold-start.bench.js', import.meta.url));
const bunPath = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
const RUNTIMES = {
  node: { command: process.execPath, env: {} },
  'node-baseline': { command: process.execPath, env: { FEATURELAB_BASELINE_TIER: '1' } },
  bun: { command: bunPath, env: {}, available: existsSync(bunPath) },
};
const runtimes = cli.runtimes.split(',').filter((r) => {
  if (!RUNTIMES[r]) throw new Error(`unknown runtime ${r}`);
  if (RUNTIMES[r].available === false) console.log(`note: ${r} skipped (not installed)`);
  return RUNTIMES[r].available !== false;
});

function child(runtime, name, touchBytes) {
  const { command, env } = RUNTIMES[runtime];
  const args = [here, '--child', name, '--threads', cli.threads, '--warm', cli.warm, '--n', cli.n, '--touch-bytes', String(touchBytes)];
  const out = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`${runtime} ${name} exited with ${out.status}:\n${out.stderr}`);
  return JSON.parse(out.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const loadAtStart = os.loadavg();
console.log(
  `cold start · ${os.cpus()[0]?.model} · ${os.availableParallelism()} cores · Node ${process.version} · ${cli.threads} thread(s) · ` +
    `${cli.rounds} rounds · ${cli.raw ? 'fresh pages (raw)' : 'memory touched first'} · load ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`,
);
const results = [];
for (const name of cli.cases.split(',')) {
  // How much memory the computation uses, from one child (also its reference fingerprints).
  // It is also the cold run on fresh pages, page faults included.
  const probe = child('node', name, 0);
  const touchBytes = cli.raw ? 0 : probe.memoryBytes;
  console.log(
    `${name.padEnd(9)} ${'node, fresh'.padEnd(14)} cold ${probe.coldMs.toFixed(0).padStart(6)} ms · warm ${probe.warmMs.toFixed(0).padStart(6)} ms · ` +
      `cold/warm ${(probe.coldMs / probe.warmMs).toFixed(2)}× (one run; first touches of ${(probe.memoryBytes / 2 ** 20).toFixed(0)} MiB of fresh memory included)`,
  );
  results.push({
    case: name,
    runtime: 'node, fresh pages',
    coldMs: probe.coldMs,
    warmMs: probe.warmMs,
    coldOverWarm: probe.coldMs / probe.warmMs,
    touchBytes: 0,
  });
  const samples = Object.fromEntries(runtimes.map((r) => [r, []]));
  for (let round = 0; round < Number(cli.rounds); round++) {
    const order = round % 2 === 0 ? runtimes : [...runtimes].reverse();
    for (const runtime of order) {
      const s = child(runtime, name, touchBytes);
      if (s.fingerprints.some((f) => f !== probe.fingerprints[0])) {
        console.error(`FAIL: ${runtime} computed different bytes for ${name}: ${s.fingerprints.join(', ')} vs ${probe.fingerprints[0]}`);
        process.exit(1);
      }
      samples[runtime].push(s);
    }
  }
  for (const runtime of runtimes) {
    const ss = samples[runtime];
    const ratio = median(ss.map((s) => s.coldMs / s.warmMs));
    // On a busy machine the fastest cold run against the fastest warm run is the steadier ratio.
    const bestRatio = Math.min(...ss.map((s) => s.coldMs)) / Math.min(...ss.map((s) => s.warmMs));
    const row = {
      case: name,
      runtime,
      coldMs: median(ss.map((s) => s.coldMs)),
      warmMs: median(ss.map((s) => s.warmMs)),
      engineMs: median(ss.map((s) => s.engineMs)),
      coldOverWarm: ratio,
      bestColdOverBestWarm: bestRatio,
      ratios: ss.map((s) => s.coldMs / s.warmMs),
      touchBytes,
      met: ratio <= TARGET,
    };
    results.push(row);
    console.log(
      `${name.padEnd(9)} ${runtime.padEnd(14)} cold ${row.coldMs.toFixed(0).padStart(6)} ms · warm ${row.warmMs.toFixed(0).padStart(6)} ms · ` +
        `cold/warm ${ratio.toFixed(2)}× (rounds: ${row.ratios.map((x) => x.toFixed(2)).join(', ')}; best/best ${bestRatio.toFixed(2)}×) · createEngine ${row.engineMs.toFixed(0)} ms` +
        (runtime === 'node-baseline' ? '' : ` — target ≤ ${TARGET}×: ${row.met ? 'MET' : 'NOT MET'}`),
    );
  }
}
console.log(
  `same bytes on every runtime and tier: yes · load average at end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/cold-start.json', import.meta.url),
  JSON.stringify(
    { date: new Date().toISOString(), threads: Number(cli.threads), raw: cli.raw, loadavg: { start: loadAtStart, end: os.loadavg() }, results },
    null,
    2,
  ) + '\n',
);
