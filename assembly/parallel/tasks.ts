// The job registry: the one file that names every parallel kernel family (as BLIS's
// bli_cntx_init_<arch>.c is the one file that names every kernel). parallel/pool.ts knows
// jobs only by these numbers; each family's wrapper and task sit beside its serial kernel.

import { epilogueTask, gemmTask } from '../blas/gemm_parallel';
import { mapTask } from '../math/activations';
import { rngTask } from '../random/philox';
import { elementwiseTask, gemvTask } from '../blas/level1';
import { netTask } from '../nn/net';
import { sytrdSymvTask } from '../lapack/tridiag';
import { bandBackTask, sb2stGroupTask, sy2sbSymmTask } from '../lapack/band';
import { potrfRowsTask } from '../lapack/factor';
import { onWorker, selftestFillTask } from './pool';

export const JOB_GEMM_F64: i32 = 1;
export const JOB_GEMM_F32: i32 = 2;
export const JOB_EPILOGUE_F64: i32 = 3;
export const JOB_EPILOGUE_F32: i32 = 4;
export const JOB_MAP_F64: i32 = 5;
export const JOB_MAP_F32: i32 = 6;
export const JOB_RNG: i32 = 7;
export const JOB_ELEMENTWISE: i32 = 8;
export const JOB_NET: i32 = 9;
export const JOB_SELFTEST_TRAP: i32 = 11;
export const JOB_SELFTEST_FILL: i32 = 12;
export const JOB_SY2SB_SYMM: i32 = 13;
export const JOB_BAND_BACK: i32 = 14;
export const JOB_SB2ST_GROUP: i32 = 15;
export const JOB_SYTRD_SYMV: i32 = 16;
export const JOB_GEMV: i32 = 17;
export const JOB_POTRF_ROWS: i32 = 18;

/** Runs task t of a job of `kind` (its arguments in the control block); `work`: this thread's GEMM workspace. */
export function runTask(kind: i32, t: i32, work: usize): void {
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
    case JOB_SELFTEST_TRAP: if (onWorker()) unreachable(); break;
    case JOB_SELFTEST_FILL: selftestFillTask(t); break;
    case JOB_SY2SB_SYMM: sy2sbSymmTask(t, work); break;
    case JOB_BAND_BACK: bandBackTask(t); break;
    case JOB_SB2ST_GROUP: sb2stGroupTask(t, work); break;
    case JOB_SYTRD_SYMV: sytrdSymvTask(t); break;
    case JOB_GEMV: gemvTask(t); break;
    case JOB_POTRF_ROWS: potrfRowsTask(t); break;
    default: unreachable();
  }
}
