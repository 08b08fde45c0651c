// Issue 13: `featurelab sweep slurm DIR` writes a job array and a merge job, and a sweep run by
// a real one-node Slurm cluster (scripts/slurm-cluster.sh: munged, slurmctld, slurmd on this
// machine) merges to the same sweep fingerprint as the same sweep run locally by one process.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slurmScripts } from '../../dist/cli/sweep-slurm.js';
import { ArgumentError } from '../../dist/core/errors.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SCRIPT = new URL('../../scripts/slurm-cluster.sh', import.meta.url).pathname;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const TINY = Object.entries(TINY_OVERRIDES['huang-linear']!).map(([k, v]) => `${k}=${v}`);
/** 2 step sizes × 4 seeds = 8 points. */
const plan = (dir: string) => {
  const r = cli(['sweep', 'huang-linear', ...TINY, 'eta=0.05,0.1', '--seeds', '4', '--out', dir, '--plan-only']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};

const root = mkdtempSync(join(tmpdir(), 'fl-sweep-slurm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sweep slurm: the job scripts', () => {
  // a space, a quote and a command substitution: the path must reach node unchanged and run nothing
  const dir = join(root, "sw it's $(touch pwned)");
  beforeAll(() => plan(dir));

  /** Runs a written job script with bash, `node` replaced by a stub printing its arguments one per line. */
  function argsOf(script: string, env: NodeJS.ProcessEnv): string[] {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(bin, 'node'), 0o755);
    const r = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.split('\n').slice(0, -1);
  }

  it('sweep.sbatch is an array whose task i runs shard i of K (also resubmitted alone); merge.sbatch runs the report', () => {
    const r = cli(['sweep', 'slurm', dir, '--array-size', '4', '--cpus-per-task', '2', '--partition', 'gpu,cpu', '--time', '1-02:30', '--mem', '4G']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(dir, 'slurm')).sort()).toEqual(['merge.sbatch', 'sweep.sbatch']); // no temporary file left
    const sweep = readFileSync(join(dir, 'slurm', 'sweep.sbatch'), 'utf8');
    const directives = sweep.split('\n').filter((l) => l.startsWith('#SBATCH'));
    for (const want of ['--array=0-3', '--cpus-per-task=2', '--partition=gpu,cpu', '--time=1-02:30', '--mem=4G'])
      expect(directives).toContain(`#SBATCH ${want}`);
    expect(directives).toContain(`#SBATCH --output="${join(dir, 'slurm', 'sweep-%A_%a.out')}"`);
    expect(directives).toContain(`#SBATCH --error="${join(dir, 'slurm', 'sweep-%A_%a.err')}"`);
    // #SBATCH lines are read only before the first command
    expect(sweep.indexOf('exec ')).toBeGreaterThan(sweep.lastIndexOf('#SBATCH'));
    expect(argsOf(join(dir, 'slurm', 'sweep.sbatch'), { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual([
      CLI,
      'sweep',
      'run',
      dir,
      '--shard',
      '3/4',
      '--jobs',
      '2',
      '--threads',
      '1',
    ]);
    // sbatch --array=2 sweep.sbatch: a count of 1, still shard 2 of 4
    expect(argsOf(join(dir, 'slurm', 'sweep.sbatch'), { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1' })).toContain('2/4');
    expect(argsOf(join(dir, 'slurm', 'merge.sbatch'), {})).toEqual([CLI, 'sweep', 'report', dir]);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    // without --submit: the two sbatch commands to run
    expect(r.stdout).toContain(`sbatch --parsable '${join(root, "sw it'\\''s $(touch pwned)", 'slurm', 'sweep.sbatch')}'`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, printed as is
    expect(r.stdout).toContain('sbatch --dependency=afterok:${array%%;*} ');
  });

  it('defaults to one task per point up to 100, one CPU, no partition, time or memory', () => {
    expect(cli(['sweep', 'slurm', dir]).status).toBe(0);
    const directives = readFileSync(join(dir, 'slurm', 'sweep.sbatch'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#SBATCH'));
    expect(directives).toContain('#SBATCH --array=0-7');
    expect(directives).toContain('#SBATCH --cpus-per-task=1');
    expect(directives.filter((l) => /--(partition|time|mem)=/.test(l))).toEqual([]);
  });

  it('refuses bad options and a directory Slurm cannot name, naming them', () => {
    const planned = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    const bad: [Record<string, string>, RegExp][] = [
      [{ 'array-size': '0' }, /--array-size must be an integer in \[1, 8\] \(at most the sweep's points\), got '0'/],
      [{ 'array-size': '9' }, /--array-size must be an integer in \[1, 8\]/],
      [{ 'array-size': '2.5' }, /--array-size must be an integer/],
      [{ 'cpus-per-task': '0' }, /--cpus-per-task must be an integer in \[1, 64\]/],
      [{ 'cpus-per-task': '65' }, /--cpus-per-task must be an integer in \[1, 64\]/],
      [{ time: '2h' }, /--time must be a Slurm time limit .*got '2h'/],
      [{ time: '1:2:3:4' }, /--time must be a Slurm time limit/],
      [{ time: '' }, /--time must be a Slurm time limit/],
      [{ mem: '4GB' }, /--mem must be a size like 4G.*got '4GB'/],
      [{ mem: '1.5G' }, /--mem must be a size/],
      [{ partition: 'a b' }, /--partition must be a partition name/],
      [{ partition: 'x;rm -rf /' }, /--partition must be a partition name/],
      [{ partition: 'a,' }, /--partition must be a partition name/],
    ];
    for (const [opts, message] of bad) {
      expect(() => slurmScripts(dir, planned, CLI, opts), JSON.stringify(opts)).toThrow(ArgumentError);
      expect(() => slurmScripts(dir, planned, CLI, opts)).toThrow(message);
    }
    // the forms Slurm accepts
    for (const time of ['30', '30:00', '2:30:00', '1-0', '1-2:30', '1-02:30:00', 'UNLIMITED'])
      expect(() => slurmScripts(dir, planned, CLI, { time })).not.toThrow();
    for (const mem of ['4G', '500M', '2000', '1T']) expect(() => slurmScripts(dir, planned, CLI, { mem })).not.toThrow();
    for (const odd of ['100%', 'a"b', 'a\\b', 'a\nb']) {
      expect(() => slurmScripts(join(root, odd), planned, CLI, {})).toThrow(/holds a character Slurm's #SBATCH lines cannot carry/);
    }
  });

  it('refuses a directory without a plan, and --submit without sbatch, with clear messages', () => {
    const none = cli(['sweep', 'slurm', join(root, 'nowhere')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/nowhere\/sweep\.json does not exist; plan a sweep first/);
    const noSbatch = cli(['sweep', 'slurm', dir, '--submit'], { PATH: join(root, 'no-such-dir') });
    expect(noSbatch.status).toBe(2);
    expect(noSbatch.stderr).toMatch(/sweep slurm --submit: sbatch is not on the PATH/);
  });
});

// In CI (.ci/run sets CI=1 and installs slurm-wlm and munge) a missing Slurm is a failure;
// elsewhere the test is skipped, its name saying why.
const TOOLS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol'];
const absent = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const notRoot = process.getuid?.() !== 0;
const why = absent.length
  ? `${absent.join(', ')} not installed (apt-get install -y slurm-wlm munge)`
  : notRoot
    ? 'not root (the one-node cluster runs its daemons as root)'
    : '';
const runIt = why === '' || process.env.CI ? it : it.skip;

/** A TCP port free at this moment (the cluster's ports, so that another cluster may run beside it). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('sweep slurm on a real one-node Slurm cluster', () => {
  const cluster = join(root, 'cluster');
  const env: NodeJS.ProcessEnv = { SLURM_CONF: join(cluster, 'slurm.conf') };
  let started = false;

  beforeAll(async () => {
    if (why !== '') return;
    const r = spawnSync('bash', [SCRIPT, 'start', cluster], {
      encoding: 'utf8',
      env: { ...process.env, SLURMCTLD_PORT: String(await freePort()), SLURMD_PORT: String(await freePort()), SLURM_CLUSTER_TIMEOUT: '30' },
    });
    started = r.status === 0;
    if (!started) throw new Error(`scripts/slurm-cluster.sh start failed (exit ${r.status}):\n${r.stderr}`);
  }, 45_000);

  afterAll(() => {
    if (!started) return;
    const r = spawnSync('bash', [SCRIPT, 'stop', cluster], { encoding: 'utf8' });
    expect(r.status).toBe(0);
  }, 30_000);

  /** The `Key=value` fields of each job line `scontrol show job -o` prints (one per array task). */
  function jobs(id: string): Record<string, string>[] {
    const r = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) return [];
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => Object.fromEntries([...line.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!])));
  }

  /** The logs to show when the jobs did not succeed. */
  function logs(dir: string): string {
    const slurm = join(dir, 'slurm');
    const files = [
      ...readdirSync(slurm)
        .filter((f) => /\.(out|err)$/.test(f))
        .map((f) => join(slurm, f)),
      join(cluster, 'log', 'slurmctld.log'),
      join(cluster, 'log', 'slurmd.log'),
    ];
    return files.map((f) => `--- ${f}\n${existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(none)'}`).join('\n');
  }

  runIt(
    `a 4-task array and its merge job give the fingerprint of the same sweep run by one local process${why && ` (skipped: ${why})`}`,
    async () => {
      expect(why, 'Slurm is required in CI (.ci/run installs slurm-wlm and munge)').toBe('');
      const dir = join(root, "on slurm, it's");
      plan(dir);
      const submitted = cli(['sweep', 'slurm', dir, '--array-size', '4', '--submit'], env);
      expect(submitted.stderr).toBe('');
      expect(submitted.status).toBe(0);
      const arrayId = /submitted array job (\d+)/.exec(submitted.stdout)?.[1];
      const mergeId = /submitted merge job (\d+)/.exec(submitted.stdout)?.[1];
      expect(arrayId, submitted.stdout).toBeDefined();
      expect(mergeId, submitted.stdout).toBeDefined();
      expect(jobs(mergeId!)[0]?.Dependency).toMatch(new RegExp(`^afterok:${arrayId}`));

      // meanwhile, the same sweep by one local process
      const local = join(root, 'local');
      plan(local);
      expect(cli(['sweep', 'run', local, '--jobs', '1']).status).toBe(0);
      expect(cli(['sweep', 'report', local]).status).toBe(0);
      const want = JSON.parse(readFileSync(join(local, 'summary.json'), 'utf8')).fingerprint;
      expect(want).toMatch(/^[0-9a-f]{64}$/);

      // wait for the merge job to end (or to be stuck behind a failed task); about 10 s here, the
      // margin is for a loaded CI machine
      let merge: Record<string, string> | undefined;
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(250)) {
        merge = jobs(mergeId!)[0];
        if (merge && (!/^(PENDING|RUNNING|CONFIGURING|COMPLETING)$/.test(merge.JobState!) || merge.Reason === 'DependencyNeverSatisfied')) break;
      }
      expect(merge?.JobState, `merge job ${mergeId}: ${JSON.stringify(merge)}\n${logs(dir)}`).toBe('COMPLETED');
      const tasks = jobs(arrayId!);
      expect(tasks.map((t) => t.ArrayTaskId).sort()).toEqual(['0', '1', '2', '3']);
      expect(tasks.map((t) => `${t.JobState} ${t.ExitCode}`)).toEqual(Array(4).fill('COMPLETED 0:0'));
      // each task wrote its own shard's results, and its logs where the script says
      expect(
        readdirSync(join(dir, 'results'))
          .map((f) => f.replace(/-\d+\.jsonl$/, ''))
          .sort(),
      ).toEqual(['shard-0-of-4', 'shard-1-of-4', 'shard-2-of-4', 'shard-3-of-4']);
      // each task ran its 2 points and logged the progress's final line
      for (const i of [0, 1, 2, 3])
        expect(readFileSync(join(dir, 'slurm', `sweep-${arrayId}_${i}.err`), 'utf8')).toMatch(/sweep huang-linear: 2\/2 points in /);
      expect(readFileSync(join(dir, 'slurm', `merge-${mergeId}.out`), 'utf8')).toContain('8/8 points');
      const merged = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(merged.points).toBe(8);
      expect(merged.missing).toEqual([]);
      expect(merged.fingerprint).toBe(want);
    },
    120_000,
  );
});
