// The experiments' figures as a reader sees them (issue 11 item 15): each plot of each
// experiment is rendered from a tiny run and its SVG and spec are checked for what misleads
// or hides — raw field names as axis titles, "Count of Records", truncated legends,
// fractional ticks on counts — and for the specific figures the issue names (two-step phase
// diagram, Huang's stage-1 error and collapse, Zhu's T⁻³ reference, Zhou's trajectories).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { EXPERIMENTS, findExperiment, runExperiment } from '../../dist/experiments/index.js';
import type { ExperimentResult, PlotSpec } from '../../dist/experiments/types.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';
import { plotView, renderPlot } from '../../dist/experiments/report-html.js';
import { engine } from '../helpers.js';

/** Tiny runs with every optional part on, so every figure has data. */
const OVERRIDES: Record<string, Record<string, string>> = {
  ...TINY_OVERRIDES,
  'two-step': { ...TINY_OVERRIDES['two-step'], phase: 'true' },
  'moniri-spikes': { ...TINY_OVERRIDES['moniri-spikes'], sweep: 'true' },
  // enough steps for every phase-length run to reach the tolerance (else that plot is empty)
  'zhu-balance': { ...TINY_OVERRIDES['zhu-balance'], phaseSteps: '5000' },
  // 40 steps at the tiny size: the loss collapses (at step 12), so both collapse rules are drawn
  'huang-linear': { ...TINY_OVERRIDES['huang-linear'], steps: '40' },
};

interface Axis {
  orient: string;
  title: string | undefined;
  continuous: boolean;
  labels: string[];
}

interface Legend {
  title: string | undefined;
  labels: string[];
}

const unescapeXml = (s: string) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Visible texts of the marks of one role inside an SVG fragment (Vega hides overlapping labels with opacity 0). */
function texts(fragment: string, role: string): string[] {
  const out: string[] = [];
  for (const group of fragment.matchAll(new RegExp(`<g class="mark-text role-${role}[" ][^>]*>([\\s\\S]*?)</g>`, 'g'))) {
    for (const t of group[1]!.matchAll(/<text([^>]*)>([\s\S]*?)<\/text>/g)) {
      if (!/opacity="0"/.test(t[1]!)) out.push(unescapeXml(t[2]!));
    }
  }
  return out;
}

/** The axes and legends of a Vega SVG, read from their ARIA descriptions and text marks. */
function guides(svg: string): { axes: Axis[]; legends: Legend[] } {
  const parts = svg.split(/(?=<g class="mark-group role-(?:axis|legend)" role="graphics-symbol")/);
  const axes: Axis[] = [],
    legends: Legend[] = [];
  for (const part of parts) {
    const axis = /^<g class="mark-group role-axis"[^>]*aria-label="([XY])-axis(?: titled '(.*?)')? for an? (\w+) scale/.exec(part);
    if (axis)
      axes.push({
        orient: axis[1]!,
        title: axis[2] === undefined ? undefined : unescapeXml(axis[2]),
        continuous: ['linear', 'log'].includes(axis[3]!),
        labels: texts(part, 'axis-label'),
      });
    if (part.startsWith('<g class="mark-group role-legend"')) legends.push({ title: texts(part, 'legend-title')[0], labels: texts(part, 'legend-label') });
  }
  return { axes, legends };
}

/** Channels that make an axis, a legend or a facet header, whose title a reader sees. */
const TITLED_CHANNELS = ['x', 'y', 'color', 'fill', 'stroke', 'strokeDash', 'shape', 'size', 'opacity', 'row', 'column'];

/** Every field channel without an explicit title, anywhere in a (layered, faceted) spec. */
function untitled(spec: unknown, path = ''): string[] {
  if (!spec || typeof spec !== 'object') return [];
  const node = spec as Record<string, unknown>;
  const out: string[] = [];
  for (const key of ['encoding', 'facet']) {
    const channels = node[key] as Record<string, Record<string, unknown>> | undefined;
    for (const [name, channel] of Object.entries(channels ?? {})) {
      if (TITLED_CHANNELS.includes(name) && channel && ('field' in channel || 'aggregate' in channel) && !('title' in channel))
        out.push(`${path}${key}.${name}`);
    }
  }
  for (const child of ['layer', 'spec']) {
    const sub = node[child];
    if (Array.isArray(sub)) sub.forEach((s, i) => out.push(...untitled(s, `${path}${child}[${i}].`)));
    else if (sub) out.push(...untitled(sub, `${path}${child}.`));
  }
  return out;
}

let fl: Engine;
const results = new Map<string, ExperimentResult>();
const svgs = new Map<string, string[]>();

beforeAll(async () => {
  fl = await engine();
  for (const exp of EXPERIMENTS) {
    const result = runExperiment(fl, exp, { overrides: OVERRIDES[exp.id] });
    results.set(exp.id, result);
    const rendered: string[] = [];
    for (const plot of result.plots) rendered.push(await renderPlot(plot, result.series));
    svgs.set(exp.id, rendered);
  }
}, 120_000);

afterAll(() => fl?.dispose());

const plotOf = (id: string, title: RegExp): { plot: PlotSpec; svg: string } => {
  const result = results.get(id)!;
  const i = result.plots.findIndex((p) => title.test(p.title));
  expect(i, `${id}: a plot titled ${title}`).toBeGreaterThanOrEqual(0);
  return { plot: result.plots[i]!, svg: svgs.get(id)![i]! };
};

describe('every figure', () => {
  it('gives every axis, legend and facet channel an explicit title (no raw field name reaches the reader, in the report or the page)', () => {
    for (const [id, result] of results) {
      for (const plot of result.plots) expect(untitled(plot.spec), `${id}: "${plot.title}"`).toEqual([]);
    }
  });

  it('has human axis and legend titles: no camelCase or short field names, no "Count of Records", no comma-joined layer fields', () => {
    for (const [id, result] of results) {
      // series keys a reader should not see as a title: camelCase, with digits, or one or two letters
      const rawKeys = new Set(
        Object.values(result.series)
          .flatMap((rows) => rows.flatMap((r) => Object.keys(r)))
          .filter((k) => /[A-Z0-9]/.test(k) || k.length <= 2),
      );
      svgs.get(id)!.forEach((svg, i) => {
        const where = `${id}: "${result.plots[i]!.title}"`;
        expect(svg, where).not.toContain('Count of Records');
        const { axes, legends } = guides(svg);
        expect(axes.length, where).toBeGreaterThan(0);
        for (const axis of axes) {
          // a quantitative axis always says what it measures
          if (axis.continuous) expect(axis.title, `${where}, ${axis.orient}-axis`).toBeTruthy();
          if (axis.title === undefined) continue;
          expect(rawKeys.has(axis.title), `${where}: axis title '${axis.title}' is a raw field name`).toBe(false);
          expect(axis.title, where).not.toMatch(/^[a-z]+[A-Z]\w*$/);
          expect(axis.title, where).not.toMatch(/^\w+, \w+$/);
        }
        for (const legend of legends) {
          if (legend.title !== undefined) expect(rawKeys.has(legend.title), `${where}: legend title '${legend.title}'`).toBe(false);
        }
      });
    }
  });

  it('never truncates a legend label or title', () => {
    for (const [id, result] of results) {
      svgs.get(id)!.forEach((svg, i) => {
        for (const legend of guides(svg).legends) {
          for (const text of [legend.title ?? '', ...legend.labels]) expect(text, `${id}: "${result.plots[i]!.title}"`).not.toMatch(/…$/);
        }
      });
    }
  });

  it('labels count axes with integers only', () => {
    const countAxes: [string, RegExp, string][] = [
      ['moniri-spikes', /^Outliers of F vs α/, 'Y'],
      ['zhu-balance', /^Balance ratios/, 'Y'],
      ['zhu-balance', /^Length of phases/, 'X'],
      ['zhu-balance', /^Length of phases/, 'Y'],
      ['huang-linear', /^Training loss/, 'X'],
    ];
    for (const [id, title, orient] of countAxes) {
      const { svg } = plotOf(id, title);
      const axis = guides(svg).axes.find((a) => a.orient === orient)!;
      expect(axis.labels.length, `${id} ${title} ${orient}`).toBeGreaterThan(1);
      for (const label of axis.labels) expect(label, `${id} ${title} ${orient}-axis`).toMatch(/^[\d,]+$/);
    }
  });
});

describe('two-step phase diagram', () => {
  it('shows the added counts (paper, finite-N prediction, measured) beside the fresh and reused ie2tanh alignment, with an integer count legend', () => {
    const result = results.get('two-step')!;
    const cells = 5 * 3; // α1 ∈ {0.1 … 0.3} × α2 ∈ {0.2, 0.25, 0.3}
    expect(result.series.phase!.length).toBe(cells);
    const { svg } = plotOf('two-step', /^Phase diagram/);
    const { legends } = guides(svg);
    const counts = legends.find((l) => l.title === 'outliers added')!;
    // one legend entry per integer from 0 to the largest count on the grid (at least 1)
    const max = Math.max(1, ...result.series.phase!.flatMap((r) => [r.predicted, r.predictedFinite, r.measured] as number[]));
    expect(counts.labels).toEqual(Array.from({ length: max + 1 }, (_, i) => String(i)));
    expect(legends.some((l) => l.title === '‖P_top3 β*‖²')).toBe(true);
    for (const header of ['paper: ⌊α2/(½ − α1)⌋', 'finite-N prediction', 'measured', 'ie2tanh, fresh batch', 'ie2tanh, reused batch'])
      expect(svg).toContain(`>${header}</text>`);
    // every cell's count printed in the three count panels, every alignment in the two others
    const marks = texts(svg, 'mark');
    expect(marks.filter((c) => /^\d+$/.test(c))).toHaveLength(3 * cells);
    expect(marks.filter((c) => /^\d\.\d{3}$/.test(c))).toHaveLength(2 * cells);
  });
});

describe('huang-linear', () => {
  it('draws the stage-1 error on a log axis from t = 1 (the t = 0 row, relative error 1 of ρ, is left out)', async () => {
    const result = results.get('huang-linear')!;
    // the artefact is in the data: at t = 0 the relative error of ρ is 1
    expect(result.series.stage1!.some((r) => r.step === 0 && (r.error as number) >= 0.5)).toBe(true);
    const { plot } = plotOf('huang-linear', /^Stage-1 closed form/);
    const view = await plotView(plot, result.series);
    try {
      const y = view.scale('y') as unknown as { type: string; domain(): number[] };
      const x = view.scale('x') as unknown as { domain(): number[] };
      expect(y.type).toBe('log');
      const drawn = result.series.stage1!.filter((r) => (r.step as number) > 0).map((r) => r.error as number);
      expect(Math.max(...y.domain())).toBeLessThan(0.5);
      expect(Math.max(...y.domain())).toBeGreaterThanOrEqual(Math.max(...drawn));
      expect(Math.min(...x.domain())).toBeGreaterThanOrEqual(1);
    } finally {
      view.finalize();
    }
  });

  it('marks the predicted and the measured half-loss time on the loss plot', () => {
    const result = results.get('huang-linear')!;
    expect(result.metrics.tHalfMeasured).toBeGreaterThan(0);
    const { svg } = plotOf('huang-linear', /^Training loss/);
    const labels = texts(svg, 'mark');
    expect(labels).toContain(`predicted t½ = ${result.metrics.tHalfPredicted!.toFixed(2)}`);
    expect(labels).toContain(`measured: loss = ½·initial at t = ${result.metrics.tHalfMeasured!.toFixed(2)}`);
    expect(guides(svg).axes.find((a) => a.orient === 'Y')!.title).toBe('training loss');
  });
});

describe('zhu-balance', () => {
  it('draws the T⁻³ reference apart from the loss curve it follows, with a matching legend entry', async () => {
    const result = results.get('zhu-balance')!;
    const { plot, svg } = plotOf('zhu-balance', /^Population loss/);
    const legend = guides(svg).legends;
    expect(legend).toHaveLength(1); // colour and dash merged into one legend
    expect(legend[0]!.labels).toHaveLength(2);
    expect(legend[0]!.labels[1]).toMatch(/T⁻³/);
    // the reference as drawn (shifted) lies a decade below the loss where both are defined
    const view = await plotView(plot, result.series);
    try {
      const y = view.scale('y') as unknown as (v: number) => number;
      const ref = result.series.reference!;
      const lossAt = (step: number) => result.series.loss!.find((r) => r.step === step)?.loss as number | undefined;
      const start = lossAt(ref[0]!.step as number);
      expect(start).toBeDefined();
      // pixel gap between the loss and the drawn reference at the reference's first step
      const gap = y((ref[0]!.loss as number) / 10) - y(start!);
      expect(gap).toBeGreaterThan(5);
    } finally {
      view.finalize();
    }
  });
});

describe('zhou-ge-local trajectories', () => {
  it("mark each neuron's start and end and draw the teacher lines, in both runs", () => {
    const result = results.get('zhou-ge-local')!;
    const m = result.params.m as number;
    for (const title of [/^Rich run/, /^Lazy run/]) {
      const { svg } = plotOf('zhou-ge-local', title);
      expect(guides(svg).legends[0]!.labels).toEqual(['neuron path', 'start', 'end', 'teacher line ±w*_i']);
      // one symbol per neuron for the start and for the end
      const symbols = [...svg.matchAll(/<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map((g) => (g[1]!.match(/<path/g) ?? []).length);
      expect(symbols).toEqual([m, m]);
      // one dashed line per teacher, one path per neuron (told apart by their colours)
      const lines = (colour: string) => svg.match(new RegExp(`aria-roledescription="line mark"[^>]*stroke="${colour}"`, 'g'))?.length ?? 0;
      expect(lines('#b00020')).toBe(result.params.r);
      expect(lines('#9db7d5')).toBe(m);
    }
  });
});

it('findExperiment knows every experiment drawn here', () => {
  for (const id of results.keys()) expect(findExperiment(id).id).toBe(id);
});
