// The output directory of the CLI: checked before any computation, and written so that every
// experiment directory always holds one complete run (files go to a temporary directory beside
// the target, then a rename puts them in place), even with Ctrl-C or two runs at once.
// Node only (under src/cli/, like the rest of the command line).

import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ArgumentError } from '../core/errors.js';

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

function describe(e: unknown): string {
  switch (errno(e)) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied (choose a writable directory)';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'ENOENT':
      return 'the file system refuses it (ENOENT)';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return (e as Error).message;
  }
}

/** Creates `dir` and its missing parents one level at a time (never a recursive mkdir, which spins on procfs). */
function makeDir(dir: string, asked: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw new ArgumentError(`--out ${asked}: ${dir} is a file, not a directory`);
  } catch (e) {
    if (e instanceof ArgumentError) throw e;
    if (errno(e) !== 'ENOENT') throw new ArgumentError(`--out ${asked}: cannot use ${dir}: ${describe(e)}`);
  }
  const parent = dirname(dir);
  if (parent === dir) throw new ArgumentError(`--out ${asked}: the root ${dir} does not exist`);
  makeDir(parent, asked);
  try {
    mkdirSync(dir);
  } catch (e) {
    if (errno(e) === 'EEXIST' && statSync(dir).isDirectory()) return; // made meanwhile by another run
    throw new ArgumentError(`--out ${asked}: cannot create ${dir}: ${describe(e)}`);
  }
}

/**
 * Checks the output directory before any work: creates it when missing, and proves it is
 * writable by creating and removing a temporary entry. Throws an ArgumentError naming --out.
 */
export function prepareOutDir(out: string, asked = out): void {
  makeDir(out, asked);
  let probe: string;
  try {
    probe = mkdtempSync(join(out, '.featurelab-probe-'));
  } catch (e) {
    throw new ArgumentError(`--out ${asked}: cannot write in ${out}: ${describe(e)}`);
  }
  rmdirSync(probe);
}

// Temporary paths of this process: removed on SIGINT/SIGTERM. The handlers exist only while
// there is something to remove, so Ctrl-C during a computation still stops it at once.
const pending = new Set<string>();
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const onSignal = (signal: NodeJS.Signals) => {
  removePending();
  process.exit(SIGNAL_EXIT[signal] ?? 1);
};

function track(path: string): void {
  if (pending.size === 0) for (const s of Object.keys(SIGNAL_EXIT)) process.on(s, onSignal);
  pending.add(path);
}

function untrack(path: string): void {
  if (!pending.delete(path)) return;
  if (pending.size === 0) for (const s of Object.keys(SIGNAL_EXIT)) process.off(s, onSignal);
}

/** Removes every temporary path of this process (also the index lock it holds). */
export function removePending(): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
}

/** A fresh temporary directory beside `target` (same file system, so a rename can move it in place). */
export function tempDirBeside(target: string): string {
  const dir = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  track(dir);
  return dir;
}

/** Discards a temporary directory made by tempDirBeside. */
export function discardTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  untrack(dir);
}

/**
 * Puts the complete directory `temp` at `target`: the old one is moved aside, the new one
 * renamed into place, the old one deleted. Another run doing the same at the same moment can
 * only ever leave one of the two complete directories.
 */
export function replaceDir(temp: string, target: string): void {
  for (let attempt = 0; ; attempt++) {
    let aside: string | undefined;
    try {
      if (existsAsDir(target)) {
        aside = mkdtempSync(join(dirname(target), `.${basename(target)}.old-`));
        track(aside);
        renameSync(target, join(aside, 'dir'));
      }
      renameSync(temp, target);
      untrack(temp);
      return;
    } catch (e) {
      // another run put its directory in place between our two renames: try again
      if (attempt < 20 && ['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(errno(e))) continue;
      throw e;
    } finally {
      if (aside !== undefined) {
        rmSync(aside, { recursive: true, force: true });
        untrack(aside);
      }
    }
  }
}

function existsAsDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Writes a file by writing a temporary file beside it and renaming it into place. */
export function writeFileAtomic(file: string, data: string): void {
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  track(temp);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
    untrack(temp);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
};

/**
 * Runs `fn` holding the lock file `lock` (created with O_EXCL; holds the owner's pid). Waits
 * for another holder; takes over a lock whose owner has died. `fn` must be synchronous.
 */
export function withLock<T>(lock: string, fn: () => T): T {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      // a lock left by a killed run (or unreadable for 10 s) is stale: remove it
      if ((Number.isInteger(owner) && owner > 0 && !isAlive(owner)) || Date.now() - started > 10_000) {
        try {
          unlinkSync(lock);
        } catch {
          // someone else removed it
        }
        continue;
      }
      Atomics.wait(sleeper, 0, 0, 20);
    }
  }
  track(lock);
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
    untrack(lock);
  }
}
