#!/usr/bin/env node
// featurelab command line: list experiments, run one, or reproduce them all with reports.
//
//   featurelab list
//   featurelab run <id> [key=value ...] [--preset quick|paper] [--seed S] [--out DIR] [--json] [--threads T]
//   featurelab reproduce [--preset quick|paper] [--out DIR]
//   featurelab bench [--quick] [--json]
//   featurelab serve [--port P] [--host H] [--dir DIR]

import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBenchTable, runBenchSuite } from './bench-suite.js';
import { createEngine } from './engine.js';
import { FeaturelabError } from './errors.js';
import { EXPERIMENTS, findExperiment, runExperiment, VERSION } from './experiments/index.js';
import { helpText } from './experiments/params.js';
import type { ExperimentResult, Preset } from './experiments/types.js';
import { writeIndex, writeReport } from './report.js';
import { startServer } from './serve.js';

const USAGE = `usage:
  featurelab list
  featurelab run <id> [key=value ...] [--preset quick|paper] [--seed S] [--out DIR] [--json] [--threads T]
  featurelab run <id> --help
  featurelab reproduce [--preset quick|paper] [--out DIR] [--threads T]
  featurelab bench [--quick] [--json] [--threads T]   the portable benchmark suite (same as the web page's)
  --threads T: compute threads (default: the available cores, or FEATURELAB_THREADS); results are
               bit-identical for every T
  featurelab serve [--port P] [--host H] [--dir DIR]
                                              serve the web page (dist/web) at http://127.0.0.1:5173/`;

class UsageError extends Error {}

function progressReporter(id: string): (fraction: number, label: string) => void {
  const tty = process.stderr.isTTY;
  return (fraction, label) => {
    const pct = Math.round(fraction * 100);
    if (tty) {
      const width = 24, filled = Math.round(fraction * width);
      process.stderr.write(`\r${id} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${label.padEnd(24)}`);
    } else {
      process.stderr.write(`${id}: ${pct}% ${label}\n`);
    }
  };
}

function summary(r: ExperimentResult): string {
  const passed = r.claims.filter((c) => c.pass).length;
  return `${r.id}: ${passed}/${r.claims.length} claims pass, ${r.seconds.toFixed(1)} s, fingerprint ${r.fingerprint.slice(0, 16)}…`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      preset: { type: 'string', default: 'quick' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string', default: 'out' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      port: { type: 'string', default: '5173' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  const preset = values.preset as Preset;
  if (preset !== 'quick' && preset !== 'paper') throw new UsageError(`--preset must be quick or paper, got '${values.preset}'`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer in [0, 2^53), got '${values.seed}'`);
  const out = resolve(values.out!);
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new UsageError(`--threads must be an integer in [1, 64], got '${values.threads}'`);
  }
  const engine = () => createEngine({ threads });

  switch (command) {
    case undefined:
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined && !values.help ? 2 : 0;
    case 'list':
      for (const e of EXPERIMENTS) process.stdout.write(`${e.id.padEnd(16)} ${e.title}\n${' '.repeat(17)}${e.paper}\n`);
      return 0;
    case 'run': {
      const [id, ...pairs] = rest;
      if (!id) throw new UsageError('run needs an experiment id (featurelab list shows them)');
      const exp = findExperiment(id);
      if (values.help) {
        process.stdout.write(`${helpText(exp)}\n`);
        return 0;
      }
      const overrides: Record<string, string> = {};
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`expected key=value, got '${pair}'`);
        overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const fl = await engine();
      const result = runExperiment(fl, exp, { preset, seed, overrides, progress: values.json ? undefined : progressReporter(id) });
      if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
      if (values.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        const file = await writeReport(result, out);
        process.stdout.write(`${summary(result)}\nreport: ${file}\n`);
      }
      fl.dispose();
      return 0;
    }
    case 'reproduce': {
      const fl = await engine();
      const results: ExperimentResult[] = [];
      for (const exp of EXPERIMENTS) {
        const result = runExperiment(fl, exp, { preset, seed, progress: progressReporter(exp.id) });
        if (process.stderr.isTTY) process.stderr.write('\n');
        await writeReport(result, out);
        results.push(result);
        process.stdout.write(`${summary(result)}\n`);
      }
      const index = writeIndex(results, out);
      process.stdout.write(`report: ${index}\n`);
      fl.dispose();
      return 0;
    }
    case 'bench': {
      if (rest.length) throw new UsageError(`bench takes no arguments, got '${rest.join(' ')}'`);
      const fl = await engine();
      const environment = `Node ${process.version} · ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}`;
      const report = runBenchSuite(fl, {
        suite: values.quick ? 'quick' : 'full',
        environment,
        version: VERSION,
        progress: values.json ? undefined : (fraction, label) => process.stderr.write(`bench: ${Math.round(fraction * 100)}% ${label}\n`),
      });
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatBenchTable(report)}\n`);
      fl.dispose();
      return 0;
    }
    case 'serve': {
      if (rest.length) throw new UsageError(`serve takes no arguments, got '${rest.join(' ')}'`);
      const port = Number(values.port);
      if (!/^\d+$/.test(values.port!) || port > 65535) throw new UsageError(`--port must be an integer in [0, 65535], got '${values.port}'`);
      // The page is built beside this file: dist/cli.js → dist/web/.
      const root = values.dir ? resolve(values.dir) : fileURLToPath(new URL('./web/', import.meta.url));
      const server = await startServer({ root, port, host: values.host });
      process.stdout.write(`featurelab: serving ${root} at ${server.url} (Ctrl-C stops)\n`);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof FeaturelabError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`featurelab: ${(error as Error).message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
      process.exit(2);
    }
    process.stderr.write(`featurelab: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
