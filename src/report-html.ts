// Reports as HTML strings: an experiment's self-contained page (plots as inline SVG rendered
// by Vega-Lite, the claims table, parameters, assumptions, fingerprint, time) and the index
// page of a reproduction. Pure rendering: nothing here touches the file system, so an API
// user can turn a result into the same report the CLI writes (src/report.ts writes files).

import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ExperimentResult, PlotSpec, SeriesRows } from './experiments/types.js';

export const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const escape = escapeHtml;

export function formatValue(v: number | string | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(3);
}

/** Renders a plot's Vega-Lite spec over the result's series to an SVG string. */
export async function renderPlot(plot: PlotSpec, series: Record<string, SeriesRows>): Promise<string> {
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 520, height: 260, title: plot.title, ...plot.spec };
  const vgSpec = compile(spec as never).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  for (const [name, rows] of Object.entries(series)) {
    try {
      view.data(name, rows);
    } catch {
      // datasets a plot does not use are not declared in its spec
    }
  }
  await view.runAsync();
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function toCsv(rows: SeriesRows): string {
  if (rows.length === 0) return '';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v === undefined ? '' : String(v));
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n') + '\n';
}

/** An experiment's report page: self-contained HTML (links to result.json and the CSVs beside it). */
export async function renderReportHtml(result: ExperimentResult): Promise<string> {
  const plots = [];
  for (const plot of result.plots) plots.push(`<figure>${await renderPlot(plot, result.series)}</figure>`);
  const claims = result.claims
    .map((c) => `<tr class="${c.pass ? 'pass' : 'fail'}"><td>${c.pass ? 'pass' : 'FAIL'}</td><td>${escape(c.id)}</td><td>${escape(c.statement)}</td><td>${escape(formatValue(c.predicted))}</td><td>${escape(formatValue(c.measured))}</td><td>${escape(c.tolerance)}</td></tr>`)
    .join('\n');
  const params = Object.entries(result.params).map(([k, v]) => `<tr><td>${escape(k)}</td><td>${escape(formatValue(v))}</td></tr>`).join('');
  const metrics = Object.entries(result.metrics).map(([k, v]) => `<tr><td>${escape(k)}</td><td>${escape(formatValue(v))}</td></tr>`).join('');
  const assumptions = result.assumptions.length
    ? `<h2>Assumptions</h2><ul>${result.assumptions.map((a) => `<li><b>${escape(a.name)} = ${escape(formatValue(a.value))}</b>: ${escape(a.note)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(result.id)} — featurelab</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
tr.pass td:first-child{color:#176c2f;font-weight:600}tr.fail td:first-child{color:#b00020;font-weight:700}
figure{margin:1em 0}code{background:#f4f4f4;padding:.1em .3em}
</style></head><body>
<h1>${escape(result.title)}</h1>
<p><i>${escape(result.paper)}</i></p>
<p>Experiment <code>${escape(result.id)}</code>, preset <code>${result.preset}</code>, seed ${result.seed},
${result.seconds.toFixed(1)} s, featurelab ${escape(result.version)}. Fingerprint <code id="fingerprint">${result.fingerprint}</code>.</p>
<h2>Claims</h2>
<table id="claims"><tr><th></th><th>claim</th><th>statement</th><th>predicted</th><th>measured</th><th>tolerance</th></tr>
${claims}</table>
<h2>Plots</h2>
${plots.join('\n')}
<h2>Metrics</h2><table>${metrics}</table>
<h2>Parameters</h2><table>${params}</table>
${assumptions}
<p>Data: <a href="result.json">result.json</a>${Object.keys(result.series).map((s) => `, <a href="${s}.csv">${s}.csv</a>`).join('')}.</p>
</body></html>
`;
}

/** The index page of a reproduction: every claim of every result, linking to each report. */
export function renderIndexHtml(results: readonly ExperimentResult[]): string {
  const rows = results
    .flatMap((r) => r.claims.map((c) => `<tr class="${c.pass ? 'pass' : 'fail'}"><td><a href="${r.id}/report.html">${escape(r.id)}</a></td><td>${c.pass ? 'pass' : 'FAIL'}</td><td>${escape(c.id)}</td><td>${escape(c.statement)}</td><td>${escape(formatValue(c.predicted))}</td><td>${escape(formatValue(c.measured))}</td></tr>`))
    .join('\n');
  const passed = results.reduce((s, r) => s + r.claims.filter((c) => c.pass).length, 0);
  const total = results.reduce((s, r) => s + r.claims.length, 0);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>featurelab reproduction</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}tr.fail td:nth-child(2){color:#b00020;font-weight:700}tr.pass td:nth-child(2){color:#176c2f}</style>
</head><body><h1>featurelab: reproductions</h1><p>${passed} of ${total} claims pass.</p>
<table><tr><th>experiment</th><th></th><th>claim</th><th>statement</th><th>predicted</th><th>measured</th></tr>
${rows}</table></body></html>
`;
}
