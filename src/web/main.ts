// The interactive page: pick an experiment, edit its parameters (a form generated from the
// experiment's schema), run it in a Web Worker, and show plots, claims, metrics and the
// fingerprint; plus a benchmark view. The URL fragment encodes the run (see url-state.ts).
//
// This module wires the parts together: the views and navigation between them, and the URL
// fragment applied on load and on hashchange. The parts: experiment-form.ts (the form),
// experiment-view.ts (its run panel), experiment-result.ts (the result), bench-view.ts (the
// benchmark), status.ts (status lines, progress, Run/Cancel), worker-client.ts (the worker),
// sweep-view.ts (the sweep panel, #sweep, with its own pool of workers).

import { EXPERIMENTS, VERSION } from '../experiments/index.js';
import { applyBenchState, currentSuite, environment, runBenchmark, setUpBenchView } from './bench-view.js';
import { byId, writeHash } from './dom.js';
import { applyExperimentState, experimentState } from './experiment-form.js';
import { clearResult } from './experiment-result.js';
import { runCurrentExperiment, setUpExperimentView } from './experiment-view.js';
import { prepareSweepView, SWEEP_HASH, setUpSweepView } from './sweep-view.js';
import { parseHash } from './url-state.js';
import { client } from './worker-client.js';

function showView(view: 'experiment' | 'bench' | 'sweep'): void {
  for (const v of ['experiment', 'bench', 'sweep']) {
    byId(`${v}-view`).hidden = view !== v;
    byId(`nav-${v}`).classList.toggle('active', view === v);
  }
  if (view === 'sweep') prepareSweepView();
}

/** Shows what the URL fragment says, and runs it when it carries run=1. */
function applyHash(): void {
  const state = parseHash(location.hash);
  if (client.busy) client.cancel();
  if (location.hash === SWEEP_HASH) {
    showView('sweep'); // the sweep panel keeps its own state
    return;
  }
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
  byId('nav-sweep').addEventListener('click', (event) => {
    event.preventDefault();
    showView('sweep');
    history.replaceState(null, '', SWEEP_HASH);
  });
  window.addEventListener('hashchange', applyHash);
}

setUpExperimentView();
setUpBenchView();
setUpSweepView();
setUpNavigation();
byId('environment').textContent = `featurelab ${VERSION} · ${environment()}`;
// For the browser console (and the end-to-end tests): the experiments this page runs.
Object.assign(globalThis, { featurelab: { experiments: EXPERIMENTS, version: VERSION } });
applyHash();
