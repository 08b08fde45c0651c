// The sweep panel (#sweep): one experiment over the values of one parameter × several seeds,
// run on a pool of Web Workers (sweep-pool.ts), with the plan, the rows and the statistics of
// src/experiments/sweep.ts — the same functions as `featurelab sweep` and `sweep report`, so
// the sweep's fingerprint and summary.json are the CLI's. The plot of a metric's mean ± 95 %
// CI against the parameter (sweep-plot.ts) is redrawn as rows arrive.
//
// Planning (point keys are SHA-256 fingerprints) and the summary (the t quantile goes through
// the engine's math) need an engine: the panel starts one of its own on the main thread, on
// one thread, the first time the view is shown.

import wasmUrl from '../../dist/featurelab.wasm?url';
import { createEngine, type Engine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { buildPlan, parseGrid, parseSeeds, type SweepPlan, type SweepRow, type SweepSummary, summarize } from '../experiments/sweep.js';
import type { Experiment, ParamValue, Preset } from '../experiments/types.js';
import { downloadBlob } from './download.js';
import { byId, formatDuration } from './dom.js';
import type { SweepPlot, SweepPlotPoint } from './sweep-plot.js';
import { SweepPool } from './sweep-pool.js';
import { Cancelled } from './worker-client.js';

export const SWEEP_HASH = '#sweep';
const MAX_WORKERS = 64;
/** The default pool: one worker per logical core, at most this many (each holds an engine and its memory). */
const DEFAULT_MAX_WORKERS = 8;
/** The page plans as you type and keeps every row in memory: larger sweeps belong to the CLI. */
export const MAX_PAGE_POINTS = 10_000;

const pool = new SweepPool();
let running = false;
let engine: Promise<Engine> | null = null;
let fl: Engine | null = null;

const experimentSelect = byId<HTMLSelectElement>('sweep-experiment');
const presetSelect = byId<HTMLSelectElement>('sweep-preset');
const paramSelect = byId<HTMLSelectElement>('sweep-param');
const valuesInput = byId<HTMLInputElement>('sweep-values');
const fixedInput = byId<HTMLInputElement>('sweep-fixed');
const seedsInput = byId<HTMLInputElement>('sweep-seeds');
const workersInput = byId<HTMLInputElement>('sweep-workers');
const metricSelect = byId<HTMLSelectElement>('sweep-metric');
const runButton = byId<HTMLButtonElement>('sweep-run');
const cancelButton = byId<HTMLButtonElement>('sweep-cancel');
const plotBox = byId('sweep-plot');

interface Checked {
  plan: SweepPlan;
  param: string;
  workers: number;
  /** The same sweep on the command line. */
  command: string;
}

/** The run on screen: its plan, the rows so far and its summary. */
let current: { plan: SweepPlan; param: string; rows: SweepRow[]; summary: SweepSummary | null; workers: number } | null = null;

const currentExperiment = (): Experiment => findExperiment(experimentSelect.value);
const currentPreset = (): Preset => (presetSelect.value === 'paper' ? 'paper' : 'quick');

function defaultWorkers(): number {
  return Math.max(1, Math.min(DEFAULT_MAX_WORKERS, navigator.hardwareConcurrency || 2));
}

function parseWorkers(raw: string): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_WORKERS) {
    throw new ArgumentError(`sweep: workers must be an integer in [1, ${MAX_WORKERS}], got '${raw}'`);
  }
  return Number(raw);
}

/**
 * Plans the form's sweep exactly as `featurelab sweep` would plan its command line:
 * `param=values` plus each fixed `key=value` as grid pairs (parseGrid), the seeds (parseSeeds),
 * then buildPlan. Throws the CLI's ArgumentErrors.
 */
function checkForm(engine: Engine): Checked {
  const exp = currentExperiment();
  const preset = currentPreset();
  const param = paramSelect.value;
  const values = valuesInput.value.trim();
  if (values === '') throw new ArgumentError(`sweep ${exp.id}: give the values of ${param}, comma-separated (2,4,8) or range(start,stop[,step])`);
  const fixed = fixedInput.value.trim().split(/\s+/).filter(Boolean);
  const pairs = [`${param}=${values}`, ...fixed];
  const grid = parseGrid(exp, pairs);
  for (const pair of fixed) {
    const key = pair.slice(0, pair.indexOf('='));
    const n = grid[key]?.length ?? 0;
    if (n !== 1) throw new ArgumentError(`sweep ${exp.id}: the fixed parameter ${key} takes one value, got ${n} (this panel sweeps one parameter, ${param})`);
  }
  const seedsRaw = seedsInput.value.trim();
  const seeds = parseSeeds(seedsRaw);
  const workers = parseWorkers(workersInput.value.trim());
  const count = (grid[param]?.length ?? 0) * seeds.length; // the fixed keys have one value each
  if (count > MAX_PAGE_POINTS) {
    throw new ArgumentError(
      `sweep ${exp.id}: ${count} points (${grid[param]!.length} values × ${seeds.length} seeds); the page runs at most ${MAX_PAGE_POINTS}, use featurelab sweep for more`,
    );
  }
  const plan = buildPlan(engine, exp, grid, seeds, preset);
  const command = `featurelab sweep ${exp.id} ${pairs.join(' ')} --seeds ${seedsRaw} --preset ${preset}`;
  return { plan, param, workers, command };
}

/** Checks the form, shows what is wrong (or the equivalent command), and enables Run when it can run. */
function validate(): Checked | null {
  const box = byId('sweep-error');
  let checked: Checked | null = null;
  let problem: string | null = null;
  if (!fl) problem = 'Starting the engine…';
  else {
    try {
      checked = checkForm(fl);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      problem = e instanceof ArgumentError ? e.message : `${e.name}: ${e.message}`;
    }
  }
  box.hidden = problem === null || !fl;
  box.textContent = fl ? (problem ?? '') : '';
  byId('sweep-command').textContent = checked ? `${checked.plan.points.length} points; on the command line: ${checked.command}` : '';
  runButton.disabled = running || checked === null;
  runButton.title = running ? 'A sweep is running (Cancel stops it)' : (problem ?? 'Run every point of this sweep in this browser');
  return checked;
}

function setStatus(state: 'idle' | 'running' | 'done' | 'error' | 'cancelled', label: string): void {
  byId('sweep-status').dataset.state = state;
  byId('sweep-status-label').textContent = label;
}

function fillParams(exp: Experiment): void {
  paramSelect.replaceChildren(...exp.params.map((p) => new Option(`${p.name} (${p.type})`, p.name)));
  // a numeric parameter is the usual x axis
  paramSelect.value = (exp.params.find((p) => p.type === 'number') ?? exp.params[0]!).name;
  fillValues();
}

function fillValues(): void {
  const spec = currentExperiment().params.find((p) => p.name === paramSelect.value);
  valuesInput.value = spec ? String(spec[currentPreset()]) : '';
}

/** Fixes the experiment's smoke-test sizes (its `smoke` overrides, well under a second a run), except the swept parameter. */
function fillTiny(): void {
  const exp = currentExperiment();
  fixedInput.value = Object.entries(exp.smoke ?? {})
    .filter(([key]) => key !== paramSelect.value)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

// ---- drawing -----------------------------------------------------------------------------

let plot: { key: string; view: SweepPlot } | null = null;
let drawing = false;
let dirty = false;

function plotPoints(summary: SweepSummary, param: string, metric: string): SweepPlotPoint[] {
  const out: SweepPlotPoint[] = [];
  for (const g of summary.groups) {
    const m = g.metrics[metric];
    if (!m || m.mean === null) continue;
    out.push({ x: plotX(g.params[param]!), n: m.n, mean: m.mean, ciLo: m.ciLo, ciHi: m.ciHi });
  }
  return out;
}

const plotX = (v: ParamValue): number | string => (typeof v === 'number' ? v : String(v));

/** Keeps the metric choice, offering the metrics the rows have (in the first row's order). */
function fillMetrics(rows: readonly SweepRow[]): void {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const have = [...metricSelect.options].map((o) => o.value);
  if (names.length === have.length && names.every((n, i) => n === have[i])) return;
  const chosen = metricSelect.value;
  metricSelect.replaceChildren(...names.map((n) => new Option(n, n)));
  if (names.includes(chosen)) metricSelect.value = chosen;
}

/** Draws the run on screen; calls made while a draw is in flight are folded into one more draw. */
function requestDraw(): void {
  if (drawing) {
    dirty = true;
    return;
  }
  drawing = true;
  void (async () => {
    try {
      do {
        dirty = false;
        await drawOnce();
      } while (dirty);
    } finally {
      drawing = false;
    }
  })();
}

async function drawOnce(): Promise<void> {
  const run = current;
  if (!run || !fl || run.rows.length === 0) return;
  // The summary of the rows so far, taken now: the plot shows what had arrived when it began.
  const summary = summarize(fl, run.plan, run.rows);
  const rowsDrawn = run.rows.length;
  fillMetrics(run.rows);
  const metric = metricSelect.value;
  if (!metric) return;
  const spec = run.plan.points[0]!.params[run.param];
  const key = `${run.plan.points[0]!.key}|${run.plan.points.length}|${run.param}|${metric}`;
  try {
    if (plot?.key !== key) {
      plot?.view.finalize();
      plot = null;
      const { createSweepPlot } = await import('./sweep-plot.js');
      plot = { key, view: await createSweepPlot(plotBox, run.param, metric, typeof spec === 'number') };
    }
    await plot.view.update(plotPoints(summary, run.param, metric));
    if (current === run) plotBox.dataset.rows = String(rowsDrawn);
  } catch (error) {
    plot = null;
    plotBox.textContent = `the plot could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
  }
}

// ---- running -----------------------------------------------------------------------------

function showProgress(started: number): void {
  if (!current) return;
  const done = current.rows.length;
  const total = current.plan.points.length;
  byId<HTMLProgressElement>('sweep-progress').value = total ? done / total : 1;
  byId('sweep-status-label').textContent = `${done}/${total} points done on ${Math.min(current.workers, total)} workers`;
  const elapsed = (performance.now() - started) / 1000;
  const left = done > 0 && done < total ? (elapsed * (total - done)) / done : null;
  byId('sweep-status-time').textContent = `${formatDuration(elapsed)} elapsed${left === null ? '' : `, about ${formatDuration(left)} left`}`;
}

function showFacts(seconds: number | null): void {
  if (!current) return;
  const { plan, summary } = current;
  byId('sweep-fingerprint').textContent = summary?.fingerprint ?? `(incomplete: ${current.rows.length} of ${plan.points.length} points)`;
  const grid = Object.entries(plan.grid)
    .map(([k, vs]) => `${k} = ${vs.join(', ')}`)
    .join(' · ');
  byId('sweep-facts').textContent =
    `${plan.id} · preset ${plan.preset} · ${grid} · ${plan.seeds.length} seeds · ${plan.points.length} points · featurelab ${plan.version}` +
    (seconds === null ? '' : ` · ${seconds.toFixed(1)} s on ${Math.min(current.workers, plan.points.length)} workers`);
}

export async function runSweep(): Promise<void> {
  if (running) return;
  const checked = validate();
  if (!checked || !fl) return;
  const { plan, param, workers } = checked;
  const run: NonNullable<typeof current> = { plan, param, rows: [], summary: null, workers };
  current = run;
  plot?.view.finalize();
  plot = null;
  plotBox.replaceChildren();
  delete plotBox.dataset.rows;
  byId('sweep-result').hidden = false;
  showFacts(null);
  setRunning(true);
  setStatus('running', '');
  const started = performance.now();
  showProgress(started);
  const timer = setInterval(() => showProgress(started), 500);
  try {
    const finished = pool.run(plan.id, plan.preset, plan.points, workers, (row) => {
      run.rows.push(row);
      showProgress(started);
      requestDraw();
    });
    byId('sweep-status').dataset.workers = String(pool.size); // started, synchronously
    await finished;
    run.summary = summarize(fl, plan, run.rows);
    showFacts((performance.now() - started) / 1000);
    setStatus('done', `all ${plan.points.length} points done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    // what has arrived stays on screen and can be saved; the fingerprint needs every point
    run.summary = summarize(fl, plan, run.rows);
    showFacts(null);
    if (error instanceof Cancelled) setStatus('cancelled', `Cancelled after ${run.rows.length}/${plan.points.length} points; the workers were stopped.`);
    else
      setStatus('error', `The sweep failed: ${error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)}`);
  } finally {
    clearInterval(timer);
    byId('sweep-status-time').textContent = '';
    setRunning(false);
    requestDraw();
  }
}

function setRunning(value: boolean): void {
  running = value;
  cancelButton.disabled = !running;
  byId('sweep-status').dataset.workers = String(pool.size);
  for (const id of ['sweep-download-csv', 'sweep-download-jsonl', 'sweep-download-summary']) byId<HTMLButtonElement>(id).disabled = running;
  validate();
}

// ---- downloads ---------------------------------------------------------------------------

const csvCell = (v: unknown): string => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

/** One row per point in plan order: key, index, seed, every parameter, every metric, each claim (claim:<id>), fingerprint, seconds. */
export function rowsCsv(plan: SweepPlan, rows: readonly SweepRow[]): string {
  const sorted = [...rows].sort((a, b) => a.index - b.index);
  const params = Object.keys(plan.points[0]?.params ?? {});
  const metrics = [...new Set(sorted.flatMap((r) => Object.keys(r.metrics)))];
  const claims = [...new Set(sorted.flatMap((r) => Object.keys(r.claims)))];
  const head = ['key', 'index', 'seed', ...params, ...metrics, ...claims.map((c) => `claim:${c}`), 'fingerprint', 'seconds'];
  const lines = [head.map(csvCell).join(',')];
  for (const r of sorted) {
    lines.push(
      [
        r.key,
        r.index,
        r.seed,
        ...params.map((p) => r.params[p]),
        ...metrics.map((m) => r.metrics[m]),
        ...claims.map((c) => r.claims[c]),
        r.fingerprint,
        r.seconds,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function download(kind: 'csv' | 'jsonl' | 'summary'): void {
  if (!current) return;
  const { plan, rows } = current;
  const stem = `${plan.id}-sweep-${(current.summary?.fingerprint ?? 'incomplete').slice(0, 12)}`;
  if (kind === 'csv') downloadBlob(`${stem}-rows.csv`, new Blob([rowsCsv(plan, rows)], { type: 'text/csv' }));
  else if (kind === 'jsonl') {
    const text = [...rows]
      .sort((a, b) => a.index - b.index)
      .map((r) => `${JSON.stringify(r)}\n`)
      .join('');
    downloadBlob(`${stem}-rows.jsonl`, new Blob([text], { type: 'application/x-ndjson' }));
  } else if (current.summary) {
    // the bytes `featurelab sweep report` writes to summary.json
    downloadBlob(`${stem}-summary.json`, new Blob([`${JSON.stringify(current.summary, null, 1)}\n`], { type: 'application/json' }));
  }
}

// ---- set-up ------------------------------------------------------------------------------

/** Starts the panel's engine (once) and checks the form when it is ready. */
export function prepareSweepView(): void {
  engine ??= createEngine({ wasm: new URL(wasmUrl, location.href), threads: 1 }).then((e) => {
    fl = e;
    validate();
    return e;
  });
  engine.catch((error: unknown) => {
    setStatus('error', `The engine could not start: ${error instanceof Error ? error.message : String(error)}`);
  });
}

export function setUpSweepView(): void {
  for (const e of EXPERIMENTS) experimentSelect.append(new Option(`${e.id} — ${e.title}`, e.id));
  fillParams(currentExperiment());
  workersInput.value = String(defaultWorkers());
  experimentSelect.addEventListener('change', () => {
    fillParams(currentExperiment());
    fixedInput.value = '';
    metricSelect.replaceChildren();
    validate();
  });
  paramSelect.addEventListener('change', () => {
    fillValues();
    validate();
  });
  presetSelect.addEventListener('change', () => {
    fillValues();
    validate();
  });
  byId('sweep-tiny').addEventListener('click', () => {
    fillTiny();
    validate();
  });
  const form = byId<HTMLFormElement>('sweep-form');
  form.addEventListener('input', (event) => {
    if (event.target !== metricSelect) validate();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runSweep();
  });
  metricSelect.addEventListener('change', requestDraw);
  cancelButton.addEventListener('click', () => pool.cancel());
  byId('sweep-download-csv').addEventListener('click', () => download('csv'));
  byId('sweep-download-jsonl').addEventListener('click', () => download('jsonl'));
  byId('sweep-download-summary').addEventListener('click', () => download('summary'));
  validate();
}
