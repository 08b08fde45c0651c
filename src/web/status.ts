// The status line and progress bar of each view ('' for the experiment view, 'bench-' for the
// benchmark view), and the Run and Cancel buttons of both: they share the one worker, so
// while either view runs, neither can start another run.

import { byId, formatDuration } from './dom.js';

export type StatusState = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export function setStatus(prefix: '' | 'bench-', state: StatusState, label: string, fraction = 0): void {
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

export const progressDisplay = new ProgressDisplay();

let busy = false;
/** Why Run cannot run the form as it stands (null: it can). */
let formBlocked: string | null = null;

/** Whether either view is running (the one worker is taken). */
export const isBusy = (): boolean => busy;

/** Why Run cannot run the experiment form as it stands (null: it can). */
export const runBlocked = (): string | null => formBlocked;

/** Records why the experiment form cannot run (null: it can) and updates Run. */
export function blockRun(reason: string | null): void {
  formBlocked = reason;
  updateRunButton();
}

function updateRunButton(): void {
  const run = byId<HTMLButtonElement>('run');
  run.disabled = busy || formBlocked !== null;
  run.title = busy ? 'A run is in progress (Cancel stops it)' : (formBlocked ?? 'Run this experiment in your browser with these parameters');
}

/** Run buttons are disabled while either view runs: they share the one worker. */
export function setBusy(value: boolean): void {
  busy = value;
  updateRunButton();
  byId<HTMLButtonElement>('bench-run').disabled = busy;
  byId<HTMLButtonElement>('cancel').disabled = !busy;
  byId<HTMLButtonElement>('bench-cancel').disabled = !busy;
}
