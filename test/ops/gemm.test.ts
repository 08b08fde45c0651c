import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Matrix } from '../../dist/index.js';
import { EPS32, EPS64, engine, firstMismatch, fixture, sameBytes, testArray, testValue } from '../helpers.js';

type DT = 'f64' | 'f32';
let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

const GUARD = 16; // elements of NaN poison on each side of every buffer

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
}

/** Guarded raw buffer: [GUARD NaN | data | GUARD NaN]. */
function guarded(dtype: DT, n: number, fill: (i: number) => number) {
  const size = dtype === 'f64' ? 8 : 4;
  const total = n + 2 * GUARD;
  const base = fl.allocBytes(total * size);
  const view = () => (dtype === 'f64' ? new Float64Array(fl.memory.buffer, base, total) : new Float32Array(fl.memory.buffer, base, total));
  const v = view();
  v.fill(NaN);
  for (let i = 0; i < n; i++) v[GUARD + i] = fill(i);
  return {
    ptr: base + GUARD * size,
    data: () => view().slice(GUARD, GUARD + n),
    guardsIntact: () => {
      const w = view();
      for (let i = 0; i < GUARD; i++) if (!Number.isNaN(w[i]!) || !Number.isNaN(w[GUARD + n + i]!)) return false;
      return true;
    },
    free: () => fl.freeBytes(base),
  };
}

/**
 * Runs one GEMM at the kernel level, as the engine does (packed raw sums, then the α/β
 * epilogue), or through the scalar twin. C starts as NaN when β = 0 (it must not be read).
 */
function runKernel(dtype: DT, impl: 'opt' | 'ref', c: Case, blocking = { mc: 96, nc: 2048, kc: 256 }, seeds = [1, 2, 3]) {
  const k = fl.kernels;
  const A = guarded(dtype, c.m * c.k, (i) => testValue(seeds[0]!, i));
  const B = guarded(dtype, c.k * c.n, (i) => testValue(seeds[1]!, i));
  const C = guarded(dtype, c.m * c.n, (i) => (c.beta === 0 ? NaN : testValue(seeds[2]!, i)));
  const lda = c.transA ? c.m : c.k;
  const ldb = c.transB ? c.k : c.n;
  const ta = c.transA ? 1 : 0,
    tb = c.transB ? 1 : 0;
  if (impl === 'ref') {
    (dtype === 'f64' ? k.gemm_ref_f64 : k.gemm_ref_f32)(ta, tb, c.m, c.n, c.k, c.alpha, A.ptr, lda, B.ptr, ldb, c.beta, C.ptr, c.n);
  } else {
    const tile = dtype === 'f64' ? [k.GEMM_F64_MR.value, k.GEMM_F64_NR.value] : [k.GEMM_F32_MR.value, k.GEMM_F32_NR.value];
    const mc = Math.ceil(blocking.mc / tile[0]) * tile[0];
    const nc = Math.ceil(blocking.nc / tile[1]) * tile[1];
    const kc = blocking.kc;
    const workLen = (dtype === 'f64' ? k.gemm_workspace_f64 : k.gemm_workspace_f32)(mc, nc, kc);
    const W = guarded(dtype, workLen, () => NaN);
    const old = c.beta !== 0 ? guarded(dtype, c.m * c.n, (i) => testValue(seeds[2]!, i)) : undefined;
    (dtype === 'f64' ? k.gemm_f64 : k.gemm_f32)(ta, tb, c.m, c.n, c.k, A.ptr, lda, B.ptr, ldb, C.ptr, c.n, W.ptr, mc, nc, kc, 0);
    if (c.alpha !== 1 || c.beta !== 0) {
      (dtype === 'f64' ? k.gemm_epilogue_f64 : k.gemm_epilogue_f32)(c.m, c.n, c.alpha, C.ptr, c.n, c.beta, old ? old.ptr : C.ptr, c.n);
    }
    expect(W.guardsIntact(), 'packing workspace guard').toBe(true);
    W.free();
    old?.free();
  }
  expect(A.guardsIntact() && B.guardsIntact(), 'input guards').toBe(true);
  expect(C.guardsIntact(), `output guard ${JSON.stringify(c)}`).toBe(true);
  const out = C.data();
  A.free();
  B.free();
  C.free();
  return out;
}

const LADDER = [1, 2, 3, 7, 8, 9, 31, 33, 64, 127, 257];
// Square sizes plus non-square mixes around the tile (4, 8) and block edges.
const SHAPES: [number, number, number][] = [
  ...LADDER.map((s) => [s, s, s] as [number, number, number]),
  [1, 257, 3],
  [257, 1, 9],
  [3, 7, 257],
  [33, 9, 64],
  [9, 33, 31],
  [127, 64, 2],
  [64, 127, 33],
  [31, 257, 8],
  [257, 31, 127],
];

describe('GEMM kernels equal their scalar twin bit for bit', () => {
  for (const dtype of ['f64', 'f32'] as const) {
    it(`${dtype}: ladder of shapes × all transposes × α/β, NaN-poisoned C and guards`, () => {
      let checked = 0;
      for (const [m, n, k] of SHAPES) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const variant = (m + n + k + (transA ? 1 : 0) + (transB ? 2 : 0)) % 3;
            const [alpha, beta] = [
              [1, 0],
              [-1.25, 0],
              [0.5, -2],
            ][variant]!;
            const c = { m, n, k, transA, transB, alpha: alpha!, beta: beta! };
            const opt = runKernel(dtype, 'opt', c);
            const ref = runKernel(dtype, 'ref', c);
            if (!sameBytes(opt, ref)) {
              const i = firstMismatch(opt, ref, () => 0);
              throw new Error(`${dtype} ${JSON.stringify(c)}: element ${i} is ${opt[i]} but the scalar twin gives ${ref[i]}`);
            }
            checked++;
          }
        }
      }
      expect(checked).toBe(SHAPES.length * 4);
    });

    it(`${dtype}: results do not depend on the block sizes`, () => {
      const c = { m: 67, n: 45, k: 133, transA: false, transB: true, alpha: 1, beta: 0 };
      const ref = runKernel(dtype, 'ref', c);
      for (const blocking of [
        { mc: 4, nc: 8, kc: 1 },
        { mc: 8, nc: 16, kc: 3 },
        { mc: 12, nc: 24, kc: 64 },
        { mc: 96, nc: 2048, kc: 256 },
        { mc: 64, nc: 8, kc: 500 },
      ]) {
        expect(sameBytes(runKernel(dtype, 'opt', c, blocking), ref), JSON.stringify(blocking)).toBe(true);
      }
    });
  }
});

describe('matmul / gemm through the public API', () => {
  interface FixtureCase extends Case {
    seedA: number;
    seedB: number;
    seedC: number;
    c: number[];
  }
  const cases = fixture<FixtureCase[]>('gemm.json');

  for (const dtype of ['f64', 'f32'] as const) {
    it(`${dtype}: agrees with numpy within c·k·ε·(|α|·|A||B| + |β|·|C|) on ${cases.length} cases`, () => {
      const eps = dtype === 'f64' ? EPS64 : EPS32;
      const T = dtype === 'f64' ? Float64Array : Float32Array;
      for (const c of cases) {
        const [ar, ac] = c.transA ? [c.k, c.m] : [c.m, c.k];
        const [br, bc] = c.transB ? [c.n, c.k] : [c.k, c.n];
        const a = testArray(c.seedA, ar * ac),
          b = testArray(c.seedB, br * bc),
          c0 = testArray(c.seedC, c.m * c.n);
        const got = fl.scope(() => {
          const A = fl.fromArray(T.from(a), ar, ac);
          const B = fl.fromArray(T.from(b), br, bc);
          const C = fl.fromArray(T.from(c0), c.m, c.n);
          return fl.gemm(C, A, B, { alpha: c.alpha, beta: c.beta, transA: c.transA, transB: c.transB }).toArray();
        });
        const bound = (idx: number) => {
          const i = Math.floor(idx / c.n),
            j = idx % c.n;
          let s = 0;
          for (let p = 0; p < c.k; p++) {
            const aip = c.transA ? a[p * c.m + i]! : a[i * c.k + p]!;
            const bpj = c.transB ? b[j * c.k + p]! : b[p * c.n + j]!;
            s += Math.abs(aip * bpj);
          }
          return 2 * (c.k + 2) * eps * (Math.abs(c.alpha) * s + Math.abs(c.beta * c0[idx]!)) + 1e-300;
        };
        const bad = firstMismatch(got, c.c, bound);
        if (bad >= 0) throw new Error(`${dtype} ${c.m}×${c.n}×${c.k} tA=${c.transA} tB=${c.transB}: [${bad}] ${got[bad]} vs numpy ${c.c[bad]}`);
      }
    });
  }

  it('matmul matches gemm with β = 0 and its shape follows the transposes', () => {
    fl.scope(() => {
      const A = fl.randn(5, 3, { seed: 1 });
      const B = fl.randn(4, 3, { seed: 2 });
      const C = fl.matmul(A, B, { transB: true });
      expect([C.rows, C.cols]).toEqual([5, 4]);
      const D = fl.gemm(fl.full(5, 4, 7), A, B, { transB: true }); // β = 0: the 7s are ignored
      expect(sameBytes(C.toArray(), D.toArray())).toBe(true);
      expect(fl.matmul(A, A, { transA: true }).rows).toBe(3);
    });
  });

  it('gram equals matmul with a transpose bit for bit, and is exactly symmetric', () => {
    fl.scope(() => {
      for (const [m, n] of [
        [1, 1],
        [7, 3],
        [130, 260],
        [300, 140],
        [5, 2100], // C wider than one column panel (2048): row blocks start inside a later panel
      ] as const) {
        const A = fl.randn(m, n, { seed: m + n });
        expect(sameBytes(fl.gram(A).toArray(), fl.matmul(A, A, { transA: true }).toArray())).toBe(true);
        expect(sameBytes(fl.gram(A, 'AAt').toArray(), fl.matmul(A, A, { transB: true }).toArray())).toBe(true);
      }
      expect(() => fl.gram(fl.eye(2), 'AB' as never)).toThrow(/side must be/);
    });
  });

  it('gram on two threads (row blocks of the triangle as tasks) equals one thread bit for bit', async () => {
    const two = await engine({ threads: 2 });
    try {
      for (const [m, n] of [
        [400, 600],
        [700, 333],
      ] as const) {
        fl.scope(() =>
          two.scope(() => {
            const A1 = fl.randn(m, n, { seed: m }),
              A2 = two.fromArray(A1.toArray(), m, n);
            expect(sameBytes(fl.gram(A1).toArray(), two.gram(A2).toArray())).toBe(true);
            expect(sameBytes(fl.gram(A1, 'AAt').toArray(), two.gram(A2, 'AAt').toArray())).toBe(true);
          }),
        );
      }
    } finally {
      two.dispose();
    }
  });

  it('an empty inner dimension gives zeros (α·0 + β·C)', () => {
    fl.scope(() => {
      const A = fl.zeros(3, 0),
        B = fl.zeros(0, 2);
      expect(Array.from(fl.matmul(A, B).toArray())).toEqual([0, 0, 0, 0, 0, 0]);
      const C = fl.full(3, 2, 2);
      expect(Array.from(fl.gemm(C, A, B, { beta: 0.5 }).toArray())).toEqual([1, 1, 1, 1, 1, 1]);
    });
  });

  it('gemv equals matmul bit for bit, with and without transpose and α/β', () => {
    for (const dtype of ['f64', 'f32'] as const) {
      fl.scope(() => {
        const A = fl.randn(37, 21, { seed: 5, dtype });
        const x = fl.randn(21, 1, { seed: 6, dtype });
        const xt = fl.randn(37, 1, { seed: 7, dtype });
        expect(sameBytes(fl.gemv(A, x).toArray(), fl.matmul(A, x).toArray())).toBe(true);
        expect(sameBytes(fl.gemv(A, xt, { trans: true }).toArray(), fl.matmul(A, xt, { transA: true }).toArray())).toBe(true);
        const y1 = fl.randn(37, 1, { seed: 8, dtype });
        const y2 = fl.copy(y1);
        fl.gemv(A, x, { alpha: -0.5, beta: 3, y: y1 });
        fl.gemm(y2, A, x, { alpha: -0.5, beta: 3 });
        expect(sameBytes(y1.toArray(), y2.toArray())).toBe(true);
      });
    }
  });

  it('a product with one column or one row (the matrix–vector kernel) has the sums of a wider GEMM, bit for bit', () => {
    // The same vector twice makes a two-column (two-row) operand, which takes the packed GEMM:
    // its first column (row) must equal the one-column (one-row) product.
    const twice = (v: Matrix, asRows: boolean) => {
      const x = v.toArray();
      const data = new (v.dtype === 'f64' ? Float64Array : Float32Array)(2 * x.length);
      for (let i = 0; i < x.length; i++) {
        if (asRows) data[i] = data[x.length + i] = x[i]!;
        else data[2 * i] = data[2 * i + 1] = x[i]!;
      }
      return asRows ? fl.fromArray(data, 2, x.length) : fl.fromArray(data, x.length, 2);
    };
    const firstColumn = (C: Matrix) => C.toArray().filter((_, i) => i % 2 === 0);
    for (const dtype of ['f64', 'f32'] as const) {
      fl.scope(() => {
        // 301 × 203: several row blocks, an odd depth, scales that make rounding matter.
        const A = fl.scale(fl.randn(301, 203, { seed: 5, dtype }), 1e3);
        const x = fl.randn(203, 1, { seed: 6, dtype });
        const xt = fl.randn(301, 1, { seed: 7, dtype });
        for (const alpha of [1, -0.75]) {
          // one column: A·x, Aᵀ·x, and x given as a row with transB
          const wide = firstColumn(fl.matmul(A, twice(x, false), { alpha }));
          expect(sameBytes(fl.matmul(A, x, { alpha }).toArray(), wide)).toBe(true);
          expect(sameBytes(fl.matmul(A, fl.transpose(x), { transB: true, alpha }).toArray(), wide)).toBe(true);
          const wideT = firstColumn(fl.matmul(A, twice(xt, false), { transA: true, alpha }));
          expect(sameBytes(fl.matmul(A, xt, { transA: true, alpha }).toArray(), wideT)).toBe(true);
          // one row: xᵀ·Aᵀ (B transposed), xtᵀ·A, and the row given as a column with transA
          const tall = fl.matmul(twice(x, true), A, { transB: true, alpha }).toArray().subarray(0, 301);
          expect(sameBytes(fl.matmul(fl.transpose(x), A, { transB: true, alpha }).toArray(), tall)).toBe(true);
          const tallT = fl.matmul(twice(xt, true), A, { alpha }).toArray().subarray(0, 203);
          expect(sameBytes(fl.matmul(fl.transpose(xt), A, { alpha }).toArray(), tallT)).toBe(true);
          expect(sameBytes(fl.matmul(xt, A, { transA: true, alpha }).toArray(), tallT)).toBe(true);
        }
        // gemm with β on one column
        const y1 = fl.randn(301, 1, { seed: 8, dtype });
        const y2 = twice(y1, false);
        fl.gemm(y1, A, x, { alpha: -0.5, beta: 3 });
        fl.gemm(y2, A, twice(x, false), { alpha: -0.5, beta: 3 });
        expect(sameBytes(y1.toArray(), firstColumn(y2))).toBe(true);
      });
    }
  });
});
