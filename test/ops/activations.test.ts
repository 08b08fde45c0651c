import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activation, Engine } from '../../dist/index.js';
import { EPS32, EPS64, engine, fixture, sameBytes } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

type Fx = Record<string, number[]> & { hermite: Record<string, number[]>; "hermite'": Record<string, number[]>; hermite_x: number[] };
const fx = fixture<Fx>('activations.json');

function apply(x: number[], act: Activation, derivative = false, dtype: 'f64' | 'f32' = 'f64'): Float64Array | Float32Array {
  return fl.scope(() => {
    const T = dtype === 'f64' ? Float64Array : Float32Array;
    return fl.map(fl.fromArray(T.from(x), 1, x.length), act, { derivative }).toArray();
  });
}

/** |got − want| ≤ ulps·ε·|want| + abs */
function expectClose(got: ArrayLike<number>, want: number[], ulps: number, abs: number, label: string, eps = EPS64) {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= ulps * eps * Math.abs(want[i]!) + abs)) {
      throw new Error(`${label}: x = ${fx.x[i] ?? fx.hermite_x[i]}: got ${got[i]}, want ${want[i]} (error ${err})`);
    }
  }
}

describe('activations against high-precision references (mpmath, exact rationals)', () => {
  it('tanh, erf, softplus, sigmoid and their derivatives, f64, within a few ulp', () => {
    const cases: [Activation, string, number, number][] = [
      ['tanh', 'tanh', 4, 0],
      ['erf', 'erf', 8, 0],
      ['softplus', 'softplus', 4, 0],
      ['sigmoid', 'sigmoid', 4, 0],
    ];
    for (const [act, key, ulps, abs] of cases) {
      expectClose(apply(fx.x, act), fx[key]!, ulps, abs, String(act));
      // derivatives like 1 − tanh² lose relative accuracy in the tails; bound absolutely too
      expectClose(apply(fx.x, act, true), fx[`${key}'`]!, 16, 4 * EPS64, `${String(act)}'`);
    }
  });

  it('f32 maps are the f64 values rounded once (within 1 f32 ulp of the reference)', () => {
    const x32 = Array.from(Float32Array.from(fx.x));
    expect(sameBytes(apply(x32, 'tanh', false, 'f32'), Float32Array.from(apply(x32, 'tanh')))).toBe(true);
    expectClose(apply(fx.x.slice(0, 35), 'erf', false, 'f32'), fx.erf!.slice(0, 35), 1, 1e-45, 'erf f32', EPS32);
  });

  it("probabilists' Hermite He_k and derivatives k·He_{k-1}", () => {
    for (const [k, want] of Object.entries(fx.hermite)) {
      const got = apply(fx.hermite_x, { hermite: Number(k) });
      // the recurrence cancels near roots: bound by the size of the terms (|x|+k)^k
      for (let i = 0; i < want.length; i++) {
        const x = fx.hermite_x[i]!;
        const tol = 64 * EPS64 * (Math.abs(x) + Number(k)) ** Number(k);
        expect(Math.abs(got[i]! - want[i]!), `He_${k}(${x})`).toBeLessThanOrEqual(tol);
      }
    }
    for (const [k, want] of Object.entries(fx["hermite'"])) {
      const got = apply(fx.hermite_x, { hermite: Number(k) }, true);
      for (let i = 0; i < want.length; i++) {
        const x = fx.hermite_x[i]!;
        expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(64 * EPS64 * Number(k) * (Math.abs(x) + Number(k)) ** Number(k));
      }
    }
  });

  it('relu, abs, identity, square and their derivatives are exact', () => {
    const x = [-2, -0.5, -0, 0, 0.5, 3];
    expect(Array.from(apply(x, 'relu'))).toEqual([0, 0, -0, 0, 0.5, 3]);
    expect(Array.from(apply(x, 'relu', true))).toEqual([0, 0, 0, 0, 1, 1]);
    expect(Array.from(apply(x, 'abs'))).toEqual([2, 0.5, 0, 0, 0.5, 3]);
    expect(Array.from(apply(x, 'abs', true))).toEqual([-1, -1, 0, 0, 1, 1]);
    expect(Array.from(apply(x, 'identity'))).toEqual(x);
    expect(Array.from(apply(x, 'square'))).toEqual(x.map((v) => v * v));
    expect(Array.from(apply(x, 'square', true))).toEqual(x.map((v) => 2 * v));
  });

  it('derivatives agree with central finite differences', () => {
    const x = [-3, -1.3, -0.2, 0.4, 1.1, 2.7, 4.2];
    const h = 1e-5;
    for (const act of ['tanh', 'erf', 'softplus', 'sigmoid', { hermite: 4 }] as Activation[]) {
      const d = apply(x, act, true);
      const up = apply(
          x.map((v) => v + h),
          act,
        ),
        down = apply(
          x.map((v) => v - h),
          act,
        );
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(d[i]! - (up[i]! - down[i]!) / (2 * h))).toBeLessThan(1e-8 * Math.max(1, Math.abs(d[i]!)));
      }
    }
  });

  it('SIMD fast paths equal the scalar twin bit for bit', () => {
    const n = 1003;
    fl.scope(() => {
      const x = fl.randn(1, n, { seed: 4 });
      const x2 = fl.scale(x, 3);
      for (const [code, param] of [
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 0],
        [5, 0],
        [6, 0],
        [7, 5],
        [8, 0],
      ]) {
        for (const derive of [0, 1]) {
          const a = fl.map(x2, 'identity'),
            b = fl.map(x2, 'identity');
          fl.kernels.map_f64(code!, derive, param!, n, x2.ptr, a.ptr);
          fl.kernels.map_ref_f64(code!, derive, param!, n, x2.ptr, b.ptr);
          expect(sameBytes(a.toArray(), b.toArray()), `code ${code} derive ${derive}`).toBe(true);
        }
      }
    });
  });

  it('tanh two lanes at a time equals the scalar tanh at every branch boundary', () => {
    // Values next to each threshold of musl's tanh and expm1 (on |x| and on expm1's argument
    // 2|x|), to the exponent boundaries k·ln2/2 and (k + ½)·ln2/2, and to the SIMD path's own
    // range (2^-50, 19); signed, mixed with ordinary values so that pairs mix branches.
    const bits = new BigUint64Array(1),
      f = new Float64Array(bits.buffer);
    const fromHighWord = (w: number) => {
      bits[0] = BigInt(w) << 32n;
      return f[0]!;
    };
    // A test w > W on the high word w switches at the double (W + 1)·2^32, w < W at W·2^32.
    const edges = (w: number) => [fromHighWord(w), fromHighWord(w + 1)];
    const centres = [
      ...[0x3fe193ea, 0x3fd058ae, 0x00100000, 0x40340000].flatMap(edges),
      ...[0x3fd62e42, 0x3ff0a2b2, 0x4043687a, 0x3c900000].flatMap(edges).map((v) => v / 2),
      ...Array.from({ length: 58 }, (_, k) => (k * Math.LN2) / 2),
      ...Array.from({ length: 58 }, (_, k) => ((k + 0.5) * Math.LN2) / 2),
      2 ** -50,
      19,
      20,
      0.3,
      1.7,
    ];
    const values: number[] = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324];
    for (const c of centres) {
      f[0] = c;
      const b = bits[0]!;
      // The neighbours in ulps, then irregular steps of ≈ 2^28 ulps through the high-word
      // units around (round steps give values on which the branches often agree).
      const offsets = [-3n, -2n, -1n, 0n, 1n, 2n, 3n, ...Array.from({ length: 16 }, (_, j) => BigInt(j - 8) * 0x0fedcba9n)];
      for (const d of offsets) {
        bits[0] = b + d;
        values.push(f[0]!, -f[0]!, 0.7 * (values.length % 5));
      }
    }
    fl.scope(() => {
      const n = values.length;
      const x = fl.fromArray(Float64Array.from(values), 1, n, { allowNonFinite: true });
      for (const derive of [0, 1]) {
        const a = fl.zeros(1, n),
          b = fl.zeros(1, n);
        fl.kernels.map_f64(3, derive, 0, n, x.ptr, a.ptr);
        fl.kernels.map_ref_f64(3, derive, 0, n, x.ptr, b.ptr);
        expect(sameBytes(a.toArray(), b.toArray()), `derive ${derive}`).toBe(true);
      }
    });
  });

  it('rejects unknown activations and bad Hermite degrees by name', () => {
    fl.scope(() => {
      const x = fl.zeros(2, 2);
      expect(() => fl.map(x, 'gelu' as never)).toThrow(/unknown activation 'gelu'.*relu/);
      expect(() => fl.map(x, { hermite: -1 })).toThrow(/Hermite degree.*-1/);
      expect(() => fl.map(x, { hermite: 2.5 })).toThrow(/Hermite degree/);
    });
  });

  it('a Hermite map that overflows is reported, not returned as Infinity', () => {
    fl.scope(() => {
      const x = fl.full(1, 3, 1e200);
      expect(() => fl.map(x, { hermite: 3 })).toThrow(/non-finite/);
    });
  });
});
