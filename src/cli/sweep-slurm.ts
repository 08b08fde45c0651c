// featurelab sweep slurm DIR (issue 13): a planned sweep as a Slurm job array plus a merge job.
//
//   featurelab sweep slurm DIR [--array-size K] [--partition P] [--time T] [--cpus-per-task C]
//                              [--mem M] [--submit]
//
// Writes DIR/slurm/sweep.sbatch (array task i of K runs `sweep run DIR --shard i/K`) and
// DIR/slurm/merge.sbatch (`sweep report DIR`); --submit runs sbatch on both, the merge job with
// --dependency=afterok on the array. docs/sweeps.md "Slurm and Kubernetes". Node only.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import type { SweepPlan } from '../experiments/sweep.js';
import { prepareOutDir, writeFileAtomic } from './out-dir.js';

/** The options of `sweep slurm`, as parseArgs gives them (strings, unchecked). */
export interface SlurmOptions {
  'array-size'?: string | undefined;
  partition?: string | undefined;
  time?: string | undefined;
  'cpus-per-task'?: string | undefined;
  mem?: string | undefined;
  submit?: boolean | undefined;
}

/** The two job scripts and the array size they were written for. */
export interface SlurmScripts {
  arraySize: number;
  sweep: string;
  merge: string;
}

/** Array tasks when --array-size is not given: one per point up to 100 (below common MaxArraySize limits). */
export const DEFAULT_MAX_ARRAY = 100;
const MAX_CPUS = 64; // the engine's --threads limit

// Slurm's --time forms: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
// days-hours:minutes, days-hours:minutes:seconds; or UNLIMITED / INFINITE.
const TIME = /^(?:\d+(?::\d+){0,2}|\d+-\d+(?::\d+){0,2}|UNLIMITED|INFINITE)$/;
const MEM = /^\d+[KMGT]?$/; // megabytes without a suffix, as Slurm reads it
const PARTITION = /^[A-Za-z0-9_.-]+(?:,[A-Za-z0-9_.-]+)*$/; // one name or a comma list

/** A word for a POSIX shell: single-quoted, a ' inside written '\''. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The log file `name` (a Slurm filename pattern) under `logs`, double-quoted for an #SBATCH line. */
function sbatchLog(logs: string, name: string): string {
  // ", \ and % (a pattern character) would be read by Slurm, and control characters end the line
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/["\\%\u0000-\u001f\u007f]/.test(logs)) {
    throw new ArgumentError(
      `sweep slurm: the path ${JSON.stringify(logs)} holds a character Slurm's #SBATCH lines cannot carry (", \\, % or a control character); move the sweep to another directory`,
    );
  }
  return `"${join(logs, name)}"`;
}

function integerOption(name: string, raw: string, max: number, why: string): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ArgumentError(`sweep slurm: --${name} must be an integer in [1, ${max}] (${why}), got '${raw}'`);
  }
  return Number(raw);
}

/** The #SBATCH lines shared by both jobs: partition, time limit, memory. */
function resourceLines(opts: SlurmOptions): string[] {
  const lines: string[] = [];
  if (opts.partition !== undefined) {
    if (!PARTITION.test(opts.partition)) {
      throw new ArgumentError(`sweep slurm: --partition must be a partition name (letters, digits, _ . -; a comma list for several), got '${opts.partition}'`);
    }
    lines.push(`#SBATCH --partition=${opts.partition}`);
  }
  if (opts.time !== undefined) {
    if (!TIME.test(opts.time)) {
      throw new ArgumentError(`sweep slurm: --time must be a Slurm time limit (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, UNLIMITED), got '${opts.time}'`);
    }
    lines.push(`#SBATCH --time=${opts.time}`);
  }
  if (opts.mem !== undefined) {
    if (!MEM.test(opts.mem)) throw new ArgumentError(`sweep slurm: --mem must be a size like 4G, 500M or 2000 (megabytes), got '${opts.mem}'`);
    lines.push(`#SBATCH --mem=${opts.mem}`);
  }
  return lines;
}

/** The scripts for sweep `dir` (absolute) planned as `plan`; `cli` is the absolute path of dist/cli/main.js. Pure. */
export function slurmScripts(dir: string, plan: SweepPlan, cli: string, opts: SlurmOptions): SlurmScripts {
  const points = plan.points.length;
  const arraySize =
    opts['array-size'] === undefined
      ? Math.min(points, DEFAULT_MAX_ARRAY)
      : integerOption('array-size', opts['array-size'], points, "at most the sweep's points");
  const cpus = opts['cpus-per-task'] === undefined ? 1 : integerOption('cpus-per-task', opts['cpus-per-task'], MAX_CPUS, "each task's processes");
  const resources = resourceLines(opts);
  const logs = join(dir, 'slurm');
  const node = `node ${shellQuote(cli)}`;
  const sweep = [
    '#!/bin/bash',
    `# featurelab sweep ${plan.id}: ${points} points in ${arraySize} array tasks; written by \`featurelab sweep slurm\`.`,
    `# A failed task i is rerun alone with: sbatch --array=i ${shellQuote(join(logs, 'sweep.sbatch'))}`,
    `#SBATCH --job-name=featurelab-${plan.id}`,
    `#SBATCH --array=0-${arraySize - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${cpus}`,
    ...resources,
    `#SBATCH --output=${sbatchLog(logs, 'sweep-%A_%a.out')}`,
    `#SBATCH --error=${sbatchLog(logs, 'sweep-%A_%a.err')}`,
    '',
    // The shard count is written here, not read from SLURM_ARRAY_TASK_COUNT: a task resubmitted
    // alone (--array=i, a count of 1) must still run shard i of the whole array.
    `exec ${node} sweep run ${shellQuote(dir)} --shard "\${SLURM_ARRAY_TASK_ID}/${arraySize}" --jobs ${cpus} --threads 1`,
    '',
  ].join('\n');
  const merge = [
    '#!/bin/bash',
    `# featurelab sweep ${plan.id}: merges the array's results into summary.json and summary.csv;`,
    '# submitted with --dependency=afterok:<array job id>; exits 1 while points are missing.',
    `#SBATCH --job-name=featurelab-${plan.id}-merge`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    ...resources,
    `#SBATCH --output=${sbatchLog(logs, 'merge-%j.out')}`,
    `#SBATCH --error=${sbatchLog(logs, 'merge-%j.err')}`,
    '',
    `exec ${node} sweep report ${shellQuote(dir)}`,
    '',
  ].join('\n');
  return { arraySize, sweep, merge };
}

/** Runs `sbatch --parsable …args` and returns the job id; a clear error when sbatch is missing or refuses. */
function sbatch(args: string[]): string {
  const r = spawnSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new ArgumentError('sweep slurm --submit: sbatch is not on the PATH (is this a Slurm login node?); without --submit the scripts are only written');
  }
  if (r.error) throw new ArgumentError(`sweep slurm --submit: cannot run sbatch: ${r.error.message}`);
  // --parsable prints "jobid" or "jobid;cluster"
  const m = /^(\d+)(?:;\S*)?$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) {
    throw new ArgumentError(`sweep slurm --submit: sbatch ${args.join(' ')} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim()}`);
  }
  return m[1]!;
}

/** `featurelab sweep slurm DIR`: writes DIR/slurm/{sweep,merge}.sbatch, then submits them or prints how. Returns the exit code. */
export function sweepSlurm(dir: string, plan: SweepPlan, cli: string, opts: SlurmOptions): number {
  const scripts = slurmScripts(dir, plan, cli, opts);
  const slurmDir = join(dir, 'slurm');
  prepareOutDir(slurmDir);
  const sweepFile = join(slurmDir, 'sweep.sbatch');
  const mergeFile = join(slurmDir, 'merge.sbatch');
  writeFileAtomic(sweepFile, scripts.sweep);
  writeFileAtomic(mergeFile, scripts.merge);
  const out = (s: string) => process.stdout.write(s);
  out(`sweep slurm: ${plan.points.length} points in ${scripts.arraySize} array tasks: ${sweepFile}, then ${mergeFile}\n`);
  if (!opts.submit) {
    out(
      `submit them with:\n  array=$(sbatch --parsable ${shellQuote(sweepFile)})\n  sbatch --dependency=afterok:\${array%%;*} ${shellQuote(mergeFile)}\n(or featurelab sweep slurm ${shellQuote(dir)} --submit)\n`,
    );
    return 0;
  }
  const arrayId = sbatch([sweepFile]);
  out(`sweep slurm: submitted array job ${arrayId}\n`);
  let mergeId: string;
  try {
    mergeId = sbatch([`--dependency=afterok:${arrayId}`, mergeFile]);
  } catch (e) {
    throw new ArgumentError(
      `${(e as Error).message}\n(the array job ${arrayId} is submitted: submit the merge alone with sbatch --dependency=afterok:${arrayId} ${shellQuote(mergeFile)})`,
    );
  }
  out(`sweep slurm: submitted merge job ${mergeId} (runs after every task of ${arrayId} succeeds); summary: ${join(dir, 'summary.json')}\n`);
  return 0;
}
