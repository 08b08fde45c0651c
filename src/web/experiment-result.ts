// The experiment view's result panel: the last run's claims, metrics, parameters,
// assumptions, fingerprint, permalink and (loaded on demand) plots, and its JSON download.

import { EXPERIMENTS } from '../experiments/index.js';
import type { ExperimentResult, ParamValue } from '../experiments/types.js';
import { byId, cell, downloadJson, formatNumber } from './dom.js';
import { isBusy, setStatus } from './status.js';
import { formatHash } from './url-state.js';

let lastResult: ExperimentResult | null = null;

export function showResult(result: ExperimentResult): void {
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

/** Takes the last run's result and status off the page: they no longer match the form. */
export function clearResult(): void {
  lastResult = null;
  byId('result').hidden = true;
  if (!isBusy()) setStatus('', 'idle', 'Ready.');
}

/** Saves the result on the page, if any, as JSON. */
export function downloadResult(): void {
  if (lastResult) downloadJson(`${lastResult.id}-seed${lastResult.seed}-${lastResult.fingerprint.slice(0, 12)}.json`, lastResult);
}
