// The thread pool: one wasm memory shared by the calling thread and a pool of workers (each its own
// instance of this module over the same memory), a control block in that memory, and jobs
// split into tasks over disjoint parts of the output.
//
// Determinism: a task computes a set of output elements exactly as the serial kernel would
// (GEMM tiles keep the increasing-k sum of every element; elementwise maps and counter-based
// random numbers are pure functions of the index), and no two tasks write the same element.
// Which thread runs which task never matters, so results are bit-identical for any number of
// threads. Nothing here reduces across tasks.
//
// Protocol (all synchronisation through the control block, atomics are sequentially
// consistent):
//   caller  writes the job's arguments, closes the claim word (NEXT := new job id with no
//           task left), writes KIND and TOTAL, DONE := 0, opens it (NEXT := (job id << 32) | 0),
//           GEN += 1, wakes the workers, claims tasks itself, then waits until DONE = TOTAL.
//   worker  waits for GEN to change, then claims tasks by compare-and-swap of NEXT from
//           (job, t) to (job, t + 1) while t < TOTAL and NEXT still carries the job id it
//           read first (a late worker never touches another job), runs each and adds 1 to
//           DONE (waking the caller at TOTAL). A job cannot finish, so its arguments cannot
//           change, while one of its tasks is running.
// A task that traps unwinds the worker's instance to its host code, which calls
// thread_task_failed(): the task counts as done and FAILED is set; once all tasks are done
// the caller calls the host's thread_failure(), which throws the worker's error. A job is
// never left with a task that nobody will finish, so a failure cannot deadlock.
//
// see: Van Zee, Smith, Marker et al., "The BLIS framework: experiments in portability",
//      ACM TOMS 42(2), 2016, §6 (parallelising the loops around the micro-kernel);
//      the WebAssembly threads proposal (shared memory, atomic.wait/notify).
//
// This file knows no kernel: a job is a kind (parallel/tasks.ts, the registry), a task count
// and up to ARG_SLOTS arguments; each parallel wrapper sits beside its serial kernel
// (blas/gemm_parallel.ts, blas/level1.ts, math/activations.ts, random/philox.ts, nn/net.ts,
// lapack/tridiag.ts).

import { MAX_THREADS } from '../abi';
import { runTask, JOB_SELFTEST_FILL, JOB_SELFTEST_TRAP } from './tasks';

// The host's handler for a failed worker task: throws the worker's error (never returns).
@external("env", "thread_failure")
declare function hostThreadFailure(): void;

// ---------------------------------------------------------------------------------------
// Control block (byte offsets; i32 unless noted). Allocated and zeroed by the host.

const C_GEN: usize = 0;        // bumped once per job; idle workers wait on it
const C_STOP: usize = 4;       // 1: workers return from thread_worker
const C_DONE: usize = 8;       // tasks finished in the current job
const C_TOTAL: usize = 12;     // tasks in the current job
const C_KIND: usize = 16;      // the current job's kind (JOB_*)
const C_FAILED: usize = 20;    // a task trapped in a worker
const C_THREADS: usize = 24;   // threads taking part: the caller and the ready workers
const C_SPIN: usize = 28;      // polls of a flag before sleeping on it
const C_NEXT: usize = 32;      // i64: (job id << 32) | next unclaimed task
const C_WORK_BYTES: usize = 40; // size of each worker's GEMM packing workspace
const C_GRAIN: usize = 48;     // f64: least work (≈ flops) per task worth a thread
const C_ARGS: usize = 64;      // job arguments, ARG_SLOTS slots of 8 bytes
const ARG_SLOTS: i32 = 32;
const C_WORK: usize = C_ARGS + <usize>ARG_SLOTS * 8; // u32 × MAX_THREADS: workers' workspaces
const C_TASKS: usize = C_WORK + <usize>MAX_THREADS * 4; // u32 × MAX_THREADS: tasks run by each thread (diagnostics)
const C_MESSAGE: usize = C_TASKS + <usize>MAX_THREADS * 4; // a failed worker's error text (UTF-8)
const MESSAGE_BYTES: i32 = 1024;
const CTL_BYTES: i32 = <i32>C_MESSAGE + MESSAGE_BYTES;

/** Bytes of the control block the host allocates (zeroed) for a pool. */
export function thread_ctl_bytes(): i32 { return CTL_BYTES; }
/** Where the per-thread task counters are (u32 each; thread 0 is the caller). */
export function thread_tasks_offset(): i32 { return <i32>C_TASKS; }
/** Where a worker's host code writes its error text, and how many bytes fit. */
export function thread_message_offset(): i32 { return <i32>C_MESSAGE; }
export function thread_message_bytes(): i32 { return MESSAGE_BYTES; }

// Per instance (wasm globals are not shared): this instance's control block, whether it is a
// worker, and whether it is inside a job (tasks never start jobs of their own).
let ctl: usize = 0;
let isWorker = false;
let inJob = false;
let workerWork: usize = 0;
let threadId: i32 = 0;
// Tasks the calling thread has claimed in the current job (counted in DONE only at its end).
let callerClaimed: i32 = 0;

// ---------------------------------------------------------------------------------------
// Host entry points

/** The caller's instance joins the pool whose control block is at `block` (0: detach). */
export function threads_attach(block: usize): void {
  ctl = block;
}

/** Sets the threads taking part (1 = serial), the spin count and the least work per task. */
export function threads_configure(threads: i32, spin: i32, grain: f64, workBytes: i32): void {
  store<i32>(ctl + C_THREADS, max(1, min(threads, MAX_THREADS)));
  store<i32>(ctl + C_SPIN, max(0, spin));
  store<f64>(ctl + C_GRAIN, max(0.0, grain));
  store<i32>(ctl + C_WORK_BYTES, workBytes);
}

/** Records worker `id`'s packing workspace (id ≥ 1; the caller brings its own). */
export function threads_set_workspace(id: i32, work: usize): void {
  store<u32>(ctl + C_WORK + (<usize>id << 2), <u32>work);
}

/** Asks every worker to return from thread_worker and wakes them. */
export function threads_stop(): void {
  atomic.store<i32>(ctl + C_STOP, 1);
  atomic.add<i32>(ctl + C_GEN, 1);
  atomic.notify(ctl + C_GEN, -1);
}

/** The current generation (a worker re-entering after a failure rejoins from gen − 1). */
export function thread_generation(block: usize): i32 {
  return atomic.load<i32>(block + C_GEN);
}

/**
 * A worker's loop: waits for jobs and runs their tasks until threads_stop(). `seen` is the
 * last generation this worker has handled (0 on start, so a job posted before it got here
 * is still joined).
 */
export function thread_worker(block: usize, id: i32, seen: i32): void {
  ctl = block;
  isWorker = true;
  threadId = id;
  workerWork = <usize>load<u32>(block + C_WORK + (<usize>id << 2));
  while (true) {
    let spins = atomic.load<i32>(ctl + C_SPIN);
    while (atomic.load<i32>(ctl + C_GEN) == seen) {
      if (spins > 0) spins--;
      else atomic.wait<i32>(ctl + C_GEN, seen, -1);
    }
    if (atomic.load<i32>(ctl + C_STOP) != 0) return;
    seen = atomic.load<i32>(ctl + C_GEN);
    claimTasks(workerWork, true);
  }
}

/** Called by a worker's host code after a task trapped: counts the task as done, flags the job. */
export function thread_task_failed(): void {
  atomic.store<i32>(ctl + C_FAILED, 1);
  const total = atomic.load<i32>(ctl + C_TOTAL);
  if (atomic.add<i32>(ctl + C_DONE, 1) + 1 >= total) atomic.notify(ctl + C_DONE, -1);
}

/**
 * The host calls this after a trap unwound the calling thread out of a job (wasm has no
 * finally): the job stops handing out tasks, the workers finish those they took, and the
 * job state is cleared so that the next job runs on the pool again. Returns 0 if no job was
 * in progress, 1 once it is cleaned up, −1 if the workers did not finish their tasks within
 * about `waitMs` milliseconds (the pool must then not be used any more).
 */
export function threads_recover(waitMs: i32): i32 {
  if (ctl == 0 || isWorker || !inJob) return 0;
  // Close the claim word (same job id, no task left), learning how many tasks were claimed.
  let cur = atomic.load<i64>(ctl + C_NEXT);
  while (true) {
    const seen = atomic.cmpxchg<i64>(ctl + C_NEXT, cur, (cur & ~(<i64>0xFFFFFFFF)) | CLOSED);
    if (seen == cur) break;
    cur = seen;
  }
  const claimed = min(<i32>(cur & 0xFFFFFFFF), atomic.load<i32>(ctl + C_TOTAL));
  // Workers add each task they finish (or that trapped) to DONE; the caller's own tasks are
  // not in it. Workers notify DONE only at the job's total, so poll in 1 ms waits.
  const byWorkers = claimed - callerClaimed;
  for (let waited = 0; atomic.load<i32>(ctl + C_DONE) < byWorkers; waited++) {
    if (waited >= waitMs) return -1;
    atomic.wait<i32>(ctl + C_DONE, atomic.load<i32>(ctl + C_DONE), 1000000);
  }
  inJob = false;
  callerClaimed = 0;
  return 1;
}

/** Clears the failure flag (the host, after reporting it). */
export function thread_clear_failure(): void {
  atomic.store<i32>(ctl + C_FAILED, 0);
}

// ---------------------------------------------------------------------------------------
// Running a job

/** Threads a job started now could use (1: run serially). */
@inline
export function available(): i32 {
  if (ctl == 0 || isWorker || inJob) return 1;
  return load<i32>(ctl + C_THREADS);
}

// The task index of a closed claim word (beyond any job's total).
const CLOSED: i64 = 0x7FFFFFFF;

// Claims and runs tasks of the job whose id NEXT carries when we start; returns how many.
// A task is claimed by advancing NEXT from (job, t) to (job, t + 1) with t < TOTAL; the job
// cannot finish, nor its kind, total or arguments change, before the task is counted.
function claimTasks(work: usize, countEach: bool): i32 {
  const first = atomic.load<i64>(ctl + C_NEXT);
  const job = first >>> 32;
  let ran = 0;
  while (true) {
    const cur = atomic.load<i64>(ctl + C_NEXT);
    if ((cur >>> 32) != job) break;
    const total = atomic.load<i32>(ctl + C_TOTAL);
    const t = <i32>(cur & 0xFFFFFFFF); // ≤ CLOSED: never negative
    if (t >= total) break;
    if (atomic.cmpxchg<i64>(ctl + C_NEXT, cur, cur + 1) != cur) continue;
    if (!countEach) callerClaimed++;
    // The job cannot finish (and its arguments cannot change) before this task is counted.
    runTask(atomic.load<i32>(ctl + C_KIND), t, work);
    ran++;
    const counter = ctl + C_TASKS + (<usize>threadId << 2);
    store<u32>(counter, load<u32>(counter) + 1); // only this thread writes its counter
    if (countEach && atomic.add<i32>(ctl + C_DONE, 1) + 1 == total) atomic.notify(ctl + C_DONE, -1);
  }
  return ran;
}

// Runs tasks 0..total−1 of job `kind` (arguments already in the control block), on the pool
// when it has more than one thread, else in order on the caller. `work` is the caller's
// GEMM workspace.
export function runJob(kind: i32, total: i32, work: usize): void {
  if (total <= 0) return;
  if (total == 1 || available() <= 1) {
    for (let t = 0; t < total; t++) runTask(kind, t, work);
    return;
  }
  inJob = true;
  callerClaimed = 0;
  // Close the claim word first (new job id, no task left): a worker still comparing the
  // previous job's NEXT with TOTAL could otherwise see the new TOTAL while NEXT still
  // carries the old job, and claim a task twice. Only then the new kind, total and count.
  const job = ((atomic.load<i64>(ctl + C_NEXT) >>> 32) + 1) & 0xFFFFFFFF;
  atomic.store<i64>(ctl + C_NEXT, (job << 32) | CLOSED);
  store<i32>(ctl + C_KIND, kind);
  atomic.store<i32>(ctl + C_TOTAL, total);
  atomic.store<i32>(ctl + C_DONE, 0);
  atomic.store<i64>(ctl + C_NEXT, job << 32);
  atomic.add<i32>(ctl + C_GEN, 1);
  atomic.notify(ctl + C_GEN, -1);
  const mine = kind == JOB_SELFTEST_TRAP ? 0 : claimTasks(work, false);
  if (atomic.add<i32>(ctl + C_DONE, mine) + mine < total) {
    let spins = atomic.load<i32>(ctl + C_SPIN);
    while (true) {
      const done = atomic.load<i32>(ctl + C_DONE);
      if (done >= total) break;
      if (spins > 0) spins--;
      else atomic.wait<i32>(ctl + C_DONE, done, -1);
    }
  }
  inJob = false;
  if (atomic.load<i32>(ctl + C_FAILED) != 0) hostThreadFailure();
}

// Job arguments.
@inline export function setI(slot: i32, v: i32): void { store<i64>(ctl + C_ARGS + (<usize>slot << 3), <i64>v); }
@inline export function setU(slot: i32, v: usize): void { store<i64>(ctl + C_ARGS + (<usize>slot << 3), <i64>v); }
@inline export function setF(slot: i32, v: f64): void { store<f64>(ctl + C_ARGS + (<usize>slot << 3), v); }
@inline export function argI(slot: i32): i32 { return <i32>load<i64>(ctl + C_ARGS + (<usize>slot << 3)); }
@inline export function argU(slot: i32): usize { return <usize>load<i64>(ctl + C_ARGS + (<usize>slot << 3)); }
@inline export function argF(slot: i32): f64 { return load<f64>(ctl + C_ARGS + (<usize>slot << 3)); }

/** The least work (≈ GEMM flops) per task worth handing to another thread. */
@inline export function grain(): f64 { return max(load<f64>(ctl + C_GRAIN), 1.0); }

/** Bytes of each worker's packing workspace (a job needing more runs serially). */
@inline export function workerWorkspaceBytes(): i32 { return load<i32>(ctl + C_WORK_BYTES); }

/** Whether this instance is a worker of a pool (not the calling thread). */
@inline export function onWorker(): bool { return isWorker; }

/** Whether this instance is attached to a pool. */
@inline export function attached(): bool { return ctl != 0; }

// ---------------------------------------------------------------------------------------
// Row-wise and elementwise jobs: contiguous ranges of rows or elements.

// Tasks for `count` items costing `cost` each (≈ flops): up to four per thread, none
// smaller than the grain. 1 = serial.
@inline
export function rangeTasks(count: i32, cost: f64): i32 {
  const threads = available();
  if (threads <= 1 || count <= 1) return 1;
  const byGrain = <i32>min(<f64>count * cost / grain(), 1e6);
  return max(1, min(min(byGrain, 4 * threads), count));
}

// Item range of task t out of `tasks` over `count` items, boundaries on multiples of `align`.
@inline
export function rangeStart(t: i32, tasks: i32, count: i32, align: i32): i32 {
  if (t >= tasks) return count;
  const per = ((count + tasks - 1) / tasks + align - 1) / align * align;
  return min(<i32>(<i64>t * <i64>per), count);
}

// ---------------------------------------------------------------------------------------
// Self-tests for the host's tests: a job whose tasks trap in workers (the caller takes no
// task of it), and back-to-back jobs that each add 1 to every one of `count` i32 values
// (so a task run twice, or a job that returns before a task has run, shows in the values).

/** Runs a job of `tasks` tasks that trap in any worker (returns normally on one thread). */
export function threads_selftest_trap(tasks: i32): void {
  runJob(JOB_SELFTEST_TRAP, tasks, 0);
}

const T_OUT = 0, T_COUNT = 1, T_TASKS = 2;

/**
 * `rounds` jobs in a row, job r adding 1 to out[0..count) in 1 + (7r mod 41) tasks (the task
 * count changes from job to job): afterwards every value must have grown by `rounds`.
 */
export function threads_selftest_fill(out: usize, count: i32, rounds: i32): void {
  for (let r = 0; r < rounds; r++) {
    const tasks = 1 + (r * 7) % 41;
    if (!attached()) {
      for (let t = 0; t < tasks; t++) selftestFill(out, count, t, tasks);
      continue;
    }
    setU(T_OUT, out); setI(T_COUNT, count); setI(T_TASKS, tasks);
    runJob(JOB_SELFTEST_FILL, tasks, 0);
  }
}

@inline
function selftestFill(out: usize, count: i32, t: i32, tasks: i32): void {
  const i0 = rangeStart(t, tasks, count, 1), i1 = rangeStart(t + 1, tasks, count, 1);
  for (let i = i0; i < i1; i++) store<i32>(out + (<usize>i << 2), load<i32>(out + (<usize>i << 2)) + 1);
}

export function selftestFillTask(t: i32): void {
  selftestFill(argU(T_OUT), argI(T_COUNT), t, argI(T_TASKS));
}
