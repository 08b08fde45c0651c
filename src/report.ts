// Writing reports to disk: per experiment out/<id>/report.html, result.json and one CSV per
// series; an index page for `reproduce`. The HTML itself comes from src/report-html.ts.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentResult } from './experiments/types.js';
import { renderIndexHtml, renderReportHtml, toCsv } from './report-html.js';

export { renderPlot, renderReportHtml, renderIndexHtml, toCsv } from './report-html.js';

export async function writeReport(result: ExperimentResult, outDir: string): Promise<string> {
  const dir = join(outDir, result.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  for (const [name, rows] of Object.entries(result.series)) writeFileSync(join(dir, `${name}.csv`), toCsv(rows));
  const file = join(dir, 'report.html');
  writeFileSync(file, await renderReportHtml(result));
  return file;
}

export function writeIndex(results: ExperimentResult[], outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.html');
  writeFileSync(file, renderIndexHtml(results));
  return file;
}
