// Exact powers of two, read and built from a double's bits: the rescaling that keeps squares
// and products of extreme magnitudes (1e±300, subnormals) inside the f64 range. Multiplying by
// 2^k is exact unless the result over- or underflows, so results at ordinary scale never change.

const bits = new DataView(new ArrayBuffer(8));

/** 2^e for an integer e in [−1022, 1023], built from its bits (exact in every engine). */
export function pow2(e: number): number {
  bits.setUint32(0, (e + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

/** ⌊log2 |x|⌋ for a finite non-zero x, read from its bits (subnormals included). */
export function exponentOf(x: number): number {
  bits.setFloat64(0, Math.abs(x));
  const biased = bits.getUint32(0) >>> 20;
  if (biased > 0) return biased - 1023;
  return exponentOf(x * 2 ** 64) - 64; // subnormal: normalise first (exact)
}

/** x·2^e, exactly unless the result over- or underflows (in steps whose factors are normal). */
export function timesPow2(x: number, e: number): number {
  while (e > 1000) {
    x *= pow2(1000);
    e -= 1000;
  }
  while (e < -1000) {
    x *= pow2(-1000);
    e += 1000;
  }
  return x * pow2(e);
}

/**
 * The k that brings the largest magnitude `amax` into [1, 2) when it lies outside
 * [2^−safeExponent, 2^safeExponent]; 0 otherwise (and for zero or non-finite amax).
 */
export function rescaleExponent(amax: number, safeExponent: number): number {
  if (amax === 0 || !Number.isFinite(amax)) return 0;
  const e = exponentOf(amax);
  return Math.abs(e) > safeExponent ? -e : 0;
}
