// Physical limits of this machine for the instructions featurelab allows, for the benchmarks
// only: a separate module (bench/limits.js compiles it with asc; it is not part of
// featurelab.wasm). GEMM's micro-kernels are chains of f64x2/f32x4 multiplies and adds (no
// fused multiply-add, by design), so their ceiling is the rate at which the core retires
// independent SIMD multiplies and adds; the level-2 half of the tridiagonal reduction reads
// its matrix once per step, so its ceiling is the rate at which memory streams into a core.
//
// Each kernel keeps enough independent chains to cover the latency of its pipes (6 multiply
// and 6 add chains: two pipes of each kind with a latency of 3–4 cycles on current x86 and
// ARM cores) and no more than fit the 16 SIMD registers of x86-64, so the compiled loop has
// no spills. Floating-point arithmetic is not associative: no compiler may fold the chains.

// 12 accumulators per iteration: 6 multiply chains (x ← x·m, |m| < 1 but close, so values
// neither overflow nor reach subnormals in 1e10 steps) and 6 add chains (x ← x + a).
// Each iteration runs 4 rounds of the 12 operations: 48 vector instructions.

/** f64x2: 4·12 vector ops × 2 lanes = 96 flops per iteration. Returns a sum so nothing is dead. */
export function peak_f64x2(iterations: i32): f64 {
  const m = f64x2.splat(0.9999999999);
  const a = f64x2.splat(1e-12);
  let p0 = f64x2.splat(1.0), p1 = f64x2.splat(1.1), p2 = f64x2.splat(1.2);
  let p3 = f64x2.splat(1.3), p4 = f64x2.splat(1.4), p5 = f64x2.splat(1.5);
  let s0 = f64x2.splat(0.0), s1 = f64x2.splat(0.1), s2 = f64x2.splat(0.2);
  let s3 = f64x2.splat(0.3), s4 = f64x2.splat(0.4), s5 = f64x2.splat(0.5);
  for (let i = 0; i < iterations; i++) {
    for (let r = 0; r < 4; r++) {
      p0 = f64x2.mul(p0, m); s0 = f64x2.add(s0, a);
      p1 = f64x2.mul(p1, m); s1 = f64x2.add(s1, a);
      p2 = f64x2.mul(p2, m); s2 = f64x2.add(s2, a);
      p3 = f64x2.mul(p3, m); s3 = f64x2.add(s3, a);
      p4 = f64x2.mul(p4, m); s4 = f64x2.add(s4, a);
      p5 = f64x2.mul(p5, m); s5 = f64x2.add(s5, a);
    }
  }
  const p = f64x2.add(f64x2.add(f64x2.add(p0, p1), f64x2.add(p2, p3)), f64x2.add(p4, p5));
  const s = f64x2.add(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)), f64x2.add(s4, s5));
  const t = f64x2.add(p, s);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** f32x4: 4·12 vector ops × 4 lanes = 192 flops per iteration. */
export function peak_f32x4(iterations: i32): f64 {
  const m = f32x4.splat(<f32>0.99999994);
  const a = f32x4.splat(<f32>1e-9);
  let p0 = f32x4.splat(1.0), p1 = f32x4.splat(1.1), p2 = f32x4.splat(1.2);
  let p3 = f32x4.splat(1.3), p4 = f32x4.splat(1.4), p5 = f32x4.splat(1.5);
  let s0 = f32x4.splat(0.0), s1 = f32x4.splat(0.1), s2 = f32x4.splat(0.2);
  let s3 = f32x4.splat(0.3), s4 = f32x4.splat(0.4), s5 = f32x4.splat(0.5);
  for (let i = 0; i < iterations; i++) {
    for (let r = 0; r < 4; r++) {
      p0 = f32x4.mul(p0, m); s0 = f32x4.add(s0, a);
      p1 = f32x4.mul(p1, m); s1 = f32x4.add(s1, a);
      p2 = f32x4.mul(p2, m); s2 = f32x4.add(s2, a);
      p3 = f32x4.mul(p3, m); s3 = f32x4.add(s3, a);
      p4 = f32x4.mul(p4, m); s4 = f32x4.add(s4, a);
      p5 = f32x4.mul(p5, m); s5 = f32x4.add(s5, a);
    }
  }
  const p = f32x4.add(f32x4.add(f32x4.add(p0, p1), f32x4.add(p2, p3)), f32x4.add(p4, p5));
  const s = f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(s4, s5));
  const t = f32x4.add(p, s);
  return <f64>(f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) + f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3));
}

/** Grows memory by `bytes` (rounded up to pages) and returns where the new region starts. */
export function reserve(bytes: i32): usize {
  const start = <usize>memory.size() << 16;
  if (memory.grow((bytes + 0xffff) >>> 16) < 0) unreachable();
  return start;
}

/**
 * Streams `bytes` (a multiple of 128) from `src` with 16-byte loads into 8 independent f64x2
 * sums, `passes` times: the read bandwidth that a matrix–vector product can reach at best.
 */
export function stream_read(src: usize, bytes: i32, passes: i32): f64 {
  let s0 = f64x2.splat(0.0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  const end = src + <usize>bytes;
  for (let pass = 0; pass < passes; pass++) {
    for (let p = src; p < end; p += 128) {
      s0 = f64x2.add(s0, v128.load(p));
      s1 = f64x2.add(s1, v128.load(p, 16));
      s2 = f64x2.add(s2, v128.load(p, 32));
      s3 = f64x2.add(s3, v128.load(p, 48));
      s4 = f64x2.add(s4, v128.load(p, 64));
      s5 = f64x2.add(s5, v128.load(p, 80));
      s6 = f64x2.add(s6, v128.load(p, 96));
      s7 = f64x2.add(s7, v128.load(p, 112));
    }
  }
  const t = f64x2.add(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)), f64x2.add(f64x2.add(s4, s5), f64x2.add(s6, s7)));
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** Fills `bytes` at `dst` with 1.0 (so the streamed values are ordinary numbers). */
export function fill_ones(dst: usize, bytes: i32): void {
  const one = f64x2.splat(1.0);
  const end = dst + <usize>bytes;
  for (let p = dst; p < end; p += 16) v128.store(p, one);
}
