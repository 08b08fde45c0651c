// featurelab figure (issue 13): the papers' figures as named sweeps. Node only.
//
//   featurelab figure list
//   featurelab figure <name> [--preset quick|paper] [--out DIR] [--jobs P] [--threads T] [--plan-only]
//
// A figure is a sweep (src/experiments/figures/) planned into DIR (default
// out/figures/<name>/<preset>), run on P processes with the machinery of `sweep` (resumable:
// the same command again skips the finished points) and reported with the figure's page.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { FIGURES, figurePage, figureSize, figureSpec, findFigure } from '../experiments/figures/index.js';
import { findExperiment } from '../experiments/index.js';
import { buildPlan, parseSeeds, summarize, type SweepPlan } from '../experiments/sweep.js';
import type { Preset } from '../experiments/types.js';
import { jobsOption, readRows, reportSweep, runPending, threadsOption, writePlan } from './sweep.js';

const FIGURE_USAGE = `usage:
  featurelab figure list
  featurelab figure <name> [--preset quick|paper] [--out DIR] [--jobs P] [--threads T] [--plan-only]
(docs/sweeps.md, "Figures")`;

function listFigures(): string {
  const rows = FIGURES.map((f) => {
    const size = (p: Preset) => {
      const s = figureSize(f, p);
      return `${s.points} point${s.points === 1 ? '' : 's'} × ${s.seeds} seeds`;
    };
    return [f.name, f.experiment, `quick: ${size('quick')}`, `paper: ${size('paper')}`, f.title];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ')).join('\n')}\n`;
}

/** The `figure` command; `cli` is the CLI's script (forked for --jobs). Returns the exit code. */
export async function figureMain(argv: string[], cli: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      preset: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      jobs: { type: 'string' },
      threads: { type: 'string' },
      'plan-only': { type: 'boolean', default: false },
      // the figure at the experiment's smoke sizes, 2 seeds (tests; docs/sweeps.md)
      tiny: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${FIGURE_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new ArgumentError(`figure needs one argument, list or a figure name (figures: ${FIGURES.map((f) => f.name).join(', ')})\n${FIGURE_USAGE}`);
  const name = positionals[0]!;
  if (name === 'list') {
    process.stdout.write(listFigures());
    return 0;
  }
  const fig = findFigure(name);
  const preset = values.preset as Preset;
  if (preset !== 'quick' && preset !== 'paper') throw new ArgumentError(`figure: --preset must be quick or paper, got '${values.preset}'`);
  const jobs = jobsOption('figure', values.jobs);
  const threads = threadsOption('figure', values.threads);
  if (values.out === '') throw new ArgumentError('figure: --out must name a directory, got an empty string');
  const asked = values.out ?? join('out', 'figures', fig.name, values.tiny ? `${preset}-tiny` : preset);
  const dir = resolve(asked);
  const exp = findExperiment(fig.experiment);
  const spec = figureSpec(fig, preset, values.tiny);

  const fl = await createEngine({ threads: 1 });
  try {
    const plan: SweepPlan = buildPlan(fl, exp, spec.grid, parseSeeds(String(spec.seeds)), preset, spec.series);
    writePlan(dir, plan, asked);
    const done = new Set(readRows(dir).map((r) => r.key));
    const todo = plan.points.filter((p) => !done.has(p.key)).length;
    process.stdout.write(`figure ${fig.name}: ${plan.points.length} runs (${todo} to do) in ${join(dir, 'sweep.json')}\n`);
    if (values['plan-only']) return 0;

    const started = performance.now();
    const { failed, processes: workers } = await runPending(cli, dir, { i: 0, n: 1 }, jobs, threads, `figure ${fig.name}`);
    if (failed) {
      process.stderr.write(
        `featurelab: figure ${fig.name}: ${failed} of ${workers} worker processes failed (see above); run the same command again to resume\n`,
      );
    }
    const seconds = (performance.now() - started) / 1000;

    const summary = summarize(fl, plan, readRows(dir));
    const page = figurePage(fig, summary);
    await reportSweep(dir, page);
    // what we measured (the report's intro, generated from the summary)
    for (const line of fig.measured?.(summary) ?? []) process.stdout.write(`${line}\n`);
    const html = join(dir, 'report.html');
    process.stdout.write(
      `figure ${fig.name}: ${summary.points - summary.missing.length}/${summary.points} runs done (${todo} run now in ${seconds.toFixed(1)} s on ${workers} process${workers === 1 ? '' : 'es'}), fingerprint ${summary.fingerprint ?? '(incomplete)'}\n` +
        `summary: ${join(dir, 'summary.csv')}, ${join(dir, 'summary.json')}${existsSync(html) ? `\nreport: ${html}` : ''}\n`,
    );
    return summary.missing.length ? 1 : 0;
  } finally {
    fl.dispose();
  }
}
