import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { EPS64, engine, fixture, sameBytes } from '../helpers.js';

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
