// Writing reports to disk: per experiment out/<id>/report.html, result.json and one CSV per
// series; out/index.html over every result present. The HTML itself comes from
// src/report-html.ts, loaded only when a report is written (it pulls in vega and vega-lite,
// which `--json` and API users never need).
//
// Every experiment directory holds one complete run: its files are written to a temporary
// directory beside it and renamed into place, under a lock that also regenerates the index
// from the results on disk, so the index always links to the reports that are there.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeaturelabError } from '../core/errors.js';
import { EXPERIMENTS } from '../experiments/index.js';
import type { SeedsReport } from '../experiments/sweep.js';
import type { Experiment, ExperimentResult, PlotSpec } from '../experiments/types.js';
import { discardTemp, replaceDir, tempDirBeside, withLock, writeFileAtomic } from './out-dir.js';

/** Reports need the optional packages vega and vega-lite. */
export class RendererUnavailableError extends FeaturelabError {}

type Renderer = typeof import('../experiments/report-html.js');
/** The format tag of out/seeds.json. */
export const SEEDS_FORMAT = 'featurelab-seeds/1';

/** Checks that reports can be rendered (vega and vega-lite load), or says which packages are missing. */
export async function loadRenderer(): Promise<void> {
  await renderer();
}

/** Loads the HTML renderer (and with it vega and vega-lite), or says which packages are missing. */
async function renderer(): Promise<Renderer> {
  try {
    return await import('../experiments/report-html.js');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /\bvega(-lite)?\b/.test(String((e as Error).message))) {
      throw new RendererUnavailableError(
        `reports need the packages vega and vega-lite: npm install vega vega-lite, or use --json (${(e as Error).message.split('\n')[0]})`,
      );
    }
    throw e;
  }
}

// The renderer for API users (`featurelab/report`), loaded on first use like everything here.
/** An experiment's report page as HTML (plots as inline SVG); see src/report-html.ts. */
export async function renderReportHtml(result: ExperimentResult, experiment?: Pick<Experiment, 'about' | 'failureNotes'>): Promise<string> {
  const r = await renderer();
  return experiment === undefined ? r.renderReportHtml(result) : r.renderReportHtml(result, experiment);
}
/** The index page over several results, as HTML. */
export async function renderIndexHtml(results: readonly ExperimentResult[], seeds?: SeedsReport): Promise<string> {
  return (await renderer()).renderIndexHtml(results, seeds);
}
/** One plot of a result rendered to an SVG string. */
export async function renderPlot(plot: PlotSpec, series: ExperimentResult['series']): Promise<string> {
  return (await renderer()).renderPlot(plot, series);
}
/** A series as CSV text (one header line, one line per row). */
export async function toCsv(rows: ExperimentResult['series'][string]): Promise<string> {
  return (await renderer()).toCsv(rows);
}

/** Test hook: milliseconds to wait in the middle of writing a report (to interrupt it on purpose). */
const pauseMs = Number(process.env.FEATURELAB_TEST_REPORT_PAUSE_MS ?? 0);

/** Writes out/<id>/ for the result (replacing a previous run as a whole) and updates out/index.html. */
export async function writeReport(result: ExperimentResult, outDir: string): Promise<string> {
  const { renderReportHtml, toCsv } = await renderer();
  const target = join(outDir, result.id);
  const temp = tempDirBeside(target);
  try {
    writeFileSync(join(temp, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    for (const [name, rows] of Object.entries(result.series)) writeFileSync(join(temp, `${name}.csv`), toCsv(rows));
    if (pauseMs > 0) await new Promise((done) => setTimeout(done, pauseMs));
    writeFileSync(join(temp, 'report.html'), await renderReportHtml(result));
  } catch (e) {
    discardTemp(temp);
    throw e;
  }
  const { renderIndexHtml } = await renderer();
  withLock(join(outDir, '.featurelab.lock'), () => {
    try {
      replaceDir(temp, target);
    } catch (e) {
      discardTemp(temp);
      throw e;
    }
    writeFileAtomic(join(outDir, 'index.html'), renderIndexHtml(readResults(outDir), readSeeds(outDir)));
  });
  return join(target, 'report.html');
}

/** Every complete result under out/ (a directory <id>/ with its result.json), in the registry's order. */
export function readResults(outDir: string): ExperimentResult[] {
  const results: ExperimentResult[] = [];
  const rank = (name: string) => {
    const i = EXPERIMENTS.findIndex((e) => e.id === name);
    return i < 0 ? EXPERIMENTS.length : i;
  };
  const entries = readdirSync(outDir, { withFileTypes: true }).sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    try {
      const r = JSON.parse(readFileSync(join(outDir, entry.name, 'result.json'), 'utf8')) as ExperimentResult;
      if (r.id === entry.name && Array.isArray(r.claims)) results.push(r);
    } catch {
      // not a featurelab result directory
    }
  }
  return results;
}

/** out/seeds.json of `reproduce --seeds` (src/cli/reproduce.ts), if there is one. */
export function readSeeds(outDir: string): SeedsReport | undefined {
  try {
    const s = JSON.parse(readFileSync(join(outDir, 'seeds.json'), 'utf8')) as SeedsReport;
    return s.format === SEEDS_FORMAT ? s : undefined;
  } catch {
    return undefined; // none, or not ours
  }
}

/** Regenerates out/index.html from the results present under out/ (and out/seeds.json). */
export async function writeIndex(outDir: string): Promise<string> {
  const { renderIndexHtml } = await renderer();
  const file = join(outDir, 'index.html');
  withLock(join(outDir, '.featurelab.lock'), () => writeFileAtomic(file, renderIndexHtml(readResults(outDir), readSeeds(outDir))));
  return file;
}
