// Progress of an experiment on stderr. On a terminal: one bar redrawn in place, with an ETA.
// Elsewhere (a log, CI, a pipe): at most one line every few seconds plus a final line, so a
// reproduction leaves a short log instead of hundreds of lines.

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Minimum time between two lines without a terminal (default 5 s). */
  intervalMs?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

export interface Progress {
  /** The callback experiments call: fraction in [0, 1] and a short label. */
  report(fraction: number, label: string): void;
  /** Ends the bar (terminal) or prints the final line (elsewhere). */
  done(): void;
}

/** "1 min 05 s", "42 s": a duration for the ETA and the final line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export function createProgress(id: string, sink: ProgressSink, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 5000;
  const started = now();
  let lastLine = started;
  let lastDraw = -Infinity;
  let drawn = false;
  const clamp = (f: number) => (Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0);
  return {
    report(fraction, text) {
      const f = clamp(fraction);
      const t = now();
      const pct = String(Math.round(f * 100)).padStart(3);
      if (sink.isTTY) {
        // redraw at most 10 times a second: a tight loop of updates must not flood the terminal
        if (t - lastDraw < 100) return;
        lastDraw = t;
        const width = 24,
          filled = Math.round(f * width);
        const elapsed = (t - started) / 1000;
        // an ETA only once there is something to extrapolate from
        const eta = f >= 0.02 && elapsed >= 1 ? ` ETA ${formatDuration((elapsed * (1 - f)) / f)}` : '';
        sink.write(`\r${id} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${text.slice(0, 28).padEnd(28)}${eta.padEnd(16)}`);
        drawn = true;
      } else if (t - lastLine >= interval) {
        lastLine = t;
        sink.write(`${id}: ${pct}% ${text}\n`);
      }
    },
    done() {
      const elapsed = formatDuration((now() - started) / 1000);
      if (sink.isTTY) {
        if (drawn) sink.write(`\r${id} [${'#'.repeat(24)}] 100% ${'done'.padEnd(28)}${` in ${elapsed}`.padEnd(16)}\n`);
      } else {
        sink.write(`${id}: 100% done in ${elapsed}\n`);
      }
    },
  };
}

export interface CountProgress {
  /** One more item done. */
  tick(): void;
  /** Ends the bar (terminal) or prints the final line (elsewhere). */
  done(): void;
}

/**
 * Progress over a count of items (a sweep's points): "done/total, rate, ETA". The rate and the
 * ETA count only this run's items, so a resumed sweep does not look faster than it is. Without
 * a terminal a line at most every `intervalMs` (default 30 s: an overnight sweep leaves a log of
 * a few hundred lines) plus a final line.
 */
export function createCountProgress(id: string, total: number, sink: ProgressSink, options: ProgressOptions = {}): CountProgress {
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 30_000;
  const started = now();
  let done = 0;
  let lastLine = started;
  let lastDraw = -Infinity;
  let drawn = false;
  const status = (t: number) => {
    const elapsed = (t - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = done > 0 && done < total && rate > 0 ? `, ETA ${formatDuration((total - done) / rate)}` : '';
    const pace = rate >= 1 ? `${rate.toFixed(1)} points/s` : rate > 0 ? `${formatDuration(1 / rate)}/point` : '';
    return `${done}/${total} points${pace ? `, ${pace}` : ''}${eta}`;
  };
  return {
    tick() {
      done++;
      const t = now();
      if (sink.isTTY) {
        if (t - lastDraw < 100 && done < total) return;
        lastDraw = t;
        const width = 24,
          filled = total > 0 ? Math.round((done / total) * width) : width;
        sink.write(`\r${id} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${status(t).padEnd(48)}`);
        drawn = true;
      } else if (t - lastLine >= interval) {
        lastLine = t;
        sink.write(`${id}: ${status(t)}\n`);
      }
    },
    done() {
      const t = now();
      const line = `${done}/${total} points in ${formatDuration((t - started) / 1000)}`;
      if (sink.isTTY) {
        if (drawn) sink.write(`\r${id} [${'#'.repeat(24)}] ${line.padEnd(48)}\n`);
      } else sink.write(`${id}: ${line}\n`);
    },
  };
}
