// The experiment view's run panel: runs the form's experiment in the worker with its progress
// shown, and wires the view's controls (experiment and preset choice, Reset, the form's edits
// kept in the URL, Run, Cancel, the result's download).

import { EXPERIMENTS } from '../experiments/index.js';
import { resolveParams } from '../experiments/params.js';
import { byId, writeHash } from './dom.js';
import {
  buildParamFields,
  currentExperiment,
  currentPreset,
  experimentState,
  leaveExperiment,
  presetSelect,
  readForm,
  selectExperiment,
  setExperimentRunning,
  showFormError,
  updatePaperNotice,
} from './experiment-form.js';
import { clearResult, downloadResult, showResult } from './experiment-result.js';
import { progressDisplay, runBlocked, setBusy, setStatus } from './status.js';
import { Cancelled, client } from './worker-client.js';

export async function runCurrentExperiment(): Promise<void> {
  if (client.busy) return;
  const reading = readForm();
  if (!reading.valid) {
    showFormError(runBlocked() ?? 'Fix the marked fields first.');
    clearResult();
    return;
  }
  // The whole resolution, as the worker will do it (catches anything the per-field checks miss).
  try {
    resolveParams(currentExperiment(), currentPreset(), Object.fromEntries(reading.overrides));
  } catch (error) {
    showFormError(error instanceof Error ? error.message : String(error));
    clearResult();
    return;
  }
  showFormError(null);
  writeHash(experimentState(true));
  clearResult();
  setBusy(true);
  setExperimentRunning(true);
  const exp = currentExperiment();
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
    setExperimentRunning(false);
    setBusy(false);
  }
}

export function setUpExperimentView(): void {
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
    buildParamFields(currentExperiment(), currentPreset(), new Map());
    updatePaperNotice();
    showFormError(null);
    writeHash(experimentState(false));
  });
  byId('reset').addEventListener('click', () => {
    buildParamFields(currentExperiment(), currentPreset(), new Map());
    showFormError(null);
    writeHash(experimentState(false));
  });
  const form = byId<HTMLFormElement>('experiment-form');
  // Keep the URL in step with the form (without run=1: a reload shows, not runs, edits).
  form.addEventListener('input', (event) => {
    if (event.target === select || event.target === presetSelect) return;
    const state = experimentState(false); // reads (and marks) the form
    if (runBlocked() !== null) clearResult(); // no result under a form that cannot run
    writeHash(state);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runCurrentExperiment();
  });
  byId('cancel').addEventListener('click', () => client.cancel());
  byId('download').addEventListener('click', downloadResult);
}
