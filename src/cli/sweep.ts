// featurelab sweep (issue 13): plan a grid × seeds, run its points (resumable, shardable,
// crash-safe), and report statistics over seeds. Node only.
//
//   featurelab sweep <id> [key=v1,v2,…] [key=range(start,stop[,step])] [--seeds 0..49 | --seeds 50]
//                    [--preset quick|paper] [--out DIR] [--plan-only] [--jobs P] [--threads T]
//   featurelab sweep run DIR [--shard i/n] [--jobs P] [--threads T]
//   featurelab sweep report DIR
//
// DIR/sweep.json is the plan; DIR/results/*.jsonl hold one line per finished point, appended
// and fsynced per point by each process into its own file; report writes summary.{csv,json}.

import { fork } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { findExperiment, runExperiment, VERSION } from '../experiments/index.js';
import { parseValue, validateGrid } from '../experiments/params.js';
import { median as medianOf, mean as meanOf, sampleSd, tInterval95, wilsonInterval } from '../experiments/stats.js';
import type { Experiment, Params, ParamValue, Preset } from '../experiments/types.js';
import { prepareOutDir, writeFileAtomic } from './out-dir.js';

const FORMAT = 'featurelab-sweep/1';
/** Set in the processes of --jobs: they do not print the sweep's status line (their parent does). */
const CHILD_ENV = 'FEATURELAB_SWEEP_CHILD';
const SWEEP_USAGE = `usage:
  featurelab sweep <id> [key=v1,v2,…] [key=range(start,stop[,step])] [--seeds 0..49 | --seeds 50]
                   [--preset quick|paper] [--out DIR] [--plan-only] [--jobs P] [--threads T]
  featurelab sweep run DIR [--shard i/n] [--jobs P] [--threads T]
  featurelab sweep report DIR
(docs/sweeps.md)`;
const DEFAULT_SEEDS = 10;
const MAX_SEEDS = 100_000;

export interface SweepPoint {
  index: number;
  /** SHA-256 of [id, params, seed, version]: names the point in every results file. */
  key: string;
  params: Params;
  seed: number;
}

export interface SweepPlan {
  format: string;
  id: string;
  version: string;
  preset: Preset;
  /** The swept parameters (schema order) and their values, typed. */
  grid: Record<string, ParamValue[]>;
  seeds: number[];
  points: SweepPoint[];
}

export interface SweepRow {
  key: string;
  index: number;
  params: Params;
  seed: number;
  metrics: Record<string, number | null>;
  claims: Record<string, boolean>;
  fingerprint: string;
  seconds: number;
}

/** `--seeds 0..49` (inclusive) or `--seeds 50` (0..49). */
export function parseSeeds(raw: string): number[] {
  const range = /^([0-9]+)\.\.([0-9]+)$/.exec(raw);
  const count = /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
  const [lo, hi] = range ? [Number(range[1]), Number(range[2])] : [0, (count ?? -1) - 1];
  if ((!range && count === undefined) || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo || hi - lo + 1 > MAX_SEEDS) {
    throw new ArgumentError(`sweep: --seeds must be a count in [1, ${MAX_SEEDS}] or a range a..b with a ≤ b, got '${raw}'`);
  }
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** `start,stop[,step]` → start, start+step, … < stop (Python's range; each value computed as start + i·step, no drift). */
function parseRange(id: string, key: string, body: string): number[] {
  const parts = body.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  const bad = (why: string) => new ArgumentError(`sweep ${id}: ${key}=range(${body}): ${why}`);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '') || !nums.every(Number.isFinite)) {
    throw bad('expected range(start,stop[,step]) with finite numbers');
  }
  const [start, stop, step = 1] = nums as [number, number, number?];
  if (!(step > 0)) throw bad('step must be > 0');
  const n = Math.ceil((stop - start) / step);
  if (!(n >= 1)) throw bad('the range is empty (start ≥ stop)');
  if (n > 1_000_000) throw bad(`the range has ${n} values`);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** Parses `key=v1,v2` and `key=range(…)` into a grid; each value is typed by the schema (validateGrid checks the rest). */
export function parseGrid(exp: Experiment, pairs: readonly string[]): Record<string, unknown[]> {
  const grid: Record<string, unknown[]> = Object.create(null);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ArgumentError(`sweep ${exp.id}: expected key=v1,v2,… or key=range(start,stop[,step]), got '${pair}'`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (Object.hasOwn(grid, key)) throw new ArgumentError(`sweep ${exp.id}: ${key} is given twice`);
    const spec = exp.params.find((p) => p.name === key);
    const range = /^range\((.*)\)$/.exec(raw);
    if (range) grid[key] = parseRange(exp.id, key, range[1]!);
    else if (!spec) grid[key] = raw.split(',');
    else grid[key] = raw.split(',').map((v) => parseValue(spec, v, exp.id));
  }
  return grid;
}

/** Builds the plan: the grid checked against the schema and constraints, then points × seeds. */
export function buildPlan(fl: Engine, exp: Experiment, grid: Record<string, unknown[]>, seeds: number[], preset: Preset): SweepPlan {
  const check = validateGrid(exp, grid as never, preset);
  const problems = check.errors.concat(check.rejected.map((r) => r.violations.join('; ')));
  if (problems.length) throw new ArgumentError(`sweep ${exp.id}: the grid is invalid:\n  ${problems.slice(0, 10).join('\n  ')}`);
  const typedGrid: Record<string, ParamValue[]> = {};
  for (const spec of exp.params) if (Object.hasOwn(grid, spec.name)) typedGrid[spec.name] = [...new Set(check.points.map((p) => p[spec.name]!))];
  const points: SweepPoint[] = [];
  for (const params of check.points) {
    for (const seed of seeds) {
      const key = fl.fingerprint([exp.id, params, seed, VERSION]);
      points.push({ index: points.length, key, params, seed });
    }
  }
  return { format: FORMAT, id: exp.id, version: VERSION, preset, grid: typedGrid, seeds, points };
}

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
  if (plan?.format !== FORMAT) throw new ArgumentError(`sweep: ${file} is not a featurelab sweep plan (format ${String(plan?.format)})`);
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
    const what = (p: SweepPlan) => JSON.stringify({ id: p.id, preset: p.preset, grid: p.grid, seeds: p.seeds, keys: p.points.map((q) => q.key) });
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

/** `i/n` with 0 ≤ i < n; without the option, Slurm's array task id and count when set. */
export function parseShard(raw: string | undefined, env: NodeJS.ProcessEnv = process.env): { i: number; n: number } {
  if (raw === undefined) {
    const id = env.SLURM_ARRAY_TASK_ID;
    const count = env.SLURM_ARRAY_TASK_COUNT;
    if (id === undefined || count === undefined) return { i: 0, n: 1 };
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

function metricValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Runs the points of shard i/n not yet in any results file, appending one fsynced line per point. */
export async function runSweep(dir: string, shard: { i: number; n: number }, threads: number | undefined, log: (s: string) => void): Promise<number> {
  const plan = readPlan(dir);
  checkVersion(plan, dir);
  const exp = findExperiment(plan.id);
  const done = new Set(readRows(dir).map((r) => r.key));
  const todo = plan.points.filter((p) => p.index % shard.n === shard.i && !done.has(p.key));
  if (todo.length === 0) return 0;
  const resultsDir = join(dir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  // One file per process: a torn line of a killed process is never followed by another's line.
  const file = join(resultsDir, `${shard.n > 1 ? `shard-${shard.i}-of-${shard.n}` : 'all'}-${process.pid}.jsonl`);
  const fd = openSync(file, 'a');
  const fl = await createEngine({ threads: threads ?? 1 });
  try {
    let count = 0;
    for (const point of todo) {
      const result = runExperiment(fl, exp, { preset: plan.preset, seed: point.seed, overrides: point.params });
      const row: SweepRow = {
        key: point.key,
        index: point.index,
        params: point.params,
        seed: point.seed,
        metrics: Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, metricValue(v)])),
        claims: Object.fromEntries(result.claims.map((c) => [c.id, c.pass])),
        fingerprint: result.fingerprint,
        seconds: result.seconds,
      };
      writeSync(fd, `${JSON.stringify(row)}\n`);
      fsyncSync(fd);
      count++;
      // sparse: about 20 lines per process however many points
      if (count === todo.length || count % Math.max(1, Math.floor(todo.length / 20)) === 0) {
        log(`sweep: shard ${shard.i}/${shard.n}: ${count}/${todo.length} points done\n`);
      }
    }
    return count;
  } finally {
    fl.dispose();
    closeSync(fd);
  }
}

/** Runs shard i/n on P child processes: child j takes shard (i + n·j)/(n·P), disjoint and covering. Resolves to the number that failed. */
export function runJobs(cli: string, dir: string, shard: { i: number; n: number }, jobs: number, threads: number | undefined): Promise<number> {
  const children = Array.from({ length: jobs }, (_, j) => {
    const args = ['sweep', 'run', dir, '--shard', `${shard.i + shard.n * j}/${shard.n * jobs}`];
    if (threads !== undefined) args.push('--threads', String(threads));
    const child = fork(cli, args, { stdio: 'inherit', env: { ...process.env, [CHILD_ENV]: '1' } });
    return new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
  });
  return Promise.all(children).then((codes) => codes.filter((c) => c !== 0).length);
}

interface MetricSummary {
  n: number;
  mean: number | null;
  sd: number | null;
  ciLo: number | null;
  ciHi: number | null;
  median: number | null;
}

interface ClaimSummary {
  n: number;
  passes: number;
  rate: number;
  wilsonLo: number;
  wilsonHi: number;
}

export interface SweepSummary {
  id: string;
  version: string;
  preset: Preset;
  /** SHA-256 over [key, fingerprint] of every point sorted by key; null while points are missing. */
  fingerprint: string | null;
  points: number;
  missing: string[];
  interval: string;
  groups: { params: Params; seeds: number; metrics: Record<string, MetricSummary>; claims: Record<string, ClaimSummary> }[];
}

function summarizeMetric(fl: Engine, values: number[]): MetricSummary {
  if (values.length === 0) return { n: 0, mean: null, sd: null, ciLo: null, ciHi: null, median: null };
  const ci = values.length >= 2 ? tInterval95(fl.math, values) : undefined;
  return {
    n: values.length,
    mean: meanOf(values),
    sd: values.length >= 2 ? sampleSd(values) : null,
    ciLo: ci?.lo ?? null,
    ciHi: ci?.hi ?? null,
    median: medianOf(values),
  };
}

/** Merges every results file, checks the plan, aggregates over seeds per grid point. */
export function summarize(fl: Engine, plan: SweepPlan, rows: readonly SweepRow[]): SweepSummary {
  const planned = new Map(plan.points.map((p) => [p.key, p]));
  const byKey = new Map<string, SweepRow>();
  for (const row of rows) {
    if (!planned.has(row.key)) throw new ArgumentError(`sweep report: a result has key ${row.key}, which is not a point of the plan`);
    const seen = byKey.get(row.key);
    if (seen && seen.fingerprint !== row.fingerprint) {
      const p = planned.get(row.key)!;
      throw new ArgumentError(
        `sweep report: point ${row.key} (index ${p.index}, seed ${p.seed}, ${JSON.stringify(p.params)}) was run twice with different fingerprints (${seen.fingerprint} and ${row.fingerprint}): the results are not deterministic`,
      );
    }
    byKey.set(row.key, row);
  }
  const missing = plan.points.filter((p) => !byKey.has(p.key)).map((p) => p.key);
  const sorted = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fingerprint = missing.length ? null : fl.fingerprint(sorted.map((r) => [r.key, r.fingerprint]));
  // group by grid point in plan order (the seeds of one point are consecutive in the plan)
  const groups = new Map<string, { params: Params; rows: SweepRow[] }>();
  for (const p of plan.points) {
    const g = JSON.stringify(p.params);
    if (!groups.has(g)) groups.set(g, { params: p.params, rows: [] });
    const row = byKey.get(p.key);
    if (row) groups.get(g)!.rows.push(row);
  }
  const out: SweepSummary['groups'] = [];
  for (const { params, rows: rs } of groups.values()) {
    const metricNames = [...new Set(rs.flatMap((r) => Object.keys(r.metrics)))];
    const claimIds = [...new Set(rs.flatMap((r) => Object.keys(r.claims)))];
    const metrics: Record<string, MetricSummary> = {};
    for (const m of metricNames) {
      metrics[m] = summarizeMetric(
        fl,
        rs.map((r) => r.metrics[m]).filter((v): v is number => typeof v === 'number'),
      );
    }
    const claims: Record<string, ClaimSummary> = {};
    for (const c of claimIds) {
      const outcomes = rs.map((r) => r.claims[c]).filter((v) => typeof v === 'boolean');
      const passes = outcomes.filter(Boolean).length;
      const w = wilsonInterval(passes, outcomes.length);
      claims[c] = { n: outcomes.length, passes, rate: w.rate, wilsonLo: w.lo, wilsonHi: w.hi };
    }
    out.push({ params, seeds: rs.length, metrics, claims });
  }
  return {
    id: plan.id,
    version: plan.version,
    preset: plan.preset,
    fingerprint,
    points: plan.points.length,
    missing,
    interval: '95 % two-sided Student-t interval of the mean (df = n − 1); Wilson score 95 % interval for pass rates',
    groups: out,
  };
}

const csvCell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

/** Long format, one row per grid point × quantity: pandas.read_csv-ready. */
export function summaryCsv(plan: SweepPlan, s: SweepSummary): string {
  const keys = Object.keys(plan.grid);
  const head = [...keys, 'quantity', 'kind', 'n', 'mean', 'sd', 'ci_lo', 'ci_hi', 'median', 'passes', 'rate', 'wilson_lo', 'wilson_hi'];
  const lines = [head.join(',')];
  for (const g of s.groups) {
    const at = keys.map((k) => g.params[k]);
    for (const [name, m] of Object.entries(g.metrics))
      lines.push([...at, name, 'metric', m.n, m.mean, m.sd, m.ciLo, m.ciHi, m.median, '', '', '', ''].map(csvCell).join(','));
    for (const [id, c] of Object.entries(g.claims))
      lines.push([...at, id, 'claim', c.n, '', '', '', '', '', c.passes, c.rate, c.wilsonLo, c.wilsonHi].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export async function reportSweep(dir: string): Promise<SweepSummary> {
  const plan = readPlan(dir);
  const rows = readRows(dir);
  const fl = await createEngine({ threads: 1 });
  try {
    const s = summarize(fl, plan, rows);
    writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(s, null, 1)}\n`);
    writeFileAtomic(join(dir, 'summary.csv'), summaryCsv(plan, s));
    return s;
  } finally {
    fl.dispose();
  }
}

function jobsOption(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1024) throw new ArgumentError(`sweep: --jobs must be an integer in [1, 1024], got '${raw}'`);
  return Number(raw);
}

function threadsOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64) throw new ArgumentError(`sweep: --threads must be an integer in [1, 64], got '${raw}'`);
  return Number(raw);
}

/** The `sweep` command; `cli` is the CLI's script (forked for --jobs). Returns the exit code. */
export async function sweepMain(argv: string[], cli: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seeds: { type: 'string' },
      preset: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      'plan-only': { type: 'boolean', default: false },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${SWEEP_USAGE}\n`);
    return 0;
  }
  const log = (s: string) => process.stderr.write(s);
  const jobs = jobsOption(values.jobs);
  const threads = threadsOption(values.threads);
  const [first, ...rest] = positionals;
  if (first === undefined) throw new ArgumentError(`sweep needs an experiment id, or run DIR, or report DIR\n${SWEEP_USAGE}`);
  const run = async (dir: string, shardRaw: string | undefined) => {
    const shard = parseShard(shardRaw);
    if (jobs > 1) {
      const failed = await runJobs(cli, dir, shard, jobs, threads);
      if (failed) {
        log(`featurelab: sweep run: ${failed} of ${jobs} worker processes failed (see above); run the same command again to resume\n`);
        return 1;
      }
    } else await runSweep(dir, shard, threads, log);
    if (process.env[CHILD_ENV]) return 0;
    const missing = readPlan(dir).points.length - new Set(readRows(dir).map((r) => r.key)).size;
    process.stdout.write(`sweep: ${dir}: ${missing === 0 ? 'all points done' : `${missing} points not done (other shards)`}\n`);
    return 0;
  };
  if (first === 'run' || first === 'report') {
    if (rest.length !== 1) throw new ArgumentError(`sweep ${first} needs exactly one directory, got ${rest.length}`);
    const dir = resolve(rest[0]!);
    if (first === 'run') return run(dir, values.shard);
    const s = await reportSweep(dir);
    process.stdout.write(
      `sweep report: ${s.points - s.missing.length}/${s.points} points, fingerprint ${s.fingerprint ?? '(incomplete)'}\nsummary: ${join(dir, 'summary.csv')}, ${join(dir, 'summary.json')}\n`,
    );
    return s.missing.length ? 1 : 0;
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
    plan = buildPlan(fl, exp, grid, seeds, preset);
  } finally {
    fl.dispose();
  }
  writePlan(dir, plan, asked);
  process.stdout.write(`sweep: planned ${plan.points.length} points in ${join(dir, 'sweep.json')}\n`);
  return values['plan-only'] ? 0 : run(dir, values.shard);
}
