import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvergenceError, createEngine, DisposedError, NonFiniteError, ShapeError, type Engine, type Matrix } from '../../dist/index.js';
import { EPS64, engine, fixture, testValue } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

interface EigCase {
  name: string;
  n: number;
  values: number[];
  norm2: number;
  matrix?: number[];
  seed?: number;
}
const cases = fixture<EigCase[]>('eig.json');

function matrixOf(c: EigCase): Float64Array {
  if (c.matrix) return Float64Array.from(c.matrix);
  // (A + Aᵀ)/2 of the shared hash generator, as make_eig_fixtures.py builds it
  const n = c.n,
    out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (testValue(c.seed!, i * n + j) + testValue(c.seed!, j * n + i)) / 2;
  return out;
}

/** Upper triangle poisoned with NaN: the solvers must read only the lower one. */
function lowerOnly(data: Float64Array, n: number): Float64Array {
  const out = data.slice();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = NaN;
  return out;
}

function frob(a: ArrayLike<number>): number {
  let s = 0,
    m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  if (m === 0) return 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! / m) ** 2;
  return m * Math.sqrt(s);
}

function checkEigh(S: Matrix, data: Float64Array, values: Float64Array, V: Matrix, label: string) {
  const n = S.rows;
  const c = 8;
  const v = V.toArray();
  const normF = frob(data);
  // ‖S·V − V·Λ‖_F ≤ c·n·ε·‖S‖_F (computed in JS from the exact data: S·V in double)
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += data[i * n + k]! * v[k * n + j]!;
      r[i * n + j] = s - v[i * n + j]! * values[j]!;
    }
  }
  expect(frob(r), `${label}: residual`).toBeLessThanOrEqual(c * n * EPS64 * normF + 1e-300);
  // ‖VᵀV − I‖_max ≤ c·n·ε
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[k * n + i]! * v[k * n + j]!;
      orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  expect(orth, `${label}: orthogonality`).toBeLessThanOrEqual(c * Math.max(n, 4) * EPS64);
}

describe('eigvalsh / eigh on hard matrices against numpy (LAPACK)', () => {
  // Small blocks and leaves make every path run on small inputs: unblocked and blocked
  // reduction, divide and conquer down to 1×1 leaves, and plain QL (leafSize ≥ n); with
  // twoStageMin 0 the two-stage reduction (dense → band of `bandwidth` → tridiagonal) at
  // bandwidths from 1 (stage 1 alone reaches tridiagonal) to wider than most of the inputs.
  for (const [blockSize, leafSize, bandwidth] of [
    [1, 1, 0],
    [3, 2, 0],
    [32, 25, 0],
    [32, 1e6, 0],
    [3, 2, 1],
    [2, 25, 2],
    [5, 1, 3],
    [32, 25, 8],
    [4, 1e6, 32],
  ] as const) {
    const two = bandwidth > 0 ? { twoStageMin: 0, bandwidth } : { twoStageMin: 1e9 };
    it(`block ${blockSize}, leaf ${leafSize}${bandwidth > 0 ? `, two stages with bandwidth ${bandwidth}` : ''}: values within c·n·ε·‖S‖₂, residual and orthogonality within c·n·ε`, () => {
      for (const c of cases) {
        const data = matrixOf(c);
        fl.scope(() => {
          const S = fl.fromArray(lowerOnly(data, c.n), c.n, c.n, { allowNonFinite: true });
          const values = fl.eigvalsh(S, { blockSize, ...two });
          const both = fl.eigh(S, { blockSize, leafSize, ...two });
          const tol = 8 * Math.max(c.n, 4) * EPS64 * c.norm2 + 1e-300;
          for (let i = 0; i < c.n; i++) {
            expect(Math.abs(values[i]! - c.values[i]!), `${c.name}: λ${i} (values only)`).toBeLessThanOrEqual(tol);
            expect(Math.abs(both.values[i]! - c.values[i]!), `${c.name}: λ${i} (with vectors)`).toBeLessThanOrEqual(tol);
          }
          for (let i = 1; i < c.n; i++) expect(values[i]! >= values[i - 1]!, `${c.name}: ascending`).toBe(true);
          for (let i = 0; i < c.n; i++) expect(Math.abs(values[i]! - both.values[i]!), `${c.name}: values-only vs with-vectors`).toBeLessThanOrEqual(tol);
          checkEigh(S, data, both.values, both.vectors, c.name);
        });
      }
    });
  }

  it('the split symmetric product (n ≥ 257: 2 to 8 parts): a known spectrum within c·n·ε·‖S‖₂, the same bytes on 1, 2 and 3 threads', async () => {
    // S = Q·diag(λ)·Qᵀ with Haar Q and λ with a cluster, a gap and both signs; the one-stage
    // reduction's level-2 product splits into parts of rows from m = 256 on (tridiag.ts).
    const n = 1100;
    const lambda = Float64Array.from({ length: n }, (_, i) => (i < 100 ? 1 + 1e-9 * i : i < n - 5 ? -2 + (3 * i) / n : 10 + i - n));
    const sorted = Float64Array.from(lambda).sort();
    const build = (e: Engine) => {
      const Q = e.randomOrthogonal(n, { seed: 41 });
      const QL = e.matmul(
        Q,
        e.fromArray(
          Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? lambda[k / (n + 1)]! : 0)),
          n,
          n,
        ),
      );
      return e.matmul(QL, Q, { transB: true });
    };
    const run = (e: Engine) =>
      e.scope(() => {
        const S = build(e);
        const values = e.eigvalsh(S, { twoStageMin: 1e9 });
        const { values: w, vectors: V } = e.eigh(S, { twoStageMin: 1e9 });
        const residual = e.norm(
          e.axpy(
            -1,
            e.matmul(
              V,
              e.fromArray(
                Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? w[k / (n + 1)]! : 0)),
                n,
                n,
              ),
            ),
            e.matmul(S, V),
          ),
        );
        return { values, residual, print: e.fingerprint(values, w, V) };
      });
    const one = run(fl);
    const norm2 = Math.max(...sorted.map(Math.abs));
    for (let i = 0; i < n; i++) expect(Math.abs(one.values[i]! - sorted[i]!), `λ${i}`).toBeLessThanOrEqual(8 * n * EPS64 * norm2);
    expect(one.residual).toBeLessThanOrEqual(8 * n * EPS64 * norm2 * Math.sqrt(n));
    for (const threads of [2, 3]) {
      const e = await createEngine({ threads, grain: 0 });
      try {
        expect(run(e).print, `${threads} threads`).toBe(one.print);
      } finally {
        e.dispose();
      }
    }
  }, 120_000);

  it('tridiagonal Toeplitz matches its closed form 2 − 2·cos(kπ/(n+1))', () => {
    const n = 50;
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      data[i * n + i] = 2;
      if (i > 0) data[i * n + i - 1] = data[(i - 1) * n + i] = -1;
    }
    fl.scope(() => {
      const values = fl.eigvalsh(fl.fromArray(data, n, n));
      for (let k = 1; k <= n; k++) {
        expect(Math.abs(values[k - 1]! - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(64 * n * EPS64);
      }
    });
  });

  it('f32 input is accepted and computed in f64', () => {
    fl.scope(() => {
      const G = fl.randn(20, 20, { seed: 3, dtype: 'f32' });
      const S32 = fl.matmul(G, G, { transB: true });
      const a = fl.eigvalsh(S32);
      const b = fl.eigvalsh(fl.astype(S32, 'f64'));
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(fl.eigh(S32).vectors.dtype).toBe('f64');
    });
  });

  it('bad input: non-square, non-finite lower triangle, disposed, bad block size', () => {
    fl.scope(() => {
      expect(() => fl.eigvalsh(fl.zeros(3, 4))).toThrow(ShapeError);
      expect(() => fl.eigh(fl.zeros(3, 4))).toThrow(/S must be square, got 3×4/);
      const bad = fl.fromArray(new Float64Array([1, NaN, Infinity, 2]), 2, 2, { allowNonFinite: true });
      expect(() => fl.eigvalsh(bad)).toThrow(NonFiniteError);
      expect(() => fl.eigvalsh(bad)).toThrow(/S\[1, 0\]/);
      const S = fl.eye(3);
      S.dispose();
      expect(() => fl.eigh(S)).toThrow(DisposedError);
      expect(() => fl.eigh(fl.eye(3), { blockSize: 0 })).toThrow(/blockSize/);
      expect(() => fl.eigvalsh(fl.eye(3), { bandwidth: 0 })).toThrow(/bandwidth must be an integer in \[1, 64\], got 0/);
      expect(() => fl.eigh(fl.eye(3), { twoStageMin: -1 })).toThrow(/twoStageMin must be a non-negative integer/);
    });
  });

  it('non-convergence surfaces as a ConvergenceError', () => {
    fl.scope(() => {
      const S = fl.fromArray(matrixOf(cases.find((c) => c.n === 33)!), 33, 33);
      expect(() => fl.eigvalsh(S, { maxSweepsPerN: 0 })).toThrow(ConvergenceError);
      expect(() => fl.eigh(S, { maxSweepsPerN: 0 })).toThrow(/did not converge/);
      expect(fl.memoryStats().liveMatrices).toBeGreaterThan(0);
    });
    expect(fl.memoryStats().liveMatrices).toBe(0);
  });
});
