// Two-stage reduction of a symmetric matrix to tridiagonal form: dense → band of b
// superdiagonals by blocked Householder panels whose two-sided updates are GEMMs (stage 1),
// then band → tridiagonal by bulge chasing (stage 2), and the back-transformation of
// eigenvectors through both stages. Stage 1 costs the 4/3·n³ flops of dsytrd but all of
// them at GEMM speed and on the thread pool; stage 2 costs ≈ 6·n²·b flops on b×b blocks.
//
// see: LAPACK dsytrd_2stage, dsytrd_sy2sb (stage 1), dsytrd_sb2st and dsb2st_kernels
//      (stage 2, lower variant), dlarfy, dgeqr2, dlarft;
//      Haidar, Ltaief & Dongarra, "Parallel reduction to condensed forms for symmetric
//      eigenvalue problems using aggregated fine-grained and memory-aware kernels", SC 2011;
//      Bischof, Lang & Sun, "A framework for symmetric band reduction", ACM TOMS 26 (2000).
//
// Layout: as tridiag.ts, row-major n×n with the upper triangle (j ≥ i) read and kept up to
// date (LAPACK's column-major lower triangle). After stage 1:
//   a[c][c..c+b]       the band (row c from its diagonal);
//   a[c][c+b+1..n−1]   stage-1 reflector c's vector (unit at c+b), τ in tau1[c], c < n−b;
// so Q1 = H_0·H_1·…·H_{n−b−1} with A = Q1·B·Q1ᵀ. The strict lower triangle is scratch: stage 1
// mirrors diagonal blocks there, and stage 2 stores its reflectors there (sweep s in row
// n−1−s, see below).

import { at, axpy, dot, get, householder, set, vget, vset } from './common';
import { gemmDriver, gemm_serial_workspace_f64, GEMM_ACCUMULATE, laNc } from '../blas/gemm';
import { LA_KC, LA_MC } from '../config';
import { argI, argU, available, grain, runJob, setI, setU, workerWorkspaceBytes } from '../parallel/pool';
import { JOB_BAND_BACK, JOB_SB2ST_GROUP, JOB_SY2SB_SYMM } from '../parallel/tasks';
import { symUpdate, trailingUpdate } from './tridiag';

/** Columns of each task of stage 1's symmetric product (a multiple of the micro-tile). */
const SYMM_COLS: i32 = 128;
/** Columns of Z per task of the stage-2 back-transformation (fixed: results never depend on the thread count). */
const BACK_COLS: i32 = 64;

// ---------------------------------------------------------------------------------------
// Stage 1: dense → band (dsytrd_sy2sb)

/** Doubles of stage 1's workspace: a copy of Wt, Vt, Wt and Xt (b × n each) and three b×b blocks. */
export function sy2sb_workspace(n: i32, b: i32): i32 {
  return 4 * b * n + 3 * b * b;
}

/**
 * Reduces the symmetric n×n a (upper triangle, row-major) to a band of b superdiagonals,
 * keeping the reflectors as described at the top (τ in tau1, n − b of them when n > b).
 * work: sy2sb_workspace(n, b) doubles; gemmWork: la_gemm_workspace(n).
 */
export function dsytrd_sy2sb(n: i32, b: i32, a: usize, tau1: usize, work: usize, gemmWork: usize): void {
  const bn = (<usize>b * <usize>n) << 3;
  const Wcopy = work;                               // b × n: a copy of Wt, so that [Wt; Vt] and [Vt; Wt] are contiguous
  const Vt = Wcopy + bn;                            // b × n: the panel's reflectors as rows
  const Wt = Vt + bn;                               // b × n: Yᵀ = Vᵀ·A22, then Wᵀ
  const Xt = Wt + bn;                               // b × n: Xᵀ = Tᵀ·Vᵀ·A22
  const T = Xt + bn;                                // b × b (ld b): the block reflector's T
  const S = T + ((<usize>b * <usize>b) << 3);       // b × b: VᵀV, then Vᵀ·X
  const M = S + ((<usize>b * <usize>b) << 3);       // b × b: −½·Tᵀ·Vᵀ·X
  for (let k = 0; k + b < n; k += b) {
    const r0 = k + b;        // the trailing matrix A22 = A[r0:, r0:]
    const m = n - r0;
    const jb = min(b, m);    // reflectors of this panel: rows k..k+jb−1
    const panelEnd = min(k + b, n);
    const off = <usize>r0 << 3; // column r0 of the b × n blocks
    // 1. Householder QR of the panel P = A[r0:, k:k+b] (its column q is row k+q from column
    //    r0 on): reflector c = k+q annihilates row c beyond column c+b, and is applied to the
    //    panel's later rows.
    for (let q = 0; q < jb; q++) {
      const c = k + q;
      const len = m - q;
      const x = at(a, n, c, c + b);
      const reflector = householder(len, x);
      const beta = f64x2.extract_lane(reflector, 0), tc = f64x2.extract_lane(reflector, 1);
      vset(tau1, c, tc);
      if (tc != 0) {
        store<f64>(x, 1.0);
        for (let cp = c + 1; cp < panelEnd; cp++) {
          const y = at(a, n, cp, c + b);
          axpy(len, -tc * dot(len, x, y), x, y);
        }
      }
      store<f64>(x, beta);
    }
    // 2. Vt: row q is v_q over columns r0..n−1 (zero before its unit at r0+q).
    for (let q = 0; q < jb; q++) {
      const row = at(Vt, n, q, r0);
      memory.fill(row, 0, <usize>q << 3);
      vset(row, q, 1.0);
      memory.copy(row + (<usize>(q + 1) << 3), at(a, n, k + q, r0 + q + 1), <usize>(m - q - 1) << 3);
    }
    // 3. T (upper triangular) with H_k·…·H_{k+jb−1} = I − V·T·Vᵀ (dlarft, forward), from VᵀV.
    smallGemm(false, true, jb, jb, m, Vt + off, n, Vt + off, n, S, b, gemmWork, 0);
    blockReflectorT(jb, S, b, tau1 + (<usize>k << 3), T, b);
    // 4. Yᵀ = Vᵀ·A22 (the symmetric product, on the pool), Xᵀ = Tᵀ·Yᵀ.
    sy2sbSymm(Vt, Wt, a, n, r0, jb, gemmWork);
    smallGemm(true, false, jb, m, jb, T, b, Wt + off, n, Xt + off, n, gemmWork, 0);
    // 5. M = −½·Tᵀ·(Vᵀ·X), then Wᵀ = Xᵀ + Mᵀ·Vᵀ, so that Q1ᵀ·A22·Q1 = A22 − V·Wᵀ − W·Vᵀ.
    smallGemm(false, true, jb, jb, m, Vt + off, n, Xt + off, n, S, b, gemmWork, 0);
    for (let i = 0; i < jb; i++) {
      for (let q = 0; q < jb; q++) {
        let acc: f64 = 0;
        for (let l = 0; l <= i; l++) acc += get(T, b, l, i) * get(S, b, l, q);
        set(M, b, i, q, -0.5 * acc);
      }
    }
    for (let q = 0; q < jb; q++) memory.copy(at(Wt, n, q, r0), at(Xt, n, q, r0), <usize>m << 3);
    smallGemm(true, false, jb, m, jb, M, b, Vt + off, n, Wt + off, n, gemmWork, GEMM_ACCUMULATE);
    // 6. A22 −= V·Wᵀ + W·Vᵀ = [V W]·[W V]ᵀ on the upper triangle: one GEMM of depth 2·jb per
    //    block of rows (on the pool), so each element of A22 is read and written once. (A
    //    short last panel leaves a gap between its rows: dsytrd's two GEMMs of depth jb.)
    if (jb == b) {
      for (let q = 0; q < jb; q++) memory.copy(at(Wcopy, n, q, r0), at(Wt, n, q, r0), <usize>m << 3);
      symUpdate(Vt, Wcopy, a, n, r0, 2 * jb, gemmWork); // [Vt; Wt] and [Wcopy; Vt]
    } else {
      trailingUpdate(Vt, Wt, a, n, r0, jb, gemmWork);
    }
  }
}

// The panel's O(b²·n) products, on the calling thread: on the pool each would be a string of
// jobs too small to pay for their synchronisation (the result is the same either way).
function smallGemm(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize, flags: i32): void {
  gemmDriver<f64>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, work, LA_MC, laNc(n), LA_KC, flags);
}

// T (jb×jb upper, ld ldt) of the block reflector I − V·T·Vᵀ = H_0·…·H_{jb−1} (dlarft, forward)
// from the Gram matrix g = VᵀV (ld ldg) and the τ's.
function blockReflectorT(jb: i32, g: usize, ldg: i32, tau: usize, t: usize, ldt: i32): void {
  for (let q = 0; q < jb; q++) {
    const tq = vget(tau, q);
    for (let i = 0; i < q; i++) set(t, ldt, q, i, 0);
    set(t, ldt, q, q, tq);
    // T[0:q, q] = −τ_q·T[0:q, 0:q]·(VᵀV)[0:q, q]
    for (let i = 0; i < q; i++) {
      let acc: f64 = 0;
      for (let l = i; l < q; l++) acc += get(t, ldt, i, l) * get(g, ldg, l, q);
      set(t, ldt, i, q, -tq * acc);
    }
  }
}

// Yt (jb × (n−r0), ld n, from column r0) := Vᵀ·A22 for the symmetric A22 = A[r0:, r0:] given by
// its upper triangle, by blocks J of SYMM_COLS output columns: Yt[:, J] = Vt[:, r0:J_end]·A[r0:J_end, J]
// (rows above J are stored; the diagonal block is first mirrored into the lower triangle,
// which is scratch) + Vt[:, J_end:]·A[J, J_end:]ᵀ. Every block costs the same, and each is
// one task (it writes only its own columns of Yt and its own diagonal block).

const Y_VT = 0, Y_YT = 1, Y_A = 2, Y_N = 3, Y_R0 = 4, Y_JB = 5;

function symmBlock(vt: usize, yt: usize, a: usize, n: i32, r0: i32, c0: i32, jb: i32, work: usize): void {
  const w = min(SYMM_COLS, n - c0);
  for (let i = 1; i < w; i++) for (let j = 0; j < i; j++) set(a, n, c0 + i, c0 + j, get(a, n, c0 + j, c0 + i));
  const nc = laNc(w);
  gemmDriver<f64>(false, false, jb, w, c0 + w - r0, vt + (<usize>r0 << 3), n, at(a, n, r0, c0), n, yt + (<usize>c0 << 3), n, work, LA_MC, nc, LA_KC, 0);
  const right = n - c0 - w;
  if (right > 0) {
    gemmDriver<f64>(false, true, jb, w, right, vt + (<usize>(c0 + w) << 3), n, at(a, n, c0, c0 + w), n, yt + (<usize>c0 << 3), n, work, LA_MC, nc, LA_KC, GEMM_ACCUMULATE);
  }
}

function sy2sbSymm(vt: usize, yt: usize, a: usize, n: i32, r0: i32, jb: i32, work: usize): void {
  const m = n - r0;
  const blocks = (m + SYMM_COLS - 1) / SYMM_COLS;
  const worthIt = available() > 1 && blocks > 1 && 2.0 * <f64>jb * <f64>SYMM_COLS * <f64>m >= grain() &&
    gemm_serial_workspace_f64(LA_MC, laNc(SYMM_COLS), LA_KC) * 8 <= workerWorkspaceBytes();
  if (!worthIt) {
    for (let t = 0; t < blocks; t++) symmBlock(vt, yt, a, n, r0, r0 + t * SYMM_COLS, jb, work);
    return;
  }
  setU(Y_VT, vt); setU(Y_YT, yt); setU(Y_A, a); setI(Y_N, n); setI(Y_R0, r0); setI(Y_JB, jb);
  runJob(JOB_SY2SB_SYMM, blocks, work);
}

export function sy2sbSymmTask(t: i32, work: usize): void {
  const r0 = argI(Y_R0);
  symmBlock(argU(Y_VT), argU(Y_YT), argU(Y_A), argI(Y_N), r0, r0 + t * SYMM_COLS, argI(Y_JB), work);
}

// ---------------------------------------------------------------------------------------
// Stage 2: band → tridiagonal by bulge chasing (dsytrd_sb2st)
//
// The band is copied into band storage: column c of the (lower) band at bd + c·ldb, entry t
// = A[c+t][c] for t = 0..2b (the chase fills up to 2b − 1 below the diagonal). Sweep s
// (0 ≤ s < n−2) annihilates column s below its subdiagonal with reflector (s, 0) on rows
// s+1..s+b, then chases the bulge each reflector creates one block of b rows down:
// reflector (s, j) acts on rows s+1+j·b .. s+(j+1)·b (cut at n). When `store` is set,
// reflector (s, j) is kept in row n−1−s of a's strict lower triangle from column j·b on
// (τ, v[1], v[2], …: its length entries, n−1−s in all for the sweep).

/** Doubles of stage 2's workspace: the band storage and the groups' progress counters. */
export function sb2st_workspace(n: i32, b: i32): i32 {
  return (2 * b + 1) * n + PROGRESS_STRIDE / 8 * (n / SB2ST_GROUP + 1) + PROGRESS_STRIDE / 8;
}

const C_N = 0, C_B = 1, C_A = 2, C_BD = 3, C_STORE = 4, C_PROGRESS = 5;
/** Sweeps chased together, in a wavefront, by one task (and in the serial order). */
const SB2ST_GROUP: i32 = 4;
/** Steps by which sweep s + 1 trails sweep s within a group. Its step j shares entries with
 *  sweep s's step j + 1 (one row) and none with later ones, so it must follow sweep s's
 *  steps ≤ j + 1: a lag of 1 when, at each time, the group's sweeps run in increasing order
 *  (bit-identical to sweep after sweep; a lag of 0 is not). Across groups (another thread)
 *  the wait is for j + 3 finished steps: one step of margin. */
const SB2ST_LAG: i32 = 1;
/** Grains a group of sweeps must cost before stage 2 runs pipelined on the pool. */
const SB2ST_PIPELINE_GRAINS: f64 = 3.0;
/** Bytes between two groups' progress counters: one cache line each, so that the thread
 *  publishing one never invalidates the line another thread is polling. */
const PROGRESS_STRIDE: i32 = 64;
/** A sweep's progress once it has finished (beyond any step count). */
const SWEEP_DONE: i32 = 0x7FFFFFFF;

/** Doubles of scratch the chase needs (the caller's GEMM workspace, or a worker's). */
@inline function chaseScratch(b: i32): i32 {
  return (SB2ST_GROUP + 1) * b + 2 * SB2ST_GROUP;
}

/**
 * The band a[c][c..c+b] (from stage 1) to tridiagonal d (n), e (n−1). work:
 * sb2st_workspace(n, b); gemmWork: the caller's GEMM workspace (chaseScratch(b) doubles of
 * it are used). With store, the reflectors go to a's strict lower triangle.
 *
 * Sweeps run in groups of SB2ST_GROUP, each group in a wavefront (sweep s + 1 trailing
 * sweep s by SB2ST_LAG steps), so that a block of the band stays in cache while the group's
 * sweeps pass over it. On the pool each group is a task, claimed in increasing order; its
 * first sweep runs step j once the previous group's last sweep has finished its steps up to
 * j + 2 (j + 1 would do). Every step is the serial code's, on data no other running step
 * touches, and the steps that touch the same data keep their order: the same bytes as sweep
 * after sweep, for any number of threads. The lowest running group never waits, so the
 * pipeline cannot deadlock.
 */
export function dsytrd_sb2st(n: i32, b: i32, a: usize, d: usize, e: usize, store: bool, work: usize, gemmWork: usize): void {
  const ldb = 2 * b + 1;
  const bd = work;
  // The counters start at a cache line's boundary.
  const progress = (bd + ((<usize>ldb * <usize>n) << 3) + <usize>PROGRESS_STRIDE - 1) & ~(<usize>PROGRESS_STRIDE - 1);
  memory.fill(bd, 0, (<usize>ldb * <usize>n) << 3);
  for (let c = 0; c < n; c++) memory.copy(bd + ((<usize>c * <usize>ldb) << 3), at(a, n, c, c), <usize>min(b + 1, n - c) << 3);
  const sweeps = n - 2;
  const groups = (max(sweeps, 0) + SB2ST_GROUP - 1) / SB2ST_GROUP;
  // A group costs ≈ 12·b·(n − s)·SB2ST_GROUP flops in steps of ≈ 12·b² that wait for the
  // previous group: it pays only when both threads keep running (docs/linalg.md).
  const worthIt = available() > 1 && groups > 1 && 12.0 * <f64>b * <f64>n * <f64>SB2ST_GROUP >= SB2ST_PIPELINE_GRAINS * grain() &&
    chaseScratch(b) * 8 <= workerWorkspaceBytes();
  if (!worthIt) {
    for (let g = 0; g < groups; g++) chaseGroup(g * SB2ST_GROUP, n, b, a, bd, store, 0, gemmWork);
  } else {
    memory.fill(progress, 0, <usize>groups * <usize>PROGRESS_STRIDE);
    setI(C_N, n); setI(C_B, b); setU(C_A, a); setU(C_BD, bd); setI(C_STORE, store ? 1 : 0); setU(C_PROGRESS, progress);
    runJob(JOB_SB2ST_GROUP, groups, gemmWork);
  }
  for (let c = 0; c < n; c++) vset(d, c, load<f64>(bandAt(bd, ldb, c, c)));
  for (let c = 0; c + 1 < n; c++) vset(e, c, load<f64>(bandAt(bd, ldb, c + 1, c)));
}

export function sb2stGroupTask(t: i32, work: usize): void {
  chaseGroup(t * SB2ST_GROUP, argI(C_N), argI(C_B), argU(C_A), argU(C_BD), argI(C_STORE) != 0, argU(C_PROGRESS), work);
}

// Waits until the last sweep of group `group` − 1 has finished `steps` steps (progress: the
// groups' counters, 0 when serial).
@inline function waitFor(progress: usize, group: i32, steps: i32): void {
  if (progress == 0 || group == 0) return;
  const counter = progress + <usize>(group - 1) * <usize>PROGRESS_STRIDE;
  let spins = 0;
  while (true) {
    const done = atomic.load<i32>(counter);
    if (done >= steps) return;
    // Spin (a wait is usually a step, a few µs, and waking from a sleep costs tens of µs:
    // with short spins the pipeline lost most of its speed-up), then sleep in short waits
    // (the writer does not notify).
    if (++spins > 200000) atomic.wait<i32>(counter, done, 20000);
  }
}

// Steps of sweep s: reflector (s, j) acts on rows s+1+j·b .. min(s+(j+1)·b, n−1).
@inline function sweepSteps(n: i32, b: i32, s: i32): i32 {
  return (n - s - 1 + b - 1) / b;
}

// Sweeps first..first+g−1 in a wavefront: at time t, sweep first+i runs its step
// t − SB2ST_LAG·i. Each sweep's state between its steps (its last reflector v, τ and the
// rows st..st+ln−1 it acted on) lives in scratch. The group's first sweep waits for the
// previous group's last sweep; the last one publishes its progress for the next group.
function chaseGroup(first: i32, n: i32, b: i32, a: usize, bd: usize, keep: bool, progress: usize, scratch: usize): void {
  const g = min(SB2ST_GROUP, n - 2 - first);
  const ldb = 2 * b + 1;
  const w = scratch;                                   // b doubles
  const vs = w + (<usize>b << 3);                      // g × b: each sweep's reflector
  const taus = vs + ((<usize>SB2ST_GROUP * <usize>b) << 3); // g
  const rows = taus + (<usize>SB2ST_GROUP << 3);      // g × (st, ln) as i32
  const span = sweepSteps(n, b, first) + SB2ST_LAG * (g - 1);
  for (let t = 0; t < span; t++) {
    for (let i = 0; i < g; i++) { // increasing i: sweep s's step j + 1 before sweep s + 1's step j
      const j = t - SB2ST_LAG * i;
      if (j < 0) break;
      const s = first + i;
      const steps = sweepSteps(n, b, s);
      if (j >= steps) continue;
      if (i == 0) waitFor(progress, first / SB2ST_GROUP, j + 3);
      const v = vs + ((<usize>i * <usize>b) << 3);
      const state = rows + (<usize>i << 3);
      if (j == 0) {
        const st = s + 1;
        const ln = min(b, n - st);
        const tau = newReflector(ln, bandAt(bd, ldb, st, s), v);
        if (keep) keepReflector(a, n, b, s, 0, ln, tau, v);
        if (tau != 0) larfy(ln, v, tau, bandAt(bd, ldb, st, st), ldb, w);
        vset(taus, i, tau);
        store<i32>(state, st);
        store<i32>(state, ln, 4);
      } else {
        vset(taus, i, chaseStep(n, b, a, bd, keep, s, j, load<i32>(state), load<i32>(state, 4), vget(taus, i), v, w));
        const j1 = load<i32>(state) + load<i32>(state, 4);
        store<i32>(state, j1);
        store<i32>(state, min(b, n - j1), 4);
      }
      if (progress != 0 && i == g - 1) {
        atomic.store<i32>(progress + <usize>(first / SB2ST_GROUP) * <usize>PROGRESS_STRIDE, j + 1 == steps ? SWEEP_DONE : j + 1);
      }
    }
  }
}

// Step j ≥ 1 of sweep s: applies the previous reflector (v, τ, on rows st..st+ln−1) from the
// right to the bulge block below it, annihilates the bulge's first column with a new
// reflector (left in v; returns its τ), and applies that to the block's other columns and to
// both sides of the next diagonal block.
function chaseStep(n: i32, b: i32, a: usize, bd: usize, keep: bool, s: i32, j: i32, st: i32, ln: i32, tau: f64, v: usize, w: usize): f64 {
  const ldb = 2 * b + 1;
  // E = A[j1:j1+lm, st:st+ln], column c at bandAt(j1, st+c) (contiguous rows).
  const j1 = st + ln;
  const lm = min(b, n - j1);
  // E := E·H (the previous reflector from the right): y = E·v, E −= τ·y·vᵀ.
  if (tau != 0) {
    memory.fill(w, 0, <usize>lm << 3);
    for (let c = 0; c < ln; c++) axpy(lm, vget(v, c), bandAt(bd, ldb, j1, st + c), w);
    for (let c = 0; c < ln; c++) axpy(lm, -tau * vget(v, c), w, bandAt(bd, ldb, j1, st + c));
  }
  // The next reflector annihilates E's first column below its top, and applies from the
  // left to E's other columns, then to both sides of the diagonal block A[j1:j1+lm, j1:j1+lm].
  const next = newReflector(lm, bandAt(bd, ldb, j1, st), v);
  if (keep) keepReflector(a, n, b, s, j, lm, next, v);
  if (next != 0) {
    for (let c = 1; c < ln; c++) {
      const col = bandAt(bd, ldb, j1, st + c);
      axpy(lm, -next * dot(lm, v, col), v, col);
    }
    larfy(lm, v, next, bandAt(bd, ldb, j1, j1), ldb, w);
  }
  return next;
}

// Address of A[i][c] (i ≥ c) in band storage.
@inline function bandAt(bd: usize, ldb: i32, i: i32, c: i32): usize {
  return bd + ((<usize>c * <usize>ldb + <usize>(i - c)) << 3);
}

// The reflector annihilating x[1..len) (dlarfg): x[0] := β, x[1..] := 0, v := (1, v[1..]); returns τ.
function newReflector(len: i32, x: usize, v: usize): f64 {
  const reflector = householder(len, x);
  const tau = f64x2.extract_lane(reflector, 1);
  vset(v, 0, 1.0);
  if (len > 1) {
    memory.copy(v + 8, x + 8, <usize>(len - 1) << 3);
    memory.fill(x + 8, 0, <usize>(len - 1) << 3);
  }
  store<f64>(x, f64x2.extract_lane(reflector, 0));
  return tau;
}

function keepReflector(a: usize, n: i32, b: i32, s: i32, j: i32, len: i32, tau: f64, v: usize): void {
  const dst = at(a, n, n - 1 - s, j * b);
  store<f64>(dst, tau);
  if (len > 1) memory.copy(dst + 8, v + 8, <usize>(len - 1) << 3);
}

// D := H·D·H for the symmetric m×m block D (lower, band storage at d) and H = I − τ·v·vᵀ
// (dlarfy): w = τ·D·v, w −= ½τ(wᵀv)·v, D −= v·wᵀ + w·vᵀ. w: m scratch doubles.
function larfy(m: i32, v: usize, tau: f64, d: usize, ldb: i32, w: usize): void {
  memory.fill(w, 0, <usize>m << 3);
  for (let j = 0; j < m; j++) {
    const col = d + ((<usize>j * <usize>ldb) << 3); // col[t] = D[j+t][j]
    const rest = m - 1 - j;
    const vj = vget(v, j);
    vset(w, j, vget(w, j) + load<f64>(col) * vj + dot(rest, col + 8, v + (<usize>(j + 1) << 3)));
    axpy(rest, vj, col + 8, w + (<usize>(j + 1) << 3));
  }
  for (let j = 0; j < m; j++) vset(w, j, tau * vget(w, j));
  axpy(m, -0.5 * tau * dot(m, w, v), v, w);
  for (let j = 0; j < m; j++) {
    const col = d + ((<usize>j * <usize>ldb) << 3);
    const len = m - j;
    axpy(len, -vget(w, j), v + (<usize>j << 3), col);
    axpy(len, -vget(v, j), w + (<usize>j << 3), col);
  }
}

// ---------------------------------------------------------------------------------------
// Back-transformation through stage 2: Z := Q2·Z for Q2 = Π_s Π_j H_(s,j) (sweeps ascending,
// blocks ascending within a sweep). Reflectors of sweeps S..S+g−1 at the same block j act on
// a window of g + b − 1 rows; any two whose rows overlap keep their order if the groups go
// S ascending and, within S, j descending, and a group's reflectors s ascending. Applying Q2
// reverses that: S descending, j ascending, s descending — each window stays in cache while
// its g reflectors pass over it. Every column of Z is independent: tasks are fixed blocks of
// BACK_COLS columns, each running the whole sequence.

const B_A = 0, B_N = 1, B_B = 2, B_Z = 3, B_LDZ = 4, B_NCOLS = 5, B_WORK = 6;

/** Doubles of workspace of dsb2st_back for n columns. */
export function sb2st_back_workspace(ncols: i32): i32 {
  return ((ncols + BACK_COLS - 1) / BACK_COLS) * BACK_COLS;
}

/** Z (n × ncols, ld ldz) := Q2·Z with stage 2's reflectors kept in a (dsytrd_sb2st with store). */
export function dsb2st_back(n: i32, b: i32, a: usize, z: usize, ldz: i32, ncols: i32, work: usize): void {
  const tasks = (ncols + BACK_COLS - 1) / BACK_COLS;
  if (n < 3 || tasks <= 0) return;
  if (available() <= 1 || tasks == 1) {
    for (let t = 0; t < tasks; t++) backBlock(a, n, b, z, ldz, ncols, t, work);
    return;
  }
  setU(B_A, a); setI(B_N, n); setI(B_B, b); setU(B_Z, z); setI(B_LDZ, ldz); setI(B_NCOLS, ncols); setU(B_WORK, work);
  runJob(JOB_BAND_BACK, tasks, 0);
}

export function bandBackTask(t: i32): void {
  backBlock(argU(B_A), argI(B_N), argI(B_B), argU(B_Z), argI(B_LDZ), argI(B_NCOLS), t, argU(B_WORK));
}

function backBlock(a: usize, n: i32, b: i32, z: usize, ldz: i32, ncols: i32, t: i32, work: usize): void {
  const c0 = t * BACK_COLS;
  const cw = min(BACK_COLS, ncols - c0);
  const y = work + (<usize>c0 << 3);
  const zc = z + (<usize>c0 << 3);
  const sweeps = n - 2;
  const g = b;
  const lastS = ((sweeps - 1) / g) * g;
  for (let S = lastS; S >= 0; S -= g) {
    const sEnd = min(S + g, sweeps);
    for (let j = 0; S + 1 + j * b < n; j++) {
      for (let s = sEnd - 1; s >= S; s--) {
        const r = s + 1 + j * b;
        if (r >= n) continue;
        const len = min(b, n - r);
        const h = at(a, n, n - 1 - s, j * b); // τ, v[1], …
        const tau = load<f64>(h);
        if (tau == 0) continue;
        applyReflector(len, h, tau, zc + ((<usize>r * <usize>ldz) << 3), ldz, cw, y);
      }
    }
  }
}

// Z (len × cw, ld ldz) −= τ·v·(vᵀ·Z) with v = (1, h[1], …, h[len−1]). y: cw scratch doubles.
function applyReflector(len: i32, h: usize, tau: f64, z: usize, ldz: i32, cw: i32, y: usize): void {
  memory.copy(y, z, <usize>cw << 3);
  for (let l = 1; l < len; l++) axpy(cw, vget(h, l), z + ((<usize>l * <usize>ldz) << 3), y);
  axpy(cw, -tau, y, z);
  for (let l = 1; l < len; l++) axpy(cw, -tau * vget(h, l), y, z + ((<usize>l * <usize>ldz) << 3));
}
