// Huang et al.'s loss collapse (docs/science.md §4): the half-loss time t½, the scalar map
// s_{t+1} = s_t(1 + a(1 − s_t))², and the log-interpolated crossing that measures it.
// Expected values are worked by hand or with a separate plain-Python loop (quoted below), never
// with the functions under test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, type Engine, huangHalfLossTime, huangScalarMap, logCrossing } from '../../dist/index.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

describe('huangScalarMap', () => {
  it('iterates s ← s(1 + a(1 − s))² (hand-worked values)', () => {
    // s1 = 0.25·1.375² = 0.47265625 exactly; s2, s3 from Python: s = s*(1 + a*(1 - s))**2
    const s = huangScalarMap(0.25, 0.5, 3);
    expect(Array.from(s.slice(0, 2))).toEqual([0.25, 0.47265625]);
    expect(s[2]).toBeCloseTo(0.7547689825296402, 15);
    expect(s[3]).toBeCloseTo(0.951209369875446, 15);
  });

  it('keeps its fixed points 0 and 1, grows by (1 + a)² a step while s is small, and returns s_0 alone for 0 steps', () => {
    expect(Array.from(huangScalarMap(0, 0.3, 5))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(huangScalarMap(1, 0.3, 5))).toEqual([1, 1, 1, 1, 1, 1]);
    const tiny = huangScalarMap(1e-12, 0.3, 10);
    expect(tiny[10]! / 1e-12 / 1.3 ** 20).toBeCloseTo(1, 6);
    expect(Array.from(huangScalarMap(0.4, 0.2, 0))).toEqual([0.4]);
  });

  it('names the bad argument', () => {
    expect(() => huangScalarMap(-0.1, 0.3, 2)).toThrow(ArgumentError);
    expect(() => huangScalarMap(-0.1, 0.3, 2)).toThrow(/huangScalarMap: s0/);
    expect(() => huangScalarMap(0.1, 0, 2)).toThrow(/huangScalarMap: a must be a positive finite number/);
    expect(() => huangScalarMap(0.1, 0.3, 1.5)).toThrow(/huangScalarMap: steps must be an integer/);
    expect(() => huangScalarMap(1e300, 2, 3)).toThrow(/huangScalarMap: s exceeds the double range/);
  });
});

describe('huangHalfLossTime', () => {
  it('is k when rms(c) = 2v*·√(√2 − 1)/(1 + a)^k', () => {
    const a = 0.3,
      vStar = 0.04;
    for (const k of [0, 1, 17.5]) {
      const rmsC = (2 * vStar * Math.sqrt(Math.SQRT2 - 1)) / (1 + a) ** k;
      expect(huangHalfLossTime(fl, { a, vStar, rmsC })).toBeCloseTo(k, 10);
    }
  });

  it("matches the scalar map's half-loss crossing up to the logistic approximation's offset (≈ −0.25 step)", () => {
    // Python reference (plain loop, log-interpolated crossing of (1 − s_t)² = ½, v* = 1, rms = 1e-3):
    // a = 0.01: formula 719.5957372364725, map 719.3355998474152; a = 0.3: 27.29112396676841, 27.0537411418412
    const cases = [
      { a: 0.01, formula: 719.5957372364725, map: 719.3355998474152 },
      { a: 0.3, formula: 27.29112396676841, map: 27.0537411418412 },
    ];
    for (const { a, formula, map } of cases) {
      const tHalf = huangHalfLossTime(fl, { a, vStar: 1, rmsC: 1e-3 });
      expect(tHalf).toBeCloseTo(formula, 9);
      const s = huangScalarMap(1e-6 / 4, a, Math.ceil(2 * tHalf));
      const crossing = logCrossing(
        fl,
        Array.from(s, (x) => (1 - x) ** 2),
        0.5,
      );
      expect(crossing).toBeCloseTo(map, 8);
      // the offset is below the claim's tolerance of half a step
      expect(Math.abs(crossing - tHalf)).toBeLessThan(0.3);
    }
  });

  it('names the bad argument', () => {
    expect(() => huangHalfLossTime(fl, { a: 0, vStar: 1, rmsC: 1 })).toThrow(/huangHalfLossTime: p\.a must be a positive finite number/);
    expect(() => huangHalfLossTime(fl, { a: 0.1, vStar: -1, rmsC: 1 })).toThrow(/huangHalfLossTime: p\.vStar/);
    expect(() => huangHalfLossTime(fl, { a: 0.1, vStar: 1, rmsC: 0 })).toThrow(/huangHalfLossTime: p\.rmsC/);
    expect(() => huangHalfLossTime(fl, { a: 0.1, vStar: 1, rmsC: 1, extra: 1 } as never)).toThrow(ArgumentError);
  });
});

describe('logCrossing', () => {
  it('interpolates log(value) linearly between the two steps around the level', () => {
    // 8, 4, 1: between t = 1 (4) and t = 2 (1), ln 2 is halfway from ln 4 to ln 1 → 1.5
    expect(logCrossing(fl, [8, 4, 1], 2)).toBeCloseTo(1.5, 14);
    // a geometric curve 2^−t crosses 2^−2.3 at exactly 2.3
    expect(logCrossing(fl, [1, 0.5, 0.25, 0.125, 0.0625], 2 ** -2.3)).toBeCloseTo(2.3, 12);
  });

  it('is 0 when the first value is already at the level, NaN when never crossed, and ignores values after the crossing', () => {
    expect(logCrossing(fl, [1, 0.1], 1)).toBe(0);
    expect(logCrossing(fl, [5, 4, 3], 2)).toBeNaN();
    expect(logCrossing(fl, [4, 1, 0, -1], 2)).toBeCloseTo(0.5, 14); // between 4 and 1: halfway in log
  });

  it('names the bad argument', () => {
    expect(() => logCrossing(fl, [], 1)).toThrow(/logCrossing: values must be a non-empty array/);
    expect(() => logCrossing(fl, [3, 0, 1], 1)).toThrow(/logCrossing: values\[1\]/);
    expect(() => logCrossing(fl, [3, 2], 0)).toThrow(/logCrossing: level must be a positive finite number/);
  });
});
