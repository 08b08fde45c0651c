import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { EPS32, EPS64, engine, fixture, sameBytes, testArray } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

interface L1 {
  n: number;
  seedX: number;
  seedY: number;
  dot: number;
  sum: number;
  asum: number;
  nrm2: number;
}
const cases = fixture<L1[]>('level1.json');

describe('reductions', () => {
  it('SIMD dot and sum equal their scalar twins bit for bit', () => {
    for (const n of [0, 1, 2, 7, 8, 9, 15, 16, 17, 100, 1001]) {
      fl.scope(() => {
        const x = fl.randn(n, 1, { seed: n });
        const y = fl.randn(n, 1, { seed: n + 1 });
        const k = fl.kernels;
        expect(Object.is(k.dot_f64(n, x.ptr, y.ptr), k.dot_ref_f64(n, x.ptr, y.ptr))).toBe(true);
        expect(Object.is(k.sum_f64(n, x.ptr), k.sum_ref_f64(n, x.ptr))).toBe(true);
      });
    }
  });

  for (const dtype of ['f64', 'f32'] as const) {
    it(`${dtype}: dot, sum, |x|₁ and ‖x‖₂ agree with exact values within c·n·ε`, () => {
      const T = dtype === 'f64' ? Float64Array : Float32Array;
      for (const c of cases) {
        fl.scope(() => {
          const xs = testArray(c.seedX, c.n),
            ys = testArray(c.seedY, c.n);
          const x = fl.fromArray(T.from(xs), c.n, 1);
          const y = fl.fromArray(T.from(ys), c.n, 1);
          let sAbs = 0,
            pAbs = 0;
          for (let i = 0; i < c.n; i++) {
            sAbs += Math.abs(xs[i]!);
            pAbs += Math.abs(xs[i]! * ys[i]!);
          }
          const tol = (scale: number) => 2 * c.n * EPS64 * scale + 1e-300;
          expect(Math.abs(fl.dot(x, y) - c.dot)).toBeLessThanOrEqual(tol(pAbs));
          expect(Math.abs(fl.sum(x) - c.sum)).toBeLessThanOrEqual(tol(sAbs));
          expect(Math.abs(fl.norm(x, 'fro') - c.nrm2)).toBeLessThanOrEqual(tol(c.nrm2));
          expect(Math.abs(fl.kernels[`asum_${dtype}`](c.n, x.ptr) - c.asum)).toBeLessThanOrEqual(tol(sAbs));
        });
      }
    });
  }

  it('norms do not overflow or underflow at 1e±150, 1e±300 and subnormals', () => {
    for (const s of [1e150, 1e-150, 1e300, 1e-300, 3e307, 5e-324]) {
      fl.scope(() => {
        const x = fl.fromArray(new Float64Array([3 * s, 4 * s]), 2, 1);
        expect(Math.abs(fl.norm(x) - 5 * s) / (5 * s)).toBeLessThanOrEqual(4 * EPS64);
        const y = fl.fromArray(new Float32Array([3e-30, 4e-30]), 2, 1); // squares underflow f32
        expect(Math.abs(fl.norm(y) - 5e-30) / 5e-30).toBeLessThan(1e-6);
      });
    }
  });

  it('max, 1- and ∞-norms, row and column sums', () => {
    fl.scope(() => {
      const A = fl.fromArray(new Float64Array([1, -2, 3, -4, 5, -6]), 2, 3);
      expect(fl.norm(A, 'max')).toBe(6);
      expect(fl.norm(A, '1')).toBe(9);
      expect(fl.norm(A, 'inf')).toBe(15);
      expect(Array.from(fl.sumRows(A).toArray())).toEqual([2, -5]);
      expect(Array.from(fl.sumCols(A).toArray())).toEqual([-3, 3, -3]);
      const B = fl.astype(A, 'f32');
      expect(Array.from(fl.sumRows(B).toArray())).toEqual([2, -5]);
      expect(Array.from(fl.sumCols(B).toArray())).toEqual([-3, 3, -3]);
      expect(fl.norm(B, '1')).toBe(9);
      expect(() => fl.norm(A, 'nuclear' as never)).toThrow(/unknown kind 'nuclear'/);
    });
  });
});

describe('elementwise', () => {
  for (const dtype of ['f64', 'f32'] as const) {
    it(`${dtype}: axpy, scale, hadamard, transpose equal their definitions exactly`, () => {
      const eps = dtype === 'f64' ? EPS64 : EPS32;
      void eps;
      const T = dtype === 'f64' ? Float64Array : Float32Array;
      const round = dtype === 'f64' ? (v: number) => v : Math.fround;
      for (const [m, n] of [
        [1, 1],
        [3, 7],
        [9, 33],
        [64, 65],
      ] as const) {
        fl.scope(() => {
          const xs = T.from(testArray(m * 7 + n, m * n)),
            ys = T.from(testArray(m * 7 + n + 1, m * n));
          const x = fl.fromArray(xs, m, n),
            y = fl.fromArray(ys, m, n);
          const alpha = -0.3;
          const a = round(alpha);
          fl.axpy(alpha, x, y);
          expect(
            sameBytes(
              y.toArray(),
              T.from(ys, (v, i) => round(v + round(a * xs[i]!))),
            ),
          ).toBe(true);
          expect(
            sameBytes(
              fl.scale(x, alpha).toArray(),
              T.from(xs, (v) => round(a * v)),
            ),
          ).toBe(true);
          expect(
            sameBytes(
              fl.hadamard(x, x).toArray(),
              T.from(xs, (v) => round(v * v)),
            ),
          ).toBe(true);
          const t = fl.transpose(x).toArray();
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(t[j * m + i]).toBe(xs[i * n + j]);
          const inPlace = fl.scale(x, 2, { out: x });
          expect(inPlace).toBe(x);
        });
      }
    });
  }
});
