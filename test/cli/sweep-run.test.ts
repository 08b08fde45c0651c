// Issue 13: sweep runs are crash-safe and resumable (kill -9, torn last line), and the sweep
// fingerprint does not depend on how the points were split between processes.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const TINY = Object.entries(TINY_OVERRIDES['huang-linear']!).map(([k, v]) => `${k}=${v}`);
const planArgs = (dir: string, seeds: string) => ['sweep', 'huang-linear', ...TINY, 'eta=0.05,0.1', '--seeds', seeds, '--out', dir, '--plan-only'];

function rows(dir: string): { key: string; fingerprint: string }[] {
  const res = join(dir, 'results');
  // complete lines only: a torn last line (no newline after it) is not a result
  return readdirSync(res).flatMap((f) =>
    readFileSync(join(res, f), 'utf8')
      .split('\n')
      .slice(0, -1)
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
}

function report(dir: string): { fingerprint: string | null; points: number; missing: string[] } {
  const r = cli(['sweep', 'report', dir]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
}

const root = mkdtempSync(join(tmpdir(), 'fl-sweep-run-'));

describe('sweep run', () => {
  it('gives the same sweep fingerprint for one process, --shard 0/2 + 1/2 (shard 1 first, shard 0 from the Slurm environment) and --jobs 2', () => {
    const one = join(root, 'one');
    expect(cli(planArgs(one, '3')).status).toBe(0);
    expect(cli(['sweep', 'run', one]).status).toBe(0);
    const whole = report(one);
    expect(whole.points).toBe(6);
    expect(whole.missing).toEqual([]);
    expect(whole.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(rows(one)).toHaveLength(6);

    const split = join(root, 'split');
    expect(cli(planArgs(split, '3')).status).toBe(0);
    expect(cli(['sweep', 'run', split, '--shard', '1/2', '--jobs', '1']).status).toBe(0);
    // half done: the report names the missing points and gives no sweep fingerprint
    const half = cli(['sweep', 'report', split]);
    expect(half.status).toBe(1);
    const partial = JSON.parse(readFileSync(join(split, 'summary.json'), 'utf8'));
    expect(partial.missing).toHaveLength(3);
    expect(partial.fingerprint).toBeNull();
    // shard 0/2 from Slurm's environment, as an array task would
    expect(cli(['sweep', 'run', split, '--jobs', '1'], { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' }).status).toBe(0);
    expect(
      readdirSync(join(split, 'results'))
        .sort()
        .map((f) => f.replace(/-\d+\.jsonl$/, '')),
    ).toEqual(['shard-0-of-2', 'shard-1-of-2']);
    expect(report(split).fingerprint).toBe(whole.fingerprint);

    const jobs = join(root, 'jobs');
    expect(cli(planArgs(jobs, '3')).status).toBe(0);
    expect(cli(['sweep', 'run', jobs, '--jobs', '2']).status).toBe(0);
    expect(readdirSync(join(jobs, 'results'))).toHaveLength(2);
    expect(report(jobs).fingerprint).toBe(whole.fingerprint);
  });

  it('after kill -9 of the parent of --jobs 2 while its processes start, they stop too (no orphan runs the sweep)', async () => {
    const dir = join(root, 'killed-early');
    expect(cli(planArgs(dir, '20')).status).toBe(0);
    const child = spawn(process.execPath, [CLI, 'sweep', 'run', dir, '--jobs', '2'], { stdio: 'ignore' });
    const exited = new Promise((done) => child.on('exit', done));
    // the forks exist after the parent has read the plan; kill before they can have loaded
    await new Promise((done) => setTimeout(done, 400));
    child.kill('SIGKILL');
    await exited;
    await new Promise((done) => setTimeout(done, 4000));
    const count = () => (existsSync(join(dir, 'results')) ? rows(dir).length : 0);
    const settled = count();
    await new Promise((done) => setTimeout(done, 1000));
    expect(count()).toBe(settled);
    expect(settled).toBeLessThan(40);
  });

  it('after kill -9 of the parent of --jobs 2 mid-run, its processes stop and the same command finishes: no point lost or counted twice', async () => {
    const dir = join(root, 'killed');
    expect(cli(planArgs(dir, '20')).status).toBe(0);
    const child = spawn(process.execPath, [CLI, 'sweep', 'run', dir, '--jobs', '2'], { stdio: 'ignore' });
    const exited = new Promise((done) => child.on('exit', done));
    // kill as soon as the first result line is on disk
    await new Promise<void>((done) => {
      const poll = setInterval(() => {
        const res = join(dir, 'results');
        if (existsSync(res) && readdirSync(res).some((f) => readFileSync(join(res, f), 'utf8').includes('\n'))) {
          clearInterval(poll);
          child.kill('SIGKILL');
          done();
        }
      }, 2);
    });
    await exited;
    // the two worker processes notice the lost parent and stop: no line is added after that
    await new Promise((done) => setTimeout(done, 1500));
    const before = rows(dir).length;
    await new Promise((done) => setTimeout(done, 1500));
    expect(rows(dir).length).toBe(before);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(40); // killed mid-way
    expect(cli(['sweep', 'run', dir]).status).toBe(0);
    const after = rows(dir);
    expect(after).toHaveLength(40);
    expect(new Set(after.map((r) => r.key)).size).toBe(40);
    const s = report(dir);
    expect(s.missing).toEqual([]);
  });

  it('ignores a torn last line and redoes its point; a broken line elsewhere is an error', () => {
    const dir = join(root, 'torn');
    expect(cli(planArgs(dir, '3')).status).toBe(0);
    expect(cli(['sweep', 'run', dir]).status).toBe(0);
    const want = report(dir).fingerprint;
    const [file] = readdirSync(join(dir, 'results'));
    const path = join(dir, 'results', file!);
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    // the last point's line cut in half, without its newline, as a kill during write leaves it
    writeFileSync(path, `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 40)}`);
    const partial = cli(['sweep', 'report', dir]);
    expect(partial.status).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).missing).toHaveLength(1);
    expect(cli(['sweep', 'run', dir]).status).toBe(0);
    expect(rows(dir)).toHaveLength(6);
    expect(report(dir).fingerprint).toBe(want);
    // a broken line followed by more lines is corruption, not a torn write
    appendFileSync(path, '\n{"key": 1}\n');
    const r = cli(['sweep', 'report', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/line \d+ is not valid JSON \(and is not a torn last line\)/);
  });
});
