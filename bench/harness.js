// Shared timing helper of the benchmark suites.
import { Bench } from 'tinybench';

/** Times fn with tinybench after `warmup` untimed calls; returns latency statistics in ms. */
export function measure(name, fn, { warmup, time, iterations }) {
  // V8 first runs wasm in its baseline tier (Liftoff) and swaps in optimised code on a
  // later call, so warm up by hand: tinybench's own warmup is time-boxed, ours counts calls.
  for (let i = 0; i < warmup; i++) fn();
  globalThis.gc?.(); // start each case with a clean heap (run with --expose-gc)
  const bench = new Bench({ name, time, iterations, warmup: false, retainSamples: true, throws: true });
  bench.add(name, fn);
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw result.error ?? new Error(`${name}: ${result.state}`);
  const { latency } = result;
  return {
    medianMs: latency.p50,
    meanMs: latency.mean,
    minMs: latency.min,
    rme: latency.rme,
    samples: latency.samplesCount,
    samplesMs: [...latency.samples],
  };
}

