// Issue 12, engine side: Engine is a thin façade (one-line delegates), no source file of the
// core/ops/linalg layers is long, the public .d.ts hides the pointer layer, invariants throw
// InternalError, solveSPD's errors carry its name, and the kernels that replaced loops over
// matrix data in TS (assembly/ops/extract.ts) compute what those loops computed.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, Engine, FeaturelabError, NonFiniteError, NotPositiveDefiniteError } from '../../dist/index.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

let fl: Engine;
beforeAll(async () => {
  fl = await createEngine({ threads: 1 });
});
afterAll(() => fl.dispose());

/** Raw access for the kernel tests (internal members, out of the public types). */
const raw = () =>
  fl as unknown as {
    kernels: Record<string, (...args: number[]) => number>;
    allocBytes(bytes: number): number;
    freeBytes(ptr: number): void;
    memory: WebAssembly.Memory;
  };

function withF64(values: number[], fn: (ptr: number) => void): Float64Array {
  const r = raw();
  const ptr = r.allocBytes(Math.max(values.length, 1) * 8);
  try {
    new Float64Array(r.memory.buffer, ptr, values.length).set(values);
    fn(ptr);
    return new Float64Array(r.memory.buffer, ptr, values.length).slice();
  } finally {
    r.freeBytes(ptr);
  }
}

describe('Engine is a façade', () => {
  it('every method and accessor of Engine is one statement', () => {
    const proto = Engine.prototype as unknown as Record<string, unknown>;
    const long: string[] = [];
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      for (const fn of [d.value, d.get, d.set]) {
        if (typeof fn !== 'function') continue;
        const body = fn.toString();
        const inner = body.slice(body.indexOf('{') + 1, body.lastIndexOf('}')).trim();
        // one statement (however the formatter wraps it): parse the body
        if (ts.createSourceFile('body.ts', inner, ts.ScriptTarget.ES2022).statements.length !== 1) long.push(name);
      }
    }
    expect(long).toEqual([]);
  });

  it('no source file of src/core/engine.ts, src/linalg/index.ts, src/core, src/ops, src/linalg exceeds 600 lines', () => {
    const files = ['src/core/engine.ts', 'src/linalg/index.ts'];
    for (const dir of ['src/core', 'src/ops', 'src/linalg']) {
      for (const f of readdirSync(new URL(dir, root))) if (f.endsWith('.ts')) files.push(`${dir}/${f}`);
    }
    const long = files.filter((f) => read(f).split('\n').length > 600);
    expect(long).toEqual([]);
    expect(files.length).toBeGreaterThan(8);
  });

  it('src/linalg has no ad-hoc host interfaces', () => {
    const sources = ['src/linalg/index.ts', ...readdirSync(new URL('src/linalg', root)).map((f) => `src/linalg/${f}`)].map(read).join('\n');
    expect(sources).not.toMatch(/LinalgHost|LanczosHost|SvdHost/);
  });
});

describe('the pointer layer is out of the public types', () => {
  it('dist/core/engine.d.ts and dist/core/matrix.d.ts name no kernels, raw memory or pointers', () => {
    const engine = read('dist/core/engine.d.ts');
    const matrix = read('dist/core/matrix.d.ts');
    for (const name of ['kernels', 'allocBytes', 'freeBytes', 'newMatrix', 'assertMatrix', 'releaseMatrix', 'core']) {
      expect(engine).not.toMatch(new RegExp(`^\\s+(readonly )?(get )?${name}\\b`, 'm'));
    }
    for (const name of ['ptr', 'view', 'owner', 'invalidate']) {
      expect(matrix).not.toMatch(new RegExp(`^\\s+(readonly )?(get )?${name}\\b`, 'm'));
    }
    // the public methods stay
    expect(engine).toMatch(/^\s+matmul\(/m);
    expect(matrix).toMatch(/^\s+toArray\(/m);
  });
});

describe('errors', () => {
  it('a wasm trap is an InternalError (a FeaturelabError)', () => {
    const beyond = raw().memory.buffer.byteLength + 64;
    let caught: unknown;
    try {
      raw().kernels.map_f64!(3, 0, 0, 64, beyond, beyond);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FeaturelabError);
    expect((caught as Error).name).toBe('InternalError');
  });

  it("solveSPD's errors carry solveSPD's name", () => {
    const S = fl.fromArray(new Float64Array([1, 2, 2, 1]), 2, 2);
    const B = fl.fromArray(new Float64Array([1, 1]), 2, 1);
    const N = fl.fromArray(new Float64Array([1, 0, NaN, 1]), 2, 2, { allowNonFinite: true });
    const C = fl.fromArray(new Float64Array([1, 1, 1]), 3, 1);
    const I = fl.eye(2);
    try {
      expect(() => fl.solveSPD(S, B)).toThrow(NotPositiveDefiniteError);
      expect(() => fl.solveSPD(S, B)).toThrow(/^solveSPD: S is not positive definite/);
      expect(() => fl.solveSPD(N, B)).toThrow(NonFiniteError);
      expect(() => fl.solveSPD(N, B)).toThrow(/^solveSPD: S\[1, 0\] \(lower triangle\) is NaN/);
      expect(() => fl.solveSPD(I, C)).toThrow(/^solveSPD: S is 2×2 but B is 3×1/);
      // cholesky and choleskySolve keep their own names
      expect(() => fl.cholesky(S)).toThrow(/^cholesky: S is not positive definite/);
    } finally {
      for (const m of [S, B, N, C, I]) m.dispose();
    }
  });
});

describe('labels name the public function, not an inner operation', () => {
  it('svdTop and svdvals on non-finite input say svdTop / svdvals (not gemv / gram)', () => {
    const A = fl.fromArray(new Float64Array([1, NaN, 3, 4, 5, 6]), 3, 2, { allowNonFinite: true });
    try {
      expect(() => fl.svdTop(A, 1)).toThrow(NonFiniteError);
      expect(() => fl.svdTop(A, 1)).toThrow(/^svdTop: A\[0, 1\] is NaN$/);
      expect(() => fl.svdvals(A)).toThrow(/^svdvals: A\[0, 1\] is NaN$/);
    } finally {
      A.dispose();
    }
  });
});

describe('kernels that replaced loops over matrix data (assembly/ops/extract.ts)', () => {
  it('qr_extract_r_f64: the upper triangle of atᵀ divided by scale (and pre), zeros below', () => {
    const m = 3,
      n = 2,
      scale = 0.25,
      pre = 2 ** 600;
    const at = [1.5, -2, 3, 0.1, 7, -0.3]; // n×m: row j holds column j of A
    for (const p of [1, pre]) {
      const expected = [at[0]! / scale, at[3]! / scale, 0, at[4]! / scale];
      if (p !== 1) for (let i = 0; i < 4; i++) if (expected[i] !== 0) expected[i] = expected[i]! / p;
      const r = withF64([9, 9, 9, 9], (rp) => {
        withF64(at, (ap) => raw().kernels.qr_extract_r_f64!(m, n, ap, scale, p, rp));
      });
      expect(Array.from(r)).toEqual(expected);
    }
  });

  it('qr_positive_diagonal_f64 flips row j of R and column j of Q where r_jj < 0', () => {
    const q = [1, 2, 3, 4, 5, 6]; // 3×2
    const r = [-1, 2, 0, 3]; // 2×2, r00 < 0
    let qOut: Float64Array | undefined;
    const rOut = withF64(r, (rp) => {
      qOut = withF64(q, (qp) => raw().kernels.qr_positive_diagonal_f64!(3, 2, qp, rp));
    });
    expect(Array.from(rOut)).toEqual([1, -2, 0, 3]);
    expect(Array.from(qOut!)).toEqual([-1, 2, -3, 4, -5, 6]);
  });

  it('first_nonfinite_lower_f64 scans the lower triangle only, in row-major order', () => {
    const k = raw().kernels.first_nonfinite_lower_f64!;
    withF64([1, NaN, Infinity, 2, 3, 4, 5, 6, 7], (p) => expect(k(3, p)).toBe(-1)); // only the upper triangle is bad
    withF64([1, 0, 0, 2, NaN, 0, -Infinity, 6, 7], (p) => expect(k(3, p)).toBe(4));
    withF64([1, 0, 0, 2, 3, 0, -Infinity, 6, NaN], (p) => expect(k(3, p)).toBe(6));
  });

  it('scale_cols_f64 equals matmul with a diagonal matrix bit for bit (signed zeros and non-finite rows included)', async () => {
    const lax = await createEngine({ threads: 1, checkFinite: false });
    try {
      const m = 4,
        k = 3;
      const a = [1.25, -0, 3, -2, 0, 1e-300, NaN, 1, 2, Infinity, -1, 0.5];
      const d = [0.3, 1e300, -0];
      const A = lax.fromArray(new Float64Array(a), m, k, { allowNonFinite: true });
      const D = lax.fromArray(new Float64Array([d[0]!, 0, 0, 0, d[1]!, 0, 0, 0, d[2]!]), k, k);
      const want = lax.matmul(A, D).toArray();
      const l = lax as unknown as ReturnType<typeof raw>;
      const ap = l.allocBytes(m * k * 8),
        dp = l.allocBytes(k * 8),
        op = l.allocBytes(m * k * 8);
      new Float64Array(l.memory.buffer, ap, m * k).set(a);
      new Float64Array(l.memory.buffer, dp, k).set(d);
      l.kernels.scale_cols_f64!(m, k, ap, dp, op);
      const got = new Float64Array(l.memory.buffer, op, m * k).slice();
      const bits = (x: Float64Array) => Array.from(new BigUint64Array(x.buffer.slice(0)), (b) => b.toString(16));
      expect(bits(got)).toEqual(bits(want));
    } finally {
      lax.dispose();
    }
  });

  it('copy_block_f64 copies a block, also with reversed columns', () => {
    const src = [0, 1, 2, 3, 10, 11, 12, 13]; // 2×4
    const fwd = withF64([0, 0, 0, 0], (dst) => withF64(src, (sp) => raw().kernels.copy_block_f64!(2, 2, sp + 8, 4, 1, dst)));
    expect(Array.from(fwd)).toEqual([1, 2, 11, 12]);
    const rev = withF64([0, 0, 0, 0, 0, 0], (dst) => withF64(src, (sp) => raw().kernels.copy_block_f64!(2, 3, sp + 3 * 8, 4, -1, dst)));
    expect(Array.from(rev)).toEqual([3, 2, 1, 13, 12, 11]);
  });

  it('jacobi_svd_rt_f64: Rᵀ = X·diag(σ)·Yᵀ with X, Y orthogonal, σ descending, negligible σ zero and X completed', () => {
    const k = 4;
    // R with a rank-2 transpose: σ = (5, 2, 0, 0) up to rotations; exact dyadic entries
    const R = [3, 0, 0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
    const l = raw();
    const rp = l.allocBytes(k * k * 8),
      sp = l.allocBytes(k * 8),
      xp = l.allocBytes(k * k * 8),
      yp = l.allocBytes(k * k * 8);
    const wp = l.allocBytes(l.kernels.jacobi_svd_workspace!(k) * 8);
    new Float64Array(l.memory.buffer, rp, k * k).set(R);
    l.kernels.jacobi_svd_rt_f64!(k, rp, 1e-12, sp, xp, yp, wp);
    const s = new Float64Array(l.memory.buffer, sp, k).slice();
    const X = new Float64Array(l.memory.buffer, xp, k * k).slice();
    const Y = new Float64Array(l.memory.buffer, yp, k * k).slice();
    for (const p of [rp, sp, xp, yp, wp]) l.freeBytes(p);
    expect(s[0]).toBeCloseTo(5, 14);
    expect(s[1]).toBeCloseTo(2, 14);
    expect([s[2], s[3]]).toEqual([0, 0]);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let xx = 0,
          yy = 0,
          m = 0;
        for (let r = 0; r < k; r++) {
          xx += X[r * k + i]! * X[r * k + j]!;
          yy += Y[r * k + i]! * Y[r * k + j]!;
          m += X[i * k + r]! * s[r]! * Y[j * k + r]!;
        }
        expect(Math.abs(xx - (i === j ? 1 : 0))).toBeLessThan(1e-14);
        expect(Math.abs(yy - (i === j ? 1 : 0))).toBeLessThan(1e-14);
        expect(Math.abs(m - R[j * k + i]!)).toBeLessThan(1e-14); // (Rᵀ)_ij = R_ji
      }
    }
  });

  it('eye builds the identity in both dtypes', () => {
    for (const dtype of ['f64', 'f32'] as const) {
      const I = fl.eye(3, { dtype });
      expect(Array.from(I.toArray())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      I.dispose();
    }
  });
});
