// Issue 13, report.html: a SweepView over a sweep's summary becomes tidy rows and a Vega-Lite
// spec. The summary here is synthetic (numbers chosen by hand, every one distinct), so each
// row can be traced to the group and statistic it must come from; the specs are also rendered
// by vega, so a spec Vega-Lite rejects fails here.

import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../dist/core/errors.js';
import { renderPlot } from '../../dist/experiments/report-html.js';
import type { SweepGroup, SweepPlan, SweepSummary } from '../../dist/experiments/sweep.js';
import { defaultViews, MAX_DEFAULT_PLOTS, pagePlots, SWEEP_DATA, sweepPlot, theoryPartner, viewFromOptions } from '../../dist/experiments/sweep-plots.js';
import type { SweepView } from '../../dist/experiments/sweep-view.js';

const ETAS = [1, 2, 4];
const ALPHAS = [0.5, 3];
const metric = (mean: number | null, half = 0.25) => ({
  n: 3,
  mean,
  sd: mean === null ? null : half,
  ciLo: mean === null ? null : mean - half,
  ciHi: mean === null ? null : mean + half,
  median: mean,
});

function group(eta: number, alpha: number, extra: Record<string, number> = {}): SweepGroup {
  const s1 = 10 * eta + alpha; // distinct per group
  return {
    params: { d: 50, eta, alpha, ...extra },
    seeds: 3,
    metrics: {
      s1: metric(s1),
      s1Predicted: metric(s1 + 0.5, 0),
      spikes: metric(eta),
      predictedSpikes: metric(eta + 1, 0),
      constant: metric(7),
      nothing: metric(null),
      lossFinal: metric(-eta), // negative: left out on a log axis
    },
    claims: {
      'spike-value': { n: 3, passes: eta === 1 ? 3 : 1, rate: eta === 1 ? 1 : 1 / 3, wilsonLo: eta === 1 ? 0.44 : 0.06, wilsonHi: eta === 1 ? 1 : 0.79 },
      'risk-drop': { n: 3, passes: 0, rate: 0, wilsonLo: 0, wilsonHi: 0.56 },
    },
    series: {
      curve: [0, 1].map((t) => ({ t, label: 'a', loss_mean: s1 + t, loss_sd: 0.1, loss_lo: s1 + t - 0.2, loss_hi: s1 + t + 0.2, loss_n: 3 })),
    },
  };
}

function sweepOf(groups: SweepGroup[], grid: SweepPlan['grid']): { plan: SweepPlan; summary: SweepSummary } {
  const plan: SweepPlan = {
    format: 'featurelab-sweep/1',
    id: 'ba-one-step',
    version: 'v',
    preset: 'quick',
    grid,
    seeds: [0, 1, 2],
    series: { curve: ['t', 'label'] },
    points: [],
  };
  const summary: SweepSummary = {
    id: 'ba-one-step',
    version: 'v',
    preset: 'quick',
    fingerprint: 'f'.repeat(64),
    points: groups.length * 3,
    missing: [],
    interval: 'test',
    groups,
  };
  return { plan, summary };
}

const { plan, summary } = sweepOf(
  ETAS.flatMap((eta) => ALPHAS.map((alpha) => group(eta, alpha))),
  { d: [50], eta: ETAS, alpha: ALPHAS },
);

type Layer = { mark: string | { type: string; strokeDash?: number[] }; encoding: Record<string, { field?: string; scale?: Record<string, unknown> }> };
const layers = (spec: Record<string, unknown>) => spec.layer as Layer[];
const markType = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);
const render = (p: ReturnType<typeof sweepPlot>) => renderPlot(p.plot, { [SWEEP_DATA]: p.rows });

describe('line plots of a sweep', () => {
  const view: SweepView = { title: 's1', x: 'eta', y: ['s1'], color: 'alpha', theory: ['s1Predicted'] };
  const p = sweepPlot(plan, summary, view);
  const measured = p.rows.filter((r) => r.kind === 'measured');
  const theory = p.rows.filter((r) => r.kind === 'theory');

  it('one measured row per grid point: the mean, and the band from the t interval', () => {
    expect(measured).toHaveLength(6);
    for (const g of summary.groups) {
      const row = measured.find((r) => r.x === g.params.eta && r.line === `alpha=${g.params.alpha}`)!;
      expect([row.mean, row.lo, row.hi, row.n]).toEqual([g.metrics.s1!.mean, g.metrics.s1!.ciLo, g.metrics.s1!.ciHi, 3]);
    }
    const band = layers(p.plot.spec).find((l) => markType(l) === 'errorband')!;
    expect([band.encoding.y!.field, band.encoding.y2!.field]).toEqual(['lo', 'hi']);
  });

  it('one line per colour value, in the grid order', () => {
    const line = layers(p.plot.spec).find((l) => markType(l) === 'line' && !(l.mark as { strokeDash?: number[] }).strokeDash)!;
    expect(line.encoding.color!.field).toBe('line');
    expect(line.encoding.color!.scale!.domain).toEqual(ALPHAS.map((a) => `alpha=${a}`));
    expect(new Set(measured.map((r) => r.line)).size).toBe(ALPHAS.length);
  });

  it('theory: dashed, without a band, in the colour of its measurement', async () => {
    expect(theory).toHaveLength(6);
    expect(theory.every((r) => r.lo === undefined && r.hi === undefined)).toBe(true);
    expect(theory.map((r) => r.line).sort()).toEqual(measured.map((r) => r.line).sort());
    const dashed = layers(p.plot.spec).find((l) => (l.mark as { strokeDash?: number[] }).strokeDash)!;
    expect((dashed.mark as { strokeDash: number[] }).strokeDash.length).toBeGreaterThan(0);
    const svg = await render(p);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('stroke-dasharray="6,4"');
  });

  it('lines are named by quantity when there is no colour or several y fields', () => {
    const one = sweepOf(
      ETAS.map((eta) => group(eta, 0.5)),
      { eta: ETAS, alpha: [0.5] },
    );
    const q = sweepPlot(one.plan, one.summary, { title: 't', x: 'eta', y: ['spikes'], theory: ['predictedSpikes'] });
    expect(new Set(q.rows.map((r) => r.line))).toEqual(new Set(['spikes', 'predictedSpikes']));
    const two = sweepPlot(plan, summary, { title: 't', x: 'eta', y: ['s1', 'spikes'], color: 'alpha' });
    expect(new Set(two.rows.map((r) => r.line))).toEqual(new Set(['s1, alpha=0.5', 's1, alpha=3', 'spikes, alpha=0.5', 'spikes, alpha=3']));
  });

  it('a third varying parameter gets its own lines instead of a zigzag', () => {
    const three = sweepOf(
      ETAS.flatMap((eta) => [1, 2].map((k) => group(eta, 0.5, { k }))),
      { eta: ETAS, alpha: [0.5], k: [1, 2] },
    );
    const q = sweepPlot(three.plan, three.summary, { title: 't', x: 'eta', y: ['s1'] });
    expect(new Set(q.rows.map((r) => r.line))).toEqual(new Set(['k=1', 'k=2']));
  });

  it('log scales: the axis type is log and non-positive values are left out', async () => {
    const q = sweepPlot(plan, summary, { title: 't', x: 'eta', y: ['lossFinal', 's1'], scale: { x: 'log', y: 'log' } });
    expect(q.rows.every((r) => r.quantity === 's1')).toBe(true);
    const line = layers(q.plot.spec).find((l) => markType(l) === 'line')!;
    expect([line.encoding.x!.scale!.type, line.encoding.y!.scale!.type]).toEqual(['log', 'log']);
    expect(await render(q)).toContain('<svg');
  });

  it('derived x: computed from each grid point’s parameters', () => {
    const q = sweepPlot(plan, summary, {
      title: 't',
      x: 'psi',
      y: ['s1'],
      color: 'alpha',
      derived: { psi: { label: 'η/d', of: (p) => (p.eta as number) / (p.d as number) } },
    });
    expect(q.rows.map((r) => r.x).sort()).toEqual(summary.groups.map((g) => (g.params.eta as number) / 50).sort());
    expect(() =>
      sweepPlot(plan, summary, { title: 't', x: 'bad', y: ['s1'], derived: { bad: { label: 'log 0', of: () => Number.NEGATIVE_INFINITY } } }),
    ).toThrow(/derived field 'bad' is -Infinity/);
  });

  it('x may be a metric (its mean) or a series coordinate', () => {
    const byMetric = sweepPlot(plan, summary, { title: 't', x: 'spikes', y: ['s1'], color: 'alpha' });
    expect(byMetric.rows.map((r) => r.x).sort()).toEqual(summary.groups.map((g) => g.metrics.spikes!.mean).sort());
    const curve = sweepPlot(plan, summary, { title: 't', source: 'curve', x: 't', y: ['loss'], color: 'eta' });
    expect(curve.rows).toHaveLength(summary.groups.length * 2);
    // one line per (eta, alpha): alpha splits what eta alone would zigzag
    expect(new Set(curve.rows.map((r) => r.line)).size).toBe(6);
    const first = curve.rows.find((r) => r.line === 'eta=1, alpha=0.5' && r.x === 1)!;
    expect([first.mean, first.lo, first.hi]).toEqual([11.5, 11.3, 11.7]); // s1 = 10·1 + 0.5, plus t = 1, ± 0.2
  });

  it('claims: the pass rate with its Wilson interval on [0, 1]', () => {
    const q = sweepPlot(plan, summary, { title: 't', source: 'claims', x: 'eta', y: [] });
    expect(new Set(q.rows.map((r) => r.quantity))).toEqual(new Set(['spike-value', 'risk-drop']));
    const row = q.rows.find((r) => r.quantity === 'spike-value' && r.x === 2)!;
    expect([row.mean, row.lo, row.hi]).toEqual([1 / 3, 0.06, 0.79]);
    const line = layers(q.plot.spec).find((l) => markType(l) === 'line')!;
    expect(line.encoding.y!.scale!.domain).toEqual([0, 1]);
  });
});

describe('heatmaps (phase diagrams)', () => {
  it('x × color cells coloured by the mean of y, the value (and the theory) as text', async () => {
    const p = sweepPlot(plan, summary, { title: 'phase', kind: 'heatmap', x: 'eta', color: 'alpha', y: ['s1'], theory: ['s1Predicted'] });
    expect(p.rows).toHaveLength(ETAS.length * ALPHAS.length);
    const cell = p.rows.find((r) => r.x === 4 && r.c === 3)!;
    expect(cell.mean).toBe(43);
    expect(cell.label).toBe('43 (43.5)');
    expect(layers(p.plot.spec).map(markType)).toEqual(['rect', 'text']);
    const svg = await render(p);
    expect(svg).toContain('43 (43.5)');
  });

  it('needs a color field, and one grid point per cell', () => {
    expect(() => sweepPlot(plan, summary, { title: 'h', kind: 'heatmap', x: 'eta', y: ['s1'] })).toThrow(/a heatmap needs a color field/);
    expect(() => sweepPlot(plan, summary, { title: 'h', kind: 'heatmap', x: 'eta', color: 'd', y: ['s1'] })).toThrow(
      /two grid points fall in the cell eta=1, d=50 \(the sweep also varies alpha\)/,
    );
  });

  it('claims without a color: claims × grid points, each cell passes/seeds', async () => {
    const p = sweepPlot(plan, summary, { title: 'c', source: 'claims', kind: 'heatmap', x: 'eta', y: [] });
    expect(p.rows).toHaveLength(2 * 6);
    expect(p.rows.find((r) => r.c === 'spike-value' && r.x === '1, alpha=3')!.label).toBe('3/3');
    expect(await render(p)).toContain('1/3');
  });
});

describe('bad views', () => {
  const message = (view: SweepView) => {
    try {
      sweepPlot(plan, summary, view);
    } catch (e) {
      expect(e).toBeInstanceOf(ArgumentError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('an unknown field is named, with the available parameters, metrics and series columns', () => {
    const m = message({ title: 'v', x: 'psi9', y: ['s1'] });
    expect(m).toMatch(/x field 'psi9' is not a field of this sweep/);
    expect(m).toMatch(/swept parameters: eta, alpha/);
    expect(m).toMatch(/other parameters: d/);
    expect(m).toMatch(/metrics: s1, s1Predicted, spikes/);
    expect(message({ title: 'v', x: 'eta', y: ['nope'] })).toMatch(/y field 'nope'/);
    expect(message({ title: 'v', x: 'eta', y: ['s1'], color: 's1' })).toMatch(/color field 's1'/);
    expect(message({ title: 'v', x: 'eta', y: ['s1'], theory: ['zz'] })).toMatch(/theory field 'zz'/);
    const s = message({ title: 'v', source: 'curve', x: 'eta', y: ['lossy'] });
    expect(s).toMatch(/y field 'lossy'/);
    expect(s).toMatch(/series curve coordinates: t, label; series curve measurements: loss/);
  });

  it('an unknown source, kind or scale is named', () => {
    expect(message({ title: 'v', source: 'spectrum', x: 'eta', y: ['s1'] })).toMatch(
      /source 'spectrum' is not metrics, claims or a series kept by the plan \(kept: curve\)/,
    );
    expect(message({ title: 'v', kind: 'pie' as never, x: 'eta', y: ['s1'] })).toMatch(/kind must be line or heatmap, got 'pie'/);
    expect(message({ title: 'v', x: 'eta', y: ['s1'], scale: { y: 'sqrt' as never } })).toMatch(/scale.y must be linear or log/);
    expect(message({ title: 'v', x: 'eta', y: [] })).toMatch(/y needs at least one field; metrics: s1/);
  });

  it('the CLI options: x defaults to the first numeric swept parameter; a bad kind is named', () => {
    expect(viewFromOptions(plan, summary, { y: 's1,spikes', color: 'alpha' })).toMatchObject({ x: 'eta', y: ['s1', 'spikes'], color: 'alpha', kind: 'line' });
    expect(viewFromOptions(plan, summary, { source: 'curve', y: 'loss' })).toMatchObject({ x: 't', source: 'curve' });
    expect(() => viewFromOptions(plan, summary, { y: 's1', kind: 'bars' })).toThrow(/--kind must be line or heatmap, got 'bars'/);
  });
});

describe('default views', () => {
  it('claims first, then kept series, then each metric vs the first swept parameter coloured by the second, theory beside', () => {
    const { views, omitted } = defaultViews(plan, summary);
    expect(views[0]).toMatchObject({ source: 'claims', x: 'eta' });
    expect(views[1]).toMatchObject({ source: 'curve', x: 't', y: ['loss'], color: 'eta' });
    const metrics = views.slice(2);
    expect(metrics.map((v) => v.y[0])).toEqual(['s1', 'spikes', 'lossFinal']);
    expect(metrics.every((v) => v.x === 'eta' && v.color === 'alpha')).toBe(true);
    expect(metrics[0]!.theory).toEqual(['s1Predicted']);
    expect(metrics[1]!.theory).toEqual(['predictedSpikes']);
    expect(omitted.join('; ')).toMatch(/constant \(the same at every grid point\).*nothing \(no finite value\)/);
    // every default view builds
    expect(pagePlots(plan, summary).plots).toHaveLength(views.length);
  });

  it('the theory convention: <m>Predicted, else predicted<M>', () => {
    expect(theoryPartner('s1', ['s1', 's1Predicted'])).toBe('s1Predicted');
    expect(theoryPartner('outliers', ['outliers', 'predictedOutliers'])).toBe('predictedOutliers');
    expect(theoryPartner('riskTrained', ['riskTrained', 'kernelLowerBound'])).toBeUndefined();
  });

  it('a few claims are lines with Wilson bands; many claims × grid points a heatmap', () => {
    expect(defaultViews(plan, summary).views[0]!.kind).toBe('line'); // 2 claims × 2 alphas: 4 lines
    const claims = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { n: 3, passes: 1, rate: 1 / 3, wilsonLo: 0.06, wilsonHi: 0.79 }]));
    const more = sweepOf(
      summary.groups.map((g) => ({ ...g, claims })),
      plan.grid,
    );
    expect(defaultViews(more.plan, more.summary).views[0]!.kind).toBe('heatmap'); // 4 claims × 2 alphas: 8 lines
  });

  it('at most MAX_DEFAULT_PLOTS, the rest named', () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}`, metric(null)]));
    const wide = sweepOf(
      ETAS.map((eta, j) => ({ ...group(eta, 0.5), metrics: Object.fromEntries(Object.keys(many).map((k, i) => [k, metric(i + j)])) })),
      { eta: ETAS, alpha: [0.5] },
    );
    const { views, omitted } = defaultViews(wide.plan, wide.summary);
    expect(views).toHaveLength(MAX_DEFAULT_PLOTS);
    expect(omitted[0]).toMatch(new RegExp(`m${20 - (MAX_DEFAULT_PLOTS - 2)}.*m19 \\(past the first ${MAX_DEFAULT_PLOTS} plots\\)`));
  });

  it('seeds only: no metric or claims plot (the tables say it all), series curves still', () => {
    const seedsOnly = sweepOf([group(1, 0.5)], { eta: [1] });
    const { views } = defaultViews(seedsOnly.plan, seedsOnly.summary);
    expect(views.map((v) => v.source)).toEqual(['curve']);
    expect(views[0]!.color).toBeUndefined();
  });
});
