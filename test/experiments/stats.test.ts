// Issue 13: the statistics of sweeps, checked against values computed elsewhere (sources in the
// comments), never against this code's own output.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { ArgumentError } from '../../dist/core/errors.js';
import { incompleteBeta, mean, median, sampleSd, studentTCdf, studentTQuantile, tInterval95, wilsonInterval } from '../../dist/experiments/stats.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl?.dispose?.());

const close = (got: number, want: number, rel = 1e-12) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-300);

describe('sample statistics', () => {
  // Python 3 statistics.mean / stdev / median of [2, 4, 4, 5, 7, 9]: 31/6, √(30.8333…/5), 4.5
  const xs = [2, 4, 4, 5, 7, 9];
  it('mean, sample sd (n − 1) and median', () => {
    close(mean(xs), 31 / 6);
    close(sampleSd(xs), 2.48327740429189);
    expect(median(xs)).toBe(4.5);
    expect(median([3, 1, 2])).toBe(2);
  });
  it('rejects empty samples, non-finite values and sd of one value, naming the function', () => {
    expect(() => mean([])).toThrow(ArgumentError);
    expect(() => mean([1, Number.NaN])).toThrow(/mean: values\[1\] must be a finite number/);
    expect(() => sampleSd([1])).toThrow(/sampleSd: values needs at least 2/);
  });
});

describe('Student t', () => {
  it('incomplete beta matches scipy.special.betainc', () => {
    close(incompleteBeta(fl.math, 2.5, 0.5, 0.3), 0.018927124071945658, 1e-11);
    close(incompleteBeta(fl.math, 3, 4, 0.6), 0.8208, 1e-12); // exact: a polynomial for integer a, b
  });
  it('t_{0.975, df} matches the tables (scipy.stats.t.ppf, R qt) for df = 1, 2, 5, 10, 30, 100, 1000', () => {
    const table: [number, number][] = [
      [1, 12.706204736174694],
      [2, 4.302652729749462],
      [5, 2.5705818356363146],
      [10, 2.228138851986274],
      [30, 2.0422724563012378],
      [100, 1.9839715185235518],
      [1000, 1.9623390808264083],
    ];
    for (const [df, t] of table) close(studentTQuantile(fl.math, 0.975, df), t, 1e-10);
    // closed forms: df = 1 is Cauchy, t = tan(π(p − ½)); df = 2: t = (2p − 1)/√(2p(1 − p))
    close(studentTQuantile(fl.math, 0.975, 2), 0.95 / Math.sqrt(2 * 0.975 * 0.025), 1e-12);
    close(studentTCdf(fl.math, 1, 1), 0.75, 1e-13); // Cauchy: ½ + atan(1)/π
  });
  it('the 95 % t interval of a mean matches scipy.stats.t.interval', () => {
    const ci = tInterval95(fl.math, [2, 4, 4, 5, 7, 9]);
    close(ci.lo, 2.5606268548543683, 1e-10);
    close(ci.hi, 7.772706478478966, 1e-10);
  });
  it('rejects a probability outside [0.5, 1) and a bad df', () => {
    expect(() => studentTQuantile(fl.math, 1, 3)).toThrow(/studentTQuantile: needs 0.5 ≤ p < 1/);
    expect(() => studentTQuantile(fl.math, 0.975, 0)).toThrow(ArgumentError);
    expect(() => tInterval95(fl.math, [1])).toThrow(/tInterval95: values needs at least 2/);
  });
});

describe('Wilson score interval', () => {
  it('matches hand computations (z = 1.959963984540054 = Φ⁻¹(0.975))', () => {
    // k = 0: lo = 0, hi = z²/(n + z²) = 3.841458820694124/13.841458820694124
    let w = wilsonInterval(0, 10);
    expect(w.lo).toBe(0);
    close(w.hi, 0.2775327998628892);
    // k = n: lo = n/(n + z²) = 3/6.841458820694124, hi = 1
    w = wilsonInterval(3, 3);
    close(w.lo, 0.43850296824495455);
    expect(w.hi).toBe(1);
    // k = 7, n = 10: centre (0.7 + 0.19207)/1.38415 ± (1.95996/1.38415)·√(0.021 + 0.0096036)
    w = wilsonInterval(7, 10);
    close(w.lo, 0.39677814746114537);
    close(w.hi, 0.8922087325936989);
    expect(w.rate).toBe(0.7);
    // symmetric at one half
    w = wilsonInterval(25, 50);
    close(w.lo, 0.3664451431682858);
    close(w.hi, 0.6335548568317142);
  });
  it('rejects passes outside [0, n] and n < 1', () => {
    expect(() => wilsonInterval(4, 3)).toThrow(/wilsonInterval: passes must be an integer in \[0, n=3\]/);
    expect(() => wilsonInterval(0, 0)).toThrow(/wilsonInterval: n must be an integer ≥ 1/);
  });
});
