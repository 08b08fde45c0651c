// End to end: `featurelab serve`'s server with the built page (dist/web), driven in headless
// Chromium by playwright-core. A URL that encodes a tiny run must reproduce Node's
// fingerprint; plots (with SVG/PNG downloads), claims, the JSON download, form validation,
// cross-parameter rules, stale results, progress, cancel and the benchmark view are checked
// on the way. Screenshots go to test-output/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createEngine, type Engine } from '../../dist/index.js';
import { findExperiment, runExperiment } from '../../dist/experiments/index.js';
import { constraintViolations, parseValue } from '../../dist/experiments/params.js';
import { runBenchSuite } from '../../dist/harness/bench-suite.js';
import { startServer, type RunningServer } from '../../dist/cli/serve.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure, not a skip.
const describeIt = haveChromium || process.env.CI ? describe : describe.skip;

const TINY = { d: '60', n: '120', N: '120', nTest: '100' };
const TINY_HASH = '#ba-one-step?preset=quick&seed=3&d=60&n=120&N=120&nTest=100&run=1';
const OUTPUT = new URL('../../test-output/', import.meta.url);

describeIt('web page in Chromium (featurelab serve)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let fl: Engine;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true);
    expect(existsSync(new URL('../../dist/web/index.html', import.meta.url)), 'dist/web is missing: npm run build').toBe(true);
    mkdirSync(OUTPUT, { recursive: true });
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
    fl = await createEngine();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fl?.dispose();
  });

  const status = (prefix = '') => page.locator(`#${prefix}status`);
  const waitForState = (state: string, prefix = '', timeout = 60_000) => page.waitForSelector(`#${prefix}status[data-state="${state}"]`, { timeout });

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

    // The page scrolled to the result.
    const resultTop = await page.evaluate(() => document.getElementById('result')!.getBoundingClientRect().top);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(Math.abs(resultTop)).toBeLessThan(5);

    // Values that differ from the preset are marked, with the preset's value; the others not.
    const exp = findExperiment('ba-one-step');
    const differing = exp.params.filter((p) => p.name in TINY && parseValue(p, TINY[p.name as keyof typeof TINY], exp.id) !== p.quick).map((p) => p.name);
    expect(differing.length).toBeGreaterThan(0);
    expect(await page.$$eval('.param.changed', (els) => els.map((e) => (e as HTMLElement).dataset.param))).toEqual(differing);
    expect(await page.textContent(`.param[data-param="${differing[0]}"] .changed-marker`)).toBe(
      `changed (quick: ${exp.params.find((p) => p.name === differing[0])!.quick})`,
    );
    expect(await page.locator('.param:not(.changed) .changed-marker:not(:empty)').count()).toBe(0);

    // Tooltips: each field carries its parameter's documentation, and every button a title.
    const titles = await page.$$eval('.param', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.param, e.querySelector('input, select')!.getAttribute('title')]),
    );
    expect(titles.map(([name]) => name)).toEqual(exp.params.map((p) => p.name));
    for (const [name, title] of titles) expect(title, name!).toContain(exp.params.find((p) => p.name === name)!.doc);
    expect(await page.$$eval('button', (els) => els.filter((b) => !b.getAttribute('title')).map((b) => b.id || b.textContent))).toEqual([]);

    // Each figure downloads as SVG and as PNG.
    const first = page.locator('#plots figure.plot').first();
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), first.locator('button.download-svg').click()]);
    const svg = readFileSync((await svgDownload.path())!, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
    expect(svgDownload.suggestedFilename()).toMatch(new RegExp(`^ba-one-step-seed3-${expected.fingerprint.slice(0, 12)}-fig1-[a-z0-9-]+\\.svg$`));
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), first.locator('button.download-png').click()]);
    const png = readFileSync((await pngDownload.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBeGreaterThan(500); // IHDR width: drawn, at 2×
    expect(pngDownload.suggestedFilename()).toMatch(/-fig1-[a-z0-9-]+\.png$/);
    expect(await page.locator('#plots figure.plot button.download-svg').count()).toBe(expected.plots.length);

    await page.screenshot({ path: new URL('web-page.png', OUTPUT).pathname, fullPage: true });

    // Download JSON saves the result itself.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(saved.fingerprint).toBe(expected.fingerprint);
    expect(saved.params).toEqual(expected.params);
    expect(download.suggestedFilename()).toMatch(/^ba-one-step-seed3-[0-9a-f]{12}\.json$/);
  }, 120_000);

  it('shows validation errors in the form instead of running, and takes the last result away', async () => {
    expect(await status().getAttribute('data-state')).toBe('done'); // the last test's run is on screen
    expect(await page.locator('#result').isVisible()).toBe(true);
    await page.fill('#param-d', 'abc');
    expect(await page.textContent('.param[data-param="d"] .error')).toMatch(/d=abc is not allowed: d must be an integer ≥ 2/);
    // the URL follows the form, without run=1
    expect(await page.evaluate(() => location.hash)).toContain('d=abc');
    expect(await page.evaluate(() => location.hash)).not.toContain('run=1');
    // Run is disabled and says why; the old result and its "done in" are gone
    expect(await page.isDisabled('#run')).toBe(true);
    expect(await page.getAttribute('#run', 'title')).toMatch(/Fix the marked fields/);
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(await status().getAttribute('data-state')).toBe('idle');
    expect(await page.textContent('#status-label')).not.toContain('done in');
    await page.fill('#param-d', '60');
    expect(await page.textContent('.param[data-param="d"] .error')).toBe('');
    expect(await page.isEnabled('#run')).toBe(true);

    // Problems in a URL are reported, not thrown.
    await page.evaluate(() => (location.hash = '#ba-one-step?preset=huge&foo=1&N=1.5&run=1'));
    await page.waitForFunction(() => document.getElementById('form-error')!.textContent!.includes('preset must be'));
    const message = await page.textContent('#form-error');
    expect(message).toMatch(/preset must be quick or paper, got 'huge'/);
    expect(message).toMatch(/unknown parameter 'foo' in the URL; parameters are d, n, N/);
    expect(await page.textContent('.param[data-param="N"] .error')).toMatch(/N must be an integer/);
    expect(await status().getAttribute('data-state')).not.toBe('running');

    // Valid fields, inconsistent sizes: caught by the experiment's declared rules before any
    // work when it declares one for this, else reported from inside the run with its class.
    const sizes = { d: '100', n: '120', N: '50', nTest: '100' };
    const ba = findExperiment('ba-one-step');
    const violations = constraintViolations(
      ba,
      Object.fromEntries(ba.params.map((p) => [p.name, p.name in sizes ? parseValue(p, sizes[p.name as keyof typeof sizes], ba.id) : p.quick])),
    );
    await page.evaluate(() => (location.hash = '#ba-one-step?d=100&n=120&N=50&nTest=100&run=1'));
    if (violations.length) {
      await page.waitForSelector('#constraint-error:not([hidden])');
      for (const v of violations) expect(await page.textContent('#constraint-error')).toContain(v);
      expect(await page.isDisabled('#run')).toBe(true);
      expect(await status().getAttribute('data-state')).toBe('idle');
    } else {
      await waitForState('error');
      expect(await page.textContent('#form-error')).toMatch(/^ArgumentError: spikedPrediction: needs 0 < d ≤ N, got d = 100, N = 50/);
      expect(await page.isEnabled('#run')).toBe(true);
    }
  }, 60_000);

  it('takes the last result away on switching experiment and on a bad link', async () => {
    const showResult = async () => {
      await page.evaluate((hash) => (location.hash = hash), TINY_HASH);
      await waitForState('done');
      expect(await page.locator('#result').isVisible()).toBe(true);
    };
    await showResult();
    await page.selectOption('#experiment', 'two-step');
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(await status().getAttribute('data-state')).toBe('idle');
    expect(await page.textContent('#status-label')).toBe('Ready.');

    await showResult();
    await page.evaluate(() => (location.hash = '#ba-one-step?seed=3&nosuch=1&run=1'));
    await page.waitForFunction(() => document.getElementById('form-error')!.textContent!.includes('nosuch'));
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(await status().getAttribute('data-state')).toBe('idle');
    expect(await page.textContent('#status-label')).not.toContain('done in');

    // Switching experiment during a run stops it: its result would belong to neither form.
    // (d = 800: a run of about 2 s, long enough to switch during it; at d = 400 it takes 0.4 s)
    await page.evaluate(() => (location.hash = '#two-step?preset=quick&seed=0&d=800&n=800&N=800&phase=false&run=1'));
    await waitForState('running');
    await page.selectOption('#experiment', 'ba-one-step');
    await waitForState('cancelled', '', 5_000);
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(await page.isEnabled('#run')).toBe(true);

    await showResult();
    await page.evaluate(() => (location.hash = '#no-such-experiment?run=1'));
    await page.waitForFunction(() => document.getElementById('form-error')!.textContent!.includes("unknown experiment 'no-such-experiment'"));
    expect(await page.locator('#result').isHidden()).toBe(true);
    expect(await status().getAttribute('data-state')).toBe('idle');
  }, 60_000);

  it('checks cross-parameter rules live: message shown, Run disabled, a link that breaks one does not run', async () => {
    // A rule added to the page's own experiment list (window.featurelab), as an experiment declares one.
    const message = 'test rule: nTest=… must not exceed n; lower nTest or raise n';
    await page.evaluate((text) => {
      const exp = (globalThis as any).featurelab.experiments.find((e: { id: string }) => e.id === 'ba-one-step');
      exp.savedConstraints = exp.constraints;
      exp.constraints = [...(exp.constraints ?? []), (p: Record<string, number>) => (p.nTest! > p.n! ? text : undefined)];
    }, message);
    try {
      await page.evaluate(() => (location.hash = '#ba-one-step?seed=3&d=60&n=120&N=120&nTest=100'));
      await page.waitForFunction(() => (document.getElementById('param-d') as HTMLInputElement | null)?.value === '60');
      expect(await page.locator('#constraint-error').isHidden()).toBe(true);
      expect(await page.isEnabled('#run')).toBe(true);
      await page.fill('#param-nTest', '500'); // valid on its own, breaks the rule
      expect(await page.locator('#constraint-error').isVisible()).toBe(true);
      expect(await page.textContent('#constraint-error')).toContain(message);
      expect(await page.isDisabled('#run')).toBe(true);
      expect(await page.getAttribute('#run', 'title')).toMatch(/break a rule/);
      await page.fill('#param-nTest', '100');
      expect(await page.locator('#constraint-error').isHidden()).toBe(true);
      expect(await page.isEnabled('#run')).toBe(true);

      // A link that breaks it: the message, and no run.
      await page.evaluate(() => (location.hash = '#ba-one-step?seed=3&d=60&n=120&N=120&nTest=500&run=1'));
      await page.waitForSelector('#constraint-error:not([hidden])');
      expect(await page.textContent('#constraint-error')).toContain(message);
      await page.waitForTimeout(300);
      expect(await status().getAttribute('data-state')).toBe('idle');
      expect(await page.isDisabled('#run')).toBe(true);
    } finally {
      await page.evaluate(() => {
        const exp = (globalThis as any).featurelab.experiments.find((e: { id: string }) => e.id === 'ba-one-step');
        exp.constraints = exp.savedConstraints;
        delete exp.savedConstraints;
      });
    }
  }, 60_000);

  it("shows the experiment's about paragraph and, beside a failed claim, why it can fail", async () => {
    const expected = runExperiment(fl, findExperiment('ba-one-step'), { seed: 3, overrides: TINY });
    const failed = expected.claims.filter((c) => !c.pass).map((c) => c.id);
    expect(failed.length).toBeGreaterThan(0); // the tiny run fails some claims
    const saved = await page.evaluate((ids) => {
      const exp = (globalThis as any).featurelab.experiments.find((e: { id: string }) => e.id === 'ba-one-step');
      const before = { about: exp.about, failureNotes: exp.failureNotes };
      exp.about = 'About this experiment (test).';
      exp.failureNotes = Object.fromEntries([...ids, 'spike-value'].map((id) => [id, `note for ${id}`]));
      return before;
    }, failed);
    try {
      await page.selectOption('#experiment', 'two-step');
      await page.selectOption('#experiment', 'ba-one-step');
      expect(await page.textContent('#experiment-about')).toBe('About this experiment (test).');
      await page.evaluate((hash) => (location.hash = hash), TINY_HASH);
      await waitForState('done');
      const notes = await page.$$eval('#claims tbody tr', (trs) =>
        trs.map((tr) => [(tr as HTMLElement).dataset.claim, tr.querySelector('.failure-note')?.textContent ?? null]),
      );
      // only failed claims get their note (a passing claim's note stays hidden)
      expect(notes).toEqual(expected.claims.map((c) => [c.id, c.pass ? null : `Why it can fail: note for ${c.id}`]));
      expect(await page.textContent('#science-link')).toContain('docs/science.md');
    } finally {
      await page.evaluate((before) => {
        const exp = (globalThis as any).featurelab.experiments.find((e: { id: string }) => e.id === 'ba-one-step');
        Object.assign(exp, before);
      }, saved);
    }
    // without an about paragraph, none is shown
    await page.selectOption('#experiment', 'two-step');
    const twoStepAbout = (findExperiment('two-step') as { about?: string }).about;
    expect(await page.locator('#experiment-about').isVisible()).toBe(Boolean(twoStepAbout));
  }, 60_000);

  it("moves the progress bar during a run, also between the experiment's progress reports", async () => {
    await page.evaluate(() => {
      const samples: [number, string][] = [];
      (globalThis as any).progressSamples = samples;
      const timer = setInterval(() => {
        const state = document.getElementById('status')!.dataset.state;
        if (state === 'running')
          samples.push([(document.getElementById('progress') as HTMLProgressElement).value, document.getElementById('status-label')!.textContent!]);
        if (state === 'done' || state === 'error') clearInterval(timer);
      }, 40);
    });
    // about 2 s with gaps of half a second between reports (the rewritten two-step is fast at d = 400)
    await page.evaluate(() => (location.hash = '#two-step?preset=quick&seed=0&d=800&n=800&N=800&phase=false&run=1'));
    await waitForState('done');
    const samples: [number, string][] = await page.evaluate(() => (globalThis as any).progressSamples);
    const values = samples.map(([v]) => v);
    // at least two changes, never backwards, never at the end while running
    expect(new Set(values).size).toBeGreaterThanOrEqual(3);
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).toBe(true);
    expect(Math.max(...values)).toBeLessThan(1);
    // between two reports (same label) the bar still moves
    const byLabel = new Map<string, Set<number>>();
    for (const [v, label] of samples) byLabel.set(label, (byLabel.get(label) ?? new Set()).add(v));
    expect(Math.max(...[...byLabel.values()].map((set) => set.size))).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('warns at the paper preset, cancels a long run (the worker is restarted) and runs again afterwards', async () => {
    await page.selectOption('#preset', 'paper');
    expect(await page.locator('#paper-notice').isVisible()).toBe(true);
    expect(await page.textContent('#paper-notice')).toMatch(/paper's sizes: this takes (about [\d.]+ min|about half a minute|minutes)/);
    expect(await page.textContent('#run')).toBe('Run (takes minutes)');
    await page.selectOption('#preset', 'quick');
    expect(await page.locator('#paper-notice').isHidden()).toBe(true);

    await page.evaluate(() => (location.hash = '#ba-one-step?preset=paper&seed=0&run=1'));
    await waitForState('running');
    expect(await page.locator('#paper-notice').isVisible()).toBe(true);
    await page.waitForTimeout(1500);
    expect(await page.textContent('#status-time')).toMatch(/^\d+ s elapsed/);
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
