// Issue 11, engine side: no silent wrong numbers at extreme magnitudes (item 4), kernels
// only ever receive live matrices of their engine of the right dtype (item 6), every bad
// argument is a FeaturelabError naming the function and the argument (item 8), and a failed
// call leaves no matrix behind (item 9). References are computed at scale 1 and moved by
// exact powers of two, never by the code path under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  createEngine,
  DisposedError,
  DTypeError,
  FeaturelabError,
  NonFiniteError,
  ShapeError,
  type Engine,
  type Matrix,
} from '../../dist/index.js';

let fl: Engine;
beforeAll(async () => {
  fl = await createEngine({ threads: 1 });
});
afterAll(() => fl.dispose());

/** x·2^e, exactly when the result is normal (in two steps: 2^e alone may not be representable). */
const times2 = (x: number, e: number): number => x * 2 ** Math.trunc(e / 2) * 2 ** (e - Math.trunc(e / 2));

/** 2^e·A as a new matrix (exact for normal results). */
function scaled(A: Matrix, e: number): Matrix {
  const half = Math.trunc(e / 2);
  const B = fl.scale(A, 2 ** half);
  return fl.scale(B, 2 ** (e - half), { out: B });
}

describe('extreme magnitudes give correct results or a clear error (item 4)', () => {
  // 2^±664 ≈ 1e±200 (the case), 2^±1000 near the ends of the f64 range.
  for (const e of [-664, 664, -1000, 1000]) {
    it(`svdvals of 2^${e}·A equals 2^${e}·svdvals(A)`, () => {
      fl.scope(() => {
        const A = fl.randn(30, 20, { seed: 3 });
        const want = fl.svdvals(A).map((s) => times2(s, e));
        const got = fl.svdvals(scaled(A, e));
        expect(got.every((s) => s > 0)).toBe(true);
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-14 * want[0]!);
        // wide matrices go through A·Aᵀ
        const wide = fl.svdvals(scaled(fl.transpose(A), e));
        for (let i = 0; i < wide.length; i++) expect(Math.abs(wide[i]! - want[i]!)).toBeLessThanOrEqual(1e-13 * want[0]!);
      });
    });

    it(`svdTop of 2^${e}·A: values 2^${e}·σ, and A·v = σ·u`, () => {
      fl.scope(() => {
        const A = fl.randn(40, 25, { seed: 4 });
        const want = fl.svdvals(A);
        const { values, U, V } = fl.svdTop(scaled(A, e), 3, { seed: 1 });
        for (let i = 0; i < 3; i++) expect(Math.abs(times2(values[i]!, -e) - want[i]!)).toBeLessThanOrEqual(1e-10 * want[0]!);
        // The vectors do not depend on the scale: A·V = U·diag(σ) at scale 1.
        const AV = fl.matmul(A, V),
          u = U.toArray(),
          av = AV.toArray();
        for (let r = 0; r < 40; r++) {
          for (let c = 0; c < 3; c++) expect(Math.abs(av[r * 3 + c]! - u[r * 3 + c]! * want[c]!)).toBeLessThan(1e-8 * want[0]!);
        }
      });
    });
  }

  it('svdvals whose largest value overflows f64 is a NonFiniteError, not Infinity', () => {
    fl.scope(() => {
      expect(() => fl.svdvals(fl.full(3, 3, 1e308))).toThrow(NonFiniteError);
      expect(() => fl.svdvals(fl.full(3, 3, 1e308))).toThrow(/svdvals: the largest singular value/);
    });
  });

  it('qr of a matrix whose entries are all below 5.6e-309: Q as at scale 1, R scaled back exactly', () => {
    fl.scope(() => {
      const tiny = scaled(fl.randn(6, 4, { seed: 5 }), -1040); // subnormal entries
      const ref = fl.qr(scaled(tiny, 1040)); // exact: scaling subnormals up loses nothing
      const { Q, R } = fl.qr(tiny);
      expect(Array.from(Q.toArray())).toEqual(Array.from(ref.Q.toArray()));
      expect(Array.from(R.toArray())).toEqual(Array.from(ref.R.toArray(), (r) => r * 2 ** -1040));
      expect(R.toArray().some((r) => r !== 0)).toBe(true);
      const pos = fl.qr(tiny, { positiveDiagonal: true });
      for (let j = 0; j < 4; j++) expect(pos.R.get(j, j)).toBeGreaterThan(0);
    });
  });

  it('qr whose R overflows f64 is a NonFiniteError', () => {
    fl.scope(() => expect(() => fl.qr(fl.full(4, 3, 1e308))).toThrow(/qr: R overflows f64/));
  });

  it('sum, dot and the 1- and ∞-norms overflowing on finite input throw like sumRows (NonFiniteError naming the function)', () => {
    fl.scope(() => {
      const big = fl.full(2, 2, 1e308);
      expect(() => fl.sumRows(big)).toThrow(NonFiniteError);
      expect(() => fl.sum(big)).toThrow(/^sum: the result overflows f64/);
      expect(() => fl.dot(big, big)).toThrow(/^dot: the result overflows f64/);
      expect(() => fl.norm(big, '1')).toThrow(/^norm\(A, '1'\): the result overflows f64/);
      expect(() => fl.norm(big, 'inf')).toThrow(/^norm\(A, 'inf'\): the result overflows f64/);
      for (const call of [() => fl.sum(big), () => fl.dot(big, big), () => fl.norm(big, '1')]) expect(call).toThrow(NonFiniteError);
      // Still finite: the largest matrices whose sums fit are summed as before.
      const half = fl.full(2, 2, 2 ** 1021);
      expect(fl.sum(half)).toBe(2 ** 1023);
      expect(fl.norm(half, '1')).toBe(2 ** 1022);
      // The Frobenius norm is computed overflow-safely: finite while it fits, an error beyond.
      expect(fl.norm(fl.full(2, 2, 2 ** 1021), 'fro')).toBe(2 ** 1022);
      expect(() => fl.norm(big, 'fro')).toThrow(/^norm\(A, 'fro'\): the result overflows f64/);
      // NaN inputs accepted on entry are reported the same way.
      const nan = fl.fromArray(new Float64Array([1, NaN]), 1, 2, { allowNonFinite: true });
      expect(() => fl.sum(nan)).toThrow(/^sum: the result is NaN: the input holds 1 non-finite value/);
    });
  });

  it('with checkFinite: false, the reductions return the IEEE result as sumRows does', async () => {
    const lax = await createEngine({ threads: 1, checkFinite: false });
    const big = lax.full(2, 2, 1e308);
    expect(lax.sum(big)).toBe(Infinity);
    expect(lax.sumRows(big).toArray()[0]).toBe(Infinity);
    lax.dispose();
  });
});

describe('kernels receive only live matrices of their engine, of the right dtype (item 6, engine side)', () => {
  it('assertMatrix checks the instance, the owner, liveness and (optionally) the dtype', async () => {
    const other = await createEngine({ threads: 1 });
    try {
      const A = fl.zeros(2, 2),
        F = fl.zeros(2, 2, { dtype: 'f32' }),
        foreign = other.zeros(2, 2);
      const dead = fl.zeros(1, 1);
      dead.dispose();
      expect(() => fl.assertMatrix(A, 'f (A)', 'f64')).not.toThrow();
      expect(() => fl.assertMatrix({ rows: 2, cols: 2, dtype: 'f64', ptr: 0 } as never, 'f (A)')).toThrow(/^f \(A\): expected a Matrix/);
      expect(() => fl.assertMatrix(foreign, 'f (A)')).toThrow(/^f \(A\): the matrix belongs to another engine/);
      expect(() => fl.assertMatrix(dead, 'f (A)')).toThrow(DisposedError);
      expect(() => fl.assertMatrix(F, 'f (A)', 'f64')).toThrow(DTypeError);
      expect(() => fl.assertMatrix(F, 'f (A)', 'f64')).toThrow(/^f \(A\): expected an f64 matrix, got 2×2 f32/);
      expect(() => fl.choleskySolve(F, A)).toThrow(/^choleskySolve \(L\): expected an f64 matrix/);
      expect(() => fl.lanczos(() => fl.zeros(2, 1, { dtype: 'f32' }), 2, 1)).toThrow(/^lanczos \(operator result\): expected an f64 matrix/);
      expect(() => fl.lanczos(() => other.zeros(2, 1), 2, 1)).toThrow(/another engine/);
      A.dispose();
      F.dispose();
      expect(fl.memoryStats().liveMatrices).toBe(0);
    } finally {
      other.dispose();
    }
  });
});

describe('a wasm trap reaches the caller as a FeaturelabError (item 6)', () => {
  it('on a one-thread engine too, and the engine carries on', () => {
    // Only reachable through the raw kernels: a map over memory beyond the end.
    const beyond = 2 ** 32 - 2 ** 20;
    expect(() => fl.kernels.map_f64(3, 0, 0, 64, beyond, beyond)).toThrow(FeaturelabError);
    expect(() => fl.kernels.map_f64(3, 0, 0, 64, beyond, beyond)).toThrow(
      /^featurelab internal error: the kernel map_f64 failed: RuntimeError: memory access out of bounds$/,
    );
    expect(fl.scope(() => fl.sum(fl.full(2, 2, 1.5)))).toBe(6);
  });
});

/** A call that must fail with `type` and a message matching `message`, leaving no matrix behind. */
function refuses(call: () => unknown, message: RegExp, type: new (...args: never[]) => Error = FeaturelabError): void {
  const before = fl.memoryStats();
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${message}`).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(FeaturelabError);
  expect((error as Error).message).toMatch(message);
  const after = fl.memoryStats();
  expect({ live: after.liveMatrices, bytes: after.bytesInUse }, `leak after: ${(error as Error).message}`).toEqual({
    live: before.liveMatrices,
    bytes: before.bytesInUse,
  });
}

describe('bad arguments are FeaturelabErrors naming the function and argument, and leak nothing (items 8, 9)', () => {
  // Inputs exist before each call, so that anything alive after a failure is a leak.
  let A: Matrix, S: Matrix, v: Matrix, C: Matrix, huge: Matrix;
  beforeAll(() => {
    A = fl.randn(4, 3, { seed: 1 });
    S = fl.gram(A);
    v = fl.randn(3, 1, { seed: 2 });
    C = fl.zeros(4, 3);
    huge = fl.full(4, 3, 1e308);
  });
  afterAll(() => [A, S, v, C, huge].forEach((m) => m.dispose()));

  it('null options anywhere', () => {
    const cases: [string, () => unknown][] = [
      ['fromArray', () => fl.fromArray(new Float64Array(4), 2, 2, null as never)],
      ['zeros', () => fl.zeros(2, 2, null as never)],
      ['full', () => fl.full(2, 2, 1, null as never)],
      ['eye', () => fl.eye(2, null as never)],
      ['randn', () => fl.randn(2, 2, null as never)],
      ['rand', () => fl.rand(2, 2, null as never)],
      ['matmul', () => fl.matmul(A, S, null as never)],
      ['gemm', () => fl.gemm(C, A, S, null as never)],
      ['gemv', () => fl.gemv(A, v, null as never)],
      ['scale', () => fl.scale(A, 2, null as never)],
      ['hadamard', () => fl.hadamard(A, A, null as never)],
      ['map', () => fl.map(A, 'tanh', null as never)],
      ['eigvalsh', () => fl.eigvalsh(S, null as never)],
      ['eigh', () => fl.eigh(S, null as never)],
      ['eigTridiagonal', () => fl.eigTridiagonal([1, 2], [1], null as never)],
      ['eighSelect', () => fl.eighSelect(S, { largest: 1 }, null as never)],
      ['svdvals', () => fl.svdvals(A, null as never)],
      ['svdTop', () => fl.svdTop(A, 1, null as never)],
      ['lanczos', () => fl.lanczos((x) => fl.copy(x), 3, 1, null as never)],
      ['cholesky', () => fl.cholesky(S, null as never)],
      ['qr', () => fl.qr(S, null as never)],
      ['randomOrthogonal', () => fl.randomOrthogonal(3, null as never)],
    ];
    for (const [name, call] of cases) {
      fl.scope(() => refuses(call, new RegExp(`^${name}: options must be an object or omitted, got null`), ArgumentError));
    }
  });

  it('unknown or misspelt option keys, with a hint', () => {
    refuses(() => fl.eigvalsh(S, { blocksize: 0 } as never), /^eigvalsh: unknown option 'blocksize'; did you mean 'blockSize'\?/, ArgumentError);
    refuses(() => fl.eigh(S, { leafsize: 3 } as never), /^eigh: unknown option 'leafsize'; did you mean 'leafSize'\?/);
    refuses(() => fl.randn(2, 2, { sed: 1 } as never), /^randn: unknown option 'sed'; did you mean 'seed'\?/);
    refuses(() => fl.matmul(A, S, { transa: true } as never), /^matmul: unknown option 'transa'; did you mean 'transA'\?/);
    refuses(() => fl.matmul(A, S, { beta: 1 } as never), /^matmul: unknown option 'beta'/);
    refuses(() => fl.svdTop(A, 1, { maxIter: 3 } as never), /^svdTop: unknown option 'maxIter'; allowed: seed, stream, maxIterations, tol/);
    refuses(() => fl.fromArray(new Float64Array(4), 2, 2, { allownonfinite: true } as never), /did you mean 'allowNonFinite'/);
    refuses(() => fl.eighSelect(S, { bogus: 1 } as never), /^eighSelect: unknown key 'bogus' in selection/);
    refuses(() => fl.map(A, { hermite: 3, k: 1 } as never), /^map: unknown key 'k' in activation/);
    refuses(() => fl.randomOrthogonal(3, { dtype: 'f32' } as never), /^randomOrthogonal: unknown option 'dtype'/);
  });

  it('invalid enum and boolean values, null seeds and numbers', () => {
    refuses(() => fl.matmul(A, S, { transA: 'no' } as never), /^matmul: transA must be true or false, got 'no'/, ArgumentError);
    refuses(() => fl.gemm(C, A, S, { transB: 1 } as never), /^gemm: transB must be true or false, got 1/);
    refuses(() => fl.gemv(A, v, { trans: 'yes' } as never), /^gemv: trans must be true or false/);
    refuses(() => fl.map(A, 'tanh', { derivative: 1 } as never), /^map: derivative must be true or false/);
    refuses(() => fl.qr(S, { positiveDiagonal: 'yes' } as never), /^qr: positiveDiagonal must be true or false/);
    refuses(() => fl.eigTridiagonal([1, 2], [1], { vectors: 'yes' } as never), /^eigTridiagonal: vectors must be true or false/);
    refuses(() => fl.fromArray(new Float64Array(4), 2, 2, { allowNonFinite: 'yes' } as never), /^fromArray: allowNonFinite must be true or false/);
    refuses(() => fl.randn(2, 2, { seed: null } as never), /^randn: seed must be an integer in \[0, 2\^53\) or a bigint, got null/, ArgumentError);
    refuses(() => fl.rand(2, 2, { stream: null } as never), /^rand: stream must be an integer in \[0, 2\^53\), got null/);
    refuses(() => fl.svdTop(A, 1, { seed: null } as never), /^svdTop: seed must be an integer/);
    refuses(() => fl.lanczos((x) => fl.copy(x), 3, 1, { seed: null } as never), /^lanczos: seed must be an integer/);
    refuses(() => fl.randomOrthogonal(3, { seed: null } as never), /^randomOrthogonal: seed must be an integer/);
    refuses(() => fl.matmul(A, S, { alpha: null } as never), /^matmul: alpha must be a finite number, got null/);
    refuses(() => fl.gemv(A, v, { y: null } as never), /^gemv \(y\): expected a Matrix, got null/);
    refuses(() => fl.scale(A, 2, { out: null } as never), /^scale \(out\): expected a Matrix, got null/);
    refuses(() => fl.eigvalsh(S, { blockSize: null } as never), /^eigvalsh: blockSize must be an integer in \[1, 512\], got null/);
    refuses(() => fl.eigh(S, { leafSize: null } as never), /^eigh: leafSize must be a positive integer, got null/);
    refuses(() => fl.norm(A, 'nuclear' as never), /^norm: unknown kind 'nuclear'/);
    refuses(() => fl.gram(A, 'AtB' as never), /^gram: side must be 'AtA' or 'AAt'/);
  });

  it('eighSelect selections, scope, keep, astype and missing arguments', () => {
    refuses(() => fl.eighSelect(S, { indices: null } as never), /^eighSelect: selection.indices must be an array \[from, to\], got null/, ArgumentError);
    refuses(() => fl.eighSelect(S, { indices: [0] } as never), /^eighSelect: selection.indices must be an array \[from, to\]/);
    refuses(() => fl.eighSelect(S, { largest: null } as never), /^eighSelect: selection.largest must be an integer in \[0, 3\], got null/);
    refuses(() => fl.eighSelect(S, { largest: 1, smallest: 1 } as never), /^eighSelect: selection must have exactly one of largest, smallest, indices/);
    refuses(() => fl.eighSelect(S, undefined as never), /^eighSelect: selection must be \{ largest: k \}/);
    refuses(() => fl.scope(5 as never), /^scope: fn must be a function, got 5/, ArgumentError);
    refuses(() => fl.keep(5 as never), /^keep: expected a Matrix, got 5/);
    refuses(() => (fl.astype as (a: Matrix) => Matrix)(A), /^astype: dtype must be 'f64' or 'f32', got undefined/, DTypeError);
    refuses(() => (fl.matmul as (a: Matrix) => Matrix)(A), /^matmul \(B\): expected a Matrix, got undefined/, ArgumentError);
    refuses(() => (fl.full as (r: number, c: number) => Matrix)(2, 2), /^full: value must be a finite number, got undefined/);
    refuses(() => (fl.reshape as (a: Matrix, r: number) => Matrix)(A, 2), /^reshape: cols must be a non-negative integer, got undefined/, ShapeError);
    refuses(() => (fl.svdTop as (a: Matrix) => unknown)(A), /^svdTop: k must be an integer in \[1, 3\], got undefined/);
    refuses(() => fl.lanczos(5 as never, 3, 1), /^lanczos: op must be a function/);
    refuses(() => (fl.solveSPD as (s: Matrix) => Matrix)(S), /^solveSPD \(B\): expected a Matrix, got undefined/);
    refuses(() => fl.map(A, null as never), /^map: activation must be a name or \{ hermite: k \}, got null/);
  });

  it('cyclic and too deeply nested fingerprint input', () => {
    const list: unknown[] = [];
    list.push(list);
    const obj: Record<string, unknown> = {};
    obj.self = { inner: obj };
    refuses(() => fl.fingerprint(list as never), /^fingerprint: the input contains a cycle/, ArgumentError);
    refuses(() => fl.fingerprint(obj as never), /^fingerprint: the input contains a cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    refuses(() => fl.fingerprint(deep as never), /^fingerprint: the input is nested more than 1000 levels deep/);
    // A value used twice is not a cycle.
    const shared = { a: 1 };
    expect(fl.fingerprint([shared, shared])).toBe(fl.fingerprint([{ a: 1 }, { a: 1 }]));
  });

  it('failed calls that used to allocate first leave no matrix behind', () => {
    refuses(() => fl.fromArray(new Float64Array(4), 2, 2, null as never), /^fromArray: options/);
    refuses(() => fl.lanczos(() => fl.zeros(2, 1), 3, 1), /^lanczos: the operator must return an n×1 f64 matrix \(n = 3\), got 2×1 f64/, ShapeError);
    refuses(() => fl.lanczos(() => fl.zeros(3, 1, { dtype: 'f32' }), 3, 1), /^lanczos \(operator result\): expected an f64 matrix/);
    refuses(() => fl.lanczos(() => 5 as never, 3, 1), /^lanczos \(operator result\): expected a Matrix, got 5/);
    refuses(() => fl.svdvals(huge), /^svdvals: the largest singular value/);
    refuses(() => fl.svdTop(huge, 1), /^svdTop: the largest singular value/);
    refuses(() => fl.qr(huge), /^qr: R overflows/);
    refuses(() => fl.gram(huge), /^gram: the result has/);
  });
});

describe('createEngine validates its options before any work (item 8)', () => {
  const cases: [unknown, RegExp][] = [
    [null, /^createEngine: options must be an object or omitted, got null/],
    [{ thread: 2 }, /^createEngine: unknown option 'thread'; did you mean 'threads'\?/],
    [{ threads: null }, /^createEngine: threads must be an integer in \[1, 64\], got null/],
    [{ threads: '2' }, /^createEngine: threads must be an integer in \[1, 64\], got '2'/],
    [{ grain: null }, /^createEngine: grain must be a finite number ≥ 0, got null/],
    [{ checkFinite: 'no' }, /^createEngine: checkFinite must be true or false, got 'no'/],
    [{ blocking: null }, /^createEngine: blocking must be an object or omitted, got null/],
    [{ blocking: { f16: {} } }, /^createEngine: unknown key 'f16' in blocking; did you mean 'f64'\?/],
    [{ blocking: { f64: { mcc: 3 } } }, /^createEngine: unknown key 'mcc' in blocking.f64; did you mean 'mc'\?/],
    [{ blocking: { f32: { kc: null } } }, /^createEngine: blocking.f32.kc must be an integer in \[1, 65536\], got null/],
    [{ wasm: 5 }, /^createEngine: wasm must be the module's bytes \(an ArrayBuffer or typed array\), a WebAssembly.Module, a URL or a path, got 5/],
    [{ wasm: null }, /^createEngine: wasm must be .* got null/],
    [{ wasm: '/nonexistent/featurelab.wasm' }, /^createEngine: cannot read the wasm module from file:\/\/\/nonexistent\/featurelab.wasm: ENOENT/],
    [{ wasm: new Uint8Array([1, 2, 3]) }, /^createEngine: the wasm module from the given bytes does not compile \(is it featurelab.wasm\?\)/],
  ];
  for (const [options, message] of cases) {
    it(`${JSON.stringify(options)}`, async () => {
      const attempt = createEngine(options as never);
      await expect(attempt).rejects.toBeInstanceOf(FeaturelabError);
      await expect(attempt).rejects.toThrow(message);
    });
  }
});
