// The interactive page: pick an experiment, edit its parameters (a form generated from the
// experiment's schema), run it in a Web Worker, and show plots, claims, metrics and the
// fingerprint; plus a benchmark view. The URL fragment encodes the run (see url-state.ts).

import type { BenchReport, BenchSuiteName } from '../bench-suite.js';
import { EXPERIMENTS, VERSION } from '../experiments/index.js';
import { describeAllowed, parseValue, resolveParams } from '../experiments/params.js';
import type { Experiment, ExperimentResult, ParamSpec, ParamValue, Preset } from '../experiments/types.js';
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
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
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
  byId<HTMLProgressElement>(`${prefix}progress`).value = fraction;
}

/** Run buttons are disabled while either view runs: they share the one worker. */
function setBusy(busy: boolean): void {
  byId<HTMLButtonElement>('run').disabled = busy;
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
    label.htmlFor = input.id;
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
    wrap.append(label, input, help, error);
    fieldset.append(wrap);
    fields.set(spec.name, input);
  }
}

function rawValue(spec: ParamSpec): string {
  const input = fields.get(spec.name)!;
  return input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value.trim();
}

interface FormReading {
  valid: boolean;
  seed: number;
  /** Parameters whose value differs from the preset, in schema order, as typed. */
  overrides: [string, string][];
}

/** Reads and validates the form, marking each invalid field with its message. */
function readForm(): FormReading {
  const preset = currentPreset();
  let valid = true;
  const overrides: [string, string][] = [];
  for (const spec of experiment.params) {
    const raw = rawValue(spec);
    const wrap = fields.get(spec.name)!.closest<HTMLElement>('.param')!;
    const errorBox = wrap.querySelector('.error')!;
    try {
      const value = parseValue(spec, raw, experiment.id);
      if (value !== spec[preset]) overrides.push([spec.name, raw]);
      wrap.classList.remove('invalid');
      errorBox.textContent = '';
    } catch (error) {
      valid = false;
      overrides.push([spec.name, raw]);
      wrap.classList.add('invalid');
      errorBox.textContent = error instanceof Error ? error.message.replace(`${experiment.id}: `, '') : String(error);
    }
  }
  const seedText = seedInput.value.trim();
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : NaN;
  const seedOk = Number.isSafeInteger(seed);
  seedInput.classList.toggle('invalid', !seedOk);
  byId('seed-error').textContent = seedOk ? '' : `seed must be an integer in [0, 2^53), got '${seedText}'`;
  return { valid: valid && seedOk, seed, overrides };
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

function selectExperiment(exp: Experiment, preset: Preset, overrides: ReadonlyMap<string, string>): void {
  experiment = exp;
  byId<HTMLSelectElement>('experiment').value = exp.id;
  presetSelect.value = preset;
  byId('experiment-paper').textContent = exp.paper;
  byId('experiment-summary').textContent = exp.summary;
  buildParamFields(exp, preset, overrides);
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
  return problems.length === 0 && reading.valid;
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
  byId<HTMLAnchorElement>('permalink').href = formatHash({ view: 'experiment', id: result.id, preset: result.preset, seed: String(result.seed), overrides, run: true });

  const claims = byId<HTMLTableElement>('claims').tBodies[0]!;
  claims.replaceChildren();
  for (const c of result.claims) {
    const row = claims.insertRow();
    row.className = c.pass ? 'pass' : 'fail';
    cell(row, c.pass ? 'pass' : 'FAIL');
    cell(row, c.id);
    cell(row, c.statement);
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

  const plots = byId('plots');
  delete plots.dataset.rendered;
  plots.textContent = 'drawing plots…';
  import('./plots.js')
    .then(({ renderPlots }) => (lastResult === result ? renderPlots(plots, result.plots, result.series) : undefined))
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
    showFormError('Fix the highlighted fields first.');
    return;
  }
  // The whole resolution, as the worker will do it (catches anything the per-field checks miss).
  try {
    resolveParams(experiment, currentPreset(), Object.fromEntries(reading.overrides));
  } catch (error) {
    showFormError(error instanceof Error ? error.message : String(error));
    return;
  }
  showFormError(null);
  writeHash(experimentState(true));
  byId('result').hidden = true;
  lastResult = null;
  setBusy(true);
  setStatus('', 'running', `running ${experiment.id}…`, 0);
  const exp = experiment;
  const started = performance.now();
  try {
    const reply = await client.request(
      (job) => ({ kind: 'run', job, id: exp.id, preset: currentPreset(), seed: reading.seed, overrides: Object.fromEntries(reading.overrides) }),
      (fraction, label) => setStatus('', 'running', `${exp.id}: ${Math.round(fraction * 100)}% ${label}`, fraction),
    );
    if (reply.kind !== 'result') throw new Error(`unexpected reply ${reply.kind}`);
    setStatus('', 'done', `done in ${((performance.now() - started) / 1000).toFixed(1)} s`, 1);
    showResult(reply.result);
  } catch (error) {
    if (error instanceof Cancelled) setStatus('', 'cancelled', 'Cancelled. The worker was restarted; the page is ready.');
    else {
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      setStatus('', 'error', 'The run failed (see above).');
      showFormError(message);
    }
  } finally {
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
    buildParamFields(experiment, currentPreset(), new Map());
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
    if (event.target !== select && event.target !== presetSelect) writeHash(experimentState(false));
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
  setStatus('bench-', 'running', 'starting…', 0);
  try {
    const reply = await client.request(
      (job) => ({ kind: 'bench', job, suite, environment: environment() }),
      (fraction, label) => setStatus('bench-', 'running', `${Math.round(fraction * 100)}% ${label}`, fraction),
    );
    if (reply.kind !== 'bench-result') throw new Error(`unexpected reply ${reply.kind}`);
    setStatus('bench-', 'done', `done in ${reply.report.totalSeconds.toFixed(1)} s`, 1);
    showBenchReport(reply.report);
  } catch (error) {
    if (error instanceof Cancelled) setStatus('bench-', 'cancelled', 'Cancelled. The worker was restarted; the page is ready.');
    else setStatus('bench-', 'error', `The benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
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
  } else if (applyExperimentState(state) && state.run) {
    void runCurrentExperiment();
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
applyHash();
