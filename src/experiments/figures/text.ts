// Sentences of a figure's report generated from its sweep summary (what we measured), so the
// report never states a number the sweep did not produce.

import type { KeptRow, MetricSummary, SweepGroup } from '../sweep.js';

/** A number with 3 significant digits, or 'n/a' for a missing value. */
export function fmt(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : 'n/a';
}

/** "0.031 (95 % CI 0.028–0.034, 10 seeds)" for a metric summary or a series cell. */
export function meanCi(mean: number | null | undefined, lo: number | null | undefined, hi: number | null | undefined, n: number | null | undefined): string {
  const ci =
    typeof lo === 'number' && typeof hi === 'number' ? ` (95 % CI ${fmt(lo)}–${fmt(hi)}, ${n} seeds)` : ` (${n ?? 0} seed${n === 1 ? '' : 's'}, no interval)`;
  return `${fmt(mean)}${ci}`;
}

export function metricText(m: MetricSummary | undefined): string {
  return m ? meanCi(m.mean, m.ciLo, m.ciHi, m.n) : 'n/a (not measured)';
}

/** The cell of a kept series' measured column `col` as text. */
export function cellText(row: KeptRow | undefined, col: string): string {
  if (!row) return 'n/a (not measured)';
  const num = (k: string) => (typeof row[k] === 'number' ? (row[k] as number) : null);
  return meanCi(num(`${col}_mean`), num(`${col}_lo`), num(`${col}_hi`), num(`${col}_n`));
}

/** The mean of a metric over every group that has it (a constant such as a bound is the same in each). */
export function metricMean(groups: readonly SweepGroup[], name: string): number | null {
  const means = groups.map((g) => g.metrics[name]?.mean).filter((v): v is number => typeof v === 'number');
  return means.length ? means.reduce((a, b) => a + b, 0) / means.length : null;
}
