// Issue 13: curves with seed bands. A kept series is averaged over seeds per grid point, rows
// matched by their coordinates; the expected numbers are computed here by hand (Python's
// statistics module gives the same: mean([1, 2, 6]) = 3, stdev = √7), not by the code under test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { ArgumentError, ConvergenceError } from '../../dist/core/errors.js';
import { defineExperiment, int } from '../../dist/experiments/index.js';
import { buildPlan, runPoint, type SweepPlan, type SweepRow, seriesCsv, summarize } from '../../dist/experiments/sweep.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl?.dispose?.());

function planOf(series: SweepPlan['series'], seeds = [0, 1, 2]): SweepPlan {
  return {
    format: 'featurelab-sweep/1',
    id: 'x',
    version: 'v',
    preset: 'quick',
    grid: { eta: [1] },
    seeds,
    series,
    points: seeds.map((seed, index) => ({ index, key: `k${seed}`, params: { eta: 1 }, seed })),
  };
}

// Three seeds of a two-row curve: t is a coordinate, loss is measured, label is text.
const curves = [
  [
    { t: 0, loss: 1, label: 'a' },
    { t: 1, loss: 10, label: 'a' },
  ],
  [
    { t: 1, loss: 20, label: 'a' }, // another order: matched by coordinates, not position
    { t: 0, loss: 2, label: 'a' },
  ],
  [
    { t: 0, loss: 6, label: 'a' },
    { t: 1, loss: null, label: 'a' }, // a non-finite value stored as null is left out
  ],
];
const rowsOf = (plan: SweepPlan): SweepRow[] =>
  plan.points.map((p, i) => ({
    key: p.key,
    index: p.index,
    params: p.params,
    seed: p.seed,
    metrics: {},
    claims: {},
    fingerprint: `f${i}`,
    seconds: 0,
    series: { curve: curves[i]! },
  }));

describe('series averaged over seeds', () => {
  it('matches rows by the named coordinates and gives mean, sd, t interval and n per measurement', () => {
    const plan = planOf({ curve: ['t', 'label'] });
    const rows = summarize(fl, plan, rowsOf(plan)).groups[0]!.series!.curve!;
    expect(rows.map((r) => r.t)).toEqual([0, 1]);
    const at0 = rows[0]!;
    expect(at0.loss_mean).toBe(3);
    expect(at0.loss_sd).toBeCloseTo(Math.sqrt(7), 14);
    // t(0.975, df 2) = 4.302652729749464 (scipy.stats.t.ppf)
    expect(at0.loss_hi as number).toBeCloseTo(3 + (4.302652729749464 * Math.sqrt(7)) / Math.sqrt(3), 9);
    expect(at0.loss_n).toBe(3);
    expect(rows[1]!.loss_mean).toBe(15);
    expect(rows[1]!.loss_n).toBe(2);
  });
  it('infers the coordinates (text, and numbers equal across seeds) when the plan does not name them', () => {
    const plan = planOf({ curve: null });
    const sameOrder = rowsOf(plan).map((r, i) => ({ ...r, series: { curve: i === 1 ? [curves[1]![1]!, curves[1]![0]!] : curves[i]! } }));
    const rows = summarize(fl, plan, sameOrder).groups[0]!.series!.curve!;
    expect(Object.keys(rows[0]!).sort()).toEqual(['label', 'loss_hi', 'loss_lo', 'loss_mean', 'loss_n', 'loss_sd', 't']);
  });
  it('refuses a text column named as a measurement', () => {
    const plan = planOf({ curve: ['t'] });
    expect(() => summarize(fl, plan, rowsOf(plan))).toThrow(ArgumentError);
    expect(() => summarize(fl, plan, rowsOf(plan))).toThrow(/column 'label' holds text/);
  });
  it('writes a long CSV: swept keys, then the series columns', () => {
    const plan = planOf({ curve: ['t', 'label'] });
    const csv = seriesCsv(plan, summarize(fl, plan, rowsOf(plan)), 'curve')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('eta,t,label,loss_mean,loss_sd,loss_lo,loss_hi,loss_n');
    expect(csv[1]!.startsWith('1,0,a,3,')).toBe(true);
    expect(csv).toHaveLength(3);
  });
  it('keeps a series column named like a swept key, as <series>.<column>', () => {
    const plan = { ...planOf({ curve: ['t', 'label'] }), grid: { t: [7] } };
    plan.points = plan.points.map((p) => ({ ...p, params: { t: 7 } }));
    const csv = seriesCsv(plan, summarize(fl, plan, rowsOf(plan)), 'curve')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('t,curve.t,label,loss_mean,loss_sd,loss_lo,loss_hi,loss_n');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['7,0', '7,1']);
  });
});

describe('a point that fails numerically', () => {
  // A toy experiment whose seed 1 does not converge (a ConvergenceError, as eigensolvers throw),
  // and whose seed 2 has a bug (a TypeError): the first is a result, the second stops the sweep.
  const toy = defineExperiment({
    id: 'toy-failing',
    title: 'Toy',
    paper: 'none',
    summary: 'a toy',
    params: { n: int({ doc: 'n', quick: 4, paper: 4, min: 1, max: 10 }) },
    smoke: { n: 1 },
    run(ctx) {
      if (ctx.seed === 1) throw new ConvergenceError('toy: no convergence in 30 sweeps');
      if (ctx.seed === 2) throw new TypeError('a bug');
      return { metrics: { x: ctx.seed }, series: {}, claims: [{ id: 'ok', statement: 's', predicted: 0, measured: 0, tolerance: 't', pass: true }], plots: [] };
    },
  });
  it('is a row with its error, counted as done, in the fingerprint, and left out of the statistics', () => {
    const plan = buildPlan(fl, toy, { n: [4] }, [0, 1, 3], 'quick');
    const rows = plan.points.map((p) => runPoint(fl, toy, plan, p));
    expect(rows[1]!.error).toBe('ConvergenceError: toy: no convergence in 30 sweeps');
    expect(rows[1]!.metrics).toEqual({});
    const s = summarize(fl, plan, rows);
    expect(s.missing).toEqual([]);
    expect(s.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(s.failed).toEqual([{ key: rows[1]!.key, index: 1, seed: 1, params: { n: 4 }, error: rows[1]!.error }]);
    const g = s.groups[0]!;
    expect([g.seeds, g.failed]).toEqual([2, 1]);
    expect(g.metrics.x!.mean).toBe(1.5); // seeds 0 and 3
    expect(g.claims.ok!.n).toBe(2);
    // the same failure again gives the same row fingerprint: failures are deterministic results
    expect(runPoint(fl, toy, plan, plan.points[1]!).fingerprint).toBe(rows[1]!.fingerprint);
  });
  it('a bug is not a result: it propagates', () => {
    const plan = buildPlan(fl, toy, { n: [4] }, [2], 'quick');
    expect(() => runPoint(fl, toy, plan, plan.points[0]!)).toThrow(TypeError);
  });
});
