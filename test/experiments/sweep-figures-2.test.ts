// Issue 13, the papers' figures as named sweeps: the two-step phase diagram, Zhu et al.'s rate
// and phase lengths, Huang et al.'s Fig. 1 (src/experiments/figures/{two-step,zhu,huang}.ts).
// Every preset's grid must plan against its experiment's schema, and every field a view names
// must be something the experiment produces: the names are learned from a tiny run of each
// experiment, not written here. One small figure is then swept for real (2 seeds, tiny sizes)
// and its seed averages checked against the raw rows by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { findExperiment, runExperiment } from '../../dist/experiments/index.js';
import { buildPlan, parseGrid, runPoint, summarize } from '../../dist/experiments/sweep.js';
import type { Figure, SweepView } from '../../dist/experiments/sweep-view.js';
import type { ExperimentResult } from '../../dist/experiments/types.js';
import { TWO_STEP_FIGURES } from '../../dist/experiments/figures/two-step.js';
import { ZHU_FIGURES } from '../../dist/experiments/figures/zhu.js';
import { HUANG_FIGURES } from '../../dist/experiments/figures/huang.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';
import { engine } from '../helpers.js';

const FIGURES: Figure[] = [...TWO_STEP_FIGURES, ...ZHU_FIGURES, ...HUANG_FIGURES];

/** Tiny runs with every optional part on, so every kept series has rows (and so its columns). */
const OVERRIDES: Record<string, Record<string, string>> = {
  ...TINY_OVERRIDES,
  // enough steps for the phase-length runs to reach the tolerance (else phaseLengths is empty)
  'zhu-balance': { ...TINY_OVERRIDES['zhu-balance'], phaseSteps: '5000' },
};

let fl: Engine;
const tinyRuns = new Map<string, ExperimentResult>();
beforeAll(async () => {
  fl = await engine();
  for (const id of new Set(FIGURES.map((f) => f.experiment))) {
    tinyRuns.set(id, runExperiment(fl, findExperiment(id), { overrides: OVERRIDES[id] }));
  }
}, 300_000);
afterAll(() => fl?.dispose?.());

/** The columns of a series in the tiny run (union over rows). */
function columnsOf(result: ExperimentResult, name: string): Set<string> {
  return new Set((result.series[name] ?? []).flatMap((r) => Object.keys(r)));
}

/** Every field a view names, with where it may come from. */
function viewProblems(fig: Figure, view: SweepView): string[] {
  const exp = findExperiment(fig.experiment);
  const run = tinyRuns.get(fig.experiment)!;
  const params = new Set(exp.params.map((p) => p.name));
  const derived = new Set(Object.keys(view.derived ?? {}));
  const problems: string[] = [];
  const need = (field: string | undefined, allowed: Set<string>, role: string) => {
    if (field !== undefined && !allowed.has(field)) problems.push(`${fig.name} / '${view.title}': ${role} '${field}' is not one of ${[...allowed].join(', ')}`);
  };
  const source = view.source ?? 'metrics';
  if (view.kind === 'heatmap' && !view.color) problems.push(`${fig.name} / '${view.title}': a heatmap needs color (its second axis)`);
  if (source === 'metrics') {
    const metrics = new Set(Object.keys(run.metrics));
    // x and color are swept: a metrics view over an axis the quick grid does not vary has one point
    const swept = new Set(
      Object.entries(fig.presets.quick.grid)
        .filter(([, v]) => v.length > 1)
        .map(([k]) => k),
    );
    need(view.x, new Set([...swept, ...derived]), 'x (a swept parameter)');
    need(view.color, swept, 'color (a swept parameter)');
    for (const y of [...view.y, ...(view.theory ?? [])]) need(y, new Set([...metrics, ...derived]), 'y/theory (a metric)');
  } else {
    for (const preset of ['quick', 'paper'] as const) {
      if (!Object.hasOwn(fig.presets[preset].series ?? {}, source))
        problems.push(`${fig.name} / '${view.title}': the ${preset} preset does not keep series '${source}'`);
    }
    const columns = columnsOf(run, source);
    const coords = new Set(fig.presets.quick.series?.[source] ?? []);
    const measured = new Set([...columns].filter((c) => !coords.has(c)));
    need(view.x, new Set([...coords, ...params, ...derived]), 'x (a coordinate)');
    need(view.color, new Set([...coords, ...params]), 'color (a coordinate or parameter)');
    for (const y of [...view.y, ...(view.theory ?? [])]) need(y, new Set([...measured, ...derived]), 'y/theory (a measured column)');
    for (const y of view.y) {
      if (measured.has(y) && !(run.series[source] ?? []).some((r) => typeof r[y] === 'number')) problems.push(`${fig.name}: '${source}.${y}' holds no number`);
    }
  }
  return problems;
}

describe('figures: two-step, Zhu, Huang', () => {
  it('have unique names, known experiments and what a report needs', () => {
    expect(new Set(FIGURES.map((f) => f.name)).size).toBe(FIGURES.length);
    expect(FIGURES.map((f) => f.name)).toEqual(expect.arrayContaining(['two-step-phase', 'zhu-rate', 'zhu-phases', 'huang-fig1']));
    for (const f of FIGURES) {
      expect(() => findExperiment(f.experiment)).not.toThrow();
      expect(f.title.length * f.paper.length * f.paperShows.length * f.views.length, f.name).toBeGreaterThan(0);
    }
  });

  for (const fig of FIGURES) {
    for (const preset of ['quick', 'paper'] as const) {
      it(`${fig.name}: the ${preset} grid plans against the schema`, () => {
        const exp = findExperiment(fig.experiment);
        const { grid, seeds, series } = fig.presets[preset];
        const plan = buildPlan(
          fl,
          exp,
          grid,
          Array.from({ length: seeds }, (_, i) => i),
          preset,
          series,
        );
        const cells = Object.values(grid).reduce((n, v) => n * v.length, 1);
        expect(plan.points.length).toBe(cells * seeds);
        expect(plan.series ?? {}).toEqual(series ?? {});
      });
    }

    it(`${fig.name}: every view names fields the experiment produces`, () => {
      expect(fig.views.flatMap((v) => viewProblems(fig, v))).toEqual([]);
    });

    it(`${fig.name}: kept series have their coordinates, none named like a key of the grid`, () => {
      const run = tinyRuns.get(fig.experiment)!;
      for (const preset of ['quick', 'paper'] as const) {
        const { grid, series } = fig.presets[preset];
        for (const [name, coords] of Object.entries(series ?? {})) {
          const columns = columnsOf(run, name);
          expect(columns.size, `${fig.name}: series ${name} is empty in the tiny run`).toBeGreaterThan(0);
          for (const c of coords ?? []) {
            expect(columns.has(c), `${fig.name}: ${name} has no column ${c}`).toBe(true);
            // a series column named like a grid key (swept or fixed) is replaced by the grid's value in series-<name>.csv
            expect(Object.hasOwn(grid, c), `${fig.name}: ${name}.${c} is also a key of the ${preset} grid`).toBe(false);
          }
        }
      }
    });
  }

  it('huang-fig1 swept for real over 2 seeds at tiny sizes: seed means and n of the kept curves', () => {
    const fig = HUANG_FIGURES.find((f) => f.name === 'huang-fig1')!;
    const exp = findExperiment(fig.experiment);
    const { grid, series } = fig.presets.quick;
    // tiny sizes replace the fixed keys; a swept key (several values) keeps its values
    const tiny = parseGrid(
      exp,
      Object.entries(TINY_OVERRIDES[exp.id]!)
        .filter(([k]) => (grid[k]?.length ?? 0) <= 1)
        .map(([k, v]) => `${k}=${v}`),
    );
    const plan = buildPlan(fl, exp, { ...grid, ...tiny }, [0, 1], 'quick', series);
    const rows = plan.points.map((p) => runPoint(fl, exp, plan, p));
    const summary = summarize(fl, plan, rows);
    expect(summary.missing).toEqual([]);
    expect(summary.groups).toHaveLength(1);
    const kept = summary.groups[0]!.series!;
    for (const name of Object.keys(series!)) expect(kept[name]!.length, name).toBeGreaterThan(0);
    // every y of every series view has its mean over the 2 seeds
    for (const view of fig.views.filter((v) => v.source && v.source !== 'metrics')) {
      for (const y of view.y) for (const r of kept[view.source!]!) expect(r[`${y}_n`], `${view.source}.${y}`).toBe(2);
    }
    // the mean by hand from the raw rows, at the last step
    const last = Math.max(...rows[0]!.series!.trajectory!.map((r) => r.step as number));
    const at = (i: number) => rows[i]!.series!.trajectory!.find((r) => r.step === last)!.loss as number;
    const row = kept.trajectory!.find((r) => r.step === last)!;
    expect(row.loss_mean as number).toBeCloseTo((at(0) + at(1)) / 2, 12);
    expect(at(0)).not.toBe(at(1)); // two seeds, two data sets: the band has width
    expect(row.loss_lo as number).toBeLessThan(row.loss_hi as number);
  }, 300_000);
});
