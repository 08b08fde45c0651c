// The page's sweep panel (#sweep, src/web/sweep-view.ts) in headless Chromium: a tiny sweep
// (2 values × 3 seeds) on 2 Web Workers must give the fingerprint and the summary.json of
// `featurelab sweep … && featurelab sweep report …` run here; the plot is drawn while rows
// arrive and the rows downloaded are the plan's points; the form is checked with the CLI's
// messages; Cancel terminates the workers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Worker as PageWorker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../dist/cli/serve.js';
import { findExperiment } from '../../dist/experiments/index.js';
import { constraintViolations, parseValue } from '../../dist/experiments/params.js';
import { parseGrid, parseSeeds } from '../../dist/experiments/sweep.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure, not a skip.
const describeIt = haveChromium || process.env.CI ? describe : describe.skip;
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const OUTPUT = new URL('../../test-output/', import.meta.url);

const ID = 'ba-one-step';
const PARAM = 'eta';
const VALUES = '2,4';
const SEEDS = '3';
// The tiny sizes as single-valued grid keys (key=value fixes a parameter), without the swept one.
const FIXED = Object.entries(TINY_OVERRIDES[ID]!)
  .filter(([key]) => key !== PARAM)
  .map(([key, value]) => `${key}=${value}`);

describeIt('the sweep panel in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];
  const sweepWorkers: PageWorker[] = [];
  const closed = new Set<PageWorker>();
  let cliFingerprint = '';

  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true);
    expect(existsSync(new URL('../../dist/web/index.html', import.meta.url)), 'dist/web is missing: npm run build').toBe(true);
    mkdirSync(OUTPUT, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'featurelab-web-sweep-'));
    server = await startServer({ root: new URL('../../dist/web/', import.meta.url).pathname, port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('worker', (worker) => {
      if (!/sweep-worker/.test(worker.url())) return;
      sweepWorkers.push(worker);
      worker.on('close', () => closed.add(worker));
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const waitForState = (state: string, timeout = 60_000) => page.waitForSelector(`#sweep-status[data-state="${state}"]`, { timeout });
  const downloadText = async (button: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
  };

  it("runs a tiny sweep on 2 workers with the CLI's fingerprint and summary.json, drawing the plot as rows arrive", async () => {
    await page.goto(`${server.url}#sweep`);
    expect(await page.locator('#sweep-view').isVisible()).toBe(true);
    await page.selectOption('#sweep-experiment', ID);
    await page.selectOption('#sweep-param', PARAM);
    await page.fill('#sweep-values', VALUES);
    await page.click('#sweep-tiny');
    expect((await page.inputValue('#sweep-fixed')).split(' ')).toEqual(FIXED);
    await page.fill('#sweep-seeds', SEEDS);
    // one worker per logical core by default, at most 8
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await page.inputValue('#sweep-workers')).toBe(String(Math.min(8, Math.max(1, cores))));
    await page.fill('#sweep-workers', '2');
    // the engine of the panel starts when the view is shown; Run waits for it
    await page.waitForFunction(() => !(document.getElementById('sweep-run') as HTMLButtonElement).disabled, null, { timeout: 30_000 });
    const args = [ID, `${PARAM}=${VALUES}`, ...FIXED, '--seeds', SEEDS, '--preset', 'quick'];
    expect(await page.textContent('#sweep-command')).toBe(`6 points; on the command line: featurelab sweep ${args.join(' ')}`);

    // Record every redraw: the number of rows each drawn plot had.
    await page.evaluate(() => {
      const drawn: number[] = [];
      (globalThis as any).sweepDrawn = drawn;
      new MutationObserver(() => {
        const rows = document.getElementById('sweep-plot')!.dataset.rows;
        if (rows !== undefined) drawn.push(Number(rows));
      }).observe(document.getElementById('sweep-plot')!, { attributes: true, attributeFilter: ['data-rows'] });
    });
    const started = performance.now();
    await page.click('#sweep-run');
    await waitForState('done');
    const browserSeconds = (performance.now() - started) / 1000;

    // The same sweep on the command line: plan and run, then report.
    const out = join(dir, 'cli');
    const t0 = performance.now();
    const run = spawnSync(process.execPath, [CLI, 'sweep', ...args, '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const report = spawnSync(process.execPath, [CLI, 'sweep', 'report', out], { encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(0);
    const cliSeconds = (performance.now() - t0) / 1000;
    console.log(`web sweep: ${browserSeconds.toFixed(2)} s in Chromium (2 workers), ${cliSeconds.toFixed(2)} s on the CLI (1 process)`);
    const summaryText = readFileSync(join(out, 'summary.json'), 'utf8');
    const summary = JSON.parse(summaryText);
    const plan = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(summary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    cliFingerprint = summary.fingerprint;
    expect(await page.textContent('#sweep-fingerprint')).toBe(summary.fingerprint);
    expect(await page.textContent('#sweep-status-label')).toMatch(/^all 6 points done in [\d.]+ s$/);

    // Two workers were started, and stopped when the sweep was done.
    expect(sweepWorkers.length).toBe(2);
    await page.waitForFunction(() => document.getElementById('sweep-status')!.dataset.workers === '0');

    // The plot: drawn first before every row was in, last with all of them.
    await page.waitForSelector(`#sweep-plot[data-rows="${plan.points.length}"]`, { timeout: 10_000 });
    const drawn: number[] = await page.evaluate(() => (globalThis as any).sweepDrawn);
    expect(drawn[0]!).toBeLessThan(plan.points.length);
    expect(drawn.every((n, i) => i === 0 || n >= drawn[i - 1]!)).toBe(true);
    expect(drawn.at(-1)).toBe(plan.points.length);
    expect(await page.locator('#sweep-plot svg').count()).toBe(1);
    // one point mark per grid value, and the CI band (an area path)
    expect(await page.locator('#sweep-plot svg g.mark-symbol path').count()).toBe(2);
    expect(await page.locator('#sweep-plot svg g.mark-area path').count()).toBe(1);
    const metric = await page.inputValue('#sweep-metric');
    expect(metric).toBe(Object.keys(summary.groups[0].metrics)[0]);
    expect(await page.textContent('#sweep-plot svg')).toContain(`${metric} against ${PARAM}`);
    // each point shows the CLI summary's mean and 95 % interval (Vega's aria labels carry them, to 6 digits)
    const labels = await page.$$eval('#sweep-plot svg g.mark-symbol path', (ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
    const close = (shown: string | undefined, want: number) => expect(Math.abs(Number(shown) - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want));
    for (const [i, group] of summary.groups.entries()) {
      const m = group.metrics[metric];
      const shown = Object.fromEntries(labels[i]!.split('; ').map((kv) => kv.split(': ') as [string, string]));
      expect(shown[PARAM]).toBe(String(group.params[PARAM]));
      expect(shown.seeds).toBe(String(m.n));
      close(shown.mean, m.mean);
      close(shown['95 % CI low'], m.ciLo);
      close(shown['95 % CI high'], m.ciHi);
    }
    await page.screenshot({ path: new URL('web-sweep.png', OUTPUT).pathname, fullPage: true });

    // summary.json: the bytes the CLI wrote.
    const saved = await downloadText('#sweep-download-summary');
    expect(saved.text).toBe(summaryText);
    expect(saved.name).toBe(`${ID}-sweep-${summary.fingerprint.slice(0, 12)}-summary.json`);

    // The rows: one per planned point, the CLI's point fingerprints.
    const jsonl = await downloadText('#sweep-download-jsonl');
    const rows = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.length).toBe(plan.points.length);
    expect(rows.map((r) => r.key)).toEqual(plan.points.map((p: { key: string }) => p.key));
    const cliRows = readdirSync(join(out, 'results')).flatMap((f) =>
      readFileSync(join(out, 'results', f), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
    const cliFingerprints = new Map(cliRows.map((r) => [r.key, r.fingerprint]));
    for (const r of rows) expect(r.fingerprint).toBe(cliFingerprints.get(r.key));
    const csv = await downloadText('#sweep-download-csv');
    const lines = csv.text.trimEnd().split('\n');
    expect(lines.length).toBe(1 + plan.points.length);
    const head = lines[0]!.split(',');
    expect(head.slice(0, 3)).toEqual(['key', 'index', 'seed']);
    expect(head).toContain(PARAM);
    expect(lines.slice(1).map((l) => l.split(',')[head.indexOf(PARAM)])).toEqual(
      plan.points.map((p: { params: Record<string, number> }) => String(p.params[PARAM])),
    );
  }, 120_000);

  it("checks the form with the CLI's messages, Run disabled while it is invalid", async () => {
    const exp = findExperiment(ID);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    const errorText = () => page.textContent('#sweep-error');
    const expectBlocked = async (text: string) => {
      expect(await page.locator('#sweep-error').isVisible()).toBe(true);
      expect(await errorText()).toContain(text);
      expect(await page.isDisabled('#sweep-run')).toBe(true);
      expect(await page.getAttribute('#sweep-run', 'title')).toContain(text);
      expect(await page.textContent('#sweep-command')).toBe('');
    };
    await page.fill('#sweep-values', '2,abc');
    await expectBlocked(message(() => parseGrid(exp, [`${PARAM}=2,abc`])));
    await page.fill('#sweep-values', VALUES);
    expect(await page.isEnabled('#sweep-run')).toBe(true);

    await page.fill('#sweep-seeds', '5..2');
    await expectBlocked(message(() => parseSeeds('5..2')));
    await page.fill('#sweep-seeds', '0..5000');
    await expectBlocked('10002 points (2 values × 5001 seeds); the page runs at most 10000, use featurelab sweep for more');
    await page.fill('#sweep-seeds', SEEDS);

    await page.fill('#sweep-workers', '0');
    await expectBlocked("workers must be an integer in [1, 64], got '0'");
    await page.fill('#sweep-workers', '2');

    await page.fill('#sweep-fixed', 'd=60,80');
    await expectBlocked('the fixed parameter d takes one value, got 2');
    await page.fill('#sweep-fixed', `${FIXED.join(' ')} nosuch=1`);
    await expectBlocked(`${ID}: unknown parameter 'nosuch' in the grid`);
    await page.fill('#sweep-fixed', `${FIXED.join(' ')} ${PARAM}=1`);
    await expectBlocked(`${PARAM} is given twice`);
    // a cross-parameter rule of the experiment, as the CLI checks it when planning
    const sizes = { ...Object.fromEntries(FIXED.map((p) => p.split('='))), d: '100', N: '50' };
    const broken = constraintViolations(
      exp,
      Object.fromEntries(exp.params.map((p) => [p.name, p.name in sizes ? parseValue(p, sizes[p.name]!, ID) : p.quick])),
    );
    expect(broken.length).toBeGreaterThan(0);
    await page.fill(
      '#sweep-fixed',
      Object.entries(sizes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );
    await expectBlocked(`sweep ${ID}: the grid is invalid:\n  ${broken[0]}`);
    await page.fill('#sweep-fixed', FIXED.join(' '));
    expect(await page.locator('#sweep-error').isHidden()).toBe(true);
    expect(await page.isEnabled('#sweep-run')).toBe(true);
  }, 60_000);

  it('Cancel terminates the workers, keeps the rows so far, and the panel runs again', async () => {
    const before = sweepWorkers.length;
    // quick sizes: seconds a point, so the sweep is still running when cancelled
    await page.fill('#sweep-fixed', '');
    await page.fill('#sweep-seeds', '8');
    await page.click('#sweep-run');
    await waitForState('running', 5_000);
    expect(await page.isEnabled('#sweep-cancel')).toBe(true);
    expect(await page.isDisabled('#sweep-run')).toBe(true);
    await expect.poll(() => sweepWorkers.length - before, { timeout: 10_000 }).toBe(2);
    await page.click('#sweep-cancel');
    await waitForState('cancelled', 5_000);
    expect(await page.textContent('#sweep-status-label')).toMatch(/^Cancelled after \d+\/16 points; the workers were stopped\.$/);
    // the browser reports both workers closed: terminated, not left computing
    await expect.poll(() => sweepWorkers.slice(before).filter((w) => closed.has(w)).length, { timeout: 5_000 }).toBe(2);
    expect(await page.textContent('#sweep-fingerprint')).toMatch(/^\(incomplete: \d+ of 16 points\)$/);
    expect(await page.isEnabled('#sweep-run')).toBe(true);
    expect(await page.isDisabled('#sweep-cancel')).toBe(true);

    // and runs again
    await page.fill('#sweep-fixed', FIXED.join(' '));
    await page.fill('#sweep-seeds', SEEDS);
    await page.click('#sweep-run');
    await waitForState('done');
    expect(await page.textContent('#sweep-fingerprint')).toBe(cliFingerprint);
  }, 60_000);

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
