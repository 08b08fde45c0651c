import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotPositiveDefiniteError, ShapeError, type Engine, type Matrix } from '../../dist/index.js';
import { EPS64, engine, fixture, sameBytes, testArray } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

interface LinalgFixture {
  cholesky: { n: number; matrix: number[]; L: number[] };
  svd: { m: number; n: number; seed: number; values: number[] }[];
}
const fx = fixture<LinalgFixture>('linalg.json');

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
function diffMax(a: Matrix, b: Matrix): number {
  const x = a.toArray(),
    y = b.toArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
function orthonormalColumns(Q: Matrix): number {
  return fl.scope(() => diffMax(fl.matmul(Q, Q, { transA: true }), fl.eye(Q.cols)));
}

describe('Cholesky and SPD solves', () => {
  it('matches numpy and reconstructs S = L·Lᵀ within c·n·ε·‖S‖ for every block size', () => {
    const { n, matrix, L: Lref } = fx.cholesky;
    for (const blockSize of [1, 3, 7, 32]) {
      fl.scope(() => {
        const S = fl.fromArray(Float64Array.from(matrix), n, n);
        const L = fl.cholesky(S, { blockSize });
        const l = L.toArray();
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
        expect(maxAbs(l.map((v, i) => v - Lref[i]!))).toBeLessThan(8 * n * EPS64 * maxAbs(Lref));
        expect(diffMax(fl.matmul(L, L, { transB: true }), S)).toBeLessThan(8 * n * EPS64 * maxAbs(matrix));
      });
    }
  });

  it('on two threads (trailing updates on the pool) gives the bytes of one thread', async () => {
    const two = await engine({ threads: 2 });
    try {
      for (const [n, blockSize] of [
        [900, 32],
        [517, 48],
      ] as const) {
        fl.scope(() =>
          two.scope(() => {
            const G = fl.randn(n + 2, n, { seed: n });
            const S1 = fl.gram(G),
              S2 = two.fromArray(S1.toArray(), n, n);
            expect(sameBytes(fl.cholesky(S1, { blockSize }).toArray(), two.cholesky(S2, { blockSize }).toArray())).toBe(true);
          }),
        );
      }
    } finally {
      two.dispose();
    }
  });

  it('choleskySolve with one right-hand side (its own loop) equals that column solved beside another', () => {
    fl.scope(() => {
      const n = 300;
      const S = fl.gram(fl.randn(n + 5, n, { seed: 8 }));
      const L = fl.cholesky(S);
      const b = fl.randn(n, 1, { seed: 9 }).toArray();
      const B2 = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        B2[2 * i] = b[i]!;
        B2[2 * i + 1] = -b[i]!;
      }
      const x = fl.choleskySolve(L, fl.fromArray(b, n, 1)).toArray();
      const X2 = fl.choleskySolve(L, fl.fromArray(B2, n, 2)).toArray();
      expect(
        sameBytes(
          x,
          X2.filter((_, i) => i % 2 === 0),
        ),
      ).toBe(true);
    });
  });

  it('solveSPD leaves a residual ‖S·X − B‖ at rounding level; upper triangle is not read', () => {
    fl.scope(() => {
      const n = 50;
      const G = fl.randn(n, n, { seed: 4 });
      const S = fl.matmul(G, G, { transB: true, alpha: 1 / n });
      const data = S.toArray();
      for (let i = 0; i < n; i++) {
        data[i * n + i] += 1;
        for (let j = i + 1; j < n; j++) data[i * n + j] = NaN;
      }
      const Sp = fl.fromArray(data, n, n, { allowNonFinite: true });
      const B = fl.randn(n, 3, { seed: 5 });
      const X = fl.solveSPD(Sp, B);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = data[j * n + i]!;
      const Sfull = fl.fromArray(data, n, n);
      expect(diffMax(fl.matmul(Sfull, X), B)).toBeLessThan(1e-12);
    });
  });

  it('an indefinite matrix raises NotPositiveDefiniteError naming the pivot', () => {
    fl.scope(() => {
      const S = fl.fromArray(new Float64Array([4, 0, 0, 0, 1, 0, 0, 0, -1]), 3, 3);
      expect(() => fl.cholesky(S)).toThrow(NotPositiveDefiniteError);
      expect(() => fl.cholesky(S)).toThrow(/pivot of row 2/);
      expect(() => fl.cholesky(fl.zeros(2, 3))).toThrow(ShapeError);
      expect(fl.memoryStats().liveMatrices).toBe(2);
    });
  });
});

describe('QR and random orthogonal matrices', () => {
  it('A = Q·R with orthonormal Q and upper triangular R (tall and square)', () => {
    for (const [m, n] of [
      [1, 1],
      [5, 3],
      [40, 40],
      [100, 17],
    ] as const) {
      fl.scope(() => {
        const A = fl.randn(m, n, { seed: m + n });
        const { Q, R } = fl.qr(A);
        const r = R.toArray();
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(r[i * n + j]).toBe(0);
        expect(diffMax(fl.matmul(Q, R), A)).toBeLessThan(16 * m * EPS64 * fl.norm(A, 'max') * Math.sqrt(n));
        expect(orthonormalColumns(Q)).toBeLessThan(16 * m * EPS64);
      });
    }
    fl.scope(() => expect(() => fl.qr(fl.zeros(2, 3))).toThrow(/at least as many rows as columns/));
  });

  it('randomOrthogonal is orthogonal, has diag(R) > 0 by construction, and is reproducible', () => {
    fl.scope(() => {
      const Q = fl.randomOrthogonal(30, { seed: 9 });
      expect(orthonormalColumns(Q)).toBeLessThan(1e-13);
      expect(fl.fingerprint(Q)).toBe(fl.fingerprint(fl.randomOrthogonal(30, { seed: 9 })));
      expect(fl.fingerprint(Q)).not.toBe(fl.fingerprint(fl.randomOrthogonal(30, { seed: 10 })));
      const { R } = fl.qr(fl.randn(30, 30, { seed: 9 }), { positiveDiagonal: true });
      const r = R.toArray();
      for (let i = 0; i < 30; i++) expect(r[i * 30 + i]).toBeGreaterThan(0);
    });
  });
});

describe('tridiagonal eigensolver, selection, singular values, Lanczos', () => {
  it("Golub–Welsch: 20-point Gauss–Hermite rule integrates E z⁴ = 3 and E z⁶ = 15 (probabilists')", () => {
    const n = 20;
    const e = Array.from({ length: n - 1 }, (_, k) => Math.sqrt(k + 1));
    const { values, vectors } = fl.eigTridiagonal(new Float64Array(n), e, { vectors: true });
    const v = vectors!.toArray();
    let m0 = 0,
      m2 = 0,
      m4 = 0,
      m6 = 0;
    for (let i = 0; i < n; i++) {
      const w = v[i]! * v[i]!; // first component squared: the weight of node i
      const x = values[i]!;
      m0 += w;
      m2 += w * x * x;
      m4 += w * x ** 4;
      m6 += w * x ** 6;
    }
    vectors!.dispose();
    expect(Math.abs(m0 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(m2 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(m4 - 3)).toBeLessThan(1e-12);
    expect(Math.abs(m6 - 15)).toBeLessThan(1e-11);
    expect(() => fl.eigTridiagonal([1, 2], [1, 2])).toThrow(/e needs 1 entries/);
    expect(() => fl.eigTridiagonal([1, NaN], [1])).toThrow(/d\[1\] is NaN/);
  });

  it('eighSelect returns the requested slice of eigh', () => {
    fl.scope(() => {
      const G = fl.randn(40, 40, { seed: 2 });
      const S = fl.matmul(G, G, { transB: true });
      const all = fl.eigh(S);
      const top = fl.eighSelect(S, { largest: 3 });
      expect(Array.from(top.values)).toEqual(Array.from(all.values.slice(37)));
      expect([top.vectors.rows, top.vectors.cols]).toEqual([40, 3]);
      const v = all.vectors.toArray(),
        t = top.vectors.toArray();
      for (let i = 0; i < 40; i++) for (let j = 0; j < 3; j++) expect(t[i * 3 + j]).toBe(v[i * 40 + 37 + j]);
      expect(fl.eighSelect(S, { smallest: 2 }).values).toEqual(all.values.slice(0, 2));
      expect(fl.eighSelect(S, { indices: [5, 9] }).values).toEqual(all.values.slice(5, 9));
      expect(() => fl.eighSelect(S, { largest: 41 })).toThrow(/largest must be an integer in \[0, 40\]/);
    });
  });

  it('svdvals agree with numpy (relative to σ₁) for tall, wide, square and 1×n', () => {
    for (const c of fx.svd) {
      fl.scope(() => {
        const A = fl.fromArray(testArray(c.seed, c.m * c.n), c.m, c.n);
        const s = fl.svdvals(A);
        expect(s.length).toBe(Math.min(c.m, c.n));
        for (let i = 0; i < s.length; i++) {
          // Gram route: absolute error ≈ ε·σ₁²/σ_i
          expect(Math.abs(s[i]! - c.values[i]!)).toBeLessThanOrEqual(64 * EPS64 * c.values[0]! * (c.values[0]! / c.values[i]!));
        }
      });
    }
  });

  it('svdTop finds the planted spikes with orthonormal factors and small residuals', () => {
    fl.scope(() => {
      const m = 300,
        n = 120;
      const Z = fl.randn(m, n, { seed: 6 });
      const u = fl.randn(m, 2, { seed: 7 }),
        v = fl.randn(n, 2, { seed: 8 });
      const spikes = fl.matmul(u, v, { transB: true, alpha: 0.05 });
      const A = fl.axpy(1, spikes, fl.scale(Z, 1 / Math.sqrt(n)));
      const ref = fl.svdvals(A);
      const top = fl.svdTop(A, 3, { seed: 1 });
      for (let i = 0; i < 3; i++) expect(Math.abs(top.values[i]! - ref[i]!) / ref[0]!).toBeLessThan(1e-9);
      expect(orthonormalColumns(top.V)).toBeLessThan(1e-9);
      expect(orthonormalColumns(top.U)).toBeLessThan(1e-9);
      // ‖A·v_i − σ_i·u_i‖ small
      const AV = fl.matmul(A, top.V).toArray(),
        U = top.U.toArray();
      for (let i = 0; i < 3; i++) for (let r = 0; r < m; r++) expect(Math.abs(AV[r * 3 + i]! - top.values[i]! * U[r * 3 + i]!)).toBeLessThan(1e-8);
      const wide = fl.svdTop(fl.transpose(A), 2, { seed: 1 });
      expect(Math.abs(wide.values[0]! - top.values[0]!)).toBeLessThan(1e-9 * top.values[0]!);
      expect([wide.U.rows, wide.V.rows]).toEqual([n, m]);
    });
  });

  it('lanczos on a matrix-free diagonal operator is exact and reproducible by seed', () => {
    fl.scope(() => {
      const n = 200;
      const diag = fl.fromArray(
        Float64Array.from({ length: n }, (_, i) => i + 1),
        n,
        1,
      );
      const op = (x: Matrix) => fl.hadamard(diag, x);
      const r = fl.lanczos(op, n, 4, { seed: 3, maxIterations: 120 });
      expect(Array.from(r.values).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([200, 199, 198, 197]);
      const again = fl.lanczos(op, n, 4, { seed: 3, maxIterations: 120 });
      expect(fl.fingerprint(again.vectors, again.values)).toBe(fl.fingerprint(r.vectors, r.values));
      expect(() => fl.lanczos(op, n, 0)).toThrow(/k must be an integer/);
      // an operator that returns its own input (in-place scaling) is fine
      const twice = fl.lanczos((x) => fl.scale(x, 2, { out: x }), 30, 2, { seed: 1, maxIterations: 10 });
      expect(Array.from(twice.values).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([2, 2]);
      // rank one, k = 3: an invariant subspace after one step restarts the iteration
      const u = fl.randn(40, 1, { seed: 4 });
      const rank1 = fl.lanczos((x) => fl.scale(u, fl.dot(u, x)), 40, 3, { seed: 2, maxIterations: 40 });
      expect(Math.abs(rank1.values[0]! - fl.dot(u, u))).toBeLessThan(1e-10 * fl.dot(u, u));
      expect(Math.abs(rank1.values[1]!)).toBeLessThan(1e-10);
      expect(orthonormalColumns(rank1.vectors)).toBeLessThan(1e-10);
      // not converged within the allowed steps: a ConvergenceError, not a silent answer
      expect(() => fl.lanczos(op, n, 4, { seed: 3, maxIterations: 10, tol: 1e-14 })).toThrow(/not converged after 10 steps/);
      expect(() => fl.lanczos(() => fl.zeros(3, 1), n, 2)).toThrow(/operator must return an n×1 f64 matrix/);
    });
  });
});
