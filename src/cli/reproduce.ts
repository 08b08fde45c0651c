// featurelab reproduce --seeds K (issue 13): every experiment over K seeds, built on the sweep
// machinery (src/cli/sweep.ts), so it runs on --jobs processes and resumes after a kill.
//
//   featurelab reproduce --seeds K|a..b [--preset quick|paper] [--jobs P] [--out DIR]
//                        [--strict] [--min-pass-rate R] [--threads T]
//
// Per experiment: a sweep with no grid over the seeds in DIR/sweeps/<id>/ (sweep.json,
// results/*.jsonl, summary.json/csv). The first seed runs in this process with its full report
// (DIR/<id>/, as plain `reproduce` writes it), and its row joins the sweep's results; the other
// seeds run on the worker processes. Then DIR/seeds.json (pass rates with Wilson intervals,
// metric means with Student-t CIs), DIR/index.html (which shows them) and a table on stdout.

import { closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { EXPERIMENTS, runExperiment, VERSION } from '../experiments/index.js';
import type { SeedsReport } from '../experiments/sweep.js';
import { buildPlan, type ClaimSummary, parseSeeds, pointRow, type SweepPlan, type SweepRow } from '../experiments/sweep.js';
import { wilsonInterval } from '../experiments/stats.js';
import type { Experiment, ExperimentResult, Preset } from '../experiments/types.js';
import { prepareOutDir, writeFileAtomic } from './out-dir.js';
import { createProgress } from './progress.js';
import { loadRenderer, SEEDS_FORMAT, writeIndex, writeReport } from './report.js';
import { appendRow, jobsOption, openResults, readRows, reportSweep, runPending, writePlan } from './sweep.js';

/** Test hook: with FEATURELAB_TEST_SMOKE=1 every experiment runs at its smoke sizes (Experiment.smoke), fixed in each plan's grid. */
const SMOKE_ENV = 'FEATURELAB_TEST_SMOKE';

export interface ReproduceSeedsOptions {
  /** --seeds as given: a count K (seeds 0..K−1) or an inclusive range a..b. */
  seeds: string;
  jobs: string | undefined;
  minPassRate: string | undefined;
  preset: Preset;
  /** The output directory, resolved, and as the user wrote it (for messages). */
  out: string;
  outAsked: string;
  strict: boolean;
  /** Threads of the first seed's engine (--threads, FEATURELAB_THREADS or the default: the cores). */
  threads: number | undefined;
  /** Threads of each worker's engine: --threads when given, else 1 (the workers share the cores). */
  workerThreads: number | undefined;
  /** The CLI's script, forked for --jobs. */
  cli: string;
}

export const DEFAULT_MIN_PASS_RATE = 0.9;

function parseMinPassRate(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_MIN_PASS_RATE;
  const v = Number(raw);
  if (!/^[0-9]*\.?[0-9]+$/.test(raw) || !(v >= 0 && v <= 1)) throw new ArgumentError(`reproduce: --min-pass-rate must be a number in [0, 1], got '${raw}'`);
  return v;
}

function parseSeedList(raw: string): number[] {
  try {
    return parseSeeds(raw);
  } catch (e) {
    if (e instanceof ArgumentError) throw new ArgumentError(e.message.replace(/^sweep:/, 'reproduce:'));
    throw e;
  }
}

/** DIR/<id>/result.json when it is there and readable. */
function readResult(out: string, id: string): ExperimentResult | undefined {
  try {
    return JSON.parse(readFileSync(join(out, id, 'result.json'), 'utf8')) as ExperimentResult;
  } catch {
    return undefined;
  }
}

/** Appends the first seed's row to the sweep's results, as a sweep's worker appends its rows. */
function appendFirstSeedRow(dir: string, row: SweepRow): void {
  const fd = openResults(dir, 'first-seed');
  try {
    appendRow(fd, row);
  } finally {
    closeSync(fd);
  }
}

/** The terminal table: experiment, claim, passes/n, rate, Wilson interval; `<` marks a rate below the threshold. */
export function seedsTable(s: SeedsReport): string {
  const rows = [['experiment', 'claim', 'passes', 'rate', 'Wilson 95 %', '']];
  for (const e of s.experiments) {
    for (const [id, c] of Object.entries(e.claims)) {
      rows.push([e.id, id, `${c.passes}/${c.n}`, c.rate.toFixed(2), `${c.wilsonLo.toFixed(2)}–${c.wilsonHi.toFixed(2)}`, c.rate < s.minPassRate ? '<' : '']);
    }
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, j) => cell.padEnd(widths[j]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** `reproduce --seeds`: returns the exit code (1: a worker failed, or --strict and a claim below the threshold). */
export async function reproduceSeeds(o: ReproduceSeedsOptions): Promise<number> {
  const log = (s: string) => process.stderr.write(s);
  const seeds = parseSeedList(o.seeds);
  const jobs = jobsOption('reproduce', o.jobs);
  const minPassRate = parseMinPassRate(o.minPassRate);
  const smoke = process.env[SMOKE_ENV] === '1';

  // Everything is checked before any computation: the plans (parameters and constraints), the
  // output directory, the renderer, and that no sweep directory holds another plan.
  prepareOutDir(o.out, o.outAsked);
  await loadRenderer();
  const planner = await createEngine({ threads: 1 });
  let work: { exp: Experiment; plan: SweepPlan; dir: string }[];
  try {
    work = EXPERIMENTS.map((exp) => {
      const grid = smoke ? Object.fromEntries(Object.entries(exp.smoke ?? {}).map(([k, v]) => [k, [v]])) : {};
      return { exp, plan: buildPlan(planner, exp, grid, seeds, o.preset), dir: join(o.out, 'sweeps', exp.id) };
    });
  } finally {
    planner.dispose();
  }
  for (const { plan, dir } of work) writePlan(dir, plan, join(o.outAsked, 'sweeps', plan.id));

  const report: SeedsReport = {
    format: SEEDS_FORMAT,
    version: VERSION,
    preset: o.preset,
    seeds,
    minPassRate,
    interval: '',
    experiments: [],
  };
  const fl = await createEngine({ threads: o.threads });
  try {
    for (const [i, { exp, plan, dir }] of work.entries()) {
      const tag = `reproduce: ${i + 1}/${work.length} ${exp.id}`;
      const started = performance.now();
      // The first seed runs here with its full report; its row joins the sweep. A report and a
      // row already there with the same fingerprint mean it is done (a resumed run).
      const first = plan.points[0]!;
      const firstRow = readRows(dir).find((r) => r.key === first.key);
      if (!firstRow || readResult(o.out, exp.id)?.fingerprint !== firstRow.fingerprint) {
        log(`${tag}: seed ${first.seed} with its full report\n`);
        const progress = createProgress(exp.id, process.stderr);
        const result = runExperiment(fl, exp, { preset: o.preset, seed: first.seed, overrides: first.params, progress: progress.report });
        progress.done();
        if (firstRow && firstRow.fingerprint !== result.fingerprint) {
          log(
            `featurelab: reproduce: ${exp.id} seed ${first.seed} gave fingerprint ${result.fingerprint}, but ${dir}/results holds ${firstRow.fingerprint} for it: the results are not deterministic\n`,
          );
          return 1;
        }
        await writeReport(result, o.out);
        if (!firstRow) appendFirstSeedRow(dir, pointRow(plan, first, result));
      }
      const done = new Set(readRows(dir).map((r) => r.key));
      const todo = plan.points.filter((p) => !done.has(p.key)).length;
      if (todo > 0) {
        log(`${tag}: ${todo} of ${plan.points.length} seeds to run\n`);
        const { failed, processes } = await runPending(o.cli, dir, { i: 0, n: 1 }, jobs, o.workerThreads, exp.id);
        if (failed) {
          log(`featurelab: reproduce: ${exp.id}: ${failed} of ${processes} worker processes failed (see above); run the same command again to resume\n`);
          return 1;
        }
      }
      const summary = await reportSweep(dir);
      if (summary.missing.length) {
        log(`featurelab: reproduce: ${exp.id}: ${summary.missing.length} seeds have no result in ${dir}/results; run the same command again\n`);
        return 1;
      }
      const group = summary.groups[0]!;
      report.interval = summary.interval;
      if (group.failed) log(`${tag}: ${group.failed} seeds failed numerically (${summary.failed[0]!.error}); they count as failing every claim\n`);
      report.experiments.push({
        id: exp.id,
        title: exp.title,
        sweep: `sweeps/${exp.id}`,
        fingerprint: summary.fingerprint,
        claims: countFailedSeeds(group.claims, group.failed),
        metrics: group.metrics,
        failedSeeds: summary.failed.map((f) => f.seed),
      });
      log(`${tag}: ${plan.points.length} seeds done (${todo === 0 ? 'nothing to run' : `${((performance.now() - started) / 1000).toFixed(1)} s`})\n`);
    }
  } finally {
    fl.dispose();
  }
  const seedsFile = join(o.out, 'seeds.json');
  writeFileAtomic(seedsFile, `${JSON.stringify(report, null, 1)}\n`);
  const index = await writeIndex(o.out);
  process.stdout.write(`${seedsTable(report)}seeds: ${seedsFile}\nreport: ${index}\n`);

  const low = report.experiments.flatMap((e) =>
    Object.entries(e.claims).flatMap(([id, c]) => (c.rate < minPassRate ? [`${e.id}/${id} ${c.passes}/${c.n}`] : [])),
  );
  if (!o.strict || low.length === 0) return 0;
  const total = report.experiments.reduce((n, e) => n + Object.keys(e.claims).length, 0);
  log(
    `featurelab: --strict: ${low.length} of ${total} claims pass on fewer than ${Number((minPassRate * 100).toPrecision(12))} % of ${seeds.length} seeds: ${low.join(', ')}\n`,
  );
  return 1;
}

/** A seed that failed numerically passes no claim: pass rates over every seed asked for. */
function countFailedSeeds(claims: Record<string, ClaimSummary>, failed: number): Record<string, ClaimSummary> {
  if (failed === 0) return claims;
  return Object.fromEntries(
    Object.entries(claims).map(([id, c]) => {
      const w = wilsonInterval(c.passes, c.n + failed);
      return [id, { n: c.n + failed, passes: c.passes, rate: w.rate, wilsonLo: w.lo, wilsonHi: w.hi }];
    }),
  );
}
