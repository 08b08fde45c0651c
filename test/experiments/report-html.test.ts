// The HTML report as a reader meets it (issue 11 items 15 and 18): numbers printed as given,
// a paragraph on what the experiment is, the reason beside each failed claim, the project's
// own docs/science.md cited, and an index with per-experiment pass counts and links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { EXPERIMENTS, findExperiment, runExperiment } from '../../dist/experiments/index.js';
import type { ExperimentResult } from '../../dist/experiments/types.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';
import { escapeHtml, formatParam, formatValue, renderIndexHtml, renderReportHtml } from '../../dist/experiments/report-html.js';
import { engine } from '../helpers.js';

let fl: Engine;
let huang: ExperimentResult;

beforeAll(async () => {
  fl = await engine();
  huang = runExperiment(fl, findExperiment('huang-linear'), { overrides: TINY_OVERRIDES['huang-linear'] });
});

afterAll(() => fl?.dispose());

describe('formatValue and formatParam', () => {
  it('print short decimals as given and long measured values to 5 significant digits without trailing zeros', () => {
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(1e-3)).toBe('0.001');
    expect(formatValue(0.05)).toBe('0.05');
    expect(formatValue(1e-12)).toBe('1e-12');
    expect(formatValue(0.25)).toBe('0.25');
    expect(formatValue(-0.0606)).toBe('-0.0606');
    expect(formatValue(40)).toBe('40');
    expect(formatValue(100000)).toBe('100000');
    expect(formatValue(2.5940123456)).toBe('2.594');
    expect(formatValue(0.6000000000000001)).toBe('0.6');
    expect(formatValue(1 / 3)).toBe('0.33333');
    expect(formatValue(28.777732133896524)).toBe('28.778');
    expect(formatValue(0.0003117786653067208)).toBe('3.118e-4');
    expect(formatValue(2.11746861443282e-30)).toBe('2.117e-30');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue('1, 2')).toBe('1, 2');
    expect(formatValue(true)).toBe('true');
  });

  it('formatParam prints a parameter exactly as it reads back', () => {
    for (const v of [0.001, 1e-12, 0.1 + 0.2, 1024, 'relu', false]) expect(formatParam(v)).toBe(String(v));
    expect(Number(formatParam(0.1 + 0.2))).toBe(0.1 + 0.2);
  });
});

describe('renderReportHtml', () => {
  it('prints parameters and assumptions as given (0.001, not 0.0010000)', async () => {
    const html = await renderReportHtml(huang);
    expect(huang.params.v0).toBe(0.001);
    expect(html).toContain('<tr><td>v0</td><td>0.001</td></tr>');
    expect(html).toContain('<tr><td>sigma0</td><td>0.01</td></tr>');
    expect(html).not.toMatch(/0\.0010000|0\.010000/);
  });

  it('says what the experiment is under the title and cites docs/science.md, not the internal spec', async () => {
    const html = await renderReportHtml(huang);
    const about = findExperiment('huang-linear').about!;
    expect(about.length).toBeGreaterThan(200);
    expect(html).toContain(`<p id="about">${escapeHtml(about)}</p>`);
    expect(html.indexOf('id="about"')).toBeLessThan(html.indexOf('<h2>Claims</h2>'));
    expect(html).toContain('docs/science.md §4');
    expect(html).not.toMatch(/shared\/spec|spec §/);
  });

  it('puts the reason beside a failed claim, and no excuse beside a passing one', async () => {
    const notes = findExperiment('huang-linear').failureNotes!;
    const failing = 'half-loss-time',
      passing = 'stage1-closed-form';
    const result = { ...huang, claims: huang.claims.map((c) => ({ ...c, pass: c.id === failing ? false : c.id === passing ? true : c.pass })) };
    const html = await renderReportHtml(result);
    const row = html.indexOf(`id="claim-${failing}"`);
    const why = html.indexOf(`<b>Why it fails:</b> ${escapeHtml(notes[failing]!)}`);
    expect(row).toBeGreaterThan(0);
    expect(why).toBeGreaterThan(row);
    // directly under its row: no other claim row in between
    expect(html.slice(row, why).match(/id="claim-/g)).toHaveLength(1);
    expect(html).not.toContain(escapeHtml(notes[passing]!));
    const passed = result.claims.filter((c) => c.pass).length;
    expect(html).toContain(`${passed} of ${result.claims.length} claims pass`);
  });

  it('takes the about paragraph and notes from an explicit experiment, and renders a result of an unregistered experiment', async () => {
    const result = { ...huang, id: 'my-experiment', claims: huang.claims.map((c) => ({ ...c, pass: false })) };
    const bare = await renderReportHtml(result);
    expect(bare).not.toContain('id="about"');
    expect(bare).not.toContain('Why it fails');
    expect(bare).toContain('docs/science.md');
    const html = await renderReportHtml(result, { about: 'A <custom> experiment.', failureNotes: { 'loss-final': 'too few steps' } });
    expect(html).toContain('<p id="about">A &lt;custom&gt; experiment.</p>');
    expect(html).toContain('<b>Why it fails:</b> too few steps');
  });
});

describe('renderIndexHtml', () => {
  it('lists each experiment with its pass count, its science section and a link to its report', () => {
    const failed = { ...huang, claims: huang.claims.map((c, i) => ({ ...c, pass: i > 0 })) };
    const html = renderIndexHtml([failed]);
    const passed = failed.claims.filter((c) => c.pass).length;
    expect(html).toMatch(
      new RegExp(`<tr class="fail"><td><a href="huang-linear/report.html">huang-linear</a></td><td>${passed} of ${failed.claims.length}</td>`),
    );
    expect(html).toContain('docs/science.md §4');
    expect(html).toContain(`href="huang-linear/report.html#claim-${failed.claims[0]!.id}"`);
    expect(html).toContain(`${passed} of ${failed.claims.length} claims pass`);
  });
});

describe("the experiments' own words", () => {
  // Claims that fail at the quick or paper preset (README's results table): each needs its reason.
  const KNOWN_FAILURES: Record<string, string[]> = {
    'ba-one-step': [],
    'moniri-spikes': ['q2-rises'],
    'two-step': ['added-one-above'],
    'huang-linear': [],
    'zhu-balance': [],
    'zhou-ge-local': [],
  };
  // Claims made only at the paper size (the tiny runs below cannot make them), whose notes are allowed.
  const PAPER_SIZE_CLAIMS: Record<string, string[]> = {
    'two-step': ['outliers-added', 'added-none-below', 'added-one-above'],
  };

  it('every experiment has an about paragraph, notes for its known failures, and notes only for claims it makes', () => {
    // tiny runs with every optional claim on
    const overrides: Record<string, Record<string, string>> = {
      ...TINY_OVERRIDES,
      'two-step': { ...TINY_OVERRIDES['two-step'], phase: 'true' },
      'moniri-spikes': { ...TINY_OVERRIDES['moniri-spikes'], sweep: 'true' },
    };
    for (const exp of EXPERIMENTS) {
      expect(exp.about?.length ?? 0, exp.id).toBeGreaterThan(300);
      const notes = exp.failureNotes ?? {};
      for (const id of KNOWN_FAILURES[exp.id]!) expect(notes[id]?.length ?? 0, `${exp.id}: ${id}`).toBeGreaterThan(50);
      const claims = new Set(runExperiment(fl, exp, { overrides: overrides[exp.id] }).claims.map((c) => c.id));
      for (const id of Object.keys(notes)) {
        if (PAPER_SIZE_CLAIMS[exp.id]?.includes(id)) continue;
        expect(claims.has(id), `${exp.id}: note for unknown claim '${id}'`).toBe(true);
      }
    }
  });

  it('no parameter, assumption or text of an experiment cites the internal spec', () => {
    for (const exp of EXPERIMENTS) {
      const texts = [exp.summary, exp.about ?? '', ...Object.values(exp.failureNotes ?? {}), ...exp.params.flatMap((p) => [p.doc, p.assumption ?? ''])];
      for (const t of texts) expect(t, exp.id).not.toMatch(/shared\/spec|spec §|\bthe spec\b/);
    }
  });
});
