// This machine's physical limits for featurelab's instructions, on one thread: the peak rate
// of independent f64x2 / f32x4 multiplies and adds (GEMM's ceiling without fused
// multiply-add) and the read bandwidth of a streaming kernel (the ceiling of the
// memory-bound matrix–vector half of the tridiagonal reduction). The kernels are
// assembly/blas/peak.ts, compiled here into bench/results/peak.wasm (a module of their own,
// not part of featurelab.wasm). gemm.bench.js, eig.bench.js and pipeline.bench.js report
// their rates as fractions of these.
//
//   node bench/limits.js            # prints the limits as JSON

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SOURCE = new URL('../assembly/blas/peak.ts', import.meta.url);
const OUTPUT = new URL('./results/peak.wasm', import.meta.url);
const ASC = new URL('../node_modules/.bin/asc', import.meta.url);

/** Compiles assembly/blas/peak.ts when its module is missing or older than the source. */
function compilePeakModule() {
  if (existsSync(OUTPUT) && statSync(OUTPUT).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  // From bench/, so asc does not pick up the project's asconfig.json (featurelab.wasm's entry).
  execFileSync(fileURLToPath(ASC), [fileURLToPath(SOURCE), '--outFile', fileURLToPath(OUTPUT), '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert'], {
    cwd: fileURLToPath(new URL('./', import.meta.url)),
    stdio: 'inherit',
  });
}

/** Best of `reps` timings of fn (ms): a peak is what the machine can do, so the minimum time. */
function best(fn, reps) {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

/**
 * Measures the limits on the calling thread: { f64: GFLOP/s, f32: GFLOP/s, readGBs: GB/s,
 * streamBytes }. Best of `reps` runs (the stream: of 32·reps/10 chunks).
 */
export async function measureLimits({ reps = 150 } = {}) {
  compilePeakModule();
  const { instance } = await WebAssembly.instantiate(readFileSync(OUTPUT), {});
  const k = instance.exports;
  // Short calls (≈ 1 ms), many of them: on a shared machine the best of many short calls is
  // the one that ran undisturbed.
  const iterations = 200_000; // 19.2 Mflop (f64) / 38.4 Mflop (f32) per call
  // A call first untimed, so V8 runs the optimised code (bench/cold-start.bench.js).
  k.peak_f64x2(1000);
  k.peak_f32x4(1000);
  const f64 = (96 * iterations) / (best(() => k.peak_f64x2(iterations), reps) * 1e6);
  const f32 = (192 * iterations) / (best(() => k.peak_f32x4(iterations), reps) * 1e6);
  // 256 MiB, read in 8 MiB chunks one after the other (each chunk was last read 256 MiB ago,
  // so it comes from memory: 32 MiB of L3 per Zen 4 CCD), each chunk timed (≈ 0.3 ms: short,
  // like the peak's calls, so the best of them ran undisturbed on a busy machine).
  const streamBytes = 256 << 20;
  const chunk = 8 << 20;
  const src = k.reserve(streamBytes);
  k.fill_ones(src, streamBytes);
  k.stream_read(src, streamBytes, 1);
  let bestChunkMs = Infinity;
  for (let i = 0; i < 32 * Math.max(4, Math.round(reps / 10)); i++) {
    const at = src + (i % (streamBytes / chunk)) * chunk;
    const t = performance.now();
    k.stream_read(at, chunk, 1);
    bestChunkMs = Math.min(bestChunkMs, performance.now() - t);
  }
  const readGBs = chunk / (bestChunkMs * 1e6);
  return { f64, f32, readGBs, streamBytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureLimits()));
}
