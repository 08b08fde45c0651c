// Issue 13: sweep report aggregates over seeds per grid point, checked by hand against the raw
// JSONL rows, and names a point found twice with different fingerprints.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const TINY = Object.entries(TINY_OVERRIDES['huang-linear']!).map(([k, v]) => `${k}=${v}`);

interface Row {
  key: string;
  params: Record<string, number>;
  seed: number;
  metrics: Record<string, number>;
  claims: Record<string, boolean>;
  fingerprint: string;
}

const dir = join(mkdtempSync(join(tmpdir(), 'fl-sweep-report-')), 's');
let rows: Row[];

beforeAll(() => {
  // plans then runs (no --plan-only), 2 grid points × 3 seeds
  const r = cli('sweep', 'huang-linear', ...TINY, 'eta=0.05,0.1', '--seeds', '3', '--out', dir);
  expect(r.status).toBe(0);
  const res = join(dir, 'results');
  rows = readdirSync(res).flatMap((f) =>
    readFileSync(join(res, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
  expect(rows).toHaveLength(6);
});

describe('sweep report', () => {
  it('per grid point: mean, sample sd, median, Student-t 95 % CI and Wilson pass rates match a hand computation', () => {
    const r = cli('sweep', 'report', dir);
    expect(r.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.points).toBe(6);
    expect(summary.missing).toEqual([]);
    expect(summary.groups).toHaveLength(2);
    const T_975_DF2 = 4.302652729749462; // scipy.stats.t.ppf(0.975, 2)
    const Z = 1.959963984540054; // scipy.stats.norm.ppf(0.975)
    const csv = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n');
    const head = csv[0]!.split(',');
    for (const [g, eta] of [0.05, 0.1].entries()) {
      const mine = rows.filter((x) => x.params.eta === eta);
      expect(mine.map((x) => x.seed).sort()).toEqual([0, 1, 2]);
      const group = summary.groups[g];
      expect(group.params.eta).toBe(eta);
      for (const name of ['lossFinal', 'ratioFinal']) {
        const xs = mine.map((x) => x.metrics[name]!);
        const m = (xs[0]! + xs[1]! + xs[2]!) / 3;
        const sd = Math.sqrt(((xs[0]! - m) ** 2 + (xs[1]! - m) ** 2 + (xs[2]! - m) ** 2) / 2);
        const half = (T_975_DF2 * sd) / Math.sqrt(3);
        const got = group.metrics[name];
        expect(got.n).toBe(3);
        expect(got.mean).toBeCloseTo(m, 12);
        expect(got.sd / sd).toBeCloseTo(1, 12);
        expect(got.ciLo).toBeCloseTo(m - half, 9);
        expect(got.ciHi).toBeCloseTo(m + half, 9);
        expect(got.median).toBe([...xs].sort((a, b) => a - b)[1]);
        // the CSV row says the same
        const line = csv.find((l) => l.split(',')[head.indexOf('quantity')] === name && Number(l.split(',')[head.indexOf('eta')]) === eta)!;
        expect(Number(line.split(',')[head.indexOf('mean')])).toBe(got.mean);
      }
      for (const id of Object.keys(mine[0]!.claims)) {
        const k = mine.filter((x) => x.claims[id]).length;
        const p = k / 3;
        const centre = (p + (Z * Z) / 6) / (1 + (Z * Z) / 3);
        const w = (Z / (1 + (Z * Z) / 3)) * Math.sqrt((p * (1 - p)) / 3 + (Z * Z) / 36);
        const got = group.claims[id];
        expect([got.n, got.passes]).toEqual([3, k]);
        expect(got.wilsonLo).toBeCloseTo(Math.max(0, centre - w), 12);
        expect(got.wilsonHi).toBeCloseTo(Math.min(1, centre + w), 12);
      }
    }
  });

  it('a point found twice with different fingerprints is an error that names it', () => {
    const row = rows[4]!;
    writeFileSync(join(dir, 'results', 'forged.jsonl'), `${JSON.stringify({ ...row, fingerprint: '0'.repeat(64) })}\n`);
    const r = cli('sweep', 'report', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`point ${row.key}`);
    expect(r.stderr).toMatch(/run twice with different fingerprints/);
    // the same row twice (two processes raced on one point) is counted once
    writeFileSync(join(dir, 'results', 'forged.jsonl'), `${JSON.stringify(row)}\n`);
    expect(cli('sweep', 'report', dir).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).groups[1].seeds).toBe(3);
  });

  it('one seed: mean and median are the value; sd and the t interval are null, not NaN', () => {
    const one = join(mkdtempSync(join(tmpdir(), 'fl-sweep-report-')), 'one');
    expect(cli('sweep', 'huang-linear', ...TINY, '--seeds', '5..5', '--out', one).status).toBe(0);
    expect(cli('sweep', 'report', one).status).toBe(0);
    const [row] = readdirSync(join(one, 'results')).map((f) => JSON.parse(readFileSync(join(one, 'results', f), 'utf8')) as Row);
    const group = JSON.parse(readFileSync(join(one, 'summary.json'), 'utf8')).groups[0];
    expect(group.metrics.lossFinal).toEqual({ n: 1, mean: row!.metrics.lossFinal, sd: null, ciLo: null, ciHi: null, median: row!.metrics.lossFinal });
    // Wilson at n = 1: [0, z²/(1 + z²)] for a failure, [1/(1 + z²), 1] for a pass
    const z2 = 1.959963984540054 ** 2;
    for (const [id, pass] of Object.entries(row!.claims)) {
      const c = group.claims[id];
      expect([c.wilsonLo, c.wilsonHi].map((v: number) => v.toFixed(12))).toEqual((pass ? [1 / (1 + z2), 1] : [0, z2 / (1 + z2)]).map((v) => v.toFixed(12)));
    }
  });
});
