// tanh of two f64 lanes at once, bit for bit the scalar NativeMath.tanh (musl's tanh on
// musl's expm1): the same operations in the same order, each lane's branch chosen by a mask
// instead of a jump. It covers 2^-50 ≤ |x| ≤ 19, where expm1's argument ±2|x| keeps its
// exponent k in −1..56; a pair with a lane outside (tiny, huge, NaN) goes to the scalar code.
//
// see: musl src/math/tanh.c and src/math/expm1.c (the branch thresholds and the polynomial),
//      as ported in AssemblyScript's std/assembly/math.ts (NativeMath.tanh, NativeMath.expm1).

// Thresholds on |x| from musl's tests on the high word w of a nonnegative double: w > H holds
// exactly when |x| ≥ the double whose bits are (H + 1) << 32, and w < H when |x| is below
// (H << 32) (bit order is value order for nonnegative doubles).
const TANH_BIG: f64 = reinterpret<f64>(0x3FE193EB00000000); // w > 0x3FE193EA: |x| > log(3)/2
const TANH_MID: f64 = reinterpret<f64>(0x3FD058AF00000000); // w > 0x3FD058AE: |x| > log(5/3)/2
const EXPM1_REDUCE: f64 = reinterpret<f64>(0x3FD62E4300000000); // hx > 0x3FD62E42: |x| > ln2/2
const EXPM1_ROUND: f64 = reinterpret<f64>(0x3FF0A2B200000000); // hx < 0x3FF0A2B2: |x| < 1.5·ln2
/** The lanes this file handles: 2^-50 ≤ |x| ≤ 19 (false for NaN). */
const FAST_MIN: f64 = 8.881784197001252e-16; // 2^-50
const FAST_MAX: f64 = 19.0;

const LN2_HI: f64 = reinterpret<f64>(0x3FE62E42FEE00000);
const LN2_LO: f64 = reinterpret<f64>(0x3DEA39EF35793C76);
const INV_LN2: f64 = reinterpret<f64>(0x3FF71547652B82FE);
const Q1: f64 = reinterpret<f64>(0xBFA11111111110F4);
const Q2: f64 = reinterpret<f64>(0x3F5A01A019FE5585);
const Q3: f64 = reinterpret<f64>(0xBF14CE199EAADBB7);
const Q4: f64 = reinterpret<f64>(0x3ED0CFCA86E65239);
const Q5: f64 = reinterpret<f64>(0xBE8AFDB76E09C32D);

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

/** True when both lanes of x are in the range tanhF64x2 covers. */
@inline export function tanhPairFast(x: v128): bool {
  const ax = f64x2.abs(x);
  return i64x2.all_true(v128.and(f64x2.ge(ax, splat(FAST_MIN)), f64x2.le(ax, splat(FAST_MAX))));
}

/** musl's expm1 on two lanes whose exponents k (below) lie in −1..56 and which are not tiny, for tanh's arguments. */
@inline function expm1F64x2(x: v128): v128 {
  const ax = f64x2.abs(x);
  // k: 0 without reduction (|x| ≤ ln2/2), ±1 for |x| < 1.5·ln2, else x/ln2 rounded half away
  // from zero (musl's i32(invln2·x ± 0.5), a truncation, is f64x2.trunc here: same value).
  const signHalf = v128.bitselect(x, splat(0.5), splat(-0.0)); // copysign(0.5, x)
  const rounded = f64x2.trunc(f64x2.add(f64x2.mul(splat(INV_LN2), x), signHalf));
  const unit = v128.bitselect(x, splat(1.0), splat(-0.0)); // 1 − 2·sign
  const k = v128.and(v128.bitselect(unit, rounded, f64x2.lt(ax, splat(EXPM1_ROUND))), f64x2.ge(ax, splat(EXPM1_REDUCE)));
  // Reduction x = hi − lo, c its rounding error; with k = 0 it leaves x as it is and c = 0.
  const hi = f64x2.sub(x, f64x2.mul(k, splat(LN2_HI)));
  const lo = f64x2.mul(k, splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const c = f64x2.sub(f64x2.sub(hi, r), lo);
  const hfx = f64x2.mul(splat(0.5), r);
  const hxs = f64x2.mul(r, hfx);
  const hxq = f64x2.mul(hxs, hxs);
  const r1 = f64x2.add(
    f64x2.add(splat(1.0), f64x2.mul(hxs, splat(Q1))),
    f64x2.mul(hxq, f64x2.add(f64x2.add(splat(Q2), f64x2.mul(hxs, splat(Q3))), f64x2.mul(hxq, f64x2.add(splat(Q4), f64x2.mul(hxs, splat(Q5)))))),
  );
  const t = f64x2.sub(splat(3.0), f64x2.mul(r1, hfx));
  let e = f64x2.mul(hxs, f64x2.div(f64x2.sub(r1, t), f64x2.sub(splat(6.0), f64x2.mul(r, t))));
  const whenZero = f64x2.sub(r, f64x2.sub(f64x2.mul(r, e), hxs));
  e = f64x2.sub(f64x2.sub(f64x2.mul(r, f64x2.sub(e, c)), c), hxs);
  const whenMinusOne = f64x2.sub(f64x2.mul(splat(0.5), f64x2.sub(r, e)), splat(0.5));
  // k = 1 comes only from tanh's argument 2|x| > 2·log(5/3)/2 ≈ 0.511, so r = 2|x| − ln2 >
  // −0.19 and musl's other branch for k = 1 (r < −0.25) is never taken here.
  const whenOne = f64x2.add(splat(1.0), f64x2.mul(splat(2.0), f64x2.sub(r, e)));
  // 2 ≤ k ≤ 56: (r + y)·2^k with y from 2^-k, both powers built from k's bits.
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const twopk = i64x2.shl(i64x2.add(ki, i64x2.splat(0x3FF)), 52);
  const twomk = i64x2.shl(i64x2.sub(i64x2.splat(0x3FF), ki), 52);
  const y = v128.bitselect(
    f64x2.sub(f64x2.sub(splat(1.0), twomk), e),
    f64x2.sub(splat(1.0), f64x2.add(e, twomk)),
    f64x2.lt(k, splat(20.0)),
  );
  const general = f64x2.mul(f64x2.add(r, y), twopk);
  let result = v128.bitselect(whenOne, general, f64x2.eq(k, splat(1.0)));
  result = v128.bitselect(whenMinusOne, result, f64x2.eq(k, splat(-1.0)));
  return v128.bitselect(whenZero, result, f64x2.eq(k, splat(0.0)));
}

/** tanh of both lanes (tanhPairFast(x) must hold), the same bits as NativeMath.tanh. */
@inline export function tanhF64x2(x: v128): v128 {
  const y = f64x2.abs(x);
  const big = f64x2.ge(y, splat(TANH_BIG));
  const mid = f64x2.ge(y, splat(TANH_MID));
  // |x| above log(5/3)/2: t = expm1(2|x|); below: t = expm1(−2|x|).
  const twoY = f64x2.mul(splat(2.0), y);
  const t = expm1F64x2(v128.bitselect(twoY, f64x2.mul(splat(-2.0), y), mid));
  // big: 1 − 2/(t + 2); mid: t/(t + 2); small: −t/(t + 2) (one division for all three).
  const q = f64x2.div(v128.bitselect(splat(2.0), v128.bitselect(t, f64x2.neg(t), mid), big), f64x2.add(t, splat(2.0)));
  const magnitude = v128.bitselect(f64x2.sub(splat(1.0), q), q, big);
  return v128.bitselect(x, magnitude, splat(-0.0)); // copysign(magnitude, x)
}
