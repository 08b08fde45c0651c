// Issue 13: the papers' figures as named sweeps. Every figure's quick and paper grids are valid
// plans of its experiment; every field its views draw exists (the metric and series names are
// learned by running each experiment once at its smoke sizes, not written here); the report's
// "what we measured" sentences carry the summary's own numbers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/core/engine.js';
import { ArgumentError } from '../../dist/core/errors.js';
import { FIGURES, figurePage, figureSize, figureSpec, findFigure } from '../../dist/experiments/figures/index.js';
import { findExperiment, runExperiment, type ExperimentResult } from '../../dist/experiments/index.js';
import { escapeHtml } from '../../dist/experiments/report-html.js';
import { buildPlan, runPoint, summarize } from '../../dist/experiments/sweep.js';
import { renderSweepHtml } from '../../dist/experiments/sweep-html.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine({ threads: 1 });
});
afterAll(() => fl?.dispose?.());

const PRESETS = ['quick', 'paper'] as const;
const smokeRuns = new Map<string, ExperimentResult>();
/** One run of the experiment at its smoke sizes: the names of its metrics and series. */
// At its smoke sizes zhu-balance's phases 1–2 do not end (phaseSteps = 200), so its
// phaseLengths series would be empty: run long enough for it to have rows; moniri-spikes'
// smoke run skips its α sweep, whose series the figure keeps.
const SERIES_SIZES: Record<string, Record<string, string>> = { 'zhu-balance': { phaseSteps: '5000' }, 'moniri-spikes': { sweep: 'true' } };
function smokeRun(id: string): ExperimentResult {
  if (!smokeRuns.has(id)) smokeRuns.set(id, runExperiment(fl, findExperiment(id), { seed: 0, overrides: { ...TINY_OVERRIDES[id], ...SERIES_SIZES[id] } }));
  return smokeRuns.get(id)!;
}
const columnsOf = (r: ExperimentResult, series: string) => new Set((r.series[series] ?? []).flatMap((row) => Object.keys(row)));

describe('named figures', () => {
  it('have distinct names, and findFigure names every figure when a name is unknown', () => {
    const names = FIGURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FIGURES) expect(findFigure(f.name)).toBe(f);
    expect(() => findFigure('ba-fig9')).toThrow(ArgumentError);
    try {
      findFigure('ba-fig9');
    } catch (error) {
      for (const n of names) expect((error as Error).message).toContain(n);
    }
  });

  for (const fig of FIGURES) {
    describe(fig.name, () => {
      for (const preset of [...PRESETS, 'tiny'] as const) {
        it(`plans its ${preset} grid: valid against ${fig.experiment}'s schema and constraints, points × seeds runs`, () => {
          const exp = findExperiment(fig.experiment);
          const spec = preset === 'tiny' ? figureSpec(fig, 'quick', true) : figureSpec(fig, preset);
          const plan = buildPlan(
            fl,
            exp,
            spec.grid,
            Array.from({ length: spec.seeds }, (_, i) => i),
            preset === 'tiny' ? 'quick' : preset,
            spec.series,
          );
          const axes = Object.values(spec.grid).reduce((n, v) => n * v.length, 1);
          expect(plan.points.length).toBe(axes * spec.seeds);
          if (preset !== 'tiny') expect(figureSize(fig, preset)).toEqual({ points: axes, seeds: spec.seeds, errors: [] });
        });
      }

      it('draws only fields its experiment has (parameters, derived fields, metrics, kept series columns)', () => {
        const exp = findExperiment(fig.experiment);
        const run = smokeRun(fig.experiment);
        const params = new Set(exp.params.map((p) => p.name));
        const metrics = new Set(Object.keys(run.metrics));
        expect(fig.views.length).toBeGreaterThan(0);
        for (const view of fig.views) {
          const derived = new Set(Object.keys(view.derived ?? {}));
          if (!view.source || view.source === 'metrics') {
            expect(params.has(view.x) || derived.has(view.x) || metrics.has(view.x), `${view.title}: x ${view.x}`).toBe(true);
            for (const y of view.y) expect(metrics.has(y), `${view.title}: y ${y}`).toBe(true);
            if (view.color) expect(params.has(view.color), `${view.title}: color ${view.color}`).toBe(true);
            for (const t of view.theory ?? []) expect(metrics.has(t) || derived.has(t), `${view.title}: theory ${t}`).toBe(true);
          } else {
            // a series view: the series is kept in every preset, its columns are drawn
            for (const preset of PRESETS) expect(Object.keys(fig.presets[preset].series ?? {})).toContain(view.source);
            const cols = columnsOf(run, view.source);
            expect(cols.size, `${fig.experiment} has a series ${view.source} at its smoke sizes`).toBeGreaterThan(0);
            expect(cols.has(view.x) || derived.has(view.x), `${view.title}: x ${view.x}`).toBe(true);
            for (const y of view.y) expect(cols.has(y), `${view.title}: y ${y}`).toBe(true);
            if (view.color) expect(cols.has(view.color) || params.has(view.color), `${view.title}: color ${view.color}`).toBe(true);
            for (const t of view.theory ?? []) expect(cols.has(t) || metrics.has(t) || derived.has(t), `${view.title}: theory ${t}`).toBe(true);
          }
        }
        // the coordinates a preset names for a kept series are columns of it
        for (const preset of PRESETS) {
          for (const [name, coords] of Object.entries(fig.presets[preset].series ?? {})) {
            for (const c of coords ?? []) expect(columnsOf(run, name).has(c), `${name}.${c}`).toBe(true);
          }
        }
      });

      it('computes its derived fields as finite numbers at every point of both presets', () => {
        const exp = findExperiment(fig.experiment);
        for (const preset of PRESETS) {
          const spec = figureSpec(fig, preset);
          const plan = buildPlan(fl, exp, spec.grid, [0], preset, spec.series);
          for (const view of fig.views) {
            for (const field of Object.values(view.derived ?? {})) {
              for (const p of plan.points) expect(Number.isFinite(field.of(p.params))).toBe(true);
            }
          }
        }
      });
    });
  }
});

// 3 significant digits, as the report prints them (an independent twin of figures/text.ts fmt)
const sig3 = (v: number) => String(Number(v.toPrecision(3)));

describe('what a figure says it measured', () => {
  /** The figure at its tiny sizes, run in this process, and its summary. */
  function tinySummary(name: string) {
    const fig = findFigure(name);
    const exp = findExperiment(fig.experiment);
    const spec = figureSpec(fig, 'quick', true);
    const plan = buildPlan(fl, exp, spec.grid, [0, 1], 'quick', spec.series);
    return {
      fig,
      summary: summarize(
        fl,
        plan,
        plan.points.map((p) => runPoint(fl, exp, plan, p)),
      ),
    };
  }

  it('ba-fig3c: the large step risk at the largest ψ1 and the bound, from the summary', () => {
    const { fig, summary } = tinySummary('ba-fig3c');
    const page = figurePage(fig, summary);
    const rows = summary.groups[0]!.series!.riskCurve!;
    const psiMax = Math.max(...rows.map((r) => r.psi1 as number));
    const large = rows.find((r) => r.psi1 === psiMax && r.alpha === 0.5)!;
    const text = page.intro!.join('\n');
    expect(text).toContain(fig.paperShows);
    expect(text).toContain(
      `η = N^0.5: ${sig3(large.risk_mean as number)} (95 % CI ${sig3(large.risk_lo as number)}–${sig3(large.risk_hi as number)}, 2 seeds)`,
    );
    expect(text).toContain(`(erf) is ${sig3(summary.groups[0]!.metrics.kernelLowerBoundErf!.mean!)}`);
    expect(page.views).toBe(fig.views);
  });

  it('ba-fig3c: its page cites the figure and shows only the curve claims (the main run is shrunk), saying the rest are hidden', async () => {
    const { fig, summary } = tinySummary('ba-fig3c');
    const exp = findExperiment('ba-one-step');
    const plan = buildPlan(fl, exp, figureSpec(fig, 'quick', true).grid, [0, 1], 'quick', figureSpec(fig, 'quick', true).series);
    const html = await renderSweepHtml(plan, summary, figurePage(fig, summary));
    expect(html).toContain(escapeHtml(fig.paper));
    const tables = html.slice(html.indexOf('<h2>Grid points</h2>'));
    expect(tables).toContain('<td>curve-large-step-beats-bound-8</td>');
    expect(tables).not.toContain('<td>spike-value</td>');
    expect(tables).toMatch(/Not shown: the claims [^<]*spike-value/);
  });

  it('moniri-fig3: train and test error at the ends of the α grid and q2, from the kept series', () => {
    const { fig, summary } = tinySummary('moniri-fig3');
    const text = figurePage(fig, summary).intro!.join('\n');
    const test = summary.groups[0]!.series!.staircase!.filter((r) => r.kind === 'test').sort((a, b) => (a.alpha as number) - (b.alpha as number));
    expect(test.length).toBeGreaterThan(1);
    expect(text).toContain(`to ${sig3(test.at(-1)!.error_mean as number)} (95 % CI`);
    expect(text).toContain('q2 (the share of the target’s He_2 part');
    expect(text).toContain('runs done');
  });
});
