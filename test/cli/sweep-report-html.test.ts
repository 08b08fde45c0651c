// Issue 13: `sweep report` writes DIR/report.html (plots as inline SVG, per grid point claims'
// pass rates and metrics' intervals, the sweep fingerprint, links to the data) from a real
// tiny sweep run through the CLI; --x/--y/--color/--source/--kind draw one chosen plot, and a
// view naming an unknown field is exit 2 before any file is written.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportSweep } from '../../dist/cli/sweep.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const TINY = Object.entries(TINY_OVERRIDES['huang-linear']!).map(([k, v]) => `${k}=${v}`);

const root = mkdtempSync(join(tmpdir(), 'fl-sweep-html-'));
const dir = join(root, 's');
const page = () => readFileSync(join(dir, 'report.html'), 'utf8');
const count = (text: string, what: string) => text.split(what).length - 1;
const summaryJson = () => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

beforeAll(() => {
  // 2 grid points × 2 seeds, the trajectory series kept (curves with seed bands)
  const r = cli('sweep', 'huang-linear', ...TINY, 'eta=0.05,0.1', '--seeds', '2', '--series', 'trajectory:step', '--out', dir);
  expect(r.status, r.stderr).toBe(0);
});

describe('sweep report: report.html', () => {
  it('the default page: one SVG per plot, claims first, the fingerprint, tables per grid point, links to the data', () => {
    const r = cli('sweep', 'report', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`report: ${join(dir, 'report.html')}`);
    const html = page();
    const figures = html.split('<figure>').slice(1);
    expect(figures.length).toBeGreaterThanOrEqual(3);
    expect(count(html, '<svg')).toBe(figures.length);
    expect(figures[0]).toContain('Claims: pass rate vs eta');
    expect(html).toContain('trajectory: loss vs step'); // the kept series, against its coordinate
    expect(html).toContain('lossFinal vs eta');
    const { fingerprint, groups } = summaryJson();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(html).toContain(`<code id="fingerprint">${fingerprint}</code>`);
    expect(count(html, '<details class="point"')).toBe(groups.length);
    // a claim's Wilson interval and a metric's t interval, as in summary.json
    const claim = Object.entries(groups[1].claims)[0]! as [string, { wilsonLo: number }];
    expect(html).toContain(claim[0]);
    expect(html).toMatch(/Student-t interval of the mean/);
    for (const link of ['summary.csv', 'summary.json', 'series-trajectory.csv', 'results/', 'sweep.json']) expect(html).toContain(`href="${link}"`);
  });

  it('--x/--y/--color draw exactly that plot', () => {
    const r = cli('sweep', 'report', dir, '--x', 'eta', '--y', 'lossFinal,ratioFinal');
    expect(r.status, r.stderr).toBe(0);
    const html = page();
    expect(count(html, '<svg')).toBe(1);
    expect(html).toContain('lossFinal, ratioFinal vs eta');
    const series = cli('sweep', 'report', dir, '--source', 'trajectory', '--y', 'loss', '--color', 'eta');
    expect(series.status, series.stderr).toBe(0);
    expect(count(page(), '<svg')).toBe(1);
    expect(page()).toContain('loss vs step by eta'); // x defaults to the series' first numeric coordinate
  });

  it('an unknown field is exit 2 naming it and the available ones, before any file is written', () => {
    rmSync(join(dir, 'summary.json'));
    rmSync(join(dir, 'report.html'));
    const r = cli('sweep', 'report', dir, '--x', 'nosuch', '--y', 'lossFinal');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/x field 'nosuch' is not a field of this sweep; available: swept parameters: eta; other parameters: .*metrics: .*lossFinal/);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    const y = cli('sweep', 'report', dir, '--y', 'lossFinale');
    expect(y.status).toBe(2);
    expect(y.stderr).toMatch(/y field 'lossFinale'/);
    const heat = cli('sweep', 'report', dir, '--kind', 'heatmap', '--y', 'lossFinal');
    expect(heat.status).toBe(2);
    expect(heat.stderr).toMatch(/a heatmap needs a color field/);
    const run = cli('sweep', 'run', dir, '--x', 'eta');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--x is an option of sweep report DIR/);
  });

  it('the API: a page with a title, escaped prose and views (theory dashed)', async () => {
    const s = await reportSweep(
      dir,
      {
        title: 'Loss <after> training',
        intro: ['The paper shows a < b & c.'],
        views: [
          { title: 'loss', x: 'eta', y: ['lossFinal'], theory: ['lossInitial'], caption: 'dashed: the loss before training' },
          { title: 'phase', kind: 'heatmap', x: 'eta', color: 'sigma0', y: ['lossFinal'] },
        ],
      },
      () => {},
    );
    const html = page();
    expect(html).toContain('<h1>Loss &lt;after&gt; training</h1>');
    expect(html).toContain('The paper shows a &lt; b &amp; c.');
    expect(count(html, '<svg')).toBe(2);
    expect(html).toContain('stroke-dasharray="6,4"');
    expect(html).toContain(s.fingerprint!);
  });

  it('without vega and vega-lite: summary files written, report.html skipped (an older one removed), exit 0', () => {
    // a module hook that makes vega and vega-lite unresolvable, as when they are not installed
    const hooks = mkdtempSync(join(tmpdir(), 'fl-novega-'));
    writeFileSync(
      join(hooks, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
        if (specifier === 'vega' || specifier === 'vega-lite') {
          const e = new Error(\`Cannot find package '\${specifier}'\`); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;
        }
        return next(specifier, context);
      }\n`,
    );
    writeFileSync(join(hooks, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    rmSync(join(dir, 'summary.json'));
    const r = spawnSync(process.execPath, ['--import', join(hooks, 'register.mjs'), CLI, 'sweep', 'report', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/report.html skipped: plots need the packages vega and vega-lite \(npm install vega vega-lite\)/);
    expect(r.stdout).not.toMatch(/^report:/m);
    expect(summaryJson().missing).toEqual([]);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});
