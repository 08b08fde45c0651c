// The CLI's output is trustworthy: --json arrives whole through a pipe, an output directory
// always holds one complete run (Ctrl-C, concurrent runs), out/index.html matches the reports
// present, --out is checked before any work, and reports check their renderer up front.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_OVERRIDES as TINY } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tiny = (id: string) => Object.entries(TINY[id]!).map(([k, v]) => `${k}=${v}`);
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
const fresh = (name: string) => mkdtempSync(join(tmpdir(), `featurelab-${name}-`));

/** The run a report directory holds: result.json's fingerprint, which report.html must show too. */
function completeRun(dir: string): { fingerprint: string; seed: number } {
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  expect(/<code id="fingerprint">([0-9a-f]{64})<\/code>/.exec(html)?.[1], `report.html and result.json of ${dir} describe one run`).toBe(result.fingerprint);
  for (const name of Object.keys(result.series)) expect(existsSync(join(dir, `${name}.csv`))).toBe(true);
  return { fingerprint: result.fingerprint, seed: result.seed };
}

/** Entries a run leaves behind besides reports and the index: temporary directories, locks. */
const leftovers = (out: string) => readdirSync(out).filter((f) => f.startsWith('.'));

/** out/index.html links exactly the report directories present and counts their claims. */
function expectIndexMatches(out: string): void {
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  const present = readdirSync(out)
    .filter((f) => existsSync(join(out, f, 'result.json')))
    .sort();
  const linked = [...new Set([...html.matchAll(/href="([^"/]+)\/report\.html"/g)].map((m) => m[1]!))].sort();
  expect(linked).toEqual(present);
  let passed = 0,
    total = 0;
  for (const id of present) {
    const r = JSON.parse(readFileSync(join(out, id, 'result.json'), 'utf8'));
    passed += r.claims.filter((c: { pass: boolean }) => c.pass).length;
    total += r.claims.length;
  }
  expect(html).toContain(`${passed} of ${total} claims pass`);
}

describe('CLI output: item 1, --json through a pipe', () => {
  it('a result larger than 1 MiB arrives whole through a slow pipe and parses', () => {
    // zhou-ge-local at m = 120 records 120 neuron trajectories: about 1.3 MB of JSON in a few seconds
    const cmd = `"${process.execPath}" "${CLI}" run zhou-ge-local m=120 eta=0.01 steps=100 --json | (sleep 1; cat)`;
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(2 ** 20);
    const result = JSON.parse(r.stdout);
    expect(result.id).toBe('zhou-ge-local');
    expect(result.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('CLI output: item 2, one complete run per directory', () => {
  it('concurrent runs into one --out leave complete directories, no temporary files, and a matching index', async () => {
    const out = fresh('concurrent');
    const one = (seed: number) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, [CLI, 'run', 'ba-one-step', ...tiny('ba-one-step'), '--seed', String(seed), '--out', out], {
          stdio: 'ignore',
          env: { ...process.env, FEATURELAB_THREADS: '1', FEATURELAB_TEST_REPORT_PAUSE_MS: String(100 + 150 * seed) },
        });
        child.on('exit', done);
      });
    const two = (seed: number) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, [CLI, 'run', 'huang-linear', ...tiny('huang-linear'), '--seed', String(seed), '--out', out], {
          stdio: 'ignore',
          env: { ...process.env, FEATURELAB_THREADS: '1', FEATURELAB_TEST_REPORT_PAUSE_MS: '200' },
        });
        child.on('exit', done);
      });
    expect(await Promise.all([one(1), one(2), one(3), two(4)])).toEqual([0, 0, 0, 0]);
    expect([1, 2, 3]).toContain(completeRun(join(out, 'ba-one-step')).seed);
    expect(completeRun(join(out, 'huang-linear')).seed).toBe(4);
    expect(leftovers(out)).toEqual([]);
    expectIndexMatches(out);
  }, 120_000);

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} during the report phase removes the temporary directory, keeps the previous run and exits ${code}`, async () => {
      const out = fresh('signal');
      expect(run(['run', 'ba-one-step', ...tiny('ba-one-step'), '--seed', '1', '--out', out]).status).toBe(0);
      const before = completeRun(join(out, 'ba-one-step'));
      const child = spawn(process.execPath, [CLI, 'run', 'ba-one-step', ...tiny('ba-one-step'), '--seed', '2', '--out', out], {
        stdio: 'ignore',
        env: { ...process.env, FEATURELAB_TEST_REPORT_PAUSE_MS: '20000' },
      });
      const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      // wait until the report is half written: result.json in the temporary directory, no report.html yet
      const deadline = Date.now() + 60_000;
      for (;;) {
        const temp = readdirSync(out).find((f) => f.startsWith('.ba-one-step.tmp-'));
        if (temp && existsSync(join(out, temp, 'result.json'))) break;
        if (Date.now() > deadline) throw new Error('the run never reached its report phase');
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(completeRun(join(out, 'ba-one-step'))).toEqual(before);
      expect(leftovers(out)).toEqual([]);
    }, 120_000);
  }

  it('after run, out/index.html links only to the reports present and counts their claims', () => {
    const out = fresh('index');
    // a stale index from an older layout that links a report which is not there
    writeFileSync(join(out, 'index.html'), '<a href="zhu-balance/report.html">zhu-balance</a> 1 of 1 claims pass');
    expect(run(['run', 'ba-one-step', ...tiny('ba-one-step'), '--out', out]).status).toBe(0);
    expectIndexMatches(out);
    expect(run(['run', 'huang-linear', ...tiny('huang-linear'), '--out', out]).status).toBe(0);
    expectIndexMatches(out);
    expect(run(['run', 'ba-one-step', ...tiny('ba-one-step'), '--seed', '5', '--out', out]).status).toBe(0);
    expectIndexMatches(out);
    expect(completeRun(join(out, 'ba-one-step')).seed).toBe(5);
  }, 120_000);
});

describe('CLI output: item 3, --out is checked before any computation', () => {
  const file = join(fresh('file'), 'a-file');
  writeFileSync(file, 'not a directory');
  const readOnly = (() => {
    if (process.getuid?.() === 0) return '/sys/kernel/featurelab-out'; // root writes anywhere but sysfs
    const dir = join(fresh('readonly'), 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    return join(dir, 'out');
  })();
  const cases: [string, string, RegExp][] = [
    ['a file', file, /--out .*is a file, not a directory/],
    ['a file as a parent', join(file, 'sub'), /--out .*is a file, not a directory/],
    ['an unwritable path', readOnly, /--out .*(permission denied|cannot)/],
    ['a too-long name', join(tmpdir(), 'x'.repeat(300)), /--out .*name is too long/],
    ['a path under /proc', '/proc/featurelab/out', /--out \/proc\/featurelab\/out: cannot create/],
    ['an existing /proc directory', '/proc/self', /--out \/proc\/self: cannot write/],
  ];
  for (const [what, path, message] of cases) {
    it(`${what}: a clear message and exit 2 at once, before the experiment runs`, () => {
      const started = performance.now();
      // the quick preset computes for well over 10 s: the answer must come long before that
      // (the bound leaves room for starting Node on a loaded machine)
      const r = run(['run', 'ba-one-step', '--out', path]);
      const seconds = (performance.now() - started) / 1000;
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
      expect(seconds).toBeLessThan(6);
    });
  }

  it('reproduce checks --out before its first experiment too', () => {
    const r = run(['reproduce', '--out', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out .*is a file, not a directory/);
  });

  it('a missing --out directory is created, with its parents', () => {
    const out = join(fresh('create'), 'a', 'b');
    expect(run(['run', 'ba-one-step', ...tiny('ba-one-step'), '--out', out]).status).toBe(0);
    completeRun(join(out, 'ba-one-step'));
  });
});

describe('CLI output: the report renderer (vega, vega-lite) is loaded only for reports', () => {
  // a module hook that makes vega and vega-lite unresolvable, as when they are not installed
  const hooks = fresh('novega');
  writeFileSync(
    join(hooks, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
      if (specifier === 'vega' || specifier === 'vega-lite') {
        const e = new Error(\`Cannot find package '\${specifier}'\`); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;
      }
      return next(specifier, context);
    }\n`,
  );
  writeFileSync(join(hooks, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  const noVega = (args: string[]) =>
    spawnSync(process.execPath, ['--import', join(hooks, 'register.mjs'), CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('run without vega: exit 2 with what to install, before any computation', () => {
    const started = performance.now();
    const r = noVega(['run', 'ba-one-step', '--out', fresh('novega-out')]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/reports need the packages vega and vega-lite: npm install vega vega-lite, or use --json/);
    expect((performance.now() - started) / 1000).toBeLessThan(6);
  });

  it('reproduce without vega: the same message', () => {
    const r = noVega(['reproduce', '--out', fresh('novega-out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/reports need the packages vega and vega-lite/);
  });

  it('--json never loads vega', () => {
    const r = noVega(['run', 'ba-one-step', ...tiny('ba-one-step'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe('ba-one-step');
  });
});
