import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { EPS64, engine, fixture, rawF64, sameBytes } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

interface RngFixture {
  kat: { ctr: number[]; key: number[]; out: number[] }[];
  cases: { seed: string; stream: number; uniform: number[]; normal: number[] }[];
}
const fx = fixture<RngFixture>('rng.json');

describe('Philox4x32-10', () => {
  it('reproduces the published known-answer vectors', () => {
    const out = fl.allocBytes(16);
    for (const t of fx.kat) {
      fl.kernels.philox4x32_10(out, t.ctr[0]!, t.ctr[1]!, t.ctr[2]!, t.ctr[3]!, t.key[0]!, t.key[1]!);
      expect(Array.from(new Uint32Array(fl.memory.buffer, out, 4))).toEqual(t.out);
    }
    fl.freeBytes(out);
  });

  it('uniforms equal an independent Python implementation exactly; normals to a few ulp', () => {
    for (const c of fx.cases) {
      const seed = BigInt(c.seed);
      const u = fl.rand(1, 64, { seed, stream: c.stream });
      expect(Array.from(u.toArray())).toEqual(c.uniform);
      const z = fl.randn(8, 8, { seed, stream: c.stream }).toArray();
      for (let i = 0; i < 64; i++) {
        const scale = Math.sqrt(-2 * Math.log(c.uniform[i - (i % 2)]!)); // radius r ≥ |z|
        expect(Math.abs(z[i]! - c.normal[i]!)).toBeLessThanOrEqual(8 * EPS64 * Math.max(scale, 1));
      }
      u.dispose();
    }
  });
});

describe('randn / rand', () => {
  it('is a pure function of (seed, stream, index): any partition gives the same numbers', () => {
    fl.scope(() => {
      for (const dtype of ['f64', 'f32'] as const) {
        for (const draw of ['randn', 'rand'] as const) {
          const whole = fl[draw](1, 1001, { seed: 9, stream: 4, dtype }).toArray();
          const parts: number[] = [];
          for (const [offset, len] of [
            [0, 1],
            [1, 2],
            [3, 500],
            [503, 497],
            [1000, 1],
          ] as const) {
            parts.push(...fl[draw](1, len, { seed: 9, stream: 4, offset, dtype }).toArray());
          }
          expect(sameBytes(whole, (dtype === 'f64' ? Float64Array : Float32Array).from(parts))).toBe(true);
        }
      }
    });
  });

  it('normals drawn four Philox blocks at a time equal those drawn one by one', () => {
    // Long f64 runs take the SIMD path (eight normals per step); a single draw the scalar one.
    const one = fl.allocBytes(8),
      many = fl.allocBytes(8 * 40);
    const counters: [number, number][] = [
      [0, 0],
      [1, 7],
      [2 ** 33 - 9, 3], // block counters crossing 2^32 inside a step
      [2 ** 53 - 60, 5],
    ];
    for (const [first, seed] of counters) {
      fl.kernels.rng_normal_f64(many, 40, first, seed, 0x9e3779b9, 3, 0xffffffff);
      const run = new Float64Array(fl.memory.buffer, many, 40).slice();
      for (let i = 0; i < 40; i++) {
        fl.kernels.rng_normal_f64(one, 1, first + i, seed, 0x9e3779b9, 3, 0xffffffff);
        expect(sameBytes(new Float64Array(fl.memory.buffer, one, 1), run.subarray(i, i + 1)), `#${first + i}`).toBe(true);
      }
    }
    fl.freeBytes(one);
    fl.freeBytes(many);
  });

  it('f32 normals are the f64 normals rounded', () => {
    fl.scope(() => {
      const a = fl.randn(10, 10, { seed: 3 }).toArray();
      const b = fl.randn(10, 10, { seed: 3, dtype: 'f32' }).toArray();
      expect(sameBytes(Float32Array.from(a), b)).toBe(true);
    });
  });

  it('different seeds and streams give different numbers; same arguments the same', () => {
    fl.scope(() => {
      const a = fl.randn(4, 4, { seed: 1 }).toArray();
      expect(sameBytes(a, fl.randn(4, 4, { seed: 1 }).toArray())).toBe(true);
      expect(sameBytes(a, fl.randn(4, 4, { seed: 2 }).toArray())).toBe(false);
      expect(sameBytes(a, fl.randn(4, 4, { seed: 1, stream: 1 }).toArray())).toBe(false);
      expect(sameBytes(a, fl.randn(4, 4, { seed: 1n << 40n }).toArray())).toBe(false);
    });
  });

  it('has the moments of N(0,1) and U(0,1) (n = 10^6, 6σ tolerances)', () => {
    fl.scope(() => {
      const n = 1_000_000;
      const z = fl.randn(1000, 1000, { seed: 11 });
      const mean = fl.sum(z) / n;
      const m2 = fl.dot(z, z) / n;
      const z2 = fl.hadamard(z, z);
      const m4 = fl.dot(z2, z2) / n;
      expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(n));
      expect(Math.abs(m2 - 1)).toBeLessThan(6 * Math.sqrt(2 / n));
      expect(Math.abs(m4 - 3)).toBeLessThan(6 * Math.sqrt(96 / n));
      const u = fl.rand(1000, 1000, { seed: 12 });
      expect(Math.abs(fl.sum(u) / n - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / n));
      const uv = u.toArray();
      let min = 1,
        max = 0;
      for (const v of uv) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(min).toBeGreaterThan(0);
      expect(max).toBeLessThan(1);
    });
  });
});

describe('Box–Muller two lanes at a time', () => {
  const bits = new BigUint64Array(1),
    f = new Float64Array(bits.buffer);
  const fromBits = (b: bigint) => {
    bits[0] = BigInt.asUintN(64, b);
    return f[0]!;
  };
  const toBits = (x: number) => {
    f[0] = x;
    return bits[0]!;
  };
  /** x and its neighbours: ±1..3 ulps, then irregular steps of ≈ 2^28 ulps (round steps land on values where the branches agree). */
  const around = (x: number) =>
    [-3n, -2n, -1n, 0n, 1n, 2n, 3n, ...Array.from({ length: 8 }, (_, j) => BigInt(j - 4) * 0x0fedcba9n)].map((d) => fromBits(toBits(x) + d));
  /** A test w > W or w ≤ W on the high word w switches at the double (W + 1)·2^32, w < W at W·2^32: both. */
  const highWordEdges = (w: number) => [fromBits(BigInt(w) << 32n), fromBits(BigInt(w + 1) << 32n)];
  /** The index of the first entry whose bytes differ, or -1. */
  const firstDifference = (a: Float64Array, b: Float64Array) => {
    for (let i = 0; i < a.length; i++) if (toBits(a[i]!) !== toBits(b[i]!)) return i;
    return -1;
  };
  /**
   * The values, then the values paired with every filler in turn (on either side): each branch
   * shares a pair with each of the fillers' branches.
   */
  const mixed = (values: number[], fillers: number[]) => {
    const out = [...values, ...(values.length % 2 ? [fillers[0]!] : [])];
    values.forEach((v, i) => {
      const g = fillers[i % fillers.length]!;
      out.push(v, g, g, v);
    });
    return Float64Array.from(out);
  };

  // u1: the smallest and the largest uniform, and a few between.
  const u1Values = [2 ** -53, 1 - 2 ** -53, 0.5, 0.9375, 0.3, 0.97, 1e-10, 0.999, 0.7];

  // sincos: the thresholds on the high word (tiny, π/4, 3π/4, π/2's word 0x3FF921FB, the
  // Cody–Waite bound), π/4, π/2, 3π/4, π, …, 2π with neighbours, multiples of π/2 approached
  // to 2^-e·(1 + j/8), e = 6..53 (rempio2's 2nd iteration from e ≈ 17, its 3rd from e ≈ 50;
  // below e ≈ 23 the 2nd seldom changes the result), the midpoints where the quadrant's
  // rounding switches, the top of (0, 2π); each with both signs.
  const quarter = Math.PI / 2;
  const thetaValues = [
    ...[0x3e46a09e, 0x3fe921fb, 0x4002d97c, 0x3ff921fb, 0x3ff921fc, 0x413921fb].flatMap(highWordEdges).flatMap(around),
    ...[0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4].flatMap((m) => around(m * quarter)),
    ...[1, 2, 3, 4].flatMap((m) =>
      Array.from({ length: 48 * 8 }, (_, i) => 2 ** -(6 + (i >> 3)) * (1 + (i & 7) / 8)).flatMap((d) => [m * quarter * (1 + d), m * quarter * (1 - d)]),
    ),
    ...around(2 * Math.PI * (1 - 2 ** -53)),
    // Near π with i = 17 (one bit past the 2nd iteration's threshold): two of the rare inputs
    // where that iteration changes the result (found by a search over 1.2·10^6 of them).
    ...[0x4009220ac75071dfn, 0x40092209ae562d63n].map(fromBits),
    2 * Math.PI * 2 ** -53,
    1e-9,
  ].flatMap((x) => [x, -x]);
  // Tiny and ±0 (the scalar code inside sincosF64x2), beyond its range, ∞, NaN.
  const thetaOutside = [0, -0, 1e-300, 5e-324, 1e7, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
  const thetaFillers = [0.3, 1.2, 4.0, 1e-9, quarter, 6.2, -2.2];

  function expectSincos(theta: Float64Array, what: string) {
    const n = theta.length;
    const pt = rawF64(fl, n),
      a = rawF64(fl, 2 * n),
      b = rawF64(fl, 2 * n);
    pt.view().set(theta);
    fl.kernels.sincos_x2_f64(n, pt.ptr, a.ptr);
    fl.kernels.sincos_ref_f64(n, pt.ptr, b.ptr);
    const i = firstDifference(a.view(), b.view());
    const input = i < 0 ? '' : `${i < n ? 'sin' : 'cos'}(${theta[i % n]})`;
    for (const p of [pt, a, b]) p.free();
    expect(i, `${what}: ${input}`).toBe(-1);
  }

  function expectBoxMuller(u1: Float64Array, u2: Float64Array, what: string) {
    const n = u1.length;
    const p1 = rawF64(fl, n),
      p2 = rawF64(fl, n),
      a = rawF64(fl, 2 * n),
      b = rawF64(fl, 2 * n);
    p1.view().set(u1);
    p2.view().set(u2);
    fl.kernels.box_muller_x2_f64(n, p1.ptr, p2.ptr, a.ptr);
    fl.kernels.box_muller_ref_f64(n, p1.ptr, p2.ptr, b.ptr);
    const i = firstDifference(a.view(), b.view());
    const input = i < 0 ? '' : `u1 = ${u1[i >> 1]}, u2 = ${u2[i >> 1]}`;
    for (const p of [p1, p2, a, b]) p.free();
    expect(i, `${what}: ${input}`).toBe(-1);
  }

  /** n values, cycling through b. */
  const cycled = (b: Float64Array, n: number) => Float64Array.from({ length: n }, (_, i) => b[i % b.length]!);

  it('sincos equals the scalar one at and next to every branch threshold, and on 10^6 angles in (−8, 8)', () => {
    expectSincos(mixed([...thetaValues, ...thetaOutside], thetaFillers), 'thresholds');
    fl.scope(() => {
      const u = fl.rand(1, 1_000_000, { seed: 24 }).toArray();
      expectSincos(
        u.map((v) => 16 * v - 8),
        'wide',
      );
    });
  });

  it('the normals equal the scalar ones at the thresholds and for 10^6 uniforms', () => {
    // u2 = θ/2π for the thresholds θ in (0, 2π), and neighbours (θ = 2π·u2 is rounded).
    const u2 = mixed(
      thetaValues.filter((t) => t > 0 && t < 2 * Math.PI).flatMap((t) => around(t / (2 * Math.PI)).slice(2, 5)),
      thetaFillers.filter((t) => t > 0 && t < 2 * Math.PI).map((t) => t / (2 * Math.PI)),
    );
    expectBoxMuller(cycled(Float64Array.from(u1Values), u2.length), u2, 'thresholds');
    fl.scope(() => {
      // The generator's own uniforms.
      const m = 1_000_000;
      expectBoxMuller(fl.rand(1, m, { seed: 21 }).toArray(), fl.rand(1, m, { seed: 22 }).toArray(), 'uniforms');
    });
  });
});
