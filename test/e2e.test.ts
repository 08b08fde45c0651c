// End to end: `featurelab serve`'s server with the built page (dist/web), driven in headless
// Chromium by playwright-core. A URL that encodes a tiny run must reproduce Node's
// fingerprint; plots, claims, the JSON download, form validation, cancel and the benchmark
// view are checked on the way. Screenshots go to test-output/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createEngine, type Engine } from '../dist/index.js';
import { findExperiment, runExperiment } from '../dist/experiments/index.js';
import { runBenchSuite } from '../dist/bench-suite.js';
import { startServer, type RunningServer } from '../dist/serve.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure, not a skip.
const describeIt = haveChromium || process.env.CI ? describe : describe.skip;

const TINY = { d: '60', n: '120', N: '120', nTest: '100' };
const TINY_HASH = '#ba-one-step?preset=quick&seed=3&d=60&n=120&N=120&nTest=100&run=1';
const OUTPUT = new URL('../test-output/', import.meta.url);

describeIt('web page in Chromium (featurelab serve)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let fl: Engine;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true);
    expect(existsSync(new URL('../dist/web/index.html', import.meta.url)), 'dist/web is missing: npm run build').toBe(true);
    mkdirSync(OUTPUT, { recursive: true });
    server = await startServer({ root: new URL('../dist/web/', import.meta.url).pathname, port: 0 });
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
    fl = await createEngine();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fl?.dispose();
  });

  const status = (prefix = '') => page.locator(`#${prefix}status`);
  const waitForState = (state: string, prefix = '', timeout = 60_000) =>
    page.waitForSelector(`#${prefix}status[data-state="${state}"]`, { timeout });

  it('opens a URL encoding a tiny run and shows the same fingerprint as Node, with plots and claims', async () => {
    await page.goto(`${server.url}${TINY_HASH}`);
    await waitForState('done');
    const expected = runExperiment(fl, findExperiment('ba-one-step'), { seed: 3, overrides: TINY });
    expect(await page.textContent('#fingerprint')).toBe(expected.fingerprint);

    // The COOP/COEP headers of the server take effect (wasm threads will need this).
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // One figure per plot, each an SVG drawn by Vega with marks in it.
    await page.waitForSelector('#plots[data-rendered]', { timeout: 30_000 });
    expect(await page.locator('#plots figure.plot svg').count()).toBe(expected.plots.length);
    expect(await page.locator('#plots figure.plot svg path').count()).toBeGreaterThan(10);
    expect(await page.locator('#plots figure.plot.error').count()).toBe(0);

    // The claims table: one row per claim, pass/FAIL and ids as in Node.
    const rows = await page.$$eval('#claims tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[1], r[0]])).toEqual(expected.claims.map((c) => [c.id, c.pass ? 'pass' : 'FAIL']));
    expect(await page.locator('#metrics tbody tr').count()).toBe(Object.keys(expected.metrics).length);
    expect(await page.textContent('#result-facts')).toMatch(/ba-one-step · preset quick · seed 3 · [\d.]+ s in this browser/);

    // The permalink reproduces the run: same experiment, seed and overrides, run=1.
    const permalink = await page.getAttribute('#permalink', 'href');
    expect(permalink).toBe(TINY_HASH);

    await page.screenshot({ path: new URL('web-page.png', OUTPUT).pathname, fullPage: true });

    // Download JSON saves the result itself.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(saved.fingerprint).toBe(expected.fingerprint);
    expect(saved.params).toEqual(expected.params);
    expect(download.suggestedFilename()).toMatch(/^ba-one-step-seed3-[0-9a-f]{12}\.json$/);
  }, 120_000);

  it('shows validation errors in the form instead of running', async () => {
    await page.fill('#param-d', 'abc');
    expect(await page.textContent('.param[data-param="d"] .error')).toMatch(/d=abc is not allowed: d must be an integer ≥ 2/);
    // the URL follows the form, without run=1
    expect(await page.evaluate(() => location.hash)).toContain('d=abc');
    expect(await page.evaluate(() => location.hash)).not.toContain('run=1');
    await page.click('#run');
    expect(await page.textContent('#form-error')).toMatch(/Fix the highlighted fields/);
    expect(await status().getAttribute('data-state')).toBe('done'); // nothing started
    await page.fill('#param-d', '60');
    expect(await page.textContent('.param[data-param="d"] .error')).toBe('');

    // Problems in a URL are reported, not thrown.
    await page.evaluate(() => (location.hash = '#ba-one-step?preset=huge&foo=1&N=1.5&run=1'));
    await page.waitForFunction(() => document.getElementById('form-error')!.textContent!.includes('preset must be'));
    const message = await page.textContent('#form-error');
    expect(message).toMatch(/preset must be quick or paper, got 'huge'/);
    expect(message).toMatch(/unknown parameter 'foo' in the URL; parameters are d, n, N/);
    expect(await page.textContent('.param[data-param="N"] .error')).toMatch(/N must be an integer/);
    expect(await status().getAttribute('data-state')).not.toBe('running');

    // An error thrown inside the run (valid fields, inconsistent sizes) is reported with its class.
    await page.evaluate(() => (location.hash = '#ba-one-step?d=100&n=120&N=50&nTest=100&run=1'));
    await waitForState('error');
    expect(await page.textContent('#form-error')).toMatch(/^ArgumentError: spikedPrediction: needs 0 < d ≤ N, got d = 100, N = 50/);
    expect(await page.isEnabled('#run')).toBe(true);
  }, 60_000);

  it('cancels a long run (the worker is restarted) and the page runs again afterwards', async () => {
    await page.evaluate(() => (location.hash = '#ba-one-step?preset=paper&seed=0&run=1'));
    await waitForState('running');
    await page.waitForTimeout(500);
    expect(await page.isEnabled('#cancel')).toBe(true);
    expect(await page.isEnabled('#run')).toBe(false);
    await page.click('#cancel');
    await waitForState('cancelled', '', 5_000);
    expect(await page.isEnabled('#run')).toBe(true);
    expect(await page.locator('#result').isHidden()).toBe(true);

    // Usable again: edit the form to the tiny size and press Run.
    await page.selectOption('#preset', 'quick');
    for (const [key, value] of Object.entries(TINY)) await page.fill(`#param-${key}`, value);
    await page.fill('#seed', '3');
    await page.click('#run');
    await waitForState('done');
    expect(await page.textContent('#fingerprint')).toBe(runExperiment(fl, findExperiment('ba-one-step'), { seed: 3, overrides: TINY }).fingerprint);
    expect(await page.evaluate(() => location.hash)).toBe(TINY_HASH);
  }, 120_000);

  it('runs the benchmark view and shows the fingerprints Node computes for the same suite', async () => {
    await page.evaluate(() => (location.hash = '#bench?suite=quick&run=1'));
    await waitForState('done', 'bench-', 60_000);
    const node = runBenchSuite(fl, { suite: 'quick' });
    const rows = await page.$$eval('#bench-table tbody tr', (trs) =>
      trs.map((tr) => ({ id: (tr as HTMLElement).dataset.case, gflops: tr.children[3]!.textContent, fingerprint: tr.querySelector('code')!.textContent })),
    );
    expect(rows.map((r) => [r.id, r.fingerprint])).toEqual(node.cases.map((c) => [c.id, c.fingerprint]));
    expect(Number(rows[0]!.gflops)).toBeGreaterThan(0); // GEMM rows carry a rate
    expect(await page.textContent('#bench-fingerprint')).toBe(node.fingerprint);
    expect(await page.textContent('#bench-facts')).toContain('cross-origin isolated: yes');
    await page.screenshot({ path: new URL('web-bench.png', OUTPUT).pathname, fullPage: true });
  }, 120_000);

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
