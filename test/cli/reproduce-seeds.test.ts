// Issue 13, multi-seed reproduction: `reproduce --seeds K` runs every experiment as a sweep over
// seeds 0..K−1 and reports each claim's pass rate (Wilson) and each metric's mean ± CI in
// seeds.json, the index and a terminal table. The experiments run at their smoke sizes
// (FEATURELAB_TEST_SMOKE=1) so that the whole reproduction takes seconds.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../../dist/experiments/index.js';
import { formatValue } from '../../dist/experiments/report-html.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FEATURELAB_TEST_SMOKE: '1', FEATURELAB_THREADS: '1' } });

interface Claim {
  n: number;
  passes: number;
  rate: number;
  wilsonLo: number;
  wilsonHi: number;
}
interface Metric {
  n: number;
  mean: number | null;
  sd: number | null;
  ciLo: number | null;
  ciHi: number | null;
}
interface Seeds {
  preset: string;
  seeds: number[];
  minPassRate: number;
  experiments: { id: string; fingerprint: string; claims: Record<string, Claim>; metrics: Record<string, Metric> }[];
}
interface Row {
  key: string;
  seed: number;
  fingerprint: string;
  claims: Record<string, boolean>;
  metrics: Record<string, number | null>;
}

const K = 3;
const root = mkdtempSync(join(tmpdir(), 'fl-reproduce-seeds-'));
const dir = join(root, 'out');
const seedsOf = (d: string): Seeds => JSON.parse(readFileSync(join(d, 'seeds.json'), 'utf8'));
const resultsDir = (id: string) => join(dir, 'sweeps', id, 'results');

/** The raw rows of an experiment's sweep, straight from its results files. */
function rows(id: string): Row[] {
  return readdirSync(resultsDir(id)).flatMap((f) =>
    readFileSync(join(resultsDir(id), f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row),
  );
}

/** Every results file and report of the run, with its contents and modification time. */
function snapshot(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const exp of EXPERIMENTS) {
    for (const f of readdirSync(resultsDir(exp.id))) files[`${exp.id}/${f}`] = readFileSync(join(resultsDir(exp.id), f), 'utf8');
    files[`${exp.id}/result.json`] = String(statSync(join(dir, exp.id, 'result.json')).mtimeMs);
  }
  return files;
}

let first: ReturnType<typeof cli>;
beforeAll(() => {
  first = cli(['reproduce', '--seeds', String(K), '--jobs', '2', '--out', dir]);
}, 300_000);

describe('reproduce --seeds', () => {
  it('runs every experiment over K seeds: n = K for every claim, pass counts and metric means equal those of the raw rows', () => {
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.status).toBe(0);
    const s = seedsOf(dir);
    expect(s.seeds).toEqual([0, 1, 2]);
    expect(s.preset).toBe('quick');
    expect(s.experiments.map((e) => e.id)).toEqual(EXPERIMENTS.map((e) => e.id));
    for (const e of s.experiments) {
      const rs = rows(e.id);
      // one row per seed, no point twice
      expect(rs.map((r) => r.seed).sort()).toEqual([0, 1, 2]);
      expect(new Set(rs.map((r) => r.key)).size).toBe(K);
      expect(Object.keys(e.claims).sort()).toEqual(Object.keys(rs[0]!.claims).sort());
      for (const [id, c] of Object.entries(e.claims)) {
        const passes = rs.filter((r) => r.claims[id] === true).length;
        expect(c.n, `${e.id}/${id}`).toBe(K);
        expect(c.passes, `${e.id}/${id}`).toBe(passes);
        expect(c.rate).toBe(passes / K);
        expect(c.wilsonLo).toBeLessThanOrEqual(c.rate);
        expect(c.wilsonHi).toBeGreaterThanOrEqual(c.rate);
      }
      for (const [name, m] of Object.entries(e.metrics)) {
        const xs = rs.map((r) => r.metrics[name]).filter((v): v is number => typeof v === 'number');
        expect(m.n, `${e.id}/${name}`).toBe(xs.length);
        if (xs.length === 0) continue;
        expect(m.mean!).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 12);
        if (xs.length >= 2) expect(m.ciLo! <= m.mean! && m.mean! <= m.ciHi!).toBe(true);
      }
      // the first seed's full report is the sweep's seed-0 row
      const report = JSON.parse(readFileSync(join(dir, e.id, 'result.json'), 'utf8'));
      expect(report.seed).toBe(0);
      expect(report.fingerprint).toBe(rs.find((r) => r.seed === 0)!.fingerprint);
    }
  });

  it('the index and the terminal table show every claim’s pass rate', () => {
    const s = seedsOf(dir);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h2 id="seeds">Over 3 seeds</h2>');
    const lines = first.stdout.split('\n');
    for (const e of s.experiments) {
      for (const [id, c] of Object.entries(e.claims)) {
        const rate = `${c.passes}/${c.n} (Wilson ${c.wilsonLo.toFixed(2)}–${c.wilsonHi.toFixed(2)})`;
        expect(html).toContain(`#claim-${id}">${e.id}</a></td><td>${c.rate < 0.9 ? 'LOW' : 'ok'}</td><td>${id}</td><td>${rate}</td>`);
        const line = lines.find((l) => l.startsWith(`${e.id} `) && l.split(/\s+/)[1] === id);
        expect(line, `${e.id}/${id}`).toBeDefined();
        expect(line!.split(/\s+/).slice(2, 4)).toEqual([`${c.passes}/${c.n}`, c.rate.toFixed(2)]);
      }
      for (const [name, m] of Object.entries(e.metrics)) {
        // mean ± half the 95 % interval, for metrics finite on at least two seeds
        const shown = m.mean === null ? '—' : m.ciLo === null ? formatValue(m.mean) : `${formatValue(m.mean)} ± ${formatValue((m.ciHi! - m.ciLo) / 2)}`;
        expect(html).toContain(`<tr><td>${e.id}</td><td>${name}</td><td>${shown}</td>`);
      }
    }
    expect(first.stdout).toContain(`seeds: ${join(dir, 'seeds.json')}`);
  });

  it('is resumable: run again, it does no work; lose a worker’s results file or a report, only that is redone', () => {
    const before = snapshot();
    const seeds = readFileSync(join(dir, 'seeds.json'), 'utf8');
    const again = cli(['reproduce', '--seeds', String(K), '--jobs', '2', '--out', dir]);
    expect(again.status).toBe(0);
    expect(again.stderr.match(/nothing to run/g)).toHaveLength(EXPERIMENTS.length);
    expect(again.stderr).not.toContain('full report');
    expect(snapshot()).toEqual(before);
    expect(readFileSync(join(dir, 'seeds.json'), 'utf8')).toBe(seeds);

    // huang-linear loses a worker's file and zhou-ge-local its report: exactly that is redone
    const worker = readdirSync(resultsDir('huang-linear')).find((f) => f.startsWith('shard-'))!;
    const lost = readFileSync(join(resultsDir('huang-linear'), worker), 'utf8')
      .split('\n')
      .filter(Boolean).length;
    expect(lost).toBeGreaterThan(0);
    rmSync(join(resultsDir('huang-linear'), worker));
    rmSync(join(dir, 'zhou-ge-local'), { recursive: true });
    const resumed = cli(['reproduce', '--seeds', String(K), '--jobs', '1', '--out', dir]);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`huang-linear: ${lost} of ${K} seeds to run`);
    expect(resumed.stderr.match(/full report/g)).toEqual(['full report']);
    expect(resumed.stderr).toContain('6/6 zhou-ge-local: seed 0 with its full report');
    expect(existsSync(join(dir, 'zhou-ge-local', 'result.json'))).toBe(true);
    // the seed-0 row is not appended again, and the statistics are those of the first run
    expect(rows('zhou-ge-local')).toHaveLength(K);
    expect(rows('huang-linear')).toHaveLength(K);
    expect(readFileSync(join(dir, 'seeds.json'), 'utf8')).toBe(seeds);
  });

  it('--strict exits 1 exactly when a claim’s pass rate is below --min-pass-rate (default 0.9)', () => {
    const s = seedsOf(dir);
    const rates = s.experiments.flatMap((e) => Object.values(e.claims).map((c) => c.rate));
    const low = rates.filter((r) => r < 0.9).length;
    // at smoke sizes some claims fail on some seeds, so both exit codes are exercised
    expect(low).toBeGreaterThan(0);
    const strict = cli(['reproduce', '--seeds', String(K), '--out', dir, '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(`--strict: ${low} of ${rates.length} claims pass on fewer than 90 % of 3 seeds`);
    // the lowest rate as threshold passes; anything above it fails
    const min = Math.min(...rates);
    expect(min).toBeLessThan(1);
    expect(cli(['reproduce', '--seeds', String(K), '--out', dir, '--strict', '--min-pass-rate', String(min)]).status).toBe(0);
    expect(cli(['reproduce', '--seeds', String(K), '--out', dir, '--strict', '--min-pass-rate', String(Math.min(1, min + 0.01))]).status).toBe(1);
  });

  it('refuses other seeds in the same directory before any work, naming the directory', () => {
    const r = cli(['reproduce', '--seeds', '4', '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds a sweep of another grid');
    expect(r.stderr).not.toContain('full report');
  });

  it.each([
    [['--seeds', '0'], /reproduce: --seeds must be a count in \[1, 100000\] or a range a\.\.b/],
    [['--seeds', '-3'], /reproduce: --seeds must be a count/],
    [['--seeds', 'ten'], /reproduce: --seeds must be a count/],
    [['--seeds', '5..2'], /reproduce: --seeds must be a count/],
    [['--seeds', '3', '--jobs', '0'], /reproduce: --jobs must be an integer in \[1, 1024\], got '0'/],
    [['--seeds', '3', '--min-pass-rate', '1.5'], /reproduce: --min-pass-rate must be a number in \[0, 1\], got '1.5'/],
    [['--seeds', '3', '--min-pass-rate', '-0.1'], /--min-pass-rate must be a number in \[0, 1\]/],
    [['--seeds', '3', '--seed', '1'], /give --seed S \(one seed\) or --seeds K/],
    [['--jobs', '2'], /--jobs is an option of reproduce --seeds/],
    [['--min-pass-rate', '0.5'], /--min-pass-rate is an option of reproduce --seeds/],
  ])('rejects %j with exit 2 and writes nothing', (args, message) => {
    const out = join(root, `bad-${args.join('_')}`);
    const r = cli(['reproduce', ...args, '--out', out]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('--seeds belongs to reproduce (and sweep) only', () => {
    const r = cli(['run', 'huang-linear', '--seeds', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--seeds is an option of reproduce --seeds');
  });
});
