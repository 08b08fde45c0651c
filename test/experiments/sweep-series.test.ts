// Issue 13: curves with seed bands. A kept series is averaged over seeds per grid point, rows
// matched by their coordinates; the expected numbers are computed here by hand (Python's
// statistics module gives the same: mean([1, 2, 6]) = 3, stdev = √7), not by the code under test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { ArgumentError } from '../../dist/core/errors.js';
import { type SweepPlan, type SweepRow, seriesCsv, summarize } from '../../dist/experiments/sweep.js';
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
});
