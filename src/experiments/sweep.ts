// Sweeps (docs/sweeps.md): the pure part, shared by the CLI (src/cli/sweep.ts: files,
// processes, schedulers) and the web page (Web Workers). A sweep is a plan — an experiment,
// a typed grid × seeds, each point keyed by a hash — then one row per finished point, then a
// summary over seeds per grid point whose fingerprint does not depend on who ran what, where
// or in which order.

import type { Engine } from '../core/engine.js';
import { ArgumentError, ConvergenceError, DivergenceError, NonFiniteError, NotPositiveDefiniteError } from '../core/errors.js';
import { runExperiment, VERSION } from './index.js';
import { parseValue, validateGrid } from './params.js';
import { median as medianOf, mean as meanOf, sampleSd, tInterval95, wilsonInterval } from './stats.js';
import type { Experiment, ExperimentResult, Params, ParamValue, Preset, SeriesRows } from './types.js';

export const SWEEP_FORMAT = 'featurelab-sweep/1';
export const DEFAULT_SEEDS = 10;
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
  /**
   * Series of the experiment kept in every results row and averaged over seeds (curves with
   * seed bands): name → its coordinate columns (copied; every other column is a measurement),
   * or null to infer them (string columns, and numeric columns equal across all seeds).
   */
  series?: Record<string, string[] | null>;
  points: SweepPoint[];
}

/** A row of a kept series, as stored: non-finite numbers become null (JSON has no NaN). */
export type KeptRow = Record<string, number | string | null>;

export interface SweepRow {
  key: string;
  index: number;
  params: Params;
  seed: number;
  metrics: Record<string, number | null>;
  claims: Record<string, boolean>;
  fingerprint: string;
  seconds: number;
  /** The plan's kept series (non-finite numbers as null). */
  series?: Record<string, KeptRow[]>;
  /** Set when the point failed numerically (runPoint): the error's name and message; no metrics or claims. */
  error?: string;
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
export function buildPlan(
  fl: Engine,
  exp: Experiment,
  grid: Record<string, unknown[]>,
  seeds: number[],
  preset: Preset,
  series?: Record<string, string[] | null>,
): SweepPlan {
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
  return { format: SWEEP_FORMAT, id: exp.id, version: VERSION, preset, grid: typedGrid, seeds, ...(series ? { series } : {}), points };
}

export function metricValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export interface MetricSummary {
  n: number;
  mean: number | null;
  sd: number | null;
  ciLo: number | null;
  ciHi: number | null;
  median: number | null;
}

export interface ClaimSummary {
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
  /** Points that failed numerically (runPoint): done, in the fingerprint, left out of the statistics. */
  failed: { key: string; index: number; seed: number; params: Params; error: string }[];
  interval: string;
  groups: SweepGroup[];
}

export interface SweepGroup {
  params: Params;
  /** Seeds with a result here (failed ones excluded; see `failed`). */
  seeds: number;
  /** Seeds of this grid point that failed numerically. */
  failed: number;
  metrics: Record<string, MetricSummary>;
  claims: Record<string, ClaimSummary>;
  /**
   * Each kept series averaged over seeds: one row per distinct coordinate tuple, with the
   * coordinates and, per measurement column c, c_mean, c_sd, c_lo, c_hi (95 % t) and c_n.
   */
  series?: Record<string, KeptRow[]>;
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

/**
 * The coordinate columns of a series: the given ones, or inferred as the string columns and
 * the numeric columns equal across all seeds row by row (with one seed every column is equal,
 * so the plan should name them).
 */
function seriesCoordinates(perSeed: readonly KeptRow[][], given: string[] | null): string[] {
  const columns = [...new Set(perSeed.flatMap((rows) => rows.flatMap((r) => Object.keys(r))))];
  if (given) return given;
  const sameLength = perSeed.every((rows) => rows.length === perSeed[0]!.length);
  return columns.filter((c) => {
    if (perSeed.some((rows) => rows.some((r) => typeof r[c] === 'string'))) return true;
    return sameLength && perSeed[0]!.every((r0, i) => perSeed.every((rows) => rows[i]![c] === r0[c]));
  });
}

/** Averages one series over seeds: rows are matched by their coordinates (and their order among equal coordinates). */
function summarizeSeries(fl: Engine, name: string, given: string[] | null, perSeed: readonly KeptRow[][]): KeptRow[] {
  if (perSeed.length === 0) return [];
  const coords = seriesCoordinates(perSeed, given);
  const measures = [...new Set(perSeed.flatMap((rows) => rows.flatMap((r) => Object.keys(r))))].filter((c) => !coords.includes(c));
  const cells = new Map<string, { at: KeptRow; rows: KeptRow[] }>();
  for (const rows of perSeed) {
    const seen = new Map<string, number>();
    for (const r of rows) {
      const tuple = JSON.stringify(coords.map((c) => r[c] ?? null));
      const k = seen.get(tuple) ?? 0; // the k-th row with these coordinates in this seed
      seen.set(tuple, k + 1);
      const cellKey = `${tuple}#${k}`;
      if (!cells.has(cellKey)) cells.set(cellKey, { at: Object.fromEntries(coords.map((c) => [c, r[c] ?? null])), rows: [] });
      cells.get(cellKey)!.rows.push(r);
    }
  }
  for (const c of measures) {
    if (perSeed.some((rows) => rows.some((r) => typeof r[c] === 'string')))
      throw new ArgumentError(`sweep: series '${name}': column '${c}' holds text, so it must be a coordinate`);
  }
  return [...cells.values()].map(({ at, rows }) => {
    const row: KeptRow = { ...at };
    for (const c of measures) {
      const m = summarizeMetric(
        fl,
        rows.map((r) => r[c]).filter((v): v is number => typeof v === 'number'),
      );
      Object.assign(row, { [`${c}_mean`]: m.mean, [`${c}_sd`]: m.sd, [`${c}_lo`]: m.ciLo, [`${c}_hi`]: m.ciHi, [`${c}_n`]: m.n });
    }
    return row;
  });
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
  for (const { params, rows: all } of groups.values()) {
    const rs = all.filter((r) => r.error === undefined);
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
    const series: Record<string, KeptRow[]> = {};
    for (const [name, coords] of Object.entries(plan.series ?? {})) {
      series[name] = summarizeSeries(
        fl,
        name,
        coords,
        rs.map((r) => r.series?.[name] ?? []),
      );
    }
    out.push({ params, seeds: rs.length, failed: all.length - rs.length, metrics, claims, ...(plan.series ? { series } : {}) });
  }
  return {
    id: plan.id,
    version: plan.version,
    preset: plan.preset,
    fingerprint,
    points: plan.points.length,
    missing,
    failed: plan.points.flatMap((p) => {
      const error = byKey.get(p.key)?.error;
      return error === undefined ? [] : [{ key: p.key, index: p.index, seed: p.seed, params: p.params, error }];
    }),
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

/** A kept series averaged over seeds, long: the swept keys, then the series' own columns. */
export function seriesCsv(plan: SweepPlan, s: SweepSummary, name: string): string {
  const keys = Object.keys(plan.grid);
  const rows = s.groups.flatMap((g) => (g.series?.[name] ?? []).map((r) => ({ at: keys.map((k) => g.params[k]), r })));
  const columns = [...new Set(rows.flatMap(({ r }) => Object.keys(r)))];
  // a series column named like a swept key keeps its own values, under `<series>.<column>`
  const header = columns.map((c) => (keys.includes(c) ? `${name}.${c}` : c));
  const lines = [[...keys, ...header].map(csvCell).join(',')];
  for (const { at, r } of rows) lines.push([...at, ...columns.map((c) => r[c])].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** Runs one point of a plan and returns its results row. */
/**
 * Runs one point of a plan and returns its results row. A numerical failure of the point itself
 * (no convergence, a non-finite value, divergence, a matrix not positive definite) is a result
 * too, deterministic like any other: the row carries the error, the sweep goes on, and the
 * report lists the point as failed. Any other error (bad arguments, a bug) stops the sweep.
 */
export function runPoint(fl: Engine, exp: Experiment, plan: Pick<SweepPlan, 'preset' | 'series'>, point: SweepPoint): SweepRow {
  const started = performance.now();
  let result: ExperimentResult;
  try {
    result = runExperiment(fl, exp, { preset: plan.preset, seed: point.seed, overrides: point.params });
  } catch (e) {
    if (!NUMERICAL_FAILURES.some((kind) => e instanceof kind)) throw e;
    const error = `${(e as Error).name}: ${(e as Error).message}`;
    return {
      key: point.key,
      index: point.index,
      params: point.params,
      seed: point.seed,
      metrics: {},
      claims: {},
      fingerprint: fl.fingerprint(['failed', error]),
      seconds: (performance.now() - started) / 1000,
      error,
    };
  }
  return pointRow(plan, point, result);
}

const NUMERICAL_FAILURES = [ConvergenceError, NonFiniteError, DivergenceError, NotPositiveDefiniteError];

/** The results row of a point from its experiment's result (reproduce --seeds runs its first seed with a full report). */
export function pointRow(plan: Pick<SweepPlan, 'series'>, point: SweepPoint, result: ExperimentResult): SweepRow {
  const kept = Object.keys(plan.series ?? {});
  for (const name of kept) {
    if (!Object.hasOwn(result.series, name)) {
      throw new ArgumentError(
        `sweep ${result.id}: the experiment has no series '${name}' at these parameters (it has ${Object.keys(result.series).join(', ')})`,
      );
    }
  }
  const finiteRows = (rows: SeriesRows): KeptRow[] =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? metricValue(v) : v])));
  return {
    key: point.key,
    index: point.index,
    params: point.params,
    seed: point.seed,
    metrics: Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, metricValue(v)])),
    claims: Object.fromEntries(result.claims.map((c) => [c.id, c.pass])),
    fingerprint: result.fingerprint,
    seconds: result.seconds,
    ...(kept.length ? { series: Object.fromEntries(kept.map((name) => [name, finiteRows(result.series[name]!)])) } : {}),
  };
}

/** What `reproduce --seeds K` measured (DIR/seeds.json, written by src/cli/reproduce.ts): per experiment, each claim's pass rate and each metric's mean ± CI over the seeds. */
export interface SeedsReport {
  format: string;
  version: string;
  preset: Preset;
  seeds: number[];
  /** A claim whose pass rate is below it is flagged (and fails `--strict`). */
  minPassRate: number;
  interval: string;
  experiments: {
    id: string;
    title: string;
    sweep: string;
    fingerprint: string | null;
    claims: Record<string, ClaimSummary>;
    metrics: Record<string, MetricSummary>;
    /** Seeds that failed numerically: they count as failing every claim. */
    failedSeeds?: number[];
  }[];
}
