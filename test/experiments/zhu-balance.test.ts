// zhu-balance's phase-length claims (issue 14): Welch's interval checked against SciPy, and the
// claims' structure at a small size (independent draws per configuration, geometric means with
// their intervals, failure when a draw does not reach the tolerance).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { findExperiment, runExperiment } from '../../dist/experiments/index.js';
import { welchInterval95 } from '../../dist/experiments/stats.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl?.dispose?.());

const close = (got: number, want: number, rel = 1e-9) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));

describe('welchInterval95', () => {
  // SciPy 1.17.1: stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95) and .df
  it('matches SciPy on unequal sizes and variances', () => {
    const w = welchInterval95(fl.math, [1, 2, 3, 4, 5], [2, 4, 6, 8, 20, 3]);
    close(w.lo, -11.125322080342134);
    close(w.hi, 2.7919887470088005);
    close(w.df, 5.66961631034971);
    const v = welchInterval95(fl.math, [6.1, 5.9, 7.3, 6.6, 6.4, 7.0, 5.5], [5.2, 5.8, 4.9, 5.5, 6.0]);
    close(v.lo, 0.23105282536816008);
    close(v.hi, 1.6089471746318398);
    close(v.df, 9.993827584198037);
  });
  it('is a point when both samples are constant', () => {
    expect(welchInterval95(fl.math, [3, 3], [1, 1, 1])).toEqual({ diff: 2, lo: 2, hi: 2, df: Infinity });
  });
});

describe('zhu-balance phase lengths', () => {
  const overrides = { k: '2', m: '8', d: '4', steps: '300', phaseSteps: '5000', phaseSeeds: '3' };
  it('runs ⌈m/4⌉, m, 4m students at k and 2k teachers at m, each over phaseSeeds draws', () => {
    const r = runExperiment(fl, findExperiment('zhu-balance'), { overrides });
    const rows = r.series.phaseLengths!;
    expect(rows.map((row) => [row.vary, row.k, row.m, row.x])).toEqual([
      ['m', 2, 2, 2],
      ['m', 2, 8, 8],
      ['m', 2, 32, 32],
      ['k', 2, 8, 2],
      ['k', 4, 8, 4],
    ]);
    for (const row of rows) {
      expect(row.draws).toBe(3);
      expect(row.stepsLo as number).toBeLessThan(row.steps as number);
      expect(row.steps as number).toBeLessThan(row.stepsHi as number);
    }
    // the draws differ (independent streams): a zero-width interval would mean identical draws
    expect(new Set(rows.map((row) => row.steps)).size).toBe(4);
    expect(r.metrics.fitSteps_k2_m8).toBe(rows[1]!.steps);
    const claim = r.claims.find((c) => c.id === 'phases-lengthen-with-k')!;
    expect(claim.measured).toMatch(/^geometric means k=4,m=8: \d+ \(\d+–\d+\); k=2,m=8: .*; ratios k=4,m=8 \/ k=2,m=8: /);
  });
  it('another seed draws other teachers and students', () => {
    const a = runExperiment(fl, findExperiment('zhu-balance'), { overrides, seed: 1 });
    const b = runExperiment(fl, findExperiment('zhu-balance'), { overrides, seed: 2 });
    expect(a.metrics.fitSteps_k2_m8).not.toBe(b.metrics.fitSteps_k2_m8);
  });
  it('fails both claims when a draw does not reach the tolerance within phaseSteps', () => {
    const r = runExperiment(fl, findExperiment('zhu-balance'), { overrides: { ...overrides, phaseSteps: '3' } });
    for (const id of ['phases-shorten-with-m', 'phases-lengthen-with-k']) {
      const claim = r.claims.find((c) => c.id === id)!;
      expect(claim.pass).toBe(false);
      expect(claim.measured).toMatch(/not reached/);
    }
    expect(r.series.phaseLengths).toEqual([]);
  });
});
