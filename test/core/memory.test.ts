import { describe, expect, it } from 'vitest';
import { ArgumentError, DisposedError, DTypeError, MemoryLimitError, NonFiniteError, ShapeError, createEngine } from '../../dist/index.js';

describe('ownership and scopes', () => {
  it('dispose frees memory, is idempotent, and later use throws a DisposedError', async () => {
    const fl = await createEngine();
    const before = fl.memoryStats();
    const A = fl.randn(100, 100, { seed: 1 });
    expect(fl.memoryStats().liveMatrices).toBe(before.liveMatrices + 1);
    expect(fl.memoryStats().bytesInUse).toBeGreaterThanOrEqual(before.bytesInUse + 80000);
    A.dispose();
    A.dispose();
    expect(fl.memoryStats()).toMatchObject({ liveMatrices: before.liveMatrices, bytesInUse: before.bytesInUse });
    expect(() => A.toArray()).toThrow(DisposedError);
    expect(() => fl.matmul(A, A)).toThrow(/matmul \(A\): matrix 100×100 f64 was used after dispose/);
    fl.dispose();
  });

  it('scope frees every intermediate except what it returns (nested, arrays, objects)', async () => {
    const fl = await createEngine();
    const outer = fl.scope(() => {
      const a = fl.randn(10, 10, { seed: 1 });
      const inner = fl.scope(() => {
        const b = fl.matmul(a, a);
        const c = fl.map(b, 'tanh');
        return { c, list: [fl.scale(c, 2)] };
      });
      expect(fl.memoryStats().liveMatrices).toBe(3); // a, c, 2c
      return inner.list[0]!;
    });
    expect(fl.memoryStats().liveMatrices).toBe(1);
    expect(outer.disposed).toBe(false);
    outer.dispose();
    expect(fl.memoryStats()).toMatchObject({ liveMatrices: 0, bytesInUse: 0 });
    fl.dispose();
  });

  it('scope disposes everything when its callback throws, and refuses async callbacks', async () => {
    const fl = await createEngine();
    expect(() =>
      fl.scope(() => {
        fl.randn(5, 5);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(fl.memoryStats().liveMatrices).toBe(0);
    expect(() => fl.scope(async () => fl.randn(2, 2))).toThrow(/synchronous/);
    expect(fl.memoryStats().liveMatrices).toBe(0);
    const kept = fl.scope(() => fl.keep(fl.randn(2, 2)));
    expect(kept.disposed).toBe(false);
    fl.dispose();
    expect(kept.disposed).toBe(true);
    expect(() => fl.randn(2, 2)).toThrow(/engine was used after dispose/);
  });

  it('freed memory is reused: repeated allocate/free does not grow the heap', async () => {
    const fl = await createEngine();
    fl.scope(() => {
      fl.randn(300, 300);
    });
    const size = fl.memoryStats().memoryBytes;
    for (let i = 0; i < 50; i++) {
      fl.scope(() => {
        fl.matmul(fl.randn(300, 300), fl.randn(300, 300));
      });
    }
    // The peak of one iteration: A, B, C and the GEMM workspace (whose two packed panels of B,
    // for the threaded GEMM, come to about one more 300×300 matrix).
    expect(fl.memoryStats().memoryBytes).toBeLessThanOrEqual(size + 5 * 300 * 300 * 8);
    expect(fl.memoryStats().bytesInUse).toBe(0);
    fl.dispose();
  });

  it('memory grows on demand and views stay correct across growth', async () => {
    const fl = await createEngine();
    const A = fl.randn(64, 64, { seed: 7 });
    const a = A.toArray();
    const start = fl.memoryStats().memoryBytes;
    const big = fl.zeros(4096, 4096); // 128 MiB: forces growth
    expect(start).toBeLessThan(128 * 2 ** 20);
    expect(fl.memoryStats().memoryBytes).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(A.toArray()).toEqual(a);
    big.dispose();
    fl.dispose();
  });

  it('sizes beyond wasm32 memory give a MemoryLimitError naming the size, never a trap', async () => {
    const fl = await createEngine();
    expect(() => fl.zeros(40000, 40000)).toThrow(MemoryLimitError);
    expect(() => fl.zeros(40000, 40000)).toThrow(/cannot allocate 11\.92 GiB for a 40000×40000 f64 matrix: wasm32 memory holds at most 4\.00 GiB/);
    expect(() => fl.randn(1e6, 1e6)).toThrow(/a 1000000×1000000 matrix has 1000000000000 elements/);
    expect(fl.memoryStats().liveMatrices).toBe(0);
    fl.dispose();
  });
});

describe('bad input gets a clear error', () => {
  it('mismatched shapes name both shapes', async () => {
    const fl = await createEngine();
    const A = fl.zeros(3, 4),
      B = fl.zeros(5, 6);
    expect(() => fl.matmul(A, B)).toThrow(ShapeError);
    expect(() => fl.matmul(A, B)).toThrow(/A \(3×4\) has 4 columns but B \(5×6\) has 5 rows/);
    expect(() => fl.matmul(A, B, { transA: true, transB: true })).toThrow(/Aᵀ \(A is 3×4\) has 3 columns but Bᵀ \(B is 5×6\) has 6 rows/);
    expect(() => fl.gemm(fl.zeros(3, 3), A, fl.zeros(4, 5))).toThrow(/C is 3×3 but op\(A\)·op\(B\) is 3×5/);
    expect(() => fl.axpy(1, A, B)).toThrow(/shapes differ: 3×4 and 5×6/);
    expect(() => fl.hadamard(A, B)).toThrow(ShapeError);
    expect(() => fl.gemv(A, fl.zeros(3, 1))).toThrow(/x is 3×1 but op\(A\) is 3×4, so x needs 4 entries/);
    expect(() => fl.gemm(A, A, fl.zeros(4, 4))).toThrow(/must not be A or B/);
    fl.dispose();
  });

  it('mixed dtypes, wrong array types and wrong lengths', async () => {
    const fl = await createEngine();
    const A = fl.zeros(2, 2),
      B = fl.zeros(2, 2, { dtype: 'f32' });
    expect(() => fl.matmul(A, B)).toThrow(DTypeError);
    expect(() => fl.matmul(A, B)).toThrow(/mixed dtypes 2×2 f64 and 2×2 f32/);
    expect(() => fl.fromArray([1, 2, 3, 4] as never, 2, 2)).toThrow(/Float64Array or Float32Array, got Array/);
    expect(() => fl.fromArray(new Float64Array(5), 2, 2)).toThrow(/data has 5 elements but a 2×2 matrix needs 4/);
    expect(() => fl.zeros(2, 2, { dtype: 'f16' as never })).toThrow(/dtype must be 'f64' or 'f32', got 'f16'/);
    fl.dispose();
  });

  it('non-integer, negative and non-number sizes', async () => {
    const fl = await createEngine();
    expect(() => fl.zeros(2.5, 2)).toThrow(/rows must be a non-negative integer, got 2.5/);
    expect(() => fl.randn(2, -1)).toThrow(/cols must be a non-negative integer, got -1/);
    expect(() => fl.zeros(NaN, 1)).toThrow(/rows must be a non-negative integer, got NaN/);
    expect(() => fl.zeros('3' as never, 1)).toThrow(/got '3'/);
    expect(() => fl.fromArray(new Float64Array(0), -0.5, 0)).toThrow(ShapeError);
    fl.dispose();
  });

  it('non-finite policy: rejected on entry unless allowed; non-finite results are reported', async () => {
    const fl = await createEngine();
    expect(() => fl.fromArray(new Float64Array([1, 2, NaN, 4]), 2, 2)).toThrow(NonFiniteError);
    expect(() => fl.fromArray(new Float64Array([1, 2, 3, Infinity]), 2, 2)).toThrow(/element \[1, 1\] is Infinity/);
    expect(fl.memoryStats().liveMatrices).toBe(0);
    const P = fl.fromArray(new Float64Array([1, NaN]), 1, 2, { allowNonFinite: true });
    expect(fl.countNonFinite(P)).toBe(1);
    expect(() => fl.matmul(P, fl.full(2, 1, 1))).toThrow(/matmul: the result has 1 non-finite value/);
    const huge = fl.full(2, 2, 1e200);
    expect(() => fl.matmul(huge, huge)).toThrow(/overflowed/);
    expect(() => fl.scale(huge, 1e200)).toThrow(NonFiniteError);
    expect(() => fl.scale(huge, NaN)).toThrow(/alpha must be a finite number, got NaN/);
    expect(() => fl.full(1, 1, Infinity)).toThrow(ArgumentError);
    const lax = await createEngine({ checkFinite: false });
    const h = lax.full(2, 2, 1e200);
    expect(lax.matmul(h, h).toArray()[0]).toBe(Infinity);
    lax.dispose();
    fl.dispose();
  });

  it('random-number arguments', async () => {
    const fl = await createEngine();
    expect(() => fl.randn(2, 2, { seed: -1 })).toThrow(/seed must be an integer in \[0, 2\^53\)/);
    expect(() => fl.randn(2, 2, { seed: 1.5 })).toThrow(/seed/);
    expect(() => fl.randn(2, 2, { seed: 1n << 64n })).toThrow(/seed must be in \[0, 2\^64\)/);
    expect(() => fl.randn(2, 2, { stream: -3 })).toThrow(/stream must be an integer/);
    expect(() => fl.rand(2, 2, { offset: 0.5 })).toThrow(/offset must be an integer/);
    fl.dispose();
  });

  it('matrices from another engine are refused', async () => {
    const a = await createEngine(),
      b = await createEngine();
    const A = a.zeros(2, 2);
    expect(() => b.matmul(A, A)).toThrow(/belongs to another engine/);
    a.dispose();
    b.dispose();
  });

  it('bad blocking options are refused', async () => {
    await expect(createEngine({ blocking: { f64: { kc: 0 } } })).rejects.toThrow(/blocking.f64.kc must be an integer/);
  });
});
