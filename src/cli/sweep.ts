// featurelab sweep (issue 13): plan a grid × seeds, run its points (resumable, shardable,
// crash-safe), and report statistics over seeds. Node only.
//
//   featurelab sweep <id> [key=v1,v2,…] [key=range(start,stop[,step])] [--seeds 0..49 | --seeds 50]
//                    [--preset quick|paper] [--out DIR] [--plan-only] [--jobs P] [--threads T]
//   featurelab sweep run DIR [--shard i/n] [--jobs P] [--threads T]
//   featurelab sweep report DIR [--x K --y M[,M2] --color K --source S --kind line|heatmap]
//   featurelab sweep slurm DIR [--array-size K] [--partition P] [--time T] [--cpus-per-task C] [--mem M] [--submit]
//
// DIR/sweep.json is the plan; DIR/results/*.jsonl hold one line per finished point, appended
// and fsynced per point by each process into its own file; report writes summary.{csv,json}
// and report.html (src/cli/sweep-report.ts).
// The plan, the rows and the statistics are src/experiments/sweep.ts (shared with the page).

import { fork } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { findExperiment, VERSION } from '../experiments/index.js';
import {
  buildPlan,
  DEFAULT_SEEDS,
  parseGrid,
  parseSeeds,
  runPoint,
  SWEEP_FORMAT,
  type SweepPlan,
  type SweepRow,
  type SweepSummary,
  summarize,
  seriesCsv,
  summaryCsv,
} from '../experiments/sweep.js';
import { pagePlots, viewFromOptions } from '../experiments/sweep-plots.js';
import type { SweepPage } from '../experiments/sweep-view.js';
import type { Preset } from '../experiments/types.js';
import { prepareOutDir, writeFileAtomic } from './out-dir.js';
import { createCountProgress } from './progress.js';
import { sweepSlurm } from './sweep-slurm.js';
import { writeSweepHtml } from './sweep-report.js';

/** Set in the processes of --jobs: they do not print the sweep's status line (their parent does). */
const CHILD_ENV = 'FEATURELAB_SWEEP_CHILD';
const SWEEP_USAGE = `usage:
  featurelab sweep <id> [key=v1,v2,…] [key=range(start,stop[,step])] [--seeds 0..49 | --seeds 50]
                   [--preset quick|paper] [--out DIR] [--plan-only] [--jobs P] [--threads T]
  featurelab sweep run DIR [--shard i/n] [--jobs P] [--threads T]
  featurelab sweep report DIR [--x K --y M[,M2] --color K --source metrics|claims|SERIES --kind line|heatmap]
  featurelab sweep slurm DIR [--array-size K] [--partition P] [--time T] [--cpus-per-task C] [--mem M] [--submit]
  --jobs P:    processes (default: the cores, or SLURM_CPUS_PER_TASK in a Slurm job)
  --threads T: compute threads per process (default 1: a sweep is parallel over points)
(docs/sweeps.md)`;

function readPlan(dir: string): SweepPlan {
  const file = join(dir, 'sweep.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ArgumentError(`sweep: ${file} does not exist; plan a sweep first (featurelab sweep <id> … --out ${dir} --plan-only)`);
  }
  let plan: SweepPlan;
  try {
    plan = JSON.parse(text) as SweepPlan;
  } catch {
    throw new ArgumentError(`sweep: ${file} is not valid JSON`);
  }
  if (plan?.format !== SWEEP_FORMAT) throw new ArgumentError(`sweep: ${file} is not a featurelab sweep plan (format ${String(plan?.format)})`);
  return plan;
}

function checkVersion(plan: SweepPlan, dir: string): void {
  if (plan.version !== VERSION) {
    throw new ArgumentError(
      `sweep: ${dir} was planned with featurelab ${plan.version}, this is featurelab ${VERSION}: its points would not be comparable; plan the sweep again in a new directory`,
    );
  }
}

/** Writes DIR/sweep.json, or accepts an identical plan already there; refuses another version or grid. */
export function writePlan(dir: string, plan: SweepPlan, asked = dir): void {
  prepareOutDir(dir, asked);
  const file = join(dir, 'sweep.json');
  if (existsSync(file)) {
    const old = readPlan(dir);
    checkVersion(old, dir);
    const what = (p: SweepPlan) =>
      JSON.stringify({ id: p.id, preset: p.preset, grid: p.grid, seeds: p.seeds, series: p.series ?? null, keys: p.points.map((q) => q.key) });
    if (what(old) !== what(plan)) {
      throw new ArgumentError(
        `sweep: ${dir} holds a sweep of another grid (${old.id}, preset ${old.preset}, grid ${JSON.stringify(old.grid)}, ${old.seeds.length} seeds); choose another --out, or run it with featurelab sweep run ${dir}`,
      );
    }
    return;
  }
  writeFileAtomic(file, `${JSON.stringify(plan, null, 1)}\n`);
}

/** Every row of DIR/results/*.jsonl; a torn (unparsable) last line of a file is ignored, one elsewhere is an error. */
export function readRows(dir: string): SweepRow[] {
  const resultsDir = join(dir, 'results');
  if (!existsSync(resultsDir)) return [];
  const rows: SweepRow[] = [];
  for (const name of readdirSync(resultsDir).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    const lines = readFileSync(join(resultsDir, name), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      try {
        rows.push(JSON.parse(line) as SweepRow);
      } catch {
        // The last line (no newline after it) may be torn by a kill: that point is simply redone.
        if (i !== lines.length - 1) throw new ArgumentError(`sweep: ${join(resultsDir, name)} line ${i + 1} is not valid JSON (and is not a torn last line)`);
      }
    }
  }
  return rows;
}

/**
 * A Kubernetes Indexed Job's pod: JOB_COMPLETION_INDEX of FEATURELAB_SHARD_COUNT (set it to the
 * Job's completions; Kubernetes does not give the count to the pod); else the whole sweep.
 */
function kubernetesShard(env: NodeJS.ProcessEnv): { i: number; n: number } {
  const index = env.JOB_COMPLETION_INDEX;
  if (index === undefined) return { i: 0, n: 1 };
  const count = env.FEATURELAB_SHARD_COUNT;
  if (count === undefined) {
    throw new ArgumentError(
      `sweep run: JOB_COMPLETION_INDEX=${index} is set (a Kubernetes Indexed Job) but FEATURELAB_SHARD_COUNT is not: set it to the Job's completions`,
    );
  }
  const i = Number(index);
  const n = Number(count);
  if (!/^[0-9]+$/.test(index) || !/^[0-9]+$/.test(count) || !Number.isSafeInteger(n) || n < 1 || i >= n) {
    throw new ArgumentError(`sweep run: JOB_COMPLETION_INDEX=${index} and FEATURELAB_SHARD_COUNT=${count} do not give a shard i/n with 0 ≤ i < n`);
  }
  return { i, n };
}

/** `i/n` with 0 ≤ i < n; without the option, Slurm's array task id and count, else a Kubernetes Indexed Job's index (kubernetesShard). */
export function parseShard(raw: string | undefined, env: NodeJS.ProcessEnv = process.env): { i: number; n: number } {
  if (raw === undefined) {
    const id = env.SLURM_ARRAY_TASK_ID;
    const count = env.SLURM_ARRAY_TASK_COUNT;
    if (id === undefined || count === undefined) return kubernetesShard(env);
    // arrays may start at 1 (--array=1-4): the index is counted from the array's minimum
    const i = Number(id) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    const n = Number(count);
    if (!Number.isSafeInteger(i) || !Number.isSafeInteger(n) || i < 0 || i >= n) {
      throw new ArgumentError(
        `sweep run: SLURM_ARRAY_TASK_ID=${id} (min ${env.SLURM_ARRAY_TASK_MIN ?? 0}) and SLURM_ARRAY_TASK_COUNT=${count} do not give a shard i/n with 0 ≤ i < n`,
      );
    }
    return { i, n };
  }
  const m = /^([0-9]+)\/([0-9]+)$/.exec(raw);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(n) || n < 1 || i >= n) throw new ArgumentError(`sweep run: --shard must be i/n with 0 ≤ i < n, got '${raw}'`);
  return { i, n };
}

/** The points of shard i/n not yet in any results file. */
function pendingPoints(dir: string, shard: { i: number; n: number }): { plan: SweepPlan; todo: SweepPlan['points'] } {
  const plan = readPlan(dir);
  checkVersion(plan, dir);
  const done = new Set(readRows(dir).map((r) => r.key));
  return { plan, todo: plan.points.filter((p) => p.index % shard.n === shard.i && !done.has(p.key)) };
}

/**
 * Opens this process's results file `<name>-<pid>.jsonl` of the sweep in `dir` for appending.
 * One file per process: a torn line of a killed process is never followed by another's line.
 */
export function openResults(dir: string, name: string): number {
  const resultsDir = join(dir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  return openSync(join(resultsDir, `${name}-${process.pid}.jsonl`), 'a');
}

/** Appends one row to an open results file, flushed to disk before it returns. */
export function appendRow(fd: number, row: SweepRow): void {
  writeSync(fd, `${JSON.stringify(row)}\n`);
  fsyncSync(fd);
}

/** Runs the points of shard i/n not yet in any results file, appending one fsynced line per point. */
export async function runSweep(dir: string, shard: { i: number; n: number }, threads: number | undefined, onPoint?: () => void): Promise<number> {
  const { plan, todo } = pendingPoints(dir, shard);
  const exp = findExperiment(plan.id);
  if (todo.length === 0) return 0;
  const fd = openResults(dir, shard.n > 1 ? `shard-${shard.i}-of-${shard.n}` : 'all');
  const fl = await createEngine({ threads: threads ?? 1 });
  try {
    for (const point of todo) {
      appendRow(fd, runPoint(fl, exp, plan, point));
      onPoint?.();
      // let events through between points: IPC messages out, a parent's disconnect in
      await new Promise((done) => setImmediate(done));
    }
    return todo.length;
  } finally {
    fl.dispose();
    closeSync(fd);
  }
}

/**
 * Runs the pending points of shard i/n with a progress bar (stderr), on up to `jobs` processes
 * (never more than points left; one runs here in this process). `failed` counts processes that
 * failed: rerunning the same command resumes.
 */
export async function runPending(
  cli: string,
  dir: string,
  shard: { i: number; n: number },
  jobs: number,
  threads: number | undefined,
  label: string,
): Promise<{ plan: SweepPlan; todo: number; processes: number; failed: number }> {
  const { plan, todo } = pendingPoints(dir, shard);
  const progress = createCountProgress(label, todo.length, process.stderr);
  const processes = Math.max(1, Math.min(jobs, todo.length));
  let failed = 0;
  if (processes > 1) failed = await runJobs(cli, dir, shard, processes, threads, progress.tick);
  else await runSweep(dir, shard, threads, progress.tick);
  if (todo.length && !failed) progress.done();
  return { plan, todo: todo.length, processes, failed };
}

/**
 * Runs shard i/n on P child processes: child j takes shard (i + n·j)/(n·P), disjoint and
 * covering; each child reports its finished points to `onPoint` (IPC). Resolves to the number
 * of children that failed.
 */
export function runJobs(
  cli: string,
  dir: string,
  shard: { i: number; n: number },
  jobs: number,
  threads: number | undefined,
  onPoint?: () => void,
): Promise<number> {
  const children = Array.from({ length: jobs }, (_, j) => {
    const args = ['sweep', 'run', dir, '--shard', `${shard.i + shard.n * j}/${shard.n * jobs}`, '--jobs', '1'];
    if (threads !== undefined) args.push('--threads', String(threads));
    const child = fork(cli, args, { stdio: 'inherit', env: { ...process.env, [CHILD_ENV]: '1' } });
    child.on('message', (m) => {
      if ((m as { sweepPoint?: number })?.sweepPoint === 1) onPoint?.();
    });
    return new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
  });
  return Promise.all(children).then((codes) => codes.filter((c) => c !== 0).length);
}

/** Writes summary.{json,csv}, series-*.csv and report.html (the page's views, or the default plots; skipped without vega). */
export async function reportSweep(dir: string, page?: SweepPage, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<SweepSummary> {
  const plan = readPlan(dir);
  const rows = readRows(dir);
  const fl = await createEngine({ threads: 1 });
  try {
    const s = summarize(fl, plan, rows);
    pagePlots(plan, s, page); // a view naming an unknown field fails here, before any file is written
    writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(s, null, 1)}\n`);
    writeFileAtomic(join(dir, 'summary.csv'), summaryCsv(plan, s));
    for (const name of Object.keys(plan.series ?? {})) writeFileAtomic(join(dir, `series-${name}.csv`), seriesCsv(plan, s, name));
    await writeSweepHtml(dir, plan, s, page, log);
    return s;
  } finally {
    fl.dispose();
  }
}

/** The page of `sweep report --x … --y …`: one view built from the options, or undefined (the default plots). */
async function viewOptions(dir: string, o: { x?: string; y?: string; color?: string; source?: string; kind?: string }): Promise<SweepPage | undefined> {
  if ([o.x, o.y, o.color, o.source, o.kind].every((v) => v === undefined)) return undefined;
  const plan = readPlan(dir);
  const fl = await createEngine({ threads: 1 });
  try {
    return { views: [viewFromOptions(plan, summarize(fl, plan, readRows(dir)), o)] };
  } finally {
    fl.dispose();
  }
}

/** `--series name` (coordinates inferred) or `--series name:c1,c2` (the coordinate columns), repeatable. */
function parseSeriesOption(id: string, raw: string[] | undefined): Record<string, string[] | null> | undefined {
  if (!raw?.length) return undefined;
  const out: Record<string, string[] | null> = {};
  for (const item of raw) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z0-9_,]+))?$/.exec(item);
    if (!m) throw new ArgumentError(`sweep ${id}: --series must be name or name:column1,column2, got '${item}'`);
    if (Object.hasOwn(out, m[1]!)) throw new ArgumentError(`sweep ${id}: --series ${m[1]} is given twice`);
    out[m[1]!] = m[2] ? m[2].split(',').filter(Boolean) : null;
  }
  return out;
}

/**
 * The --jobs of `command` (sweep, figure, reproduce): the value given, else the CPUs Slurm gave
 * this task, else the cores this process may use.
 */
export function jobsOption(command: string, raw: string | undefined): number {
  if (raw === undefined) {
    const slurm = Number(process.env.SLURM_CPUS_PER_TASK);
    return Number.isSafeInteger(slurm) && slurm >= 1 ? Math.min(slurm, 1024) : availableParallelism();
  }
  return countOption(command, 'jobs', raw, 1024);
}

/** The --threads of `command`: the value given, else undefined (the caller's default). */
export function threadsOption(command: string, raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : countOption(command, 'threads', raw, 64);
}

function countOption(command: string, name: string, raw: string, max: number): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new ArgumentError(`${command}: --${name} must be an integer in [1, ${max}], got '${raw}'`);
  return Number(raw);
}

/** The `sweep` command; `cli` is the CLI's script (forked for --jobs). Returns the exit code. */
export async function sweepMain(argv: string[], cli: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seeds: { type: 'string' },
      series: { type: 'string', multiple: true },
      preset: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      'plan-only': { type: 'boolean', default: false },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      threads: { type: 'string' },
      'array-size': { type: 'string' },
      partition: { type: 'string' },
      time: { type: 'string' },
      'cpus-per-task': { type: 'string' },
      mem: { type: 'string' },
      submit: { type: 'boolean', default: false },
      // sweep report: one plot instead of the default set (docs/sweeps.md)
      x: { type: 'string' },
      y: { type: 'string' },
      color: { type: 'string' },
      source: { type: 'string' },
      kind: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${SWEEP_USAGE}\n`);
    return 0;
  }
  const log = (s: string) => process.stderr.write(s);
  const jobs = jobsOption('sweep', values.jobs);
  const threads = threadsOption('sweep', values.threads);
  const [first, ...rest] = positionals;
  if (first === undefined) throw new ArgumentError(`sweep needs an experiment id, or run DIR, or report DIR, or slurm DIR\n${SWEEP_USAGE}`);
  const run = async (dir: string, shardRaw: string | undefined) => {
    const shard = parseShard(shardRaw);
    if (process.env[CHILD_ENV]) {
      // a process of --jobs: its parent draws the progress, and when the parent dies (kill -9)
      // this process stops too, so a rerun never races an orphan
      process.on('disconnect', () => process.exit(1));
      if (!process.connected) process.exit(1); // the parent died before the listener was there
      let sent = Promise.resolve();
      await runSweep(dir, shard, threads, () => {
        sent = new Promise((done) => process.send?.({ sweepPoint: 1 }, undefined, {}, () => done()) ?? done());
      });
      // the last message out (messages go in order), then close the channel so this process can exit
      await sent;
      process.removeAllListeners('disconnect');
      process.disconnect?.();
      return 0;
    }
    const { plan, failed, processes } = await runPending(cli, dir, shard, jobs, threads, `sweep ${readPlan(dir).id}`);
    if (failed) {
      log(`featurelab: sweep run: ${failed} of ${processes} worker processes failed (see above); run the same command again to resume\n`);
      return 1;
    }
    const missing = plan.points.length - new Set(readRows(dir).map((r) => r.key)).size;
    process.stdout.write(`sweep: ${dir}: ${missing === 0 ? 'all points done' : `${missing} points not done (other shards)`}\n`);
    return 0;
  };
  const plotOption = (['x', 'y', 'color', 'source', 'kind'] as const).find((k) => values[k] !== undefined);
  if (plotOption && first !== 'report') throw new ArgumentError(`sweep: --${plotOption} is an option of sweep report DIR\n${SWEEP_USAGE}`);
  if (first === 'run' || first === 'report' || first === 'slurm') {
    if (rest.length !== 1) throw new ArgumentError(`sweep ${first} needs exactly one directory, got ${rest.length}`);
    const dir = resolve(rest[0]!);
    if (first === 'run') return run(dir, values.shard);
    if (first === 'slurm') {
      const plan = readPlan(dir);
      checkVersion(plan, dir);
      return sweepSlurm(dir, plan, cli, values);
    }
    const s = await reportSweep(dir, await viewOptions(dir, values));
    const page = existsSync(join(dir, 'report.html')) ? `\nreport: ${join(dir, 'report.html')}` : '';
    process.stdout.write(
      `sweep report: ${s.points - s.missing.length}/${s.points} points, fingerprint ${s.fingerprint ?? '(incomplete)'}\nsummary: ${join(dir, 'summary.csv')}, ${join(dir, 'summary.json')}${page}\n`,
    );
    if (s.failed.length) {
      const first = s.failed[0]!;
      log(
        `featurelab: sweep report: ${s.failed.length} of ${s.points} points failed numerically and are left out of the statistics (summary.json "failed"), e.g. index ${first.index}, seed ${first.seed}: ${first.error}\n`,
      );
    }
    return s.missing.length || s.failed.length ? 1 : 0;
  }
  const exp = findExperiment(first);
  const preset = values.preset as Preset;
  if (preset !== 'quick' && preset !== 'paper') throw new ArgumentError(`sweep: --preset must be quick or paper, got '${values.preset}'`);
  const grid = parseGrid(exp, rest);
  const seeds = parseSeeds(values.seeds ?? String(DEFAULT_SEEDS));
  const asked = values.out ?? join('out', 'sweeps', exp.id);
  const dir = resolve(asked);
  const fl = await createEngine({ threads: 1 });
  let plan: SweepPlan;
  try {
    plan = buildPlan(fl, exp, grid, seeds, preset, parseSeriesOption(exp.id, values.series));
  } finally {
    fl.dispose();
  }
  writePlan(dir, plan, asked);
  process.stdout.write(`sweep: planned ${plan.points.length} points in ${join(dir, 'sweep.json')}\n`);
  return values['plan-only'] ? 0 : run(dir, values.shard);
}
