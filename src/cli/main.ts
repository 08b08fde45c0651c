#!/usr/bin/env node
// featurelab command line: list experiments, run one, or reproduce them all with reports.
//
//   featurelab list [--json]
//   featurelab run <id> [key=value ...] [--preset quick|paper] [--seed S] [--out DIR] [--json] [--strict] [--threads T]
//   featurelab reproduce [--preset quick|paper] [--out DIR] [--strict] [--threads T]
//   featurelab reproduce --seeds K [--jobs P] [--min-pass-rate R] …   (src/cli/reproduce.ts)
//   featurelab sweep <id> … | sweep run DIR … | sweep report DIR   (src/cli/sweep.ts)
//   featurelab figure list | figure <name> …                         (src/cli/figure.ts)
//   featurelab bench [--quick] [--json]
//   featurelab serve [--port P] [--host H] [--dir DIR]
//
// Exit codes: 0 success, 1 failure (an unexpected error, or a failed claim under --strict),
// 2 usage (bad arguments, parameters or output directory). Everything the user asked for is
// checked before any computation.

import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBenchTable, runBenchSuite } from '../harness/bench-suite.js';
import { createEngine } from '../core/engine.js';
import { FeaturelabError } from '../core/errors.js';
import { preferOptimisingTier } from '../core/wasm.js';
import { EXPERIMENTS, findExperiment, runExperiment, VERSION } from '../experiments/index.js';
import { helpText, resolveParams } from '../experiments/params.js';
import type { ExperimentResult, Preset } from '../experiments/types.js';
import { prepareOutDir } from './out-dir.js';
import { createProgress } from './progress.js';
import { loadRenderer, writeIndex, writeReport } from './report.js';
import { reproduceSeeds } from './reproduce.js';
import { startServer } from './serve.js';
import { sweepMain } from './sweep.js';
import { figureMain } from './figure.js';
import { MAX_THREADS } from '../core/threads.js';

const USAGE = `usage:
  featurelab list [--json]
  featurelab run <id> [key=value ...] [--preset quick|paper] [--seed S] [--out DIR] [--json] [--strict] [--threads T]
  featurelab run <id> --help
  featurelab reproduce [--preset quick|paper] [--out DIR] [--strict] [--threads T]
  featurelab reproduce --seeds K|a..b [--jobs P] [--min-pass-rate R] [--preset …] [--out DIR] [--strict] [--threads T]
                   every experiment over seeds 0..K−1: claim pass rates (Wilson), metric mean ± CI
  featurelab sweep <id> [key=v1,v2,…] [key=range(start,stop[,step])] [--seeds 0..49 | --seeds 50]
                   [--preset quick|paper] [--out DIR] [--plan-only] [--jobs P]   plan, then run (docs/sweeps.md)
  featurelab sweep run DIR [--shard i/n] [--jobs P]   run or resume a planned sweep
  featurelab sweep report DIR [--x K --y M --color K]  statistics over seeds: summary.csv/json, report.html
  featurelab sweep slurm DIR [--array-size K] [--submit] …   a Slurm job array and its merge job
  featurelab figure list                              the papers' figures as named sweeps
  featurelab figure <name> [--preset quick|paper] [--out DIR] [--jobs P] [--threads T] [--plan-only]
  featurelab bench [--quick] [--json] [--threads T]   the portable benchmark suite (same as the web page's)
  featurelab serve [--port P] [--host H] [--dir DIR]
                                              serve the web page (dist/web) at http://127.0.0.1:5173/
  featurelab --version
  --json:      print the result (run), the experiments (list) or the timings (bench) as JSON on stdout
  --out DIR:   where reports go (default out): DIR/<id>/report.html, result.json, CSVs; DIR/index.html
  --strict:    exit 1 when a claim fails (for CI); with --seeds, when a claim's pass rate is below
               --min-pass-rate (default 0.9)
  --jobs P:    worker processes of reproduce --seeds (default: the cores, or SLURM_CPUS_PER_TASK
               in a Slurm job); each runs 1 thread unless --threads
  --threads T: compute threads (default: the available cores, or FEATURELAB_THREADS); results are
               bit-identical for every T
exit codes: 0 success, 1 failure (unexpected error, or a failed claim with --strict), 2 usage`;

class UsageError extends Error {}

/** Options that take a value: "--seed -1" is joined to "--seed=-1" so a negative number reaches our checks. */
const VALUE_OPTIONS = new Set(['--preset', '--seed', '--out', '--port', '--host', '--dir', '--threads', '--seeds', '--jobs', '--min-pass-rate']);

function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!,
      next = argv[i + 1];
    if (VALUE_OPTIONS.has(arg) && next !== undefined && /^-[0-9.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A non-negative decimal integer option (no sign, hex, exponent, spaces or empty string). */
function decimalOption(name: string, raw: string, max: number, min = 0): number {
  const v = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `[${min}, 2^53)` : `[${min}, ${max}]`;
    throw new UsageError(`${name} must be an integer in ${range}, got '${raw}'`);
  }
  return v;
}

/** Writes to stdout and resolves once the bytes are handed to the OS (a pipe may take a while). */
function print(text: string): Promise<void> {
  return new Promise((done, fail) => process.stdout.write(text, (e) => (e ? fail(e) : done())));
}

function summary(r: ExperimentResult): string {
  const passed = r.claims.filter((c) => c.pass).length;
  return `${r.id}: ${passed}/${r.claims.length} claims pass, ${r.seconds.toFixed(1)} s, fingerprint ${r.fingerprint.slice(0, 16)}…`;
}

/** Under --strict: a message naming the failed claims and exit code 1; else 0. */
function strictCode(strict: boolean, results: readonly ExperimentResult[]): number {
  const failed = results.flatMap((r) => r.claims.filter((c) => !c.pass).map((c) => `${r.id}/${c.id}`));
  if (!strict || failed.length === 0) return 0;
  const total = results.reduce((s, r) => s + r.claims.length, 0);
  process.stderr.write(`featurelab: --strict: ${failed.length} of ${total} claims fail: ${failed.join(', ')}\n`);
  return 1;
}

/** The compute threads: --threads, else FEATURELAB_THREADS (checked here, with its name), else the default. */
function threadsFrom(option: string | undefined): number | undefined {
  if (option !== undefined) return decimalOption('--threads', option, MAX_THREADS, 1);
  const env = process.env.FEATURELAB_THREADS;
  if (env === undefined || env === '') return undefined;
  if (!/^[0-9]+$/.test(env) || Number(env) < 1 || Number(env) > MAX_THREADS) {
    throw new UsageError(
      `the environment variable FEATURELAB_THREADS must be an integer in [1, ${MAX_THREADS}], got '${env}' (unset it to use the available cores)`,
    );
  }
  return Number(env);
}

async function main(argv: string[]): Promise<number> {
  // The process is ours: V8's optimising tier from each function's first call, so a cold run
  // pays no baseline-tier penalty (src/core/wasm.ts; a library user decides this for theirs).
  await preferOptimisingTier();
  if (argv[0] === 'sweep') return sweepMain(argv.slice(1), fileURLToPath(import.meta.url));
  if (argv[0] === 'figure') return figureMain(argv.slice(1), fileURLToPath(import.meta.url));
  const { values, positionals, tokens } = parseArgs({
    args: joinNegativeValues(argv),
    allowPositionals: true,
    tokens: true,
    options: {
      preset: { type: 'string', default: 'quick' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string', default: 'out' },
      json: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      port: { type: 'string', default: '5173' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string' },
      threads: { type: 'string' },
      seeds: { type: 'string' },
      jobs: { type: 'string' },
      'min-pass-rate': { type: 'string' },
    },
  });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given twice`);
    seen.add(t.name);
  }
  if (values.version) {
    await print(`featurelab ${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  const preset = values.preset as Preset;
  if (preset !== 'quick' && preset !== 'paper') throw new UsageError(`--preset must be quick or paper, got '${values.preset}'`);
  const seed = decimalOption('--seed', values.seed!, Number.MAX_SAFE_INTEGER);
  if (values.out === '') throw new UsageError('--out must name a directory, got an empty string');
  const out = resolve(values.out!);
  for (const name of ['seeds', 'jobs', 'min-pass-rate'] as const) {
    if (seen.has(name) && (command !== 'reproduce' || (name !== 'seeds' && !seen.has('seeds'))))
      throw new UsageError(`--${name} is an option of reproduce --seeds`);
  }

  switch (command) {
    case undefined:
    case 'help':
      await print(`${USAGE}\n`);
      return command === undefined && !values.help ? 2 : 0;
    case 'list': {
      if (rest.length) throw new UsageError(`list takes no arguments, got '${rest.join(' ')}'`);
      if (values.json) {
        const list = EXPERIMENTS.map((e) => ({ id: e.id, title: e.title, paper: e.paper, summary: e.summary, params: e.params }));
        await print(`${JSON.stringify(list)}\n`);
      } else {
        await print(EXPERIMENTS.map((e) => `${e.id.padEnd(16)} ${e.title}\n${' '.repeat(17)}${e.paper}\n`).join(''));
      }
      return 0;
    }
    case 'run': {
      const [id, ...pairs] = rest;
      if (!id) throw new UsageError('run needs an experiment id (featurelab list shows them)');
      const exp = findExperiment(id);
      if (values.help) {
        await print(`${helpText(exp)}\n`);
        return 0;
      }
      // no prototype: "__proto__=1" is a key like any other (and unknown)
      const overrides: Record<string, string> = Object.create(null);
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`expected key=value, got '${pair}'`);
        const key = pair.slice(0, eq);
        if (Object.hasOwn(overrides, key)) throw new UsageError(`${key} is given twice (${key}=${overrides[key]} and ${pair})`);
        overrides[key] = pair.slice(eq + 1);
      }
      // everything is checked before the engine starts: parameters and their constraints,
      // the threads, the renderer and the output directory
      resolveParams(exp, preset, overrides);
      const threads = threadsFrom(values.threads);
      if (!values.json) {
        prepareOutDir(out, values.out);
        await loadRenderer(); // reports need vega and vega-lite: check they load before any work
      }
      const fl = await createEngine({ threads });
      const progress = values.json ? undefined : createProgress(id, process.stderr);
      let result: ExperimentResult;
      try {
        result = runExperiment(fl, exp, { preset, seed, overrides, progress: progress?.report });
      } finally {
        fl.dispose(); // also on error: live worker threads would keep the process from exiting
      }
      progress?.done();
      if (values.json) {
        await print(`${JSON.stringify(result)}\n`);
      } else {
        const file = await writeReport(result, out);
        await print(`${summary(result)}\nreport: ${file}\n`);
      }
      return strictCode(values.strict!, [result]);
    }
    case 'reproduce': {
      if (rest.length) throw new UsageError(`reproduce takes no arguments, got '${rest.join(' ')}'`);
      if (values.json) throw new UsageError('reproduce writes reports; for JSON run each experiment with featurelab run <id> --json');
      const threads = threadsFrom(values.threads);
      if (values.seeds !== undefined) {
        if (seen.has('seed')) throw new UsageError('reproduce: give --seed S (one seed) or --seeds K (seeds 0..K−1), not both');
        return reproduceSeeds({
          seeds: values.seeds,
          jobs: values.jobs,
          minPassRate: values['min-pass-rate'],
          preset,
          out,
          outAsked: values.out!,
          strict: values.strict!,
          threads,
          workerThreads: values.threads === undefined ? undefined : threads,
          cli: fileURLToPath(import.meta.url),
        });
      }
      for (const exp of EXPERIMENTS) resolveParams(exp, preset);
      prepareOutDir(out, values.out);
      await loadRenderer();
      const fl = await createEngine({ threads });
      const results: ExperimentResult[] = [];
      try {
        for (const exp of EXPERIMENTS) {
          const progress = createProgress(exp.id, process.stderr);
          const result = runExperiment(fl, exp, { preset, seed, progress: progress.report });
          progress.done();
          await writeReport(result, out);
          results.push(result);
          await print(`${summary(result)}\n`);
        }
      } finally {
        fl.dispose();
      }
      await print(`report: ${await writeIndex(out)}\n`);
      return strictCode(values.strict!, results);
    }
    case 'bench': {
      if (rest.length) throw new UsageError(`bench takes no arguments, got '${rest.join(' ')}'`);
      const fl = await createEngine({ threads: threadsFrom(values.threads) });
      const environment = `Node ${process.version} · ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}`;
      const progress = values.json ? undefined : createProgress('bench', process.stderr);
      let report: ReturnType<typeof runBenchSuite>;
      try {
        report = runBenchSuite(fl, { suite: values.quick ? 'quick' : 'full', environment, version: VERSION, progress: progress?.report });
      } finally {
        fl.dispose();
      }
      progress?.done();
      await print(values.json ? `${JSON.stringify(report)}\n` : `${formatBenchTable(report)}\n`);
      return 0;
    }
    case 'serve': {
      if (rest.length) throw new UsageError(`serve takes no arguments, got '${rest.join(' ')}'`);
      const port = decimalOption('--port', values.port!, 65535);
      // The page is built beside the CLI: dist/cli/main.js → dist/web/.
      const root = values.dir ? resolve(values.dir) : fileURLToPath(new URL('../web/', import.meta.url));
      const server = await startServer({ root, port, host: values.host });
      await print(`featurelab: serving ${root} at ${server.url} (Ctrl-C stops)\n`);
      await new Promise<void>((done) => {
        const stop = () => void server.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

// The exit code is set, not forced with process.exit: Node exits once stdout has drained, so
// a large --json result is never cut short in a pipe.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || error instanceof FeaturelabError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.exitCode = usage ? 2 : 1;
    process.stderr.write(
      usage
        ? `featurelab: ${(error as Error).message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`
        : `featurelab: unexpected error: ${(error as Error).stack ?? String(error)}\n`,
    );
  },
);
