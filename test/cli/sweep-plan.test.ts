// Issue 13: featurelab sweep plans a grid × seeds deterministically and refuses a directory that
// holds another grid or a sweep of another featurelab version.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const TINY = Object.entries(TINY_OVERRIDES['huang-linear']!).map(([k, v]) => `${k}=${v}`);
const plan = (dir: string, ...extra: string[]) => cli('sweep', 'huang-linear', ...TINY, ...extra, '--out', dir, '--plan-only');

describe('sweep plan', () => {
  it('writes the same sweep.json twice: grid in schema order, seeds, points with keys (seed fastest)', () => {
    const root = mkdtempSync(join(tmpdir(), 'fl-sweep-plan-'));
    const a = plan(join(root, 'a'), 'eta=0.05,0.1', 'noise=range(0.1,0.3,0.1)', '--seeds', '2..3');
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(plan(join(root, 'b'), 'noise=range(0.1,0.3,0.1)', 'eta=0.05,0.1', '--seeds', '2..3').status).toBe(0);
    const pa = JSON.parse(readFileSync(join(root, 'a', 'sweep.json'), 'utf8'));
    const pb = JSON.parse(readFileSync(join(root, 'b', 'sweep.json'), 'utf8'));
    expect(pb).toEqual(pa);
    expect(pa.id).toBe('huang-linear');
    expect(pa.version).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    expect(pa.seeds).toEqual([2, 3]);
    expect(pa.grid.eta).toEqual([0.05, 0.1]);
    expect(pa.grid.noise).toEqual([0.1, 0.1 + 0.1]); // range(0.1, 0.3, 0.1): start + i·step, stop excluded
    expect(pa.points).toHaveLength(2 * 2 * 2);
    expect(pa.points.map((p: { seed: number }) => p.seed)).toEqual([2, 3, 2, 3, 2, 3, 2, 3]);
    expect(pa.points.map((p: { params: { eta: number } }) => p.params.eta)).toEqual([0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1]);
    const keys = pa.points.map((p: { key: string }) => p.key);
    expect(new Set(keys).size).toBe(8);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{64}$/);
    // planning again into the same directory is accepted (same plan)
    expect(plan(join(root, 'a'), 'eta=0.05,0.1', 'noise=range(0.1,0.3,0.1)', '--seeds', '2..3').status).toBe(0);
  });

  it('refuses a changed grid or seeds, and another version, with a message that says so', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fl-sweep-plan-')), 's');
    expect(plan(dir, 'eta=0.05', '--seeds', '2').status).toBe(0);
    let r = plan(dir, 'eta=0.06', '--seeds', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds a sweep of another grid/);
    r = plan(dir, 'eta=0.05', '--seeds', '3');
    expect(r.stderr).toMatch(/holds a sweep of another grid/);
    const file = join(dir, 'sweep.json');
    const old = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...old, version: '0.0.0-old' }));
    r = plan(dir, 'eta=0.05', '--seeds', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/planned with featurelab 0\.0\.0-old, this is featurelab \d/);
    r = cli('sweep', 'run', dir);
    expect(r.stderr).toMatch(/planned with featurelab 0\.0\.0-old/);
  });

  it('rejects bad values, unknown keys, broken constraints and bad --seeds before any work', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fl-sweep-plan-')), 's');
    expect(plan(dir, 'eta=abc').stderr).toMatch(/eta=abc is not allowed/);
    expect(plan(dir, 'bogus=1,2').stderr).toMatch(/unknown parameter 'bogus'/);
    expect(plan(dir, 'eta=0.9').stderr).toMatch(/the grid is invalid/);
    expect(plan(dir, 'eta=range(1,0)').stderr).toMatch(/eta=range\(1,0\): the range is empty/);
    expect(plan(dir, '--seeds', '5..2').stderr).toMatch(/--seeds must be a count/);
    const r = cli('sweep', 'run', join(dir, 'nothing'), '--shard', '2/2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--shard must be i\/n with 0 ≤ i < n/);
  });
});
