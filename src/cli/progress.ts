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
