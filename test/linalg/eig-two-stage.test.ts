// The two-stage tridiagonal reduction (assembly/lapack/band.ts) on its own: each stage keeps
// the spectrum, the band has the shape it should, both stages run on the pool with results
// bit-identical for every thread count, and eigh through both back-transformations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../dist/index.js';
import { EPS64, engine, rawF64 } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

/** S = G·Gᵀ/n + diag(0, 1, …) for a seeded Gaussian G: a well-spread spectrum. */
function testMatrix(e: Engine, n: number, seed: number) {
  const G = e.randn(n, n, { seed });
  const S = e.matmul(G, G, { transB: true, alpha: 1 / n });
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) D[i * n + i] = i / n;
  return e.axpy(1, e.fromArray(D, n, n), S);
}

describe('two-stage reduction', () => {
  it('stage 1 leaves a band of b superdiagonals with the spectrum of S; stage 2 a tridiagonal one', () => {
    const k = fl.kernels;
    for (const [n, b] of [
      [40, 3],
      [97, 8],
      [150, 32],
    ] as const) {
      fl.scope(() => {
        const S = testMatrix(fl, n, n);
        const want = fl.eigvalsh(S, { twoStageMin: 1e9 });
        const a = rawF64(fl, n * n),
          tau = rawF64(fl, n),
          d = rawF64(fl, n),
          e = rawF64(fl, n),
          work = rawF64(fl, Math.max(k.sy2sb_workspace(n, b), k.sb2st_workspace(n, b))),
          gemmWork = rawF64(fl, k.la_gemm_workspace(n));
        try {
          const scale = k.symmetrize_lower(n, S.ptr, a.ptr); // a power of two
          k.dsytrd_sy2sb(n, b, a.ptr, tau.ptr, work.ptr, gemmWork.ptr);
          // The band (upper storage a[i][i..i+b]) as a full symmetric matrix: its eigenvalues
          // (by the one-stage solver, an independent path) are S's.
          const A = a.view();
          const band = new Float64Array(n * n);
          for (let i = 0; i < n; i++) {
            for (let j = i; j <= Math.min(n - 1, i + b); j++) band[i * n + j] = band[j * n + i] = A[i * n + j]! / scale;
          }
          const got = fl.eigvalsh(fl.fromArray(band, n, n), { twoStageMin: 1e9 });
          const tol = 16 * n * EPS64 * Math.abs(want[n - 1]!);
          for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - want[i]!), `n ${n}, b ${b}: band λ${i}`).toBeLessThanOrEqual(tol);
          k.dsytrd_sb2st(n, b, a.ptr, d.ptr, e.ptr, 0, work.ptr, gemmWork.ptr);
          const tri = fl.eigTridiagonal(
            d.view().map((x) => x / scale),
            e
              .view()
              .slice(0, n - 1)
              .map((x) => x / scale),
          ).values;
          for (let i = 0; i < n; i++) expect(Math.abs(tri[i]! - want[i]!), `n ${n}, b ${b}: tridiagonal λ${i}`).toBeLessThanOrEqual(tol);
        } finally {
          for (const buf of [a, tau, d, e, work, gemmWork]) buf.free();
        }
      });
    }
  });

  it('the default path switches to two stages at twoStageMin: same values as one stage within c·n·ε·‖S‖₂', () => {
    fl.scope(() => {
      const n = 120;
      const S = testMatrix(fl, n, 5);
      const one = fl.eigvalsh(S, { twoStageMin: n + 1 });
      const two = fl.eigvalsh(S, { twoStageMin: n });
      expect(Array.from(two)).not.toEqual(Array.from(one)); // a different path, so different last bits
      for (let i = 0; i < n; i++) expect(Math.abs(two[i]! - one[i]!)).toBeLessThanOrEqual(8 * n * EPS64 * one[n - 1]!);
      expect(Array.from(fl.svdvals(S, { twoStageMin: 0, bandwidth: 5 }))).toEqual(
        Array.from(fl.eigvalsh(fl.gram(S), { twoStageMin: 0, bandwidth: 5 }))
          .reverse()
          .map(Math.sqrt),
      );
    });
  });

  it('results are bit-identical for 1, 2 and 3 threads (grain 0: every job split)', async () => {
    const workload = (e: Engine) =>
      e.scope(() => {
        const S = testMatrix(e, 301, 11);
        const out: string[] = [];
        for (const bandwidth of [7, 32]) {
          const { values, vectors } = e.eigh(S, { twoStageMin: 0, bandwidth, blockSize: 24 });
          out.push(e.fingerprint(values, vectors, e.eigvalsh(S, { twoStageMin: 0, bandwidth })));
        }
        return out;
      });
    const serial = workload(fl);
    for (const threads of [2, 3]) {
      const e = await createEngine({ threads, grain: 0 });
      try {
        expect(workload(e), `${threads} threads`).toEqual(serial);
      } finally {
        e.dispose();
      }
    }
  }, 120_000);

  it('short sweeps and partial groups of sweeps: the same bytes on 1 and 3 threads, the one-stage values', async () => {
    // Stage 2 chases sweeps in groups of 4 (one task each): n − 2 sweeps leave a last group of
    // 1 to 4, and at n ≤ b + 2 every sweep is a single step.
    const e3 = await createEngine({ threads: 3, grain: 0 });
    try {
      for (const n of [3, 4, 5, 6, 7, 9, 10, 13, 38]) {
        for (const bandwidth of [1, 2, 3, 8]) {
          const run = (e: Engine) =>
            e.scope(() => {
              const S = testMatrix(e, n, 100 + n);
              const { values, vectors } = e.eigh(S, { twoStageMin: 0, bandwidth });
              return { values, print: e.fingerprint(values, vectors, e.eigvalsh(S, { twoStageMin: 0, bandwidth })) };
            });
          const one = run(fl);
          expect(run(e3).print, `n ${n}, b ${bandwidth}`).toBe(one.print);
          const want = fl.scope(() => fl.eigvalsh(testMatrix(fl, n, 100 + n), { twoStageMin: 1e9 }));
          for (let i = 0; i < n; i++) {
            expect(Math.abs(one.values[i]! - want[i]!), `n ${n}, b ${bandwidth}: λ${i}`).toBeLessThanOrEqual(16 * n * EPS64 * Math.abs(want[n - 1]!));
          }
        }
      }
    } finally {
      e3.dispose();
    }
  }, 120_000);
});
