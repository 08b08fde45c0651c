// The benchmark view: runs a bench suite in the worker with its progress shown, and draws its
// report (per-case timings and fingerprints), with the suite choice kept in the URL.

import type { BenchReport, BenchSuiteName } from '../harness/bench-suite.js';
import { byId, cell, downloadJson, writeHash } from './dom.js';
import { progressDisplay, setBusy, setStatus } from './status.js';
import type { BenchState } from './url-state.js';
import { Cancelled, client } from './worker-client.js';

let lastReport: BenchReport | null = null;
const suiteSelect = byId<HTMLSelectElement>('bench-suite');
export const currentSuite = (): BenchSuiteName => (suiteSelect.value === 'quick' ? 'quick' : 'full');

export function environment(): string {
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

export async function runBenchmark(): Promise<void> {
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

export function setUpBenchView(): void {
  byId('bench-run').addEventListener('click', () => void runBenchmark());
  byId('bench-cancel').addEventListener('click', () => client.cancel());
  suiteSelect.addEventListener('change', () => writeHash({ view: 'bench', suite: currentSuite(), run: false }));
  byId('bench-download').addEventListener('click', () => {
    if (lastReport) downloadJson(`featurelab-bench-${lastReport.suite}-${lastReport.fingerprint.slice(0, 12)}.json`, lastReport);
  });
}

/** Applies a benchmark state from the URL; returns whether it is runnable. */
export function applyBenchState(state: BenchState): boolean {
  if (state.suite === 'quick' || state.suite === 'full') {
    suiteSelect.value = state.suite;
    return true;
  }
  setStatus('bench-', 'error', `suite must be quick or full, got '${state.suite}'`);
  return false;
}
