// sincos of two f64 lanes at once, bit for bit the scalar NativeMath.sincos (musl's sincos as
// AssemblyScript's std ports it): the same operations in the same order and association, each
// lane's branch chosen by a mask instead of a jump (wasm has no fused multiply-add, so the same
// operations give the same bits). It is Box–Muller's sincos (philox.ts, normalPairsX2).
//
// sincosF64x2 covers |x| < 2^20·π/2 (Box–Muller's θ = 2π·u2 lies in (0, 2π)); the caller checks
// that (sincosPairFast) or knows it. Inside the range, a pair with a lane in a rare branch of
// the scalar code goes to the scalar code lane by lane: |x| < 2^-27·√2, and the lanes whose
// argument reduction needs more than its first Cody–Waite step (x near a multiple of π/2).
//
// see: musl src/math/sincos.c, src/math/__rem_pio2.c, __sin.c and __cos.c, ported in
//      AssemblyScript's std/assembly/math.ts (NativeMath.sincos, rempio2, sin_kern, cos_kern).

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

// Thresholds on |x| from the tests on the high word w of |x|: w ≤ H holds exactly when
// |x| < the double whose bits are (H + 1) << 32, and w < H when |x| is below (H << 32).
const SINCOS_TINY: f64 = reinterpret<f64>(0x3E46A09E00000000); // w < 0x3E46A09E: |x| < 2^-27·√2, sin = x, cos = 1
const SINCOS_SMALL: f64 = reinterpret<f64>(0x3FE921FC00000000); // w ≤ 0x3FE921FB: |x| ≲ π/4, no reduction
const SINCOS_MID: f64 = reinterpret<f64>(0x4002D97C00000000); // w < 0x4002D97C: |x| < 3π/4, quadrant ±1
const SINCOS_CODY_WAITE: f64 = reinterpret<f64>(0x413921FB00000000); // w < 0x413921FB: |x| ≲ 2^20·π/2

// π/2 = PIO2_1 + PIO2_1T to 33 + 53 bits, and 2/π.
const PIO2_1: f64 = reinterpret<f64>(0x3FF921FB54400000);
const PIO2_1T: f64 = reinterpret<f64>(0x3DD0B4611A626331);
const INV_PIO2: f64 = reinterpret<f64>(0x3FE45F306DC9C883);
const TWO_POW_M16: f64 = 1.52587890625e-5; // 2^-16
const SHIFTER: f64 = 6755399441055744.0; // 1.5·2^52

// sin_kern's and cos_kern's polynomials.
const S1: f64 = reinterpret<f64>(0xBFC5555555555549);
const S2: f64 = reinterpret<f64>(0x3F8111111110F8A6);
const S3: f64 = reinterpret<f64>(0xBF2A01A019C161D5);
const S4: f64 = reinterpret<f64>(0x3EC71DE357B1FE7D);
const S5: f64 = reinterpret<f64>(0xBE5AE5E68A2B9CEB);
const S6: f64 = reinterpret<f64>(0x3DE5D93A5ACFD57C);
const C1: f64 = reinterpret<f64>(0x3FA555555555554C);
const C2: f64 = reinterpret<f64>(0xBF56C16C16C15177);
const C3: f64 = reinterpret<f64>(0x3EFA01A019CB1590);
const C4: f64 = reinterpret<f64>(0xBE927E4F809C52AD);
const C5: f64 = reinterpret<f64>(0x3E21EE9EBDB4B1C4);
const C6: f64 = reinterpret<f64>(0xBDA8FAE9BE8838D4);

/** sincosF64x2's results: the sines and cosines of its two lanes. */
export let sincos_sin_x2: v128 = f64x2.splat(0.0);
export let sincos_cos_x2: v128 = f64x2.splat(0.0);

/** True when both lanes are in sincosF64x2's range, |x| < 2^20·π/2 (false for NaN). */
@inline export function sincosPairFast(x: v128): bool {
  return i64x2.all_true(f64x2.lt(f64x2.abs(x), splat(SINCOS_CODY_WAITE)));
}

/**
 * NativeMath.sincos of both lanes (sincosPairFast(x) must hold) into sincos_sin_x2 and
 * sincos_cos_x2, the same bits; two lanes at a time unless a lane is tiny or near a multiple of π/2.
 */
@inline export function sincosF64x2(x: v128): void {
  const ax = f64x2.abs(x);
  const small = f64x2.lt(ax, splat(SINCOS_SMALL));
  // The quadrant q: 0 below π/4 (the kernels on x itself), ±1 below 3π/4, else x·2/π to the
  // nearest integer (ties to even, as nearest()). rempio2's case |x| < 3π/4 is the
  // Cody–Waite step below with q = ±1: x ∓ 1·PIO2_1 is its z = x ∓ PIO2_1 and ±1·PIO2_1T its
  // correction; with q = 0 the step gives y0 = x, y1 = 0, the unreduced kernels' arguments.
  const q = v128.andnot(
    v128.bitselect(v128.bitselect(x, splat(1.0), splat(-0.0)), f64x2.nearest(f64x2.mul(x, splat(INV_PIO2))), f64x2.lt(ax, splat(SINCOS_MID))),
    small,
  );
  const r = f64x2.sub(x, f64x2.mul(q, splat(PIO2_1)));
  const w = f64x2.mul(q, splat(PIO2_1T));
  const y0 = f64x2.sub(r, w);
  const y1 = f64x2.sub(f64x2.sub(r, y0), w);
  // Lanes for the scalar code: tiny ones, and those where the step lost more than 16 bits:
  // rempio2's i = (exponent of x) − (exponent of y0) > 16, that is |y0| < 2^(e − 16) for
  // 2^e ≤ |x| < 2^(e+1); there it takes more bits of π/2. (Its test is unsigned, but y0 never
  // exceeds x in exponent: |y0| ≲ π/4 where |x| ≳ π/4, and y0 = x below.) The high word
  // 0x3FF921FB, where rempio2 uses 33 + 33 + 53 bits of π/2 for q = ±1, is among them: there
  // |x − π/2| < 2^-20 and so |y0| < 2^-16.
  const cancelled = f64x2.lt(f64x2.abs(y0), f64x2.mul(v128.and(ax, i64x2.splat(0x7FF0000000000000)), splat(TWO_POW_M16)));
  if (v128.any_true(v128.or(f64x2.lt(ax, splat(SINCOS_TINY)), cancelled))) {
    sincosLanes(x);
    return;
  }
  // sin_kern(y0, y1, iy) and cos_kern(y0, y1); iy = 0 (the unreduced lanes) drops y.
  const z = f64x2.mul(y0, y0);
  const zz = f64x2.mul(z, z);
  const sr = f64x2.add(
    f64x2.add(splat(S2), f64x2.mul(z, f64x2.add(splat(S3), f64x2.mul(z, splat(S4))))),
    f64x2.mul(f64x2.mul(z, zz), f64x2.add(splat(S5), f64x2.mul(z, splat(S6)))),
  );
  const v = f64x2.mul(z, y0);
  const sinNoTail = f64x2.add(y0, f64x2.mul(v, f64x2.add(splat(S1), f64x2.mul(z, sr))));
  const sinTail = f64x2.sub(
    y0,
    f64x2.sub(f64x2.sub(f64x2.mul(z, f64x2.sub(f64x2.mul(splat(0.5), y1), f64x2.mul(v, sr))), y1), f64x2.mul(v, splat(S1))),
  );
  const s = v128.bitselect(sinNoTail, sinTail, small);
  const cr = f64x2.add(
    f64x2.mul(z, f64x2.add(splat(C1), f64x2.mul(z, f64x2.add(splat(C2), f64x2.mul(z, splat(C3)))))),
    f64x2.mul(f64x2.mul(zz, zz), f64x2.add(splat(C4), f64x2.mul(z, f64x2.add(splat(C5), f64x2.mul(z, splat(C6)))))),
  );
  const hz = f64x2.mul(splat(0.5), z);
  const cw = f64x2.sub(splat(1.0), hz);
  const c = f64x2.add(cw, f64x2.add(f64x2.sub(f64x2.sub(splat(1.0), cw), hz), f64x2.sub(f64x2.mul(z, cr), f64x2.mul(y0, y1))));
  // Quadrant q: q & 1 swaps to (c, −s), q & 2 negates both. The low bits of q + 1.5·2^52 are
  // q's in two's complement (|q| < 2^51), as rempio2's i32 has them.
  const qb = f64x2.add(q, splat(SHIFTER));
  const odd = i64x2.eq(v128.and(qb, i64x2.splat(1)), i64x2.splat(1));
  const flip = v128.and(i64x2.shl(qb, 62), i64x2.splat(0x8000000000000000));
  sincos_sin_x2 = v128.xor(v128.bitselect(c, s, odd), flip);
  sincos_cos_x2 = v128.xor(v128.bitselect(f64x2.neg(s), c, odd), flip);
}

function sincosLanes(x: v128): void {
  NativeMath.sincos(f64x2.extract_lane(x, 0));
  const s = f64x2.splat(NativeMath.sincos_sin), c = f64x2.splat(NativeMath.sincos_cos);
  NativeMath.sincos(f64x2.extract_lane(x, 1));
  sincos_sin_x2 = f64x2.replace_lane(s, 1, NativeMath.sincos_sin);
  sincos_cos_x2 = f64x2.replace_lane(c, 1, NativeMath.sincos_cos);
}

// ---------------------------------------------------------------------------------------
// Test kernels: out[0..n) = sin θ, out[n..2n) = cos θ, by sincosF64x2 (n even; a pair outside
// its range by the scalar code) or by NativeMath.sincos.

export function sincos_x2_f64(n: i32, theta: usize, out: usize): void {
  const o = <usize>n << 3;
  for (let i = 0; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    const t = v128.load(theta + at);
    if (sincosPairFast(t)) sincosF64x2(t);
    else sincosLanes(t);
    v128.store(out + at, sincos_sin_x2);
    v128.store(out + o + at, sincos_cos_x2);
  }
}

export function sincos_ref_f64(n: i32, theta: usize, out: usize): void {
  const o = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    NativeMath.sincos(load<f64>(theta + at));
    store<f64>(out + at, NativeMath.sincos_sin);
    store<f64>(out + o + at, NativeMath.sincos_cos);
  }
}
