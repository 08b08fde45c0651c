// DIR/report.html of `featurelab sweep report` (docs/sweeps.md). The renderer
// (src/experiments/sweep-html.ts, and with it vega and vega-lite) is loaded only here, when a
// page is written: without those optional packages the summary files are still written and
// the page is skipped with a message that says what to install.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepPlan, SweepSummary } from '../experiments/sweep.js';
import type { SweepPage } from '../experiments/sweep-view.js';
import { writeFileAtomic } from './out-dir.js';

/** Writes DIR/report.html and returns its path, or returns null (having said why on `log`) when vega or vega-lite is missing. */
export async function writeSweepHtml(
  dir: string,
  plan: SweepPlan,
  summary: SweepSummary,
  page: SweepPage | undefined,
  log: (s: string) => void,
): Promise<string | null> {
  const file = join(dir, 'report.html');
  let renderer: typeof import('../experiments/sweep-html.js');
  try {
    renderer = await import('../experiments/sweep-html.js');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && !/\bvega(-lite)?\b/.test(String((e as Error).message))) throw e;
    // an older page would disagree with the summary just written
    rmSync(file, { force: true });
    log(
      `sweep report: report.html skipped: plots need the packages vega and vega-lite (npm install vega vega-lite); summary.csv and summary.json are written (${(e as Error).message.split('\n')[0]})\n`,
    );
    return null;
  }
  writeFileAtomic(file, await renderer.renderSweepHtml(plan, summary, page));
  return file;
}
