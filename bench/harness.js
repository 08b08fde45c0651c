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

/**
 * Times several variants of one computation in interleaved rounds (one call of each per
 * round, after `warmup` untimed rounds), so that the machine's drift over the run (a noisy
 * shared VM) hits every variant alike. Returns per variant its samples (ms) and median, and
 * per variant the median over rounds of (time of variant 0) / (its time): a speed-up
 * against the first variant measured in the same rounds.
 */
export function interleaved(variants, { warmup, rounds }) {
  for (let r = 0; r < warmup; r++) for (const v of variants) v.fn();
  globalThis.gc?.();
  const samples = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order, so no variant always runs right after another.
    const order = r % 2 === 0 ? variants.map((_, i) => i) : variants.map((_, i) => variants.length - 1 - i);
    for (const i of order) {
      const t = performance.now();
      variants[i].fn();
      samples[i].push(performance.now() - t);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return variants.map((v, i) => ({
    name: v.name,
    samplesMs: samples[i],
    medianMs: median(samples[i]),
    minMs: Math.min(...samples[i]),
    speedup: median(samples[0].map((t0, r) => t0 / samples[i][r])),
  }));
}

/** Thread counts from a `--threads` flag ('1,2'); default 1 and the available cores. */
export function threadCounts(flag, cores) {
  const list = flag ? flag.split(',').map(Number) : [1, Math.min(cores, 16)];
  for (const t of list) if (!Number.isInteger(t) || t < 1 || t > 64) throw new Error(`--threads: bad thread count ${t}`);
  return [...new Set([1, ...list])];
}
