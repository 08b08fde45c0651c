// The interactive page: pick an experiment, edit its parameters (a form generated from the
// experiment's schema), run it in a Web Worker, and show plots, claims, metrics and the
// fingerprint; plus a benchmark view. The URL fragment encodes the run (see url-state.ts).

import type { BenchReport, BenchSuiteName } from '../harness/bench-suite.js';
import { EXPERIMENTS, VERSION } from '../experiments/index.js';
import { describeAllowed, resolveParams } from '../experiments/params.js';
import type { Experiment, ExperimentResult, ParamSpec, ParamValue, Preset } from '../experiments/types.js';
import { downloadBlob } from './download.js';
import { checkForm } from './form-state.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { formatHash, parseHash, type BenchState, type ExperimentState, type PageState } from './url-state.js';

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
};

function formatNumber(v: ParamValue): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(3);
}

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function downloadJson(fileName: string, data: unknown): void {
  downloadBlob(fileName, new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }));
}

/** 42 s, 3.5 min. */
function formatDuration(seconds: number): string {
  return seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${(seconds / 60).toFixed(1)} min`;
}

// ---------------------------------------------------------------------------------------
// The worker: one at a time; Cancel terminates it (a synchronous wasm computation cannot be
// interrupted any other way) and starts a fresh one.

class Cancelled extends Error {}

type Finished = Extract<WorkerReply, { kind: 'result' | 'bench-result' }>;

interface Pending {
  job: number;
  resolve(reply: Finished): void;
  reject(error: Error): void;
  progress(fraction: number, label: string): void;
}

class WorkerClient {
  #worker: Worker;
  #job = 0;
  #pending: Pending | null = null;

  constructor() {
    this.#worker = this.#start();
  }

  get busy(): boolean {
    return this.#pending !== null;
  }

  #start(): Worker {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'featurelab' });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#settle((p) => p.reject(new Error(`the worker failed: ${event.message || 'could not load it'}`)));
    };
    return worker;
  }

  #settle(action: (pending: Pending) => void): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending) action(pending);
  }

  #receive(reply: WorkerReply): void {
    const pending = this.#pending;
    if (!pending || reply.job !== pending.job) return; // a reply from before a cancel
    if (reply.kind === 'progress') pending.progress(reply.fraction, reply.label);
    else if (reply.kind === 'error') {
      const error = new Error(reply.message);
      error.name = reply.name;
      this.#settle((p) => p.reject(error));
    } else this.#settle((p) => p.resolve(reply));
  }

  request(make: (job: number) => WorkerRequest, progress: (fraction: number, label: string) => void): Promise<Finished> {
    if (this.#pending) return Promise.reject(new Error('a run is already in progress'));
    const job = ++this.#job;
    return new Promise<Finished>((resolve, reject) => {
      this.#pending = { job, resolve, reject, progress };
      this.#worker.postMessage(make(job));
    });
  }

  cancel(): void {
    this.#worker.terminate();
    this.#worker = this.#start();
    this.#settle((p) => p.reject(new Cancelled('cancelled')));
  }
}

const client = new WorkerClient();

type StatusState = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

function setStatus(prefix: '' | 'bench-', state: StatusState, label: string, fraction = 0): void {
  byId(`${prefix}status`).dataset.state = state;
  byId(`${prefix}status-label`).textContent = label;
  byId(`${prefix}status-time`).textContent = '';
  byId<HTMLProgressElement>(`${prefix}progress`).value = fraction;
}

/**
 * The progress bar during a run. Experiments report at a few milestones, which at the paper
 * preset can be minutes apart (two-step's main run and its fresh/reused comparison), so
 * between reports the bar creeps on (slowing down, towards at most a tenth of what is left:
 * it shows the page is alive without running far ahead of the reports, never reaches the
 * end, never moves back) and the time elapsed, with an estimate of what is left, counts up
 * beside the last reported percentage.
 */
class ProgressDisplay {
  static readonly TICK_MS = 250;
  static readonly CREEP_SHARE = 0.1;
  static readonly CREEP_SECONDS = 30;
  #prefix: '' | 'bench-' = '';
  #title = '';
  #started = 0;
  #reported = 0;
  #label = '';
  #reportedAt = 0;
  #base = 0;
  #shown = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  start(prefix: '' | 'bench-', title: string): void {
    this.stop();
    this.#prefix = prefix;
    this.#title = title;
    this.#started = this.#reportedAt = performance.now();
    this.#reported = this.#base = this.#shown = 0;
    this.#label = 'starting…';
    setStatus(prefix, 'running', `${title}: starting…`, 0);
    this.#timer = setInterval(() => this.#draw(), ProgressDisplay.TICK_MS);
  }

  report(fraction: number, label: string): void {
    this.#reported = Math.min(1, Math.max(0, fraction));
    this.#label = label;
    this.#reportedAt = performance.now();
    this.#base = Math.max(this.#reported, this.#shown);
    this.#draw();
  }

  #draw(): void {
    const now = performance.now();
    const quiet = (now - this.#reportedAt) / 1000;
    this.#shown = this.#base + (1 - this.#base) * ProgressDisplay.CREEP_SHARE * (1 - Math.exp(-quiet / ProgressDisplay.CREEP_SECONDS));
    byId<HTMLProgressElement>(`${this.#prefix}progress`).value = this.#shown;
    byId(`${this.#prefix}status-label`).textContent = `${this.#title}: ${Math.round(this.#reported * 100)}% ${this.#label}`;
    const elapsed = (now - this.#started) / 1000;
    // the rate so far, once there is something to go on
    const left = this.#reported >= 0.05 && elapsed >= 3 ? (elapsed * (1 - this.#reported)) / this.#reported : null;
    byId(`${this.#prefix}status-time`).textContent = `${formatDuration(elapsed)} elapsed${left === null ? '' : `, about ${formatDuration(left)} left`}`;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const progressDisplay = new ProgressDisplay();

let busy = false;
/** Why Run cannot run the form as it stands (null: it can). */
let formBlocked: string | null = null;

function updateRunButton(): void {
  const run = byId<HTMLButtonElement>('run');
  run.disabled = busy || formBlocked !== null;
  run.title = busy ? 'A run is in progress (Cancel stops it)' : (formBlocked ?? 'Run this experiment in your browser with these parameters');
}

/** Run buttons are disabled while either view runs: they share the one worker. */
function setBusy(value: boolean): void {
  busy = value;
  updateRunButton();
  byId<HTMLButtonElement>('bench-run').disabled = busy;
  byId<HTMLButtonElement>('cancel').disabled = !busy;
  byId<HTMLButtonElement>('bench-cancel').disabled = !busy;
}

// ---------------------------------------------------------------------------------------
// Experiment view

let experiment: Experiment = EXPERIMENTS[0]!;
const fields = new Map<string, HTMLInputElement | HTMLSelectElement>();
let lastResult: ExperimentResult | null = null;

const presetSelect = byId<HTMLSelectElement>('preset');
const seedInput = byId<HTMLInputElement>('seed');
const currentPreset = (): Preset => (presetSelect.value === 'paper' ? 'paper' : 'quick');

function buildParamFields(exp: Experiment, preset: Preset, overrides: ReadonlyMap<string, string>): void {
  const fieldset = byId('params');
  fieldset.replaceChildren(Object.assign(document.createElement('legend'), { textContent: 'Parameters' }));
  fields.clear();
  for (const spec of exp.params) {
    const wrap = document.createElement('div');
    wrap.className = 'param';
    wrap.dataset.param = spec.name;
    const label = document.createElement('label');
    label.className = 'name';
    label.textContent = spec.name;
    const tooltip = `${spec.name}: ${spec.doc} (${describeAllowed(spec)})`;
    label.title = tooltip;
    const raw = overrides.get(spec.name) ?? String(spec[preset]);
    let input: HTMLInputElement | HTMLSelectElement;
    if (spec.type === 'enum') {
      input = document.createElement('select');
      for (const value of spec.values ?? []) input.append(new Option(value, value));
      // an invalid enum value from the URL is kept visible so its error can be shown
      if (!spec.values?.includes(raw)) input.append(new Option(`${raw} (not allowed)`, raw));
      input.value = raw;
    } else if (spec.type === 'boolean') {
      input = document.createElement('input');
      input.type = 'checkbox';
      input.checked = raw === 'true' || raw === '1';
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = spec.type === 'int' ? 'numeric' : 'decimal';
      input.value = raw;
    }
    input.id = `param-${spec.name}`;
    input.name = spec.name;
    input.title = tooltip;
    label.htmlFor = input.id;
    const changed = document.createElement('span');
    changed.className = 'changed-marker';
    const help = document.createElement('div');
    help.className = 'help';
    help.textContent = `${spec.doc} — ${describeAllowed(spec)}; quick ${String(spec.quick)}, paper ${String(spec.paper)}`;
    if (spec.assumption) {
      const assumed = document.createElement('span');
      assumed.className = 'assumed';
      assumed.textContent = ` [assumed: ${spec.assumption}]`;
      help.append(assumed);
    }
    const error = document.createElement('div');
    error.className = 'error';
    const control = document.createElement('span');
    control.className = 'control';
    control.append(input, changed);
    wrap.append(label, control, help, error);
    fieldset.append(wrap);
    fields.set(spec.name, input);
  }
}

function rawValue(spec: ParamSpec): string {
  const input = fields.get(spec.name)!;
  return input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value.trim();
}

interface FormReading {
  /** Every field and the seed valid, and no cross-parameter rule broken. */
  valid: boolean;
  seed: number;
  /** Parameters whose value differs from the preset, in schema order, as typed. */
  overrides: [string, string][];
}

/**
 * Reads and checks the form: marks each invalid field with its message and each value that
 * differs from the preset, lists broken cross-parameter rules, and enables Run only when
 * the form can run.
 */
function readForm(): FormReading {
  const preset = currentPreset();
  const check = checkForm(experiment, preset, new Map(experiment.params.map((spec) => [spec.name, rawValue(spec)])));
  for (const field of check.fields) {
    const wrap = fields.get(field.name)!.closest<HTMLElement>('.param')!;
    wrap.classList.toggle('invalid', field.error !== undefined);
    wrap.querySelector('.error')!.textContent = field.error ?? '';
    const changed = field.error === undefined && field.differs;
    wrap.classList.toggle('changed', changed);
    const marker = wrap.querySelector<HTMLElement>('.changed-marker')!;
    marker.textContent = changed ? `changed (${preset}: ${String(field.preset)})` : '';
    marker.title = changed ? `differs from the ${preset} preset, which has ${field.name} = ${String(field.preset)}` : '';
  }
  const rules = byId('constraint-error');
  rules.hidden = check.violations.length === 0;
  const list = document.createElement('ul');
  list.append(...check.violations.map((message) => Object.assign(document.createElement('li'), { textContent: message })));
  rules.replaceChildren(...(check.violations.length ? ['These parameters do not go together:', list] : []));
  const seedText = seedInput.value.trim();
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : NaN;
  const seedOk = Number.isSafeInteger(seed);
  seedInput.classList.toggle('invalid', !seedOk);
  byId('seed-error').textContent = seedOk ? '' : `seed must be an integer in [0, 2^53), got '${seedText}'`;
  formBlocked =
    check.violations.length > 0
      ? 'The parameters break a rule of this experiment (see the message above): change them first'
      : !check.runnable || !seedOk
        ? 'Fix the marked fields first'
        : null;
  updateRunButton();
  return { valid: check.runnable && seedOk, seed, overrides: check.overrides };
}

function showFormError(message: string | null): void {
  const box = byId('form-error');
  box.hidden = message === null;
  box.textContent = message ?? '';
}

function experimentState(run: boolean): ExperimentState {
  const { overrides } = readForm();
  return { view: 'experiment', id: experiment.id, preset: currentPreset(), seed: seedInput.value.trim(), overrides, run };
}

/** Writes the state into the URL without adding history entries or firing hashchange. */
function writeHash(state: PageState): void {
  history.replaceState(null, '', formatHash(state));
}

/**
 * Minutes at the paper preset, measured in Node on one thread of a 2-core VM busy with other
 * jobs (node dist/cli.js run <id> --preset paper --threads 1; two-step from the README's
 * run): an upper estimate, since the page's worker computes on all cores when it can.
 */
const PAPER_MINUTES: Readonly<Record<string, number>> = {
  'ba-one-step': 1.5,
  'moniri-spikes': 4,
  'two-step': 6,
  'huang-linear': 1,
  'zhu-balance': 5,
  'zhou-ge-local': 0.5,
};

/** At the paper preset, say before Run that it takes minutes, not seconds. */
function updatePaperNotice(): void {
  const notice = byId('paper-notice');
  notice.hidden = currentPreset() !== 'paper';
  const minutes = PAPER_MINUTES[experiment.id];
  notice.textContent =
    `The paper preset runs at the paper's sizes: this takes ${minutes === undefined ? 'minutes' : `about ${minutes < 1 ? 'half a minute' : `${minutes} min`}`} ` +
    `(measured on one thread of a busy 2-core machine; more cores are faster), not seconds like the quick preset. ` +
    `Cancel stops it at any time.`;
  byId('run').textContent = notice.hidden ? 'Run' : minutes !== undefined && minutes < 1 ? 'Run (about half a minute)' : 'Run (takes minutes)';
}

/** Takes the last run's result and status off the page: they no longer match the form. */
function clearResult(): void {
  lastResult = null;
  byId('result').hidden = true;
  if (!busy) setStatus('', 'idle', 'Ready.');
}

/** Whether the worker is running an experiment (not the benchmark). */
let experimentRunning = false;

/** Another experiment or preset: a run still going would belong to neither, so it stops. */
function leaveExperiment(): void {
  if (experimentRunning) client.cancel();
  clearResult();
}

function selectExperiment(exp: Experiment, preset: Preset, overrides: ReadonlyMap<string, string>): void {
  if (exp !== experiment || preset !== currentPreset()) leaveExperiment();
  experiment = exp;
  byId<HTMLSelectElement>('experiment').value = exp.id;
  presetSelect.value = preset;
  byId('experiment-paper').textContent = exp.paper;
  byId('experiment-summary').textContent = exp.summary;
  const about = byId('experiment-about');
  about.textContent = exp.about ?? '';
  about.hidden = !exp.about;
  buildParamFields(exp, preset, overrides);
  updatePaperNotice();
}

/** Applies an experiment state from the URL; returns whether it is runnable. */
function applyExperimentState(state: ExperimentState): boolean {
  const problems: string[] = [];
  let exp = EXPERIMENTS.find((e) => e.id === state.id);
  if (!exp) {
    if (state.id !== '') problems.push(`unknown experiment '${state.id}' in the URL; experiments are ${EXPERIMENTS.map((e) => e.id).join(', ')}`);
    exp = EXPERIMENTS[0]!;
  }
  let preset: Preset = 'quick';
  if (state.preset === 'quick' || state.preset === 'paper') preset = state.preset;
  else problems.push(`preset must be quick or paper, got '${state.preset}'`);
  const known = new Map<string, string>();
  for (const [key, value] of state.overrides) {
    if (exp.params.some((p) => p.name === key)) known.set(key, value);
    else problems.push(`${exp.id}: unknown parameter '${key}' in the URL; parameters are ${exp.params.map((p) => p.name).join(', ')}`);
  }
  selectExperiment(exp, preset, known);
  seedInput.value = state.seed;
  const reading = readForm();
  showFormError(problems.length ? problems.join('\n') : null);
  const runnable = problems.length === 0 && reading.valid;
  if (!runnable) clearResult(); // a bad link must not leave another run's result under its form
  return runnable;
}

function showResult(result: ExperimentResult): void {
  lastResult = result;
  byId('result-title').textContent = result.title;
  byId('result-paper').textContent = result.paper;
  byId('fingerprint').textContent = result.fingerprint;
  const passed = result.claims.filter((c) => c.pass).length;
  byId('result-facts').textContent =
    `${result.id} · preset ${result.preset} · seed ${result.seed} · ${result.seconds.toFixed(2)} s in this browser · ` +
    `${passed}/${result.claims.length} claims pass · featurelab ${result.version}`;
  const overrides: [string, string][] = [];
  const exp = EXPERIMENTS.find((e) => e.id === result.id);
  for (const spec of exp?.params ?? []) {
    const value = result.params[spec.name]!;
    if (value !== spec[result.preset]) overrides.push([spec.name, String(value)]);
  }
  byId<HTMLAnchorElement>('permalink').href = formatHash({
    view: 'experiment',
    id: result.id,
    preset: result.preset,
    seed: String(result.seed),
    overrides,
    run: true,
  });

  const claims = byId<HTMLTableElement>('claims').tBodies[0]!;
  claims.replaceChildren();
  for (const c of result.claims) {
    const row = claims.insertRow();
    row.className = c.pass ? 'pass' : 'fail';
    row.dataset.claim = c.id;
    cell(row, c.pass ? 'pass' : 'FAIL');
    cell(row, c.id);
    const statement = cell(row, c.statement);
    const note = c.pass ? undefined : exp?.failureNotes?.[c.id];
    if (note) {
      const why = document.createElement('div');
      why.className = 'failure-note';
      why.append(Object.assign(document.createElement('b'), { textContent: 'Why it can fail: ' }), note);
      statement.append(why);
    }
    cell(row, formatNumber(c.predicted), 'num');
    cell(row, formatNumber(c.measured), 'num');
    cell(row, c.tolerance);
  }
  const fillPairs = (id: string, entries: [string, ParamValue][], format: (v: ParamValue) => string) => {
    const body = byId<HTMLTableElement>(id).tBodies[0]!;
    body.replaceChildren();
    for (const [key, value] of entries) {
      const row = body.insertRow();
      cell(row, key);
      cell(row, format(value), 'num');
    }
  };
  fillPairs('metrics', Object.entries(result.metrics), formatNumber);
  fillPairs('result-params', Object.entries(result.params), String); // as given, not rounded
  const assumptions = byId('assumptions');
  assumptions.replaceChildren(
    ...result.assumptions.map((a) => {
      const li = document.createElement('li');
      const b = document.createElement('b');
      b.textContent = `${a.name} = ${formatNumber(a.value)}`;
      li.append(b, `: ${a.note}`);
      return li;
    }),
  );
  byId('assumptions-block').hidden = result.assumptions.length === 0;
  byId('result').hidden = false;
  byId('result').scrollIntoView({ block: 'start' });

  const plots = byId('plots');
  delete plots.dataset.rendered;
  plots.textContent = 'drawing plots…';
  import('./plots.js')
    .then(({ renderPlots }) =>
      lastResult === result ? renderPlots(plots, result.plots, result.series, `${result.id}-seed${result.seed}-${result.fingerprint.slice(0, 12)}`) : undefined,
    )
    .then(() => {
      if (lastResult === result) plots.dataset.rendered = String(result.plots.length);
    })
    .catch((error: unknown) => {
      plots.textContent = `plots could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
    });
}

async function runCurrentExperiment(): Promise<void> {
  if (client.busy) return;
  const reading = readForm();
  if (!reading.valid) {
    showFormError(formBlocked ?? 'Fix the marked fields first.');
    clearResult();
    return;
  }
  // The whole resolution, as the worker will do it (catches anything the per-field checks miss).
  try {
    resolveParams(experiment, currentPreset(), Object.fromEntries(reading.overrides));
  } catch (error) {
    showFormError(error instanceof Error ? error.message : String(error));
    clearResult();
    return;
  }
  showFormError(null);
  writeHash(experimentState(true));
  clearResult();
  setBusy(true);
  experimentRunning = true;
  const exp = experiment;
  progressDisplay.start('', exp.id);
  const started = performance.now();
  try {
    const reply = await client.request(
      (job) => ({ kind: 'run', job, id: exp.id, preset: currentPreset(), seed: reading.seed, overrides: Object.fromEntries(reading.overrides) }),
      (fraction, label) => progressDisplay.report(fraction, label),
    );
    if (reply.kind !== 'result') throw new Error(`unexpected reply ${reply.kind}`);
    progressDisplay.stop();
    setStatus('', 'done', `done in ${((performance.now() - started) / 1000).toFixed(1)} s`, 1);
    showResult(reply.result);
  } catch (error) {
    progressDisplay.stop();
    if (error instanceof Cancelled) setStatus('', 'cancelled', 'Cancelled. The worker was restarted; the page is ready.');
    else {
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      setStatus('', 'error', 'The run failed (see above).');
      showFormError(message);
    }
  } finally {
    progressDisplay.stop();
    experimentRunning = false;
    setBusy(false);
  }
}

function setUpExperimentView(): void {
  const select = byId<HTMLSelectElement>('experiment');
  for (const e of EXPERIMENTS) select.append(new Option(`${e.id} — ${e.title}`, e.id));
  select.addEventListener('change', () => {
    selectExperiment(EXPERIMENTS.find((e) => e.id === select.value)!, currentPreset(), new Map());
    showFormError(null);
    writeHash(experimentState(false));
  });
  presetSelect.addEventListener('change', () => {
    // A preset is a complete set of values: switching resets every field to it.
    leaveExperiment();
    buildParamFields(experiment, currentPreset(), new Map());
    updatePaperNotice();
    showFormError(null);
    writeHash(experimentState(false));
  });
  byId('reset').addEventListener('click', () => {
    buildParamFields(experiment, currentPreset(), new Map());
    showFormError(null);
    writeHash(experimentState(false));
  });
  const form = byId<HTMLFormElement>('experiment-form');
  // Keep the URL in step with the form (without run=1: a reload shows, not runs, edits).
  form.addEventListener('input', (event) => {
    if (event.target === select || event.target === presetSelect) return;
    const state = experimentState(false); // reads (and marks) the form
    if (formBlocked !== null) clearResult(); // no result under a form that cannot run
    writeHash(state);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runCurrentExperiment();
  });
  byId('cancel').addEventListener('click', () => client.cancel());
  byId('download').addEventListener('click', () => {
    if (lastResult) downloadJson(`${lastResult.id}-seed${lastResult.seed}-${lastResult.fingerprint.slice(0, 12)}.json`, lastResult);
  });
}

// ---------------------------------------------------------------------------------------
// Benchmark view

let lastReport: BenchReport | null = null;
const suiteSelect = byId<HTMLSelectElement>('bench-suite');
const currentSuite = (): BenchSuiteName => (suiteSelect.value === 'quick' ? 'quick' : 'full');

function environment(): string {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return `${navigator.userAgent} · ${navigator.hardwareConcurrency ?? '?'} logical cores · cross-origin isolated: ${isolated ? 'yes' : 'no'}`;
}

function showBenchReport(report: BenchReport): void {
  lastReport = report;
  const body = byId<HTMLTableElement>('bench-table').tBodies[0]!;
  body.replaceChildren();
  for (const c of report.cases) {
    const row = body.insertRow();
    row.dataset.case = c.id;
    cell(row, c.label);
    cell(row, c.medianMs.toFixed(1), 'num');
    cell(row, c.minMs.toFixed(1), 'num');
    cell(row, c.gflops === null ? '—' : c.gflops.toFixed(1), 'num');
    const code = document.createElement('code');
    code.className = 'fingerprint';
    code.textContent = c.fingerprint;
    row.insertCell().append(code);
  }
  byId('bench-fingerprint').textContent = report.fingerprint;
  byId('bench-facts').textContent =
    `suite ${report.suite} · ${report.totalSeconds.toFixed(1)} s in all · medians of ${report.cases[0]?.reps ?? 0} runs after a warm-up · ` +
    `GFLOP/s nominal (2n³ for GEMM, 4n³/3 for eigvalsh) · featurelab ${report.version} · ${report.environment}`;
  byId('bench-result').hidden = false;
}

async function runBenchmark(): Promise<void> {
  if (client.busy) return;
  const suite = currentSuite();
  writeHash({ view: 'bench', suite, run: true });
  byId('bench-result').hidden = true;
  setBusy(true);
  progressDisplay.start('bench-', `${suite} suite`);
  try {
    const reply = await client.request(
      (job) => ({ kind: 'bench', job, suite, environment: environment() }),
      (fraction, label) => progressDisplay.report(fraction, label),
    );
    if (reply.kind !== 'bench-result') throw new Error(`unexpected reply ${reply.kind}`);
    progressDisplay.stop();
    setStatus('bench-', 'done', `done in ${reply.report.totalSeconds.toFixed(1)} s`, 1);
    showBenchReport(reply.report);
  } catch (error) {
    progressDisplay.stop();
    if (error instanceof Cancelled) setStatus('bench-', 'cancelled', 'Cancelled. The worker was restarted; the page is ready.');
    else setStatus('bench-', 'error', `The benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    progressDisplay.stop();
    setBusy(false);
  }
}

function setUpBenchView(): void {
  byId('bench-run').addEventListener('click', () => void runBenchmark());
  byId('bench-cancel').addEventListener('click', () => client.cancel());
  suiteSelect.addEventListener('change', () => writeHash({ view: 'bench', suite: currentSuite(), run: false }));
  byId('bench-download').addEventListener('click', () => {
    if (lastReport) downloadJson(`featurelab-bench-${lastReport.suite}-${lastReport.fingerprint.slice(0, 12)}.json`, lastReport);
  });
}

// ---------------------------------------------------------------------------------------
// Views and the URL

function showView(view: 'experiment' | 'bench'): void {
  byId('experiment-view').hidden = view !== 'experiment';
  byId('bench-view').hidden = view !== 'bench';
  byId('nav-experiment').classList.toggle('active', view === 'experiment');
  byId('nav-bench').classList.toggle('active', view === 'bench');
}

function applyBenchState(state: BenchState): boolean {
  if (state.suite === 'quick' || state.suite === 'full') {
    suiteSelect.value = state.suite;
    return true;
  }
  setStatus('bench-', 'error', `suite must be quick or full, got '${state.suite}'`);
  return false;
}

/** Shows what the URL fragment says, and runs it when it carries run=1. */
function applyHash(): void {
  const state = parseHash(location.hash);
  if (client.busy) client.cancel();
  showView(state.view);
  if (state.view === 'bench') {
    if (applyBenchState(state) && state.run) void runBenchmark();
  } else {
    clearResult(); // a link opened is a new state: the last result belongs to another
    if (applyExperimentState(state) && state.run) void runCurrentExperiment();
  }
}

function setUpNavigation(): void {
  // Switching views keeps each view's form as it is; only the URL follows.
  byId('nav-experiment').addEventListener('click', (event) => {
    event.preventDefault();
    showView('experiment');
    writeHash(experimentState(false));
  });
  byId('nav-bench').addEventListener('click', (event) => {
    event.preventDefault();
    showView('bench');
    writeHash({ view: 'bench', suite: currentSuite(), run: false });
  });
  window.addEventListener('hashchange', applyHash);
}

setUpExperimentView();
setUpBenchView();
setUpNavigation();
byId('environment').textContent = `featurelab ${VERSION} · ${environment()}`;
// For the browser console (and the end-to-end tests): the experiments this page runs.
Object.assign(globalThis, { featurelab: { experiments: EXPERIMENTS, version: VERSION } });
applyHash();
