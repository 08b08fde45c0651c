// Counter-based random numbers: Philox4x32-10.
//
// see: Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11
//      (the Philox4x32 round, its multipliers and Weyl key increments).
//
// The 128-bit counter is (block_lo, block_hi, stream_lo, stream_hi) and the 64-bit key is
// the seed, so value #i of (seed, stream) is a pure function of i: any partition of the
// work (offsets, chunks, threads) produces the same numbers, in every engine.

import { NORMAL_COST, UNIFORM_COST } from '../config';
import { sincos_cos_x2, sincos_sin_x2, sincosF64x2 } from './sincos-simd';
import { argF, argI, argU, rangeStart, rangeTasks, runJob, setF, setI, setU } from '../parallel/pool';
import { JOB_RNG } from '../parallel/tasks';

const PHILOX_M0: u32 = 0xD2511F53;
const PHILOX_M1: u32 = 0xCD9E8D57;
const PHILOX_W0: u32 = 0x9E3779B9;
const PHILOX_W1: u32 = 0xBB67AE85;

// 2^-52 and 2^-23 as exact powers of two.
const TWO_POW_M52: f64 = 2.220446049250313e-16;
const TWO_POW_M23: f64 = 1.1920928955078125e-7;
const TWO_PI: f64 = 6.283185307179586;

// One Philox4x32-10 block; the four 32-bit outputs are returned as the lanes of a v128.
@inline
function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): v128 {
  for (let round = 0; round < 10; round++) {
    const p0 = <u64>PHILOX_M0 * <u64>c0;
    const p1 = <u64>PHILOX_M1 * <u64>c2;
    const hi0 = <u32>(p0 >> 32), lo0 = <u32>p0;
    const hi1 = <u32>(p1 >> 32), lo1 = <u32>p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  let out = i32x4.splat(<i32>c0);
  out = i32x4.replace_lane(out, 1, <i32>c1);
  out = i32x4.replace_lane(out, 2, <i32>c2);
  out = i32x4.replace_lane(out, 3, <i32>c3);
  return out;
}

@inline
function block(index: u64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): v128 {
  return philox(<u32>index, <u32>(index >> 32), streamLo, streamHi, seedLo, seedHi);
}

// Raw Philox4x32-10 output for a given counter and key (for known-answer tests).
export function philox4x32_10(out: usize, c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  v128.store(out, philox(c0, c1, c2, c3, k0, k1));
}

// A uniform double in (0, 1) from two words: 52 random bits, centred in their cell, so
// neither 0 nor 1 can occur (which keeps log(u) finite below). (With 53 bits the top cell's
// centre 1 − 2^-54 would round to 1.)
@inline
function unit52(hi: u32, lo: u32): f64 {
  const bits = ((<u64>hi << 32) | <u64>lo) >> 12;
  return (<f64>bits + 0.5) * TWO_POW_M52;
}

// Fills out[0..count) with uniform (0,1) doubles #first .. #first+count-1 of (seed, stream).
// Double #i uses words 2(i mod 2), 2(i mod 2)+1 of block ⌊i/2⌋.
function uniformSerialF64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  let i = <u64>first;
  for (let t = 0; t < count; t++, i++) {
    const w = block(i >> 1, seedLo, seedHi, streamLo, streamHi);
    const u = (i & 1) == 0
      ? unit52(i32x4.extract_lane(w, 0), i32x4.extract_lane(w, 1))
      : unit52(i32x4.extract_lane(w, 2), i32x4.extract_lane(w, 3));
    store<f64>(out + (<usize>t << 3), u);
  }
}

// Uniform (0,1) floats: 23 random bits each, one word per value, four values per block.
function uniformSerialF32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  let i = <u64>first;
  for (let t = 0; t < count; t++, i++) {
    const w = block(i >> 2, seedLo, seedHi, streamLo, streamHi);
    const lane = <i32>(i & 3);
    const word: u32 = lane == 0 ? i32x4.extract_lane(w, 0) : lane == 1 ? i32x4.extract_lane(w, 1)
      : lane == 2 ? i32x4.extract_lane(w, 2) : i32x4.extract_lane(w, 3);
    store<f32>(out + (<usize>t << 2), <f32>((<f64>(word >> 9) + 0.5) * TWO_POW_M23));
  }
}

// Standard normals by the Box–Muller transform: uniforms u1, u2 give the pair (r·cos θ, r·sin θ)
// with r = √(−2 ln u1), θ = 2π·u2. Only the module's own Math is used, so the values are the
// same in every engine.
// see: Box & Muller, "A note on the generation of random normal deviates", Ann. Math.
//      Statist. 29 (1958).
@inline
function boxMuller(u1: f64, u2: f64): v128 {
  const r = Math.sqrt(-2.0 * Math.log(u1));
  // sincos shares one argument reduction between the two, and for θ in (0, 2π) returns what
  // Math.cos and Math.sin do (musl's kernels, the same branches).
  NativeMath.sincos(TWO_PI * u2);
  let out = f64x2.splat(r * NativeMath.sincos_cos);
  return f64x2.replace_lane(out, 1, r * NativeMath.sincos_sin);
}

// Normals #2j and #2j+1, from block j (words 0, 1 make u1; words 2, 3 make u2).
@inline
function normalPair(w: v128): v128 {
  return boxMuller(unit52(i32x4.extract_lane(w, 0), i32x4.extract_lane(w, 1)), unit52(i32x4.extract_lane(w, 2), i32x4.extract_lane(w, 3)));
}

// unit52 of two 64-bit lanes, each (hi word << 32 | lo word) of one block: the top 52 bits
// become a double exactly by the exponent trick, (2^52 + bits) − 2^52.
@inline
function unit52x2(pairs: v128): v128 {
  const bits = i64x2.shr_u(pairs, 12);
  const exact = f64x2.sub(v128.or(bits, i64x2.splat(0x4330000000000000)), f64x2.splat(4503599627370496.0));
  return f64x2.mul(f64x2.add(exact, f64x2.splat(0.5)), f64x2.splat(TWO_POW_M52));
}

// Normals #2j, #2j+1 of two blocks (lanes j = 0, 1 of u1, u2): boxMuller's values, the
// logarithms lane by lane (the module's Math), the rest two lanes at a time: sincos by
// sincos-simd.ts (NativeMath.sincos's bits; θ = 2π·u2 < 2π is in its range). Not inlined: as a
// call, normalsX4F64 ran faster (randn 2000×2000 50.4 → 47.7 ms). musl's log two lanes at a
// time (its table path and near-1 window as masks, the same bits) made randn only 1.5% faster
// (47.5 → 46.8 ms), not worth a copy of its 4 KB of tables: the logarithms stay scalar.
function normalPairsX2(u1: v128, u2: v128, out: usize): void {
  let logs = f64x2.splat(Math.log(f64x2.extract_lane(u1, 0)));
  logs = f64x2.replace_lane(logs, 1, Math.log(f64x2.extract_lane(u1, 1)));
  const r = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), logs));
  sincosF64x2(f64x2.mul(f64x2.splat(TWO_PI), u2));
  const rc = f64x2.mul(r, sincos_cos_x2), rs = f64x2.mul(r, sincos_sin_x2);
  v128.store(out, f64x2.shuffle(rc, rs, 0, 2));
  v128.store(out, f64x2.shuffle(rc, rs, 1, 3), 16);
}

// Normals #2b .. #2b+7 (blocks b .. b+3) into out (f64): normalPair's values, four Philox
// blocks at a time in the lanes of c0..c3 (word q of block j is lane j of cq), the rounds of
// philox() on 32×32 → 64-bit lane products.
function normalsX4F64(out: usize, b: u64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  let c0 = i32x4.splat(<i32>b), c1 = i32x4.splat(<i32>(b >> 32));
  c0 = i32x4.replace_lane(c0, 1, <i32>(b + 1)); c1 = i32x4.replace_lane(c1, 1, <i32>((b + 1) >> 32));
  c0 = i32x4.replace_lane(c0, 2, <i32>(b + 2)); c1 = i32x4.replace_lane(c1, 2, <i32>((b + 2) >> 32));
  c0 = i32x4.replace_lane(c0, 3, <i32>(b + 3)); c1 = i32x4.replace_lane(c1, 3, <i32>((b + 3) >> 32));
  let c2 = i32x4.splat(<i32>streamLo), c3 = i32x4.splat(<i32>streamHi);
  let k0 = i32x4.splat(<i32>seedLo), k1 = i32x4.splat(<i32>seedHi);
  const m0 = i32x4.splat(<i32>PHILOX_M0), m1 = i32x4.splat(<i32>PHILOX_M1);
  for (let round = 0; round < 10; round++) {
    // Products of blocks 0, 1 (low) and 2, 3 (high) as u64 lanes; their high and low words
    // regathered in block order.
    const p0lo = i64x2.extmul_low_i32x4_u(m0, c0), p0hi = i64x2.extmul_high_i32x4_u(m0, c0);
    const p1lo = i64x2.extmul_low_i32x4_u(m1, c2), p1hi = i64x2.extmul_high_i32x4_u(m1, c2);
    const hi0 = i8x16.shuffle(p0lo, p0hi, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const lo0 = i8x16.shuffle(p0lo, p0hi, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const hi1 = i8x16.shuffle(p1lo, p1hi, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const lo1 = i8x16.shuffle(p1lo, p1hi, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    c0 = v128.xor(v128.xor(hi1, c1), k0);
    c1 = lo1;
    c2 = v128.xor(v128.xor(hi0, c3), k1);
    c3 = lo0;
    k0 = i32x4.add(k0, i32x4.splat(<i32>PHILOX_W0));
    k1 = i32x4.add(k1, i32x4.splat(<i32>PHILOX_W1));
  }
  // (word 0 << 32 | word 1) of blocks 0, 1 and of 2, 3; likewise words 2, 3.
  const a01 = unit52x2(i8x16.shuffle(c1, c0, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
  const a23 = unit52x2(i8x16.shuffle(c1, c0, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31));
  const b01 = unit52x2(i8x16.shuffle(c3, c2, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
  const b23 = unit52x2(i8x16.shuffle(c3, c2, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31));
  normalPairsX2(a01, b01, out);
  normalPairsX2(a23, b23, out + 32);
}

@inline
function fillNormals<T>(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  let i = <u64>first;
  let t = 0;
  const size = sizeof<T>();
  if ((i & 1) == 1 && count > 0) {
    const z = normalPair(block(i >> 1, seedLo, seedHi, streamLo, streamHi));
    store<T>(out, <T>f64x2.extract_lane(z, 1));
    t++; i++;
  }
  if (sizeof<T>() == 8) {
    for (; t + 8 <= count; t += 8, i += 8) normalsX4F64(out + (<usize>t << 3), i >> 1, seedLo, seedHi, streamLo, streamHi);
  }
  for (; t + 1 < count; t += 2, i += 2) {
    const z = normalPair(block(i >> 1, seedLo, seedHi, streamLo, streamHi));
    store<T>(out + <usize>t * size, <T>f64x2.extract_lane(z, 0));
    store<T>(out + <usize>(t + 1) * size, <T>f64x2.extract_lane(z, 1));
  }
  if (t < count) {
    const z = normalPair(block(i >> 1, seedLo, seedHi, streamLo, streamHi));
    store<T>(out + <usize>t * size, <T>f64x2.extract_lane(z, 0));
  }
}

// Fills out[0..count) with standard normals #first.. of (seed, stream). The f32 variant
// rounds the same f64 values, so f32 and f64 draws agree to f32 precision.
function normalSerialF64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  fillNormals<f64>(out, count, first, seedLo, seedHi, streamLo, streamHi);
}

function normalSerialF32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  fillNormals<f32>(out, count, first, seedLo, seedHi, streamLo, streamHi);
}

// Test kernels: normals #2j, #2j+1 (out[2j], out[2j+1]) from the uniforms u1[j], u2[j], j < n,
// by normalPairsX2 (n even; u2 in (0, 1)) or by boxMuller.
export function box_muller_x2_f64(n: i32, u1: usize, u2: usize, out: usize): void {
  for (let j = 0; j + 2 <= n; j += 2) {
    const at = <usize>j << 3;
    normalPairsX2(v128.load(u1 + at), v128.load(u2 + at), out + (at << 1));
  }
}

export function box_muller_ref_f64(n: i32, u1: usize, u2: usize, out: usize): void {
  for (let j = 0; j < n; j++) {
    const at = <usize>j << 3;
    v128.store(out + (at << 1), boxMuller(load<f64>(u1 + at), load<f64>(u2 + at)));
  }
}

// ---------------------------------------------------------------------------------------
// On the pool (parallel/pool.ts): the exported entry points.

// Random numbers: value #i is a pure function of (seed, stream, i), so chunks of the output
// are drawn independently. Boundaries on multiples of 64 values (even: normals come in
// pairs from one Philox block, so no pair is computed twice).
const R_WHICH = 0, R_OUT = 1, R_COUNT = 2, R_FIRST = 3, R_SEED_LO = 4, R_SEED_HI = 5, R_STREAM_LO = 6, R_STREAM_HI = 7, R_TASKS = 8;
const RNG_UNIFORM_F64 = 0, RNG_UNIFORM_F32 = 1, RNG_NORMAL_F64 = 2, RNG_NORMAL_F32 = 3;

function rngDraw(which: i32, out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  switch (which) {
    case RNG_UNIFORM_F64: uniformSerialF64(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    case RNG_UNIFORM_F32: uniformSerialF32(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    case RNG_NORMAL_F64: normalSerialF64(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    default: normalSerialF32(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
  }
}

function rngParallel(which: i32, out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  const tasks = rangeTasks(count, which >= RNG_NORMAL_F64 ? NORMAL_COST : UNIFORM_COST);
  if (tasks <= 1) {
    rngDraw(which, out, count, first, seedLo, seedHi, streamLo, streamHi);
    return;
  }
  setI(R_WHICH, which); setU(R_OUT, out); setI(R_COUNT, count); setF(R_FIRST, first);
  setU(R_SEED_LO, seedLo); setU(R_SEED_HI, seedHi); setU(R_STREAM_LO, streamLo); setU(R_STREAM_HI, streamHi);
  setI(R_TASKS, tasks);
  runJob(JOB_RNG, tasks, 0);
}

export function rngTask(t: i32): void {
  const count = argI(R_COUNT), tasks = argI(R_TASKS), which = argI(R_WHICH);
  const i0 = rangeStart(t, tasks, count, 64), i1 = rangeStart(t + 1, tasks, count, 64);
  if (i1 <= i0) return;
  const size: usize = which == RNG_UNIFORM_F64 || which == RNG_NORMAL_F64 ? 8 : 4;
  rngDraw(which, argU(R_OUT) + <usize>i0 * size, i1 - i0, argF(R_FIRST) + <f64>i0,
    <u32>argU(R_SEED_LO), <u32>argU(R_SEED_HI), <u32>argU(R_STREAM_LO), <u32>argU(R_STREAM_HI));
}

export function rng_uniform_f64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_UNIFORM_F64, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_uniform_f32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_UNIFORM_F32, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_normal_f64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_NORMAL_F64, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_normal_f32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_NORMAL_F32, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
