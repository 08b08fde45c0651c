// The experiment view's form: the experiment and preset chosen, the parameter fields
// generated from the experiment's schema and their checking (form-state.ts), the seed, the
// paper preset's notice, and the form's state to and from the URL fragment.

import { EXPERIMENTS } from '../experiments/index.js';
import { describeAllowed } from '../experiments/params.js';
import type { Experiment, ParamSpec, Preset } from '../experiments/types.js';
import { byId } from './dom.js';
import { clearResult } from './experiment-result.js';
import { checkForm } from './form-state.js';
import { blockRun } from './status.js';
import type { ExperimentState } from './url-state.js';
import { client } from './worker-client.js';

let experiment: Experiment = EXPERIMENTS[0]!;
const fields = new Map<string, HTMLInputElement | HTMLSelectElement>();

export const presetSelect = byId<HTMLSelectElement>('preset');
const seedInput = byId<HTMLInputElement>('seed');
export const currentPreset = (): Preset => (presetSelect.value === 'paper' ? 'paper' : 'quick');
/** The experiment the form is for. */
export const currentExperiment = (): Experiment => experiment;

export function buildParamFields(exp: Experiment, preset: Preset, overrides: ReadonlyMap<string, string>): void {
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

export interface FormReading {
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
export function readForm(): FormReading {
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
  blockRun(
    check.violations.length > 0
      ? 'The parameters break a rule of this experiment (see the message above): change them first'
      : !check.runnable || !seedOk
        ? 'Fix the marked fields first'
        : null,
  );
  return { valid: check.runnable && seedOk, seed, overrides: check.overrides };
}

export function showFormError(message: string | null): void {
  const box = byId('form-error');
  box.hidden = message === null;
  box.textContent = message ?? '';
}

export function experimentState(run: boolean): ExperimentState {
  const { overrides } = readForm();
  return { view: 'experiment', id: experiment.id, preset: currentPreset(), seed: seedInput.value.trim(), overrides, run };
}

/**
 * Minutes at the paper preset, measured in Node on one thread of a 2-core VM busy with other
 * jobs (node dist/cli/main.js run <id> --preset paper --threads 1; two-step from the README's
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
export function updatePaperNotice(): void {
  const notice = byId('paper-notice');
  notice.hidden = currentPreset() !== 'paper';
  const minutes = PAPER_MINUTES[experiment.id];
  notice.textContent =
    `The paper preset runs at the paper's sizes: this takes ${minutes === undefined ? 'minutes' : `about ${minutes < 1 ? 'half a minute' : `${minutes} min`}`} ` +
    `(measured on one thread of a busy 2-core machine; more cores are faster), not seconds like the quick preset. ` +
    `Cancel stops it at any time.`;
  byId('run').textContent = notice.hidden ? 'Run' : minutes !== undefined && minutes < 1 ? 'Run (about half a minute)' : 'Run (takes minutes)';
}

/** Whether the worker is running an experiment (not the benchmark). */
let experimentRunning = false;

export function setExperimentRunning(value: boolean): void {
  experimentRunning = value;
}

/** Another experiment or preset: a run still going would belong to neither, so it stops. */
export function leaveExperiment(): void {
  if (experimentRunning) client.cancel();
  clearResult();
}

export function selectExperiment(exp: Experiment, preset: Preset, overrides: ReadonlyMap<string, string>): void {
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
export function applyExperimentState(state: ExperimentState): boolean {
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
