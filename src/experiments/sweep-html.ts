// A sweep's report page (DIR/report.html, docs/sweeps.md): self-contained HTML with the plots
// as inline SVG (src/experiments/sweep-plots.ts builds them, vega renders them), per grid point
// the claims' pass rates and the metrics' means with their intervals, the sweep's fingerprint
// and links to the data beside it. Pure rendering: src/cli/sweep-report.ts writes the file.

import { EXPERIMENTS } from './index.js';
import { escapeHtml, formatParam, formatValue, renderPlot } from './report-html.js';
import type { SweepGroup, SweepPlan, SweepSummary } from './sweep.js';
import { pagePlots, SWEEP_DATA, sweptParams } from './sweep-plots.js';
import type { SweepPage } from './sweep-view.js';

const num = (v: number | null): string => (v === null ? '—' : escapeHtml(formatValue(v)));

/** `0..9` for consecutive seeds, else the list (shortened past 12). */
function seedsText(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  if (consecutive && seeds.length > 2) return `${seeds[0]}..${seeds[seeds.length - 1]}`;
  return seeds.length > 12 ? `${seeds.slice(0, 12).join(', ')}, … (${seeds.length})` : seeds.join(', ');
}

function groupTable(group: SweepGroup, swept: string[], open: boolean, shown?: readonly string[]): string {
  const at = swept.length ? swept.map((k) => `${escapeHtml(k)} = ${escapeHtml(formatParam(group.params[k]!))}`).join(', ') : 'every seed';
  const claims = Object.entries(group.claims).filter(([id]) => !shown || shown.includes(id));
  const always = claims.filter(([, c]) => c.n > 0 && c.passes === c.n).length;
  const claimRows = claims
    .map(([id, c]) => {
      const cls = c.passes === c.n ? 'pass' : c.passes === 0 ? 'fail' : 'mixed';
      return `<tr class="${cls}"><td>${escapeHtml(id)}</td><td>${c.passes} of ${c.n}</td><td>${num(c.rate)}</td><td>[${num(c.wilsonLo)}, ${num(c.wilsonHi)}]</td></tr>`;
    })
    .join('\n');
  const metricRows = Object.entries(group.metrics)
    .map(
      ([name, m]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${m.n}</td><td>${num(m.mean)}</td><td>${m.ciLo === null ? '—' : `[${num(m.ciLo)}, ${num(m.ciHi)}]`}</td><td>${num(m.sd)}</td><td>${num(m.median)}</td></tr>`,
    )
    .join('\n');
  return `<details class="point"${open ? ' open' : ''}><summary><b>${at}</b> · ${group.seeds} seeds${group.failed ? ` (${group.failed} failed)` : ''} · claims passing in every seed: ${always} of ${claims.length}</summary>
${claims.length ? `<table class="claims"><tr><th>claim</th><th>passes</th><th>rate</th><th>Wilson 95 %</th></tr>\n${claimRows}</table>` : ''}
${metricRows ? `<table class="metrics"><tr><th>metric</th><th>n</th><th>mean</th><th>95 % CI (t)</th><th>sd</th><th>median</th></tr>\n${metricRows}</table>` : ''}
</details>`;
}

/**
 * The report page of a sweep: the page's views (or the default set) as inline SVG, the
 * statistics per grid point and the sweep's fingerprint. Throws an ArgumentError naming a
 * view's unknown field before rendering anything.
 */
export async function renderSweepHtml(plan: SweepPlan, summary: SweepSummary, page: SweepPage = {}): Promise<string> {
  const { plots, omitted } = pagePlots(plan, summary, page);
  const exp = EXPERIMENTS.find((e) => e.id === plan.id);
  const swept = sweptParams(plan);
  const figures: string[] = [];
  for (const p of plots) {
    const svg = await renderPlot(p.plot, { [SWEEP_DATA]: p.rows });
    const empty = p.rows.length === 0 ? '<p class="note">No finite value to draw.</p>' : '';
    figures.push(`<figure>${svg}${empty}${p.view.caption ? `<figcaption>${escapeHtml(p.view.caption)}</figcaption>` : ''}</figure>`);
  }
  const title = page.title ?? `${plan.id}: sweep over ${swept.length ? swept.join(' × ') : 'seeds'}`;
  const intro = (page.intro ?? []).map((p) => `<p class="intro">${escapeHtml(p)}</p>`).join('\n');
  const grid = Object.entries(plan.grid)
    .map(([k, vs]) => `<code>${escapeHtml(k)} = ${vs.map((v) => escapeHtml(formatParam(v))).join(', ')}</code>`)
    .join(', ');
  const done = summary.points - summary.missing.length;
  const missing = summary.missing.length
    ? `<p class="warning">Incomplete: ${summary.missing.length} of ${summary.points} planned points have no result yet, so the statistics below use fewer seeds and the sweep has no fingerprint. Run <code>featurelab sweep run DIR</code> again to finish it.</p>`
    : '';
  const failed = summary.failed.length
    ? `<p class="warning">${summary.failed.length} of ${summary.points} points failed numerically; they count as done (the fingerprint covers them) and are left out of every statistic below: ${summary.failed
        .slice(0, 10)
        .map((f) => `index ${f.index} (seed ${f.seed}): ${escapeHtml(f.error)}`)
        .join('; ')}${summary.failed.length > 10 ? '; … (all in summary.json)' : ''}.</p>`
    : '';
  const noPlots =
    plots.length === 0
      ? '<p>No numeric parameter varies in this sweep: the tables below are its result (draw plots with <code>--x</code>/<code>--y</code>).</p>'
      : '';
  const left = omitted.length
    ? `<p class="note">Not drawn by default: ${omitted.map(escapeHtml).join('; ')}. Draw any of them with <code>featurelab sweep report DIR --y NAME</code>.</p>`
    : '';
  const allClaims = [...new Set(summary.groups.flatMap((g) => Object.keys(g.claims)))];
  const hiddenClaims = page.claims ? allClaims.filter((id) => !page.claims!.includes(id)) : [];
  const hidden = hiddenClaims.length
    ? `<p class="note">Not shown: the claims ${hiddenClaims.map(escapeHtml).join(', ')}, of parts of the experiment this page runs at reduced sizes (they are in summary.csv).</p>\n`
    : '';
  const links = [
    ['summary.csv', 'summary.csv'],
    ['summary.json', 'summary.json'],
    ...Object.keys(plan.series ?? {}).map((n) => [`series-${n}.csv`, `series-${n}.csv`]),
    ['results/', 'results/ (one JSON line per point)'],
    ['sweep.json', 'sweep.json (the plan)'],
  ]
    .map(([href, text]) => `<a href="${escapeHtml(href!)}">${escapeHtml(text!)}</a>`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — featurelab</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
tr.pass td:nth-child(2){color:#176c2f;font-weight:600}tr.fail td:nth-child(2){color:#b00020;font-weight:700}tr.mixed td:nth-child(2){color:#a05a00;font-weight:700}
figure{margin:1.2em 0}figcaption,.note{color:#555;font-size:.95em}.warning{background:#fff6e0;border:1px solid #e0b050;padding:.5em .8em}
code{background:#f4f4f4;padding:.1em .3em}details.point{margin:.4em 0}summary{cursor:pointer}.intro{max-width:60em;line-height:1.45}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${exp ? `<p><i>${escapeHtml(exp.title)}</i> — ${escapeHtml(page.citation ?? exp.paper)}</p>\n` : ''}${intro}
<p>Experiment <code>${escapeHtml(plan.id)}</code>, preset <code>${escapeHtml(plan.preset)}</code>, featurelab ${escapeHtml(summary.version)}.
Grid: ${grid || 'none'}; seeds ${escapeHtml(seedsText(plan.seeds))} (${plan.seeds.length} per grid point); ${done} of ${summary.points} points done.
Sweep fingerprint <code id="fingerprint">${summary.fingerprint ?? '(incomplete)'}</code>: the same for any number of processes, shards and any order of completion.</p>
${missing}${failed}
<h2>Plots</h2>
${noPlots}${figures.join('\n')}
${left}
<h2>Grid points</h2>
<p id="interval">Statistics over seeds at each grid point: ${escapeHtml(summary.interval)}. The t interval is mean ± t<sub>0.975, n−1</sub>·sd/√n with the sample standard deviation sd (n − 1); it needs two seeds. The Wilson interval is the score interval of a binomial proportion with z = 1.96, which stays inside [0, 1] at rates 0 and 1.</p>
${hidden}${summary.groups.map((g) => groupTable(g, swept, summary.groups.length <= 4, page.claims)).join('\n')}
<h2>Data</h2>
<p>${links}. <code>docs/sweeps.md</code> in the featurelab package says how to load them in Python.</p>
</body></html>
`;
}
