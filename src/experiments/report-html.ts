// Reports as HTML strings: an experiment's self-contained page (plots as inline SVG rendered
// by Vega-Lite, the claims table, parameters, assumptions, fingerprint, time) and the index
// page of a reproduction. Pure rendering: nothing here touches the file system, so an API
// user can turn a result into the same report the CLI writes (src/cli/report.ts writes files).

import * as vega from 'vega';
import { compile } from 'vega-lite';
import { EXPERIMENTS } from './index.js';
import type { ClaimSummary, SeedsReport } from './sweep.js';
import type { Experiment, ExperimentResult, PlotSpec, SeriesRows } from './types.js';

export const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Significant digits of a number's shortest round-trip decimal form ("0.001" → 1, "2.5940123" → 8). */
function significantDigits(shortest: string): number {
  const mantissa = shortest.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return mantissa.length;
}

/**
 * A number as a person would write it: integers and short decimals exactly as given (the
 * shortest round-trip form, so 0.001 prints "0.001"); long measured values to 5 significant
 * digits without trailing zeros (2.5940123 → "2.594"), in exponent form outside [1e-3, 1e5).
 */
export function formatValue(v: number | string | boolean): string {
  if (typeof v !== 'number') return String(v);
  const shortest = String(v);
  if (!Number.isFinite(v) || Number.isInteger(v) || significantDigits(shortest) <= 6) return shortest;
  const a = Math.abs(v);
  const rounded = a >= 1e-3 && a < 1e5 ? v.toPrecision(5) : v.toExponential(3);
  // drop trailing zeros of the mantissa: "0.25000" → "0.25", "1.200e-7" → "1.2e-7"
  return rounded.replace(/(\.\d*?)0+(?=$|e)/, '$1').replace(/\.(?=$|e)/, '');
}

/** A parameter exactly as given: the shortest form that reads back as the same value. */
export const formatParam = (v: number | string | boolean): string => String(v);

/** The spec of a plot as drawn: the report's size and title around the experiment's spec. */
export function plotSpec(plot: PlotSpec): Record<string, unknown> {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 520, height: 260, title: plot.title, ...plot.spec };
}

/** A headless Vega view of a plot with the result's series loaded and run (the caller finalizes it). */
export async function plotView(plot: PlotSpec, series: Record<string, SeriesRows>): Promise<vega.View> {
  const view = new vega.View(vega.parse(compile(plotSpec(plot) as never).spec), { renderer: 'none' });
  for (const [name, rows] of Object.entries(series)) {
    try {
      view.data(name, rows);
    } catch {
      // datasets a plot does not use are not declared in its spec
    }
  }
  await view.runAsync();
  return view;
}

/** Renders a plot's Vega-Lite spec over the result's series to an SVG string. */
export async function renderPlot(plot: PlotSpec, series: Record<string, SeriesRows>): Promise<string> {
  const view = await plotView(plot, series);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function toCsv(rows: SeriesRows): string {
  if (rows.length === 0) return '';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v === undefined ? '' : String(v));
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n') + '\n';
}

/** The section of docs/science.md (the project's statement of each model, its formulas and sources) per experiment. */
export const SCIENCE_SECTIONS: Readonly<Record<string, number>> = {
  'ba-one-step': 1,
  'moniri-spikes': 2,
  'two-step': 3,
  'huang-linear': 4,
  'zhu-balance': 5,
  'zhou-ge-local': 6,
};

/** Where a result's science is written down, e.g. "docs/science.md §4". */
export function scienceReference(id: string): string {
  const section = SCIENCE_SECTIONS[id];
  return section === undefined ? 'docs/science.md' : `docs/science.md §${section}`;
}

/** The registered experiment of a result, if any (a result of an unregistered experiment has no about or notes). */
function registered(id: string): Pick<Experiment, 'about' | 'failureNotes'> | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

function claimRows(result: ExperimentResult, notes: Readonly<Record<string, string>>): string {
  return result.claims
    .map((c) => {
      const row = `<tr class="${c.pass ? 'pass' : 'fail'}" id="claim-${escapeHtml(c.id)}"><td>${c.pass ? 'pass' : 'FAIL'}</td><td>${escapeHtml(c.id)}</td><td>${escapeHtml(c.statement)}</td><td>${escapeHtml(formatValue(c.predicted))}</td><td>${escapeHtml(formatValue(c.measured))}</td><td>${escapeHtml(c.tolerance)}</td></tr>`;
      const note = notes[c.id];
      // the note says why a claim fails; a passing claim needs no excuse
      return !c.pass && note ? `${row}\n<tr class="why"><td></td><td colspan="5"><b>Why it fails:</b> ${escapeHtml(note)}</td></tr>` : row;
    })
    .join('\n');
}

/**
 * An experiment's report page: self-contained HTML (links to result.json and the CSVs beside
 * it). The paragraph on what the experiment is and the notes on failed claims come from
 * `experiment` (by default the registered experiment with the result's id).
 */
export async function renderReportHtml(
  result: ExperimentResult,
  experiment: Pick<Experiment, 'about' | 'failureNotes'> | undefined = registered(result.id),
): Promise<string> {
  const plots = [];
  for (const plot of result.plots) plots.push(`<figure>${await renderPlot(plot, result.series)}</figure>`);
  const claims = claimRows(result, experiment?.failureNotes ?? {});
  const passed = result.claims.filter((c) => c.pass).length;
  const params = Object.entries(result.params)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(formatParam(v))}</td></tr>`)
    .join('');
  const metrics = Object.entries(result.metrics)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(formatValue(v))}</td></tr>`)
    .join('');
  const assumptions = result.assumptions.length
    ? `<h2>Assumptions</h2><ul>${result.assumptions.map((a) => `<li><b>${escapeHtml(a.name)} = ${escapeHtml(formatParam(a.value))}</b>: ${escapeHtml(a.note)}</li>`).join('')}</ul>`
    : '';
  const about = experiment?.about ? `<p id="about">${escapeHtml(experiment.about)}</p>\n` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(result.id)} — featurelab</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
tr.pass td:first-child{color:#176c2f;font-weight:600}tr.fail td:first-child{color:#b00020;font-weight:700}
tr.why td{border-top:none;background:#fff6f6;font-size:.95em}
#claims tr:not(.why) td:nth-child(2){white-space:nowrap}
figure{margin:1em 0}code{background:#f4f4f4;padding:.1em .3em;white-space:nowrap}#about{max-width:60em;line-height:1.45}
</style></head><body>
<h1>${escapeHtml(result.title)}</h1>
<p><i>${escapeHtml(result.paper)}</i></p>
${about}<p>The model, its formulas and predictions, and which of them come from the paper and which are assumed:
<code>${scienceReference(result.id)}</code> in the featurelab package.</p>
<p>Experiment <code>${escapeHtml(result.id)}</code>, preset <code>${result.preset}</code>, seed ${result.seed},
${result.seconds.toFixed(1)} s, featurelab ${escapeHtml(result.version)}. Fingerprint <code id="fingerprint">${result.fingerprint}</code>.</p>
<h2>Claims</h2>
<p>${passed} of ${result.claims.length} claims pass. A failed claim is reported as measured, not tuned away.</p>
<table id="claims"><tr><th></th><th>claim</th><th>statement</th><th>predicted</th><th>measured</th><th>tolerance</th></tr>
${claims}</table>
<h2>Plots</h2>
${plots.join('\n')}
<h2>Metrics</h2><table>${metrics}</table>
<h2>Parameters</h2><table>${params}</table>
${assumptions}
<p>Data: <a href="result.json">result.json</a>${Object.keys(result.series)
    .map((s) => `, <a href="${s}.csv">${s}.csv</a>`)
    .join('')}.</p>
</body></html>
`;
}

/** "9/10 (Wilson 0.60–0.98)": a claim's pass rate over seeds. */
export function formatPassRate(c: ClaimSummary): string {
  return `${c.passes}/${c.n} (Wilson ${c.wilsonLo.toFixed(2)}–${c.wilsonHi.toFixed(2)})`;
}

/** The index's section on a multi-seed reproduction: every claim's pass rate, every metric's mean ± CI. */
function seedsSection(s: SeedsReport): string {
  const seeds = s.seeds.length > 1 ? `${s.seeds[0]}..${s.seeds[s.seeds.length - 1]}` : String(s.seeds[0]);
  const claims = s.experiments.flatMap((e) =>
    Object.entries(e.claims).map(([id, c]) => {
      const low = c.rate < s.minPassRate;
      return `<tr class="${low ? 'fail' : 'pass'}"><td><a href="${e.id}/report.html#claim-${escapeHtml(id)}">${escapeHtml(e.id)}</a></td><td>${low ? 'LOW' : 'ok'}</td><td>${escapeHtml(id)}</td><td>${formatPassRate(c)}</td></tr>`;
    }),
  );
  const metrics = s.experiments.flatMap((e) =>
    Object.entries(e.metrics).map(([name, m]) => {
      const ci = m.mean !== null && m.ciLo !== null && m.ciHi !== null ? ` ± ${formatValue((m.ciHi - m.ciLo) / 2)}` : '';
      return `<tr><td>${escapeHtml(e.id)}</td><td>${escapeHtml(name)}</td><td>${m.mean === null ? '—' : `${formatValue(m.mean)}${ci}`}</td><td>${m.sd === null ? '—' : formatValue(m.sd)}</td><td>${m.n}</td></tr>`;
    }),
  );
  const total = s.experiments.reduce((n, e) => n + Object.keys(e.claims).length, 0);
  const ok = s.experiments.reduce((n, e) => n + Object.values(e.claims).filter((c) => c.rate >= s.minPassRate).length, 0);
  return `<h2 id="seeds">Over ${s.seeds.length} seeds</h2>
<p>${ok} of ${total} claims pass on at least ${formatValue(s.minPassRate * 100)} % of seeds ${escapeHtml(seeds)} (preset ${escapeHtml(s.preset)}, featurelab ${escapeHtml(s.version)}; <a href="seeds.json">seeds.json</a>, raw rows in <code>sweeps/&lt;id&gt;/results/</code>). ${escapeHtml(s.interval)}. The reports above are of seed ${s.seeds[0]}.</p>
<table id="seed-claims"><tr><th>experiment</th><th></th><th>claim</th><th>passes (Wilson 95 %)</th></tr>
${claims.join('\n')}</table>
<table id="seed-metrics"><tr><th>experiment</th><th>metric</th><th>mean ± 95 % CI</th><th>sd</th><th>n</th></tr>
${metrics.join('\n')}</table>
`;
}

/** The index page of a reproduction: per experiment its pass count and a link to its report, then every claim; with `seeds`, the pass rates over seeds. */
export function renderIndexHtml(results: readonly ExperimentResult[], seeds?: SeedsReport): string {
  const summary = results
    .map((r) => {
      const passed = r.claims.filter((c) => c.pass).length;
      const cls = passed === r.claims.length ? 'pass' : 'fail';
      return `<tr class="${cls}"><td><a href="${r.id}/report.html">${escapeHtml(r.id)}</a></td><td>${passed} of ${r.claims.length}</td><td>${escapeHtml(r.title)}</td><td><i>${escapeHtml(r.paper)}</i></td><td><code>${scienceReference(r.id)}</code></td><td>${r.seconds.toFixed(1)} s</td></tr>`;
    })
    .join('\n');
  const rows = results
    .flatMap((r) =>
      r.claims.map(
        (c) =>
          `<tr class="${c.pass ? 'pass' : 'fail'}"><td><a href="${r.id}/report.html#claim-${escapeHtml(c.id)}">${escapeHtml(r.id)}</a></td><td>${c.pass ? 'pass' : 'FAIL'}</td><td>${escapeHtml(c.id)}</td><td>${escapeHtml(c.statement)}</td><td>${escapeHtml(formatValue(c.predicted))}</td><td>${escapeHtml(formatValue(c.measured))}</td></tr>`,
      ),
    )
    .join('\n');
  const passed = results.reduce((s, r) => s + r.claims.filter((c) => c.pass).length, 0);
  const total = results.reduce((s, r) => s + r.claims.length, 0);
  const presets = [...new Set(results.map((r) => r.preset))].join(', ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>featurelab reproduction</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}tr.fail td:nth-child(2){color:#b00020;font-weight:700}tr.pass td:nth-child(2){color:#176c2f}code{background:#f4f4f4;padding:.1em .3em;white-space:nowrap}#experiments td:first-child,#experiments td:nth-child(2),#experiments td:last-child{white-space:nowrap}</style>
</head><body><h1>featurelab: reproductions</h1>
<p>${passed} of ${total} claims pass${presets ? ` (preset ${escapeHtml(presets)})` : ''}. Each report says what its experiment is and why a failed claim fails;
the models and predictions are written down in <code>docs/science.md</code> in the featurelab package.</p>
<table id="experiments"><tr><th>experiment</th><th>claims pass</th><th>what it tests</th><th>paper</th><th>science</th><th>time</th></tr>
${summary}</table>
<h2>Every claim</h2>
<table id="claims"><tr><th>experiment</th><th></th><th>claim</th><th>statement</th><th>predicted</th><th>measured</th></tr>
${rows}</table>
${seeds ? seedsSection(seeds) : ''}</body></html>
`;
}
