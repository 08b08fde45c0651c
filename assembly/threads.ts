// Threads: one wasm memory shared by the calling thread and a pool of workers (each its own
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

import {
  gemmDriver, gemm_epilogue_f32 as epilogueSerial_f32, gemm_epilogue_f64 as epilogueSerial_f64, GEMM_F32_MR, GEMM_F32_NR,
  GEMM_F64_MR, GEMM_F64_NR, gemm_serial_workspace_f64, gemm_thread_workspace_f32, gemm_thread_workspace_f64,
  GEMM_ACCUMULATE, GEMM_NEGATE, LA_KC, LA_MC, LA_NC_MAX, laNc, macroKernel, packABlock, packB,
} from './gemm';
import { map_f32 as mapSerial_f32, map_f64 as mapSerial_f64, ACT_ABS, ACT_IDENTITY, ACT_RELU, ACT_SQUARE } from './activations';
import { rng_normal_f32 as normalSerial_f32, rng_normal_f64 as normalSerial_f64, rng_uniform_f32 as uniformSerial_f32, rng_uniform_f64 as uniformSerial_f64 } from './rng';
import { axpy_f32 as axpySerial_f32, axpy_f64 as axpySerial_f64, hadamard_f32 as hadamardSerial_f32, hadamard_f64 as hadamardSerial_f64, scal_f32 as scalSerial_f32, scal_f64 as scalSerial_f64 } from './blas1';
import { one_minus_square_f64 as oneMinusSquareSerial, polyval_f64 as polyvalSerial, rank1_hadamard_f64 as rank1HadamardSerial } from './net';

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
export const MAX_THREADS: i32 = 64;
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
function available(): i32 {
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
function runJob(kind: i32, total: i32, work: usize): void {
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
@inline function setI(slot: i32, v: i32): void { store<i64>(ctl + C_ARGS + (<usize>slot << 3), <i64>v); }
@inline function setU(slot: i32, v: usize): void { store<i64>(ctl + C_ARGS + (<usize>slot << 3), <i64>v); }
@inline function setF(slot: i32, v: f64): void { store<f64>(ctl + C_ARGS + (<usize>slot << 3), v); }
@inline function argI(slot: i32): i32 { return <i32>load<i64>(ctl + C_ARGS + (<usize>slot << 3)); }
@inline function argU(slot: i32): usize { return <usize>load<i64>(ctl + C_ARGS + (<usize>slot << 3)); }
@inline function argF(slot: i32): f64 { return load<f64>(ctl + C_ARGS + (<usize>slot << 3)); }

const JOB_GEMM_F64: i32 = 1;
const JOB_GEMM_F32: i32 = 2;
const JOB_EPILOGUE_F64: i32 = 3;
const JOB_EPILOGUE_F32: i32 = 4;
const JOB_MAP_F64: i32 = 5;
const JOB_MAP_F32: i32 = 6;
const JOB_RNG: i32 = 7;
const JOB_ELEMENTWISE: i32 = 8;
const JOB_NET: i32 = 9;
const JOB_SYTRD_UPDATE: i32 = 10;
const JOB_SELFTEST_TRAP: i32 = 11;
const JOB_SELFTEST_FILL: i32 = 12;

function runTask(kind: i32, t: i32, work: usize): void {
  switch (kind) {
    case JOB_GEMM_F64: gemmTask<f64>(t, work); break;
    case JOB_GEMM_F32: gemmTask<f32>(t, work); break;
    case JOB_EPILOGUE_F64: epilogueTask<f64>(t); break;
    case JOB_EPILOGUE_F32: epilogueTask<f32>(t); break;
    case JOB_MAP_F64: mapTask<f64>(t); break;
    case JOB_MAP_F32: mapTask<f32>(t); break;
    case JOB_RNG: rngTask(t); break;
    case JOB_ELEMENTWISE: elementwiseTask(t); break;
    case JOB_NET: netTask(t); break;
    case JOB_SYTRD_UPDATE: sytrdUpdateTask(t, work); break;
    case JOB_SELFTEST_TRAP: if (isWorker) unreachable(); break;
    case JOB_SELFTEST_FILL: selftestFillTask(t); break;
    default: unreachable();
  }
}

// ---------------------------------------------------------------------------------------
// GEMM. The serial driver's loops over column panels (jc) and depth blocks (pc) stay on the
// calling thread, in order, one job per (jc, pc) step. The packed panel of op(B) is shared
// by all threads (packed by slivers during the previous job, into the second of two
// areas); the tasks are the row blocks of the macro-kernel (ic, each thread packing its own
// block of op(A)), split further by columns when there are few. Each element of C still
// receives its depth blocks in increasing order (a job finishes before the next starts),
// each block summed by the same micro-kernel call as in the serial driver: the result is the
// serial one, bit for bit.
// see: Smith, van de Geijn, Smelyanskiy et al., "Anatomy of high-performance many-threaded
//      matrix multiplication", IPDPS 2014 (parallelising the ic loop, the packed B panel
//      shared by all threads).

const G_SIZE = 0, G_A = 1, G_ARS = 2, G_ACS = 3, G_M = 4, G_MC = 5, G_KB = 6, G_NB = 7, G_PB = 8,
  G_C = 9, G_LDC = 10, G_FIRST = 11, G_NEGATE = 12, G_GROUPS = 13, G_GROUP_W = 14, G_KC = 15, G_BPT = 16,
  G_COMPUTE = 17, // compute tasks in the job (the packing tasks follow them)
  G_B = 18, G_BRS = 19, G_BCS = 20, G_PACK_KB = 21, G_PACK_NB = 22, G_PACK_PB = 23, G_PACK_TASKS = 24;

// Packing tasks of op(B) aim at this many elements each at least.
const PACK_B_GRAIN: i32 = 32768;

/**
 * C := op(A)·op(B) (raw sums; flags as gemmDriver) on the pool when worthwhile. `work` is
 * the caller's workspace for (mc, nc, kc): its two packed-B areas hold the shared panels
 * (the one in use and the next), and workers pack their blocks of A in their own
 * workspaces (if large enough, else everything runs serially).
 */
export function gemmParallel<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  work: usize, mc: i32, nc: i32, kc: i32, flags: i32,
): void {
  const threads = available();
  const size = sizeof<T>();
  const MR = sizeof<T>() == 8 ? GEMM_F64_MR : GEMM_F32_MR;
  const NR = sizeof<T>() == 8 ? GEMM_F64_NR : GEMM_F32_NR;
  const threadWork = (sizeof<T>() == 8 ? gemm_thread_workspace_f64(mc, kc) : gemm_thread_workspace_f32(mc, kc)) * <i32>size;
  if (threads <= 1 || m <= 0 || n <= 0 || k <= 0 || 2.0 * <f64>m * <f64>n * <f64>k < 2.0 * grain() || threadWork > load<i32>(ctl + C_WORK_BYTES)) {
    gemmDriver<T>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, mc, nc, kc, flags);
    return;
  }
  const accumulate = (flags & GEMM_ACCUMULATE) != 0;
  const ars: usize = transA ? 1 : <usize>lda, acs: usize = transA ? <usize>lda : 1;
  const brs: usize = transB ? 1 : <usize>ldb, bcs: usize = transB ? <usize>ldb : 1;
  const panels = work + <usize>(mc * kc + MR * NR) * size; // two packed-B areas of kc·nc
  const panelBytes = <usize>kc * <usize>nc * size;
  const rowBlocks = (m + mc - 1) / mc;
  setI(G_SIZE, <i32>size); setU(G_BRS, brs); setU(G_BCS, bcs);
  setI(G_M, m); setI(G_MC, mc); setI(G_KC, kc); setU(G_ARS, ars); setU(G_ACS, acs); setI(G_LDC, ldc);
  setI(G_NEGATE, (flags & GEMM_NEGATE) != 0 ? 1 : 0);
  // The steps (jc, pc) of the serial driver, in its order. Job s computes step s with the
  // panel packed during job s − 1, and packs the panel of step s + 1 in the other area
  // (its last tasks, which also fill the end of the job); job 0 only packs.
  const kSteps = (k + kc - 1) / kc;
  const steps = ((n + nc - 1) / nc) * kSteps;
  for (let s = -1; s < steps; s++) {
    let computeTasks = 0;
    if (s >= 0) {
      const jc = (s / kSteps) * nc, pc = (s % kSteps) * kc;
      const nb = min(nc, n - jc), kb = min(kc, k - pc);
      const slivers = (nb + NR - 1) / NR;
      // Runs of row blocks × column groups, none below the grain. Column groups (each packs
      // its rows of A again) only when there are few row blocks: up to one task per thread
      // when fewer row blocks than threads, else up to two per thread (balance).
      const panelFlops = 2.0 * <f64>m * <f64>nb * <f64>kb;
      const maxTasks = max(1, <i32>min(panelFlops / grain(), 1e6));
      const blocksPerTask = (rowBlocks + maxTasks - 1) / maxTasks;
      const rowTasks = (rowBlocks + blocksPerTask - 1) / blocksPerTask;
      const target = rowTasks < threads ? threads : 2 * threads;
      let groups = 1;
      if (rowTasks < target) groups = max(1, min(min((target + rowTasks - 1) / rowTasks, slivers), maxTasks / rowTasks));
      const groupWidth = (slivers + groups - 1) / groups * NR;
      groups = (nb + groupWidth - 1) / groupWidth;
      computeTasks = rowTasks * groups;
      setU(G_A, a + <usize>pc * acs * size); setI(G_KB, kb); setI(G_NB, nb); setU(G_PB, panels + <usize>(s & 1) * panelBytes);
      setU(G_C, c + <usize>jc * size); setI(G_FIRST, pc == 0 && !accumulate ? 1 : 0);
      setI(G_GROUPS, groups); setI(G_GROUP_W, groupWidth); setI(G_BPT, blocksPerTask);
    }
    let packTasks = 0;
    if (s + 1 < steps) {
      const jc = ((s + 1) / kSteps) * nc, pc = ((s + 1) % kSteps) * kc;
      const nb = min(nc, n - jc), kb = min(kc, k - pc);
      const slivers = (nb + NR - 1) / NR;
      packTasks = max(1, min(min(slivers, 4 * threads), kb * nb / PACK_B_GRAIN));
      setU(G_B, b + (<usize>pc * brs + <usize>jc * bcs) * size); setI(G_PACK_KB, kb); setI(G_PACK_NB, nb);
      setU(G_PACK_PB, panels + <usize>((s + 1) & 1) * panelBytes); setI(G_PACK_TASKS, packTasks);
    }
    setI(G_COMPUTE, computeTasks);
    runJob(sizeof<T>() == 8 ? JOB_GEMM_F64 : JOB_GEMM_F32, computeTasks + packTasks, work);
  }
}

@inline function grain(): f64 { return max(load<f64>(ctl + C_GRAIN), 1.0); }

// Task t of a GEMM job: a compute task (row blocks from (t / groups)·blocksPerTask, column
// group t % groups) or, past them, a packing task of the next panel.
function gemmTask<T>(t: i32, work: usize): void {
  const computeTasks = argI(G_COMPUTE);
  if (t >= computeTasks) {
    packBTask<T>(t - computeTasks);
    return;
  }
  const size = sizeof<T>();
  const groups = argI(G_GROUPS), groupWidth = argI(G_GROUP_W), bpt = argI(G_BPT);
  const m = argI(G_M), mc = argI(G_MC), kb = argI(G_KB), nb = argI(G_NB);
  const jr0 = (t % groups) * groupWidth, jr1 = min(nb, jr0 + groupWidth);
  const ars = argU(G_ARS), acs = argU(G_ACS), ldcBytes = <usize>argI(G_LDC) * size;
  const a = argU(G_A), pb = argU(G_PB), c = argU(G_C), first = argI(G_FIRST) != 0, negate = argI(G_NEGATE) != 0;
  // This thread's workspace: packed A, then the edge tile (gemm.ts's layout).
  const packedA = work;
  const edge = work + <usize>mc * <usize>argI(G_KC) * size;
  const icEnd = min(m, ((t / groups) + 1) * bpt * mc);
  for (let ic = (t / groups) * bpt * mc; ic < icEnd; ic += mc) {
    const mb = min(mc, m - ic);
    packABlock<T>(mb, kb, a + <usize>ic * ars * size, ars, acs, negate, packedA);
    macroKernel<T>(mb, jr0, jr1, kb, packedA, pb, c + <usize>ic * ldcBytes, ldcBytes, first, edge);
  }
}

// Packing task t: a range of slivers of the next panel of op(B).
function packBTask<T>(t: i32): void {
  const size = sizeof<T>();
  const NR = sizeof<T>() == 8 ? GEMM_F64_NR : GEMM_F32_NR;
  const kb = argI(G_PACK_KB), nb = argI(G_PACK_NB), tasks = argI(G_PACK_TASKS);
  const slivers = (nb + NR - 1) / NR;
  const s0 = rangeStart(t, tasks, slivers, 1), s1 = rangeStart(t + 1, tasks, slivers, 1);
  if (s1 <= s0) return;
  const j0 = s0 * NR, cols = min(nb, s1 * NR) - j0;
  packB<T>(kb, cols, argU(G_B) + <usize>j0 * argU(G_BCS) * size, argU(G_BRS), argU(G_BCS), NR, argU(G_PACK_PB) + <usize>j0 * <usize>kb * size);
}

/**
 * Bytes of packing workspace each worker needs: threaded GEMMs blocked (mc, kc) in f64 and
 * f32, the linear algebra's, and the blocks of the tridiagonal reduction's trailing update
 * (serial GEMMs of depth ≤ 64 and width ≤ LA_NC_MAX; deeper panels run on one thread).
 */
export function thread_workspace_bytes(mc64: i32, kc64: i32, mc32: i32, kc32: i32): i32 {
  const f64s = max(max(gemm_thread_workspace_f64(mc64, kc64), gemm_thread_workspace_f64(LA_MC, LA_KC)), gemm_serial_workspace_f64(LA_MC, LA_NC_MAX, 64));
  return max(f64s * 8, gemm_thread_workspace_f32(mc32, kc32) * 4);
}

export function gemm_f64(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  work: usize, mc: i32, nc: i32, kc: i32, flags: i32,
): void {
  gemmParallel<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, mc, nc, kc, flags);
}

export function gemm_f32(
  transA: bool, transB: bool, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  work: usize, mc: i32, nc: i32, kc: i32, flags: i32,
): void {
  gemmParallel<f32>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, mc, nc, kc, flags);
}

// ---------------------------------------------------------------------------------------
// Row-wise and elementwise jobs: contiguous ranges of rows or elements.

// Tasks for `count` items costing `cost` each (≈ flops): up to four per thread, none
// smaller than the grain. 1 = serial.
@inline
function rangeTasks(count: i32, cost: f64): i32 {
  const threads = available();
  if (threads <= 1 || count <= 1) return 1;
  const byGrain = <i32>min(<f64>count * cost / grain(), 1e6);
  return max(1, min(min(byGrain, 4 * threads), count));
}

// Item range of task t out of `tasks` over `count` items, boundaries on multiples of `align`.
@inline
function rangeStart(t: i32, tasks: i32, count: i32, align: i32): i32 {
  if (t >= tasks) return count;
  const per = ((count + tasks - 1) / tasks + align - 1) / align * align;
  return min(<i32>(<i64>t * <i64>per), count);
}

const E_M = 0, E_N = 1, E_ALPHA = 2, E_C = 3, E_LDC = 4, E_BETA = 5, E_W = 6, E_LDW = 7, E_TASKS = 8;

function epilogueParallel<T>(m: i32, n: i32, alpha: f64, c: usize, ldc: i32, beta: f64, w: usize, ldw: i32): void {
  const tasks = rangeTasks(m, ELEMENTWISE_COST * <f64>n);
  if (tasks <= 1) {
    if (sizeof<T>() == 8) epilogueSerial_f64(m, n, alpha, c, ldc, beta, w, ldw);
    else epilogueSerial_f32(m, n, <f32>alpha, c, ldc, <f32>beta, w, ldw);
    return;
  }
  setI(E_M, m); setI(E_N, n); setF(E_ALPHA, alpha); setU(E_C, c); setI(E_LDC, ldc);
  setF(E_BETA, beta); setU(E_W, w); setI(E_LDW, ldw); setI(E_TASKS, tasks);
  runJob(sizeof<T>() == 8 ? JOB_EPILOGUE_F64 : JOB_EPILOGUE_F32, tasks, 0);
}

function epilogueTask<T>(t: i32): void {
  const m = argI(E_M), tasks = argI(E_TASKS);
  const r0 = rangeStart(t, tasks, m, 1), r1 = rangeStart(t + 1, tasks, m, 1);
  if (r1 <= r0) return;
  const size = <usize>sizeof<T>();
  const ldc = argI(E_LDC), ldw = argI(E_LDW);
  const c = argU(E_C) + <usize>r0 * <usize>ldc * size, w = argU(E_W) + <usize>r0 * <usize>ldw * size;
  if (sizeof<T>() == 8) epilogueSerial_f64(r1 - r0, argI(E_N), argF(E_ALPHA), c, ldc, argF(E_BETA), w, ldw);
  else epilogueSerial_f32(r1 - r0, argI(E_N), <f32>argF(E_ALPHA), c, ldc, <f32>argF(E_BETA), w, ldw);
}

export function gemm_epilogue_f64(m: i32, n: i32, alpha: f64, c: usize, ldc: i32, beta: f64, w: usize, ldw: i32): void {
  epilogueParallel<f64>(m, n, alpha, c, ldc, beta, w, ldw);
}

export function gemm_epilogue_f32(m: i32, n: i32, alpha: f32, c: usize, ldc: i32, beta: f32, w: usize, ldw: i32): void {
  epilogueParallel<f32>(m, n, <f64>alpha, c, ldc, <f64>beta, w, ldw);
}

// Activation maps. Boundaries on multiples of 64 elements (whole cache lines, and the SIMD
// paths see the same pairs as in one pass).
const M_KIND = 0, M_DERIVE = 1, M_PARAM = 2, M_N = 3, M_X = 4, M_OUT = 5, M_TASKS = 6;

// Rough cost of one element in GEMM flops (one GEMM flop ≈ 1/15 ns here: tanh ≈ 25 ns ≈
// 400 flops), so that the grain means the same time for every kernel and cheap maps are
// not split into tasks that cost more to hand out than to compute.
@inline
function mapCost(kind: i32): f64 {
  return kind == ACT_IDENTITY || kind == ACT_RELU || kind == ACT_ABS || kind == ACT_SQUARE ? 8.0 : 300.0;
}

function mapParallel<T>(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  const tasks = rangeTasks(n, mapCost(kind));
  if (tasks <= 1) {
    if (sizeof<T>() == 8) mapSerial_f64(kind, derive, param, n, x, out);
    else mapSerial_f32(kind, derive, param, n, x, out);
    return;
  }
  setI(M_KIND, kind); setI(M_DERIVE, derive ? 1 : 0); setI(M_PARAM, param); setI(M_N, n);
  setU(M_X, x); setU(M_OUT, out); setI(M_TASKS, tasks);
  runJob(sizeof<T>() == 8 ? JOB_MAP_F64 : JOB_MAP_F32, tasks, 0);
}

function mapTask<T>(t: i32): void {
  const n = argI(M_N), tasks = argI(M_TASKS);
  const i0 = rangeStart(t, tasks, n, 64), i1 = rangeStart(t + 1, tasks, n, 64);
  if (i1 <= i0) return;
  const off = <usize>i0 * sizeof<T>();
  if (sizeof<T>() == 8) mapSerial_f64(argI(M_KIND), argI(M_DERIVE) != 0, argI(M_PARAM), i1 - i0, argU(M_X) + off, argU(M_OUT) + off);
  else mapSerial_f32(argI(M_KIND), argI(M_DERIVE) != 0, argI(M_PARAM), i1 - i0, argU(M_X) + off, argU(M_OUT) + off);
}

export function map_f64(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  mapParallel<f64>(kind, derive, param, n, x, out);
}

export function map_f32(kind: i32, derive: bool, param: i32, n: i32, x: usize, out: usize): void {
  mapParallel<f32>(kind, derive, param, n, x, out);
}

// Random numbers: value #i is a pure function of (seed, stream, i), so chunks of the output
// are drawn independently. Boundaries on multiples of 64 values (even: normals come in
// pairs from one Philox block, so no pair is computed twice).
const R_WHICH = 0, R_OUT = 1, R_COUNT = 2, R_FIRST = 3, R_SEED_LO = 4, R_SEED_HI = 5, R_STREAM_LO = 6, R_STREAM_HI = 7, R_TASKS = 8;
const RNG_UNIFORM_F64 = 0, RNG_UNIFORM_F32 = 1, RNG_NORMAL_F64 = 2, RNG_NORMAL_F32 = 3;

function rngDraw(which: i32, out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  switch (which) {
    case RNG_UNIFORM_F64: uniformSerial_f64(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    case RNG_UNIFORM_F32: uniformSerial_f32(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    case RNG_NORMAL_F64: normalSerial_f64(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
    default: normalSerial_f32(out, count, first, seedLo, seedHi, streamLo, streamHi); break;
  }
}

function rngParallel(which: i32, out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  const tasks = rangeTasks(count, which >= RNG_NORMAL_F64 ? 300.0 : 100.0); // Box–Muller ≈ 20 ns a value
  if (tasks <= 1) {
    rngDraw(which, out, count, first, seedLo, seedHi, streamLo, streamHi);
    return;
  }
  setI(R_WHICH, which); setU(R_OUT, out); setI(R_COUNT, count); setF(R_FIRST, first);
  setU(R_SEED_LO, seedLo); setU(R_SEED_HI, seedHi); setU(R_STREAM_LO, streamLo); setU(R_STREAM_HI, streamHi);
  setI(R_TASKS, tasks);
  runJob(JOB_RNG, tasks, 0);
}

function rngTask(t: i32): void {
  const count = argI(R_COUNT), tasks = argI(R_TASKS), which = argI(R_WHICH);
  const i0 = rangeStart(t, tasks, count, 64), i1 = rangeStart(t + 1, tasks, count, 64);
  if (i1 <= i0) return;
  const size: usize = which == RNG_UNIFORM_F64 || which == RNG_NORMAL_F64 ? 8 : 4;
  rngDraw(which, argU(R_OUT) + <usize>i0 * size, i1 - i0, argF(R_FIRST) + <f64>i0,
    <u32>argU(R_SEED_LO), <u32>argU(R_SEED_HI), <u32>argU(R_STREAM_LO), <u32>argU(R_STREAM_HI));
}

export function rng_uniform_f64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_UNIFORM_F64, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_uniform_f32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_UNIFORM_F32, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_normal_f64(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_NORMAL_F64, out, count, first, seedLo, seedHi, streamLo, streamHi);
}
export function rng_normal_f32(out: usize, count: i32, first: f64, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32): void {
  rngParallel(RNG_NORMAL_F32, out, count, first, seedLo, seedHi, streamLo, streamHi);
}

// Level-1 elementwise updates (memory-bound: split only when large). Boundaries on multiples
// of 64 elements, so the SIMD loops see the same lanes as in one pass.
const L_OP = 0, L_N = 1, L_ALPHA = 2, L_X = 3, L_Y = 4, L_OUT = 5, L_TASKS = 6;
const OP_AXPY_F64 = 0, OP_AXPY_F32 = 1, OP_SCAL_F64 = 2, OP_SCAL_F32 = 3, OP_HADAMARD_F64 = 4, OP_HADAMARD_F32 = 5;
const ELEMENTWISE_COST: f64 = 8.0; // memory-bound, ≈ 0.5 ns an element

function elementwiseRange(op: i32, n: i32, alpha: f64, x: usize, y: usize, out: usize): void {
  switch (op) {
    case OP_AXPY_F64: axpySerial_f64(n, alpha, x, y); break;
    case OP_AXPY_F32: axpySerial_f32(n, <f32>alpha, x, y); break;
    case OP_SCAL_F64: scalSerial_f64(n, alpha, x, out); break;
    case OP_SCAL_F32: scalSerial_f32(n, <f32>alpha, x, out); break;
    case OP_HADAMARD_F64: hadamardSerial_f64(n, x, y, out); break;
    default: hadamardSerial_f32(n, x, y, out); break;
  }
}

function elementwiseParallel(op: i32, n: i32, alpha: f64, x: usize, y: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST);
  if (tasks <= 1) {
    elementwiseRange(op, n, alpha, x, y, out);
    return;
  }
  setI(L_OP, op); setI(L_N, n); setF(L_ALPHA, alpha); setU(L_X, x); setU(L_Y, y); setU(L_OUT, out); setI(L_TASKS, tasks);
  runJob(JOB_ELEMENTWISE, tasks, 0);
}

function elementwiseTask(t: i32): void {
  const n = argI(L_N), tasks = argI(L_TASKS), op = argI(L_OP);
  const i0 = rangeStart(t, tasks, n, 64), i1 = rangeStart(t + 1, tasks, n, 64);
  if (i1 <= i0) return;
  const off = <usize>i0 * (op == OP_AXPY_F64 || op == OP_SCAL_F64 || op == OP_HADAMARD_F64 ? 8 : 4);
  elementwiseRange(op, i1 - i0, argF(L_ALPHA), argU(L_X) + off, argU(L_Y) + off, argU(L_OUT) + off);
}

export function axpy_f64(n: i32, alpha: f64, x: usize, y: usize): void { elementwiseParallel(OP_AXPY_F64, n, alpha, x, y, 0); }
export function axpy_f32(n: i32, alpha: f32, x: usize, y: usize): void { elementwiseParallel(OP_AXPY_F32, n, <f64>alpha, x, y, 0); }
export function scal_f64(n: i32, alpha: f64, x: usize, out: usize): void { elementwiseParallel(OP_SCAL_F64, n, alpha, x, 0, out); }
export function scal_f32(n: i32, alpha: f32, x: usize, out: usize): void { elementwiseParallel(OP_SCAL_F32, n, <f64>alpha, x, 0, out); }
export function hadamard_f64(n: i32, x: usize, y: usize, out: usize): void { elementwiseParallel(OP_HADAMARD_F64, n, 0, x, y, out); }
export function hadamard_f32(n: i32, x: usize, y: usize, out: usize): void { elementwiseParallel(OP_HADAMARD_F32, n, 0, x, y, out); }

// Network kernels (net.ts): the fused backprop product by rows, tanh′ from tanh and the
// polynomial features by elements.
const N_OP = 0, N_ROWS = 1, N_COLS = 2, N_P0 = 3, N_P1 = 4, N_P2 = 5, N_P3 = 6, N_I = 7, N_TASKS = 8;
const NET_RANK1 = 0, NET_ONE_MINUS_SQUARE = 1, NET_POLYVAL = 2;

function netTask(t: i32): void {
  const op = argI(N_OP), rows = argI(N_ROWS), cols = argI(N_COLS), tasks = argI(N_TASKS);
  const p0 = argU(N_P0), p1 = argU(N_P1), p2 = argU(N_P2), p3 = argU(N_P3);
  if (op == NET_RANK1) {
    const r0 = rangeStart(t, tasks, rows, 1), r1 = rangeStart(t + 1, tasks, rows, 1);
    if (r1 <= r0) return;
    const off = (<usize>r0 * <usize>cols) << 3;
    rank1HadamardSerial(r1 - r0, cols, p0 + off, p1 + (<usize>r0 << 3), p2, p3 + off);
  } else {
    const i0 = rangeStart(t, tasks, rows, 64), i1 = rangeStart(t + 1, tasks, rows, 64);
    if (i1 <= i0) return;
    const off = <usize>i0 << 3;
    if (op == NET_ONE_MINUS_SQUARE) oneMinusSquareSerial(i1 - i0, p0 + off, p1 + off);
    else polyvalSerial(i1 - i0, p0 + off, p1, argI(N_I), p2 + off);
  }
}

function netJob(op: i32, rows: i32, cols: i32, tasks: i32, p0: usize, p1: usize, p2: usize, p3: usize, i: i32): void {
  setI(N_OP, op); setI(N_ROWS, rows); setI(N_COLS, cols); setI(N_TASKS, tasks);
  setU(N_P0, p0); setU(N_P1, p1); setU(N_P2, p2); setU(N_P3, p3); setI(N_I, i);
  runJob(JOB_NET, tasks, 0);
}

/** out_ij := m_ij·r_i·c_j (n×N), by rows (net.ts). */
export function rank1_hadamard_f64(n: i32, N: i32, m: usize, r: usize, c: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST * <f64>N);
  if (tasks <= 1) rank1HadamardSerial(n, N, m, r, c, out);
  else netJob(NET_RANK1, n, N, tasks, m, r, c, out, 0);
}

/** out[i] := 1 − h[i]² (net.ts). */
export function one_minus_square_f64(n: i32, h: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST);
  if (tasks <= 1) oneMinusSquareSerial(n, h, out);
  else netJob(NET_ONE_MINUS_SQUARE, n, 0, tasks, h, out, 0, 0, 0);
}

/** out[i] := Σ_k c_k·x[i]^k (net.ts). */
export function polyval_f64(n: i32, x: usize, c: usize, ncoef: i32, out: usize): void {
  const tasks = rangeTasks(n, 4.0 * <f64>ncoef);
  if (tasks <= 1) polyvalSerial(n, x, c, ncoef, out);
  else netJob(NET_POLYVAL, n, 0, tasks, x, c, out, 0, ncoef);
}

// ---------------------------------------------------------------------------------------
// Linear algebra: the trailing update of the blocked tridiagonal reduction (dsytrd),
// A[r0:, r0:] −= V·Wᵀ + W·Vᵀ on the upper triangle, one task per block of rows (from its
// diagonal block to the right edge). Each task is the serial code's two GEMMs on its rows.

const S_VT = 0, S_WT = 1, S_A = 2, S_N = 3, S_R0 = 4, S_ROWS = 5, S_JB = 6;

// One block of rows: the serial code's two GEMMs of depth jb (blocked by at most LA_KC, so
// the caller's la_gemm_workspace suffices; a shallower block needs less of a worker's).
function sytrdBlock(vt: usize, wt: usize, a: usize, n: i32, r0: i32, rows: i32, jb: i32, work: usize): void {
  const cols = n - r0;
  const nc = laNc(cols);
  const kc = min(jb, LA_KC);
  const flags = GEMM_ACCUMULATE | GEMM_NEGATE;
  const off = <usize>r0 << 3;
  const arow = a + ((<usize>r0 * <usize>n + <usize>r0) << 3);
  gemmDriver<f64>(true, false, rows, cols, jb, vt + off, n, wt + off, n, arow, n, work, LA_MC, nc, kc, flags);
  gemmDriver<f64>(true, false, rows, cols, jb, wt + off, n, vt + off, n, arow, n, work, LA_MC, nc, kc, flags);
}

/**
 * The dsytrd trailing update for rows r0.. of the n×n a, in blocks of `blockRows` rows;
 * vt, wt: the panel's jb reflectors and W vectors as rows (ld n). `work`: the caller's
 * GEMM workspace (la_gemm_workspace(n)).
 */
export function sytrdTrailingUpdate(vt: usize, wt: usize, a: usize, n: i32, r0: i32, blockRows: i32, jb: i32, work: usize): void {
  const blocks = (n - r0 + blockRows - 1) / blockRows;
  const threads = available();
  // flops ≈ 4·jb·rows·cols per block (cols shrinking along the triangle): worth a task each?
  const worthIt = threads > 1 && blocks > 1 && 2.0 * <f64>jb * <f64>blockRows * <f64>(n - r0) >= grain() &&
    gemm_serial_workspace_f64(LA_MC, laNc(n - r0), min(jb, LA_KC)) * 8 <= load<i32>(ctl + C_WORK_BYTES);
  if (!worthIt) {
    for (let r = r0; r < n; r += blockRows) sytrdBlock(vt, wt, a, n, r, min(blockRows, n - r), jb, work);
    return;
  }
  setU(S_VT, vt); setU(S_WT, wt); setU(S_A, a); setI(S_N, n); setI(S_R0, r0); setI(S_ROWS, blockRows); setI(S_JB, jb);
  runJob(JOB_SYTRD_UPDATE, blocks, work);
}

function sytrdUpdateTask(t: i32, work: usize): void {
  const n = argI(S_N), blockRows = argI(S_ROWS);
  const r = argI(S_R0) + t * blockRows;
  sytrdBlock(argU(S_VT), argU(S_WT), argU(S_A), n, r, min(blockRows, n - r), argI(S_JB), work);
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
    if (ctl == 0) {
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

function selftestFillTask(t: i32): void {
  selftestFill(argU(T_OUT), argI(T_COUNT), t, argI(T_TASKS));
}
