// The checked layer over the network kernels (src/ops/network.ts) and what moved behind it
// (issue 12): src/net/ reaches no kernel by pointer; every path to a kernel checks owner,
// liveness, dtype and shape under the public function's name; the per-element loops of
// reluNtkInfinite and teacherStudentGeometry run in wasm with the same bits as the JS loops
// they replace (reproduced here as the oracle); DivergenceError and InternalError belong to
// the one error hierarchy.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DisposedError,
  DivergenceError as RootDivergenceError,
  DTypeError,
  FeaturelabError,
  NonFiniteError,
  ShapeError,
  reluNtkInfinite,
  teacherStudentGeometry,
  type Engine,
  type Matrix,
} from '../../dist/index.js';
import * as errors from '../../dist/core/errors.js';
import { DivergenceError as ModelDivergenceError } from '../../dist/net/model.js';
import { inSafeRange, timesPow2 } from '../../dist/net/check.js';
import * as network from '../../dist/ops/network.js';
import { engine, sameBytes, testArray } from '../helpers.js';

let fl: Engine;
let other: Engine;
beforeAll(async () => {
  fl = await engine();
  other = await engine();
});
afterAll(() => {
  fl.dispose();
  other.dispose();
});

const mat = (seed: number, rows: number, cols: number, scale = 1) =>
  fl.fromArray(
    testArray(seed, rows * cols).map((x) => x * scale),
    rows,
    cols,
  );

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('the pointer layer is sealed', () => {
  it("no file of src/net/ calls a kernel, allocates raw bytes, reads a pointer, a memory view, a matrix's owner or the engine's internal checks", () => {
    const dir = new URL('../../src/net/', import.meta.url);
    const offending: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      readFileSync(new URL(file, dir), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/kernels\.|\.ptr\b|allocBytes|freeBytes|\.view\(\)|\.owner\b|assertMatrix/.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });

  it("refuses a matrix of another engine, a disposed or f32 matrix and a wrong shape, under the caller's name", () => {
    const M = mat(1, 3, 4),
      r = mat(2, 3, 1),
      c = mat(3, 4, 1);
    const foreign = other.fromArray(testArray(3, 4), 4, 1);
    const before = fl.memoryStats();
    const e1 = thrown(() => network.scaleRowsCols(fl, 'gradients', M, r, foreign));
    expect(e1).toBeInstanceOf(ArgumentError);
    expect(e1.message).toBe('gradients (c): the matrix belongs to another engine');
    const dead = mat(4, 3, 1);
    dead.dispose();
    const e2 = thrown(() => network.scaleRowsCols(fl, 'empiricalNTK', M, dead, c));
    expect(e2).toBeInstanceOf(DisposedError);
    expect(e2.message).toMatch(/^empiricalNTK \(r\): /);
    const f32 = fl.astype(M, 'f32');
    const e3 = thrown(() => network.reluPopulationGrad(fl, 'reluPopulation', f32, M, fl.zeros(3, 4)));
    expect(e3).toBeInstanceOf(DTypeError);
    expect(e3.message).toMatch(/^reluPopulation \(W\): expected an f64 matrix/);
    const e4 = thrown(() => network.centerKernel(fl, 'cka', M));
    expect(e4).toBeInstanceOf(ShapeError);
    expect(e4.message).toBe('cka: K must be 3×3, got 3×4 f64');
    const e5 = thrown(() => network.absPopulationGrad(fl, 'absPopulationGD', M, r, M, mat(5, 2, 1), 0, fl.zeros(3, 4), fl.zeros(3, 1)));
    expect(e5).toBeInstanceOf(ShapeError);
    expect(e5.message).toBe('absPopulationGD: as must be 3×1, got 2×1 f64');
    // the failed calls allocated nothing that outlives them (the zeros above are the caller's)
    expect(fl.memoryStats().liveMatrices).toBe(before.liveMatrices + 5);
  });

  it('frees the workspace of a kernel call: only the returned matrix stays', () => {
    const K = fl.gram(mat(6, 5, 3), 'AAt');
    const before = fl.memoryStats();
    const C = network.centerKernel(fl, 'centerKernel', K);
    expect(fl.memoryStats().liveMatrices).toBe(before.liveMatrices + 1);
    C.dispose();
    expect(fl.memoryStats().bytesInUse).toBe(before.bytesInUse);
  });
});

/** reluNtkInfinite as it was computed in JS before the loop moved to wasm (the oracle). */
function reluNtkBefore(X1: Matrix, X2: Matrix): Float64Array | string {
  return fl.scope(() => {
    const a = inSafeRange(fl, fl.astype(X1, 'f64')),
      b = inSafeRange(fl, fl.astype(X2, 'f64'));
    const A = a.M,
      B = b.M,
      d = A.cols;
    const theta = fl.zeros(A.rows, B.rows);
    fl.kernels.row_angles_f64(A.rows, B.rows, d, A.ptr, B.ptr, theta.ptr);
    const g = fl.matmul(A, B, { transB: true }).toArray();
    const n1 = fl.sumRows(fl.hadamard(A, A)).toArray(),
      n2 = fl.sumRows(fl.hadamard(B, B)).toArray();
    const th = theta.toArray();
    const out = new Float64Array(A.rows * B.rows);
    for (let i = 0; i < A.rows; i++) {
      for (let j = 0; j < B.rows; j++) {
        const t = th[i * B.rows + j]!;
        const norms = Math.sqrt(n1[i]! * n2[j]!);
        out[i * B.rows + j] = timesPow2(
          (norms * (fl.math.sin(t) + (Math.PI - t) * fl.math.cos(t)) + g[i * B.rows + j]! * (Math.PI - t)) / (2 * Math.PI * d),
          -(a.k + b.k),
        );
        if (!Number.isFinite(out[i * B.rows + j]!)) return `reluNtkInfinite: Θ(x_${i}, x′_${j}) exceeds the double range`;
      }
    }
    return out;
  });
}

describe('loops over matrix data run in wasm, with the same bits', () => {
  it('reluNtkInfinite equals the former per-element JS loop bit for bit (plain and rescaled inputs)', () => {
    for (const [s1, s2] of [
      [1, 1],
      [2 ** 300, 1],
      [2 ** -400, 2 ** 250],
      [3, 2 ** -700],
    ] as const) {
      fl.scope(() => {
        const X1 = mat(11, 7, 5, s1),
          X2 = mat(12, 6, 5, s2);
        const want = reluNtkBefore(X1, X2);
        const got = reluNtkInfinite(fl, X1, X2);
        expect(want).toBeInstanceOf(Float64Array);
        expect(got.rows * got.cols).toBe(42);
        expect(sameBytes(got.toArray() as Float64Array, want as Float64Array)).toBe(true);
      });
    }
  });

  it('reluNtkInfinite reports the first entry beyond the double range, as the JS loop did', () => {
    fl.scope(() => {
      const X1 = fl.fromArray(Float64Array.of(1, 0, 2 ** 600, 0, 3, 1), 3, 2),
        X2 = fl.fromArray(Float64Array.of(2 ** 600, 2 ** 599), 1, 2);
      const want = reluNtkBefore(X1, X2);
      expect(want).toBe('reluNtkInfinite: Θ(x_1, x′_0) exceeds the double range');
      const before = fl.memoryStats().liveMatrices;
      const error = thrown(() => reluNtkInfinite(fl, X1, X2));
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(error.message).toBe(want);
      expect(fl.memoryStats().liveMatrices).toBe(before);
    });
  });

  it('teacherStudentGeometry picks the nearest teacher as the JS loop did (first of ties; lines fold θ to π − θ)', () => {
    // student 0 is at π/2 from both teachers (a tie: teacher 0); student 1 is nearly −v_1 (a line of v_1)
    const W = fl.fromArray(Float64Array.of(1, 0, 0, 0, -1, 0.01, 0.3, 0.2, -0.5), 3, 3);
    const V = fl.fromArray(Float64Array.of(0, 1, 0, 0, 0, 1), 2, 3);
    const theta = fl.zeros(3, 2);
    fl.kernels.row_angles_f64(3, 2, 3, W.ptr, V.ptr, theta.ptr);
    const th = theta.toArray();
    for (const lines of [false, true]) {
      const t = lines ? th.map((x) => Math.min(x, Math.PI - x)) : th;
      const group: number[] = [],
        angles: number[] = [];
      for (let i = 0; i < 3; i++) {
        let best = 0;
        for (let l = 1; l < 2; l++) if (t[i * 2 + l]! < t[i * 2 + best]!) best = l;
        group.push(best);
        angles.push(t[i * 2 + best]!);
      }
      const geo = teacherStudentGeometry(fl, W, V, { lines });
      expect(Array.from(geo.group)).toEqual(group);
      expect(sameBytes(geo.angles, Float64Array.from(angles))).toBe(true);
    }
    expect(teacherStudentGeometry(fl, W, V).group[0]).toBe(0);
  });
});

describe('errors are central', () => {
  it('DivergenceError is one class in src/core/errors.ts, re-exported by the model and the root', () => {
    expect(errors.DivergenceError).toBeDefined();
    expect(ModelDivergenceError).toBe(errors.DivergenceError);
    expect(RootDivergenceError).toBe(errors.DivergenceError);
    expect(new errors.DivergenceError('x')).toBeInstanceOf(FeaturelabError);
  });

  it('InternalError is a FeaturelabError named after its class, thrown for a broken invariant of the checked layer', () => {
    expect(new errors.InternalError('x')).toBeInstanceOf(FeaturelabError);
    expect(new errors.InternalError('x').name).toBe('InternalError');
    const error = thrown(() => network.stackColumns(fl, 'hermiteFeatures', []));
    expect(error).toBeInstanceOf(errors.InternalError);
    expect(error.message).toBe('hermiteFeatures: stackColumns needs at least one column');
  });
});
