// GEMM on the pool: the parallel entry points gemm_f64/f32 and gemm_epilogue_f64/f32 over
// the serial pieces of gemm.ts (parallel/pool.ts runs the jobs).
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


import {
  epilogueSerialF32, epilogueSerialF64, gemmDriver, GEMM_F32_MR, GEMM_F32_NR, GEMM_F64_MR, GEMM_F64_NR,
  gemm_serial_workspace_f64, gemm_thread_workspace_f32, gemm_thread_workspace_f64, GEMM_ACCUMULATE, GEMM_NEGATE,
  GEMM_LOWER, GEMM_UPPER, macroKernel, packABlock, packB, triangleFrom, triangleTo,
} from './gemm';
import { ELEMENTWISE_COST, LA_KC, LA_MC, LA_NC_MAX, PACK_B_GRAIN } from '../config';
import { argF, argI, argU, available, grain, rangeStart, rangeTasks, runJob, setF, setI, setU, workerWorkspaceBytes } from '../parallel/pool';
import { JOB_EPILOGUE_F32, JOB_EPILOGUE_F64, JOB_GEMM_F32, JOB_GEMM_F64 } from '../parallel/tasks';

const G_SIZE = 0, G_A = 1, G_ARS = 2, G_ACS = 3, G_M = 4, G_MC = 5, G_KB = 6, G_NB = 7, G_PB = 8,
  G_C = 9, G_LDC = 10, G_FIRST = 11, G_NEGATE = 12, G_GROUPS = 13, G_GROUP_W = 14, G_KC = 15, G_BPT = 16,
  G_COMPUTE = 17, // compute tasks in the job (the packing tasks follow them)
  G_B = 18, G_BRS = 19, G_BCS = 20, G_PACK_KB = 21, G_PACK_NB = 22, G_PACK_PB = 23, G_PACK_TASKS = 24,
  G_TRIANGLE = 25, G_JC = 26;


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
  if (threads <= 1 || m <= 0 || n <= 0 || k <= 0 || 2.0 * <f64>m * <f64>n * <f64>k < 2.0 * grain() || threadWork > workerWorkspaceBytes()) {
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
  setI(G_NEGATE, (flags & GEMM_NEGATE) != 0 ? 1 : 0); setI(G_TRIANGLE, flags & (GEMM_UPPER | GEMM_LOWER));
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
      setU(G_C, c + <usize>jc * size); setI(G_JC, jc); setI(G_FIRST, pc == 0 && !accumulate ? 1 : 0);
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



// Task t of a GEMM job: a compute task (row blocks from (t / groups)·blocksPerTask, column
// group t % groups) or, past them, a packing task of the next panel.
export function gemmTask<T>(t: i32, work: usize): void {
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
  const triangle = argI(G_TRIANGLE), jc = argI(G_JC), NR = sizeof<T>() == 8 ? GEMM_F64_NR : GEMM_F32_NR;
  const icEnd = min(m, ((t / groups) + 1) * bpt * mc);
  for (let ic = (t / groups) * bpt * mc; ic < icEnd; ic += mc) {
    const mb = min(mc, m - ic);
    const from = max(jr0, triangleFrom(triangle, ic, jc, nb, NR)), to = min(jr1, triangleTo(triangle, ic, mb, jc, nb, NR));
    if (from >= to) continue;
    packABlock<T>(mb, kb, a + <usize>ic * ars * size, ars, acs, negate, packedA);
    macroKernel<T>(mb, from, to, kb, packedA, pb, c + <usize>ic * ldcBytes, ldcBytes, first, edge);
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
 * f32, the linear algebra's, and the serial GEMMs that run inside tasks (stage 1's symmetric
 * product by blocks of 128 columns), within the room of depth 64 at width LA_NC_MAX.
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

const E_M = 0, E_N = 1, E_ALPHA = 2, E_C = 3, E_LDC = 4, E_BETA = 5, E_W = 6, E_LDW = 7, E_TASKS = 8;

function epilogueParallel<T>(m: i32, n: i32, alpha: f64, c: usize, ldc: i32, beta: f64, w: usize, ldw: i32): void {
  const tasks = rangeTasks(m, ELEMENTWISE_COST * <f64>n);
  if (tasks <= 1) {
    if (sizeof<T>() == 8) epilogueSerialF64(m, n, alpha, c, ldc, beta, w, ldw);
    else epilogueSerialF32(m, n, <f32>alpha, c, ldc, <f32>beta, w, ldw);
    return;
  }
  setI(E_M, m); setI(E_N, n); setF(E_ALPHA, alpha); setU(E_C, c); setI(E_LDC, ldc);
  setF(E_BETA, beta); setU(E_W, w); setI(E_LDW, ldw); setI(E_TASKS, tasks);
  runJob(sizeof<T>() == 8 ? JOB_EPILOGUE_F64 : JOB_EPILOGUE_F32, tasks, 0);
}

export function epilogueTask<T>(t: i32): void {
  const m = argI(E_M), tasks = argI(E_TASKS);
  const r0 = rangeStart(t, tasks, m, 1), r1 = rangeStart(t + 1, tasks, m, 1);
  if (r1 <= r0) return;
  const size = <usize>sizeof<T>();
  const ldc = argI(E_LDC), ldw = argI(E_LDW);
  const c = argU(E_C) + <usize>r0 * <usize>ldc * size, w = argU(E_W) + <usize>r0 * <usize>ldw * size;
  if (sizeof<T>() == 8) epilogueSerialF64(r1 - r0, argI(E_N), argF(E_ALPHA), c, ldc, argF(E_BETA), w, ldw);
  else epilogueSerialF32(r1 - r0, argI(E_N), <f32>argF(E_ALPHA), c, ldc, <f32>argF(E_BETA), w, ldw);
}

export function gemm_epilogue_f64(m: i32, n: i32, alpha: f64, c: usize, ldc: i32, beta: f64, w: usize, ldw: i32): void {
  epilogueParallel<f64>(m, n, alpha, c, ldc, beta, w, ldw);
}

export function gemm_epilogue_f32(m: i32, n: i32, alpha: f32, c: usize, ldc: i32, beta: f32, w: usize, ldw: i32): void {
  epilogueParallel<f32>(m, n, <f64>alpha, c, ldc, <f64>beta, w, ldw);
}

