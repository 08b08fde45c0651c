// Property-based tests of the engine's public API (issue 11 item 13), with fast-check and a
// fixed seed (SEED in test/arbitraries.ts; FC_SEED=… explores others). Every property: the call
// returns a result that matches a plain-JS f64 reference within a bound from rounding-error
// analysis, or throws a FeaturelabError where one is legitimate — never a TypeError/RangeError,
// a wasm trap, NaN/Infinity on finite input, a hang or a leak (memoryStats back to baseline,
// also after an error).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  ArgumentError,
  DisposedError,
  FeaturelabError,
  Matrix,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  createEngine,
  type Engine,
} from '../../dist/index.js';
import {
  ETA,
  MAX,
  SCALES,
  SEED,
  U,
  allFinite,
  attempt,
  check,
  compensatedSum,
  describeSpec,
  dim,
  disposeAll,
  dtype,
  exponentOf,
  frobenius,
  gamma,
  gramSchmidtR,
  hashValue,
  jacobiSingularValues,
  ldexp,
  leakChecked,
  matrixSpec,
  opGet,
  params,
  scaled,
  specData,
  specOf,
  toMatrix,
  type DType,
  type MatrixSpec,
  type Outcome,
} from '../arbitraries.js';

let fl: Engine;
let foreign: Engine;
beforeAll(async () => {
  console.log(`property-engine: fast-check seed ${SEED} (set FC_SEED to change)`);
  fl = await createEngine();
  foreign = await createEngine({ threads: 1 });
});
afterAll(() => {
  fl.dispose();
  foreign.dispose();
});

/** Creates the spec's matrices, runs body, disposes them; checks for leaks around it all. */
function withMatrices<T>(specs: MatrixSpec[], context: string, body: (...m: Matrix[]) => T): T {
  return leakChecked([fl, foreign], context, () => {
    const ms: Matrix[] = [];
    try {
      for (const s of specs) ms.push(toMatrix(fl, s));
      return body(...ms);
    } finally {
      for (const m of ms) m.dispose();
    }
  });
}

/** Runs fn, hands the outcome to verify, then disposes whatever the call returned. */
function run<T>(context: string, fn: () => T, verify: (o: Outcome<T>) => void): void {
  const o = attempt(fn, context);
  try {
    verify(o);
  } finally {
    if (o.ok) disposeAll(o.value);
  }
}

/** A pair of specs with equal shape and dtype. */
const samePair = (maxDim = 70) =>
  dtype.chain((dt) =>
    fc.tuple(dim(maxDim), dim(maxDim)).chain(([r, c]) => fc.tuple(specOf(fc.constant(r), fc.constant(c), dt), specOf(fc.constant(r), fc.constant(c), dt))),
  );

const ctx = (op: string, ...specs: MatrixSpec[]) => `${op}(${specs.map(describeSpec).join(', ')})`;

// ---------------------------------------------------------------------------------------

describe('construction and copies are exact', () => {
  it('fromArray/toArray, copy, transpose, reshape, astype', () => {
    fc.assert(
      fc.property(matrixSpec(), fc.integer({ min: 0, max: 6 }), (s, split) => {
        const c = ctx('construct', s);
        withMatrices([s], c, (A) => {
          const data = specData(s);
          const same = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) => {
            check(got.length === want.length, () => `${c}: ${what} has ${got.length} entries, want ${want.length}`);
            for (let i = 0; i < want.length; i++) check(Object.is(got[i], want[i]), () => `${c}: ${what}[${i}] = ${got[i]}, want ${want[i]}`);
          };
          same(A.toArray(), data, 'toArray');
          run(
            c,
            () => fl.copy(A),
            (o) => {
              check(o.ok, () => `${c}: copy threw ${!o.ok && o.error.message}`);
              if (o.ok) same(o.value.toArray(), data, 'copy');
            },
          );
          run(
            c,
            () => fl.transpose(A),
            (o) => {
              check(o.ok, () => `${c}: transpose threw`);
              if (!o.ok) return;
              check(o.value.rows === s.cols && o.value.cols === s.rows, () => `${c}: transpose shape`);
              const t = o.value.toArray();
              for (let i = 0; i < s.rows; i++)
                for (let j = 0; j < s.cols; j++) check(Object.is(t[j * s.rows + i], data[i * s.cols + j]), () => `${c}: transpose[${j},${i}]`);
            },
          );
          // reshape to every divisor pair the size allows (split picks one), and to a bad shape
          const n = s.rows * s.cols;
          const divisors = Array.from({ length: n + 1 }, (_, r) => r).filter((r) => (r === 0 ? n === 0 : n % r === 0));
          const r = divisors.length ? divisors[split % divisors.length]! : 0;
          const cc = r === 0 ? (n === 0 ? split : 0) : n / r;
          run(
            c,
            () => fl.reshape(A, r, cc),
            (o) => {
              check(o.ok, () => `${c}: reshape(${r}, ${cc}) threw ${!o.ok && o.error.message}`);
              if (o.ok) same(o.value.toArray(), data, 'reshape');
            },
          );
          run(
            c,
            () => fl.reshape(A, n + 1, 1),
            (o) => check(!o.ok && o.error instanceof ShapeError, () => `${c}: reshape to ${n + 1}×1 must throw a ShapeError`),
          );
          // astype: f64 → f32 rounds to nearest (Math.fround); beyond ±3.4e38 is refused; f32 → f64 exact
          const to: DType = s.dtype === 'f64' ? 'f32' : 'f64';
          run(
            c,
            () => fl.astype(A, to),
            (o) => {
              const want = to === 'f32' ? Float32Array.from(data) : Float64Array.from(data);
              if (!o.ok) {
                check(o.error instanceof NonFiniteError && !allFinite(want), () => `${c}: astype(${to}) threw ${o.error.message} though every value fits`);
                return;
              }
              check(o.value.dtype === to, () => `${c}: astype dtype`);
              same(o.value.toArray(), want, `astype(${to})`);
            },
          );
          run(
            c,
            () => fl.astype(A, s.dtype),
            (o) => {
              check(o.ok, () => `${c}: astype to own dtype threw`);
              if (o.ok) same(o.value.toArray(), data, 'astype(same)');
            },
          );
        });
      }),
      params(250),
    );
  });

  it('zeros, full, eye, randn and rand: exact values, deterministic, rand in (0, 1)', () => {
    fc.assert(
      fc.property(
        dim(),
        dim(),
        dtype,
        fc.double({ min: -1e30, max: 1e30, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.nat(1000),
        (r, c, dt, v, seed, stream) => {
          const cx = `construct ${r}×${c} ${dt} v=${v} seed=${seed} stream=${stream}`;
          leakChecked([fl], cx, () => {
            run(
              cx,
              () => fl.zeros(r, c, { dtype: dt }),
              (o) => {
                check(o.ok && o.value.toArray().every((x) => Object.is(x, 0)), () => `${cx}: zeros`);
              },
            );
            run(
              cx,
              () => fl.full(r, c, v, { dtype: dt }),
              (o) => {
                const want = dt === 'f32' ? Math.fround(v) : v;
                check(o.ok && o.value.dtype === dt && o.value.toArray().every((x) => Object.is(x, want)), () => `${cx}: full`);
              },
            );
            run(
              cx,
              () => fl.eye(r, { dtype: dt }),
              (o) => {
                check(o.ok, () => `${cx}: eye threw`);
                if (o.ok) o.value.toArray().forEach((x, k) => check(x === (Math.floor(k / r) === k % r ? 1 : 0), () => `${cx}: eye[${k}]`));
              },
            );
            const draw = (f: 'randn' | 'rand') => {
              const a = fl[f](r, c, { seed, stream, dtype: dt }),
                b = fl[f](r, c, { seed, stream, dtype: dt });
              try {
                const x = a.toArray(),
                  y = b.toArray();
                check(
                  x.every((v2, i) => Object.is(v2, y[i])),
                  () => `${cx}: ${f} not deterministic`,
                );
                check(allFinite(x), () => `${cx}: ${f} non-finite`);
                if (f === 'rand')
                  check(
                    x.every((v2) => v2 > 0 && v2 < 1),
                    () => `${cx}: rand outside (0, 1)`,
                  );
                // a slice drawn with offset equals the tail of the full draw
                if (r * c > 1) {
                  const tail = fl[f](1, r * c - 1, { seed, stream, dtype: dt, offset: 1 });
                  try {
                    check(
                      tail.toArray().every((v2, i) => Object.is(v2, x[i + 1])),
                      () => `${cx}: ${f} offset`,
                    );
                  } finally {
                    tail.dispose();
                  }
                }
              } finally {
                a.dispose();
                b.dispose();
              }
            };
            draw('randn');
            draw('rand');
          });
        },
      ),
      params(80),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Products

/**
 * Checks C = α·op(A)·op(B) (+ β·C0) against the f64 reference. The engine sums k products
 * in its dtype: |ΔC_ij| ≤ γ_{k+2}·(|α|·(|A||B|)_ij + |β||C0_ij|) (recursive summation,
 * Higham (3.5); +1 rounding for the α/β epilogue, +1 for α, β rounded to f32), plus (k+2)·η
 * for gradual underflow; the f64 reference adds γ_{k+1}^{f64} of the same quantity.
 * A NonFiniteError is legitimate only if a partial sum can overflow: (|A||B|)_ij·(1+γ) or
 * |α|(|A||B|)_ij + |β||C0_ij| reaches the dtype's largest value.
 */
function checkProduct(
  c: string,
  dt: DType,
  a: ArrayLike<number>,
  am: number,
  an: number,
  transA: boolean,
  b: ArrayLike<number>,
  bm: number,
  bn: number,
  transB: boolean,
  alpha: number,
  beta: number,
  c0: ArrayLike<number> | undefined,
  o: Outcome<Matrix>,
): void {
  const [m, k] = transA ? [an, am] : [am, an];
  const n = transB ? bm : bn;
  const eA = exponentOf(a),
    eB = exponentOf(b),
    eC = c0 ? exponentOf(c0) : -Infinity;
  const ah = scaled(a, eA),
    bh = scaled(b, eB),
    ch = c0 ? scaled(c0, eC === -Infinity ? 0 : eC) : undefined;
  // the common scale 2^E of the comparison: an all-zero factor contributes nothing to it
  const zeroProduct = !Array.from(a).some((v) => v !== 0) || !Array.from(b).some((v) => v !== 0);
  const zeroC = !c0 || !Array.from(c0).some((v) => v !== 0);
  const E = !zeroC && (zeroProduct || eC > eA + eB) ? eC : eA + eB;
  const g = gamma(k + 2, dt) + gamma(k + 1, 'f64');
  const ref = new Float64Array(m * n),
    tol = new Float64Array(m * n);
  let mayOverflow = false;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        abs = 0;
      for (let p = 0; p < k; p++) {
        const x = opGet(ah, am, an, transA, i, p) * opGet(bh, bm, bn, transB, p, j);
        s += x;
        abs += Math.abs(x);
      }
      // in units of 2^E
      const prod = ldexp(s, eA + eB - E),
        prodAbs = ldexp(abs, eA + eB - E);
      const old = ch ? ldexp(ch[i * n + j]!, eC - E) : 0;
      ref[i * n + j] = alpha * prod + beta * old;
      // underflow: ≤ η/2 per product in the raw sum, amplified by |α|; η/2 more in the epilogue
      // (+ 2η in units of 2^E: what the scaled reference and the scaled result lose to rounding)
      tol[i * n + j] = g * (Math.abs(alpha) * prodAbs + Math.abs(beta * old)) + ldexp(((k + 1) * Math.abs(alpha) + 2) * ETA[dt], -E) + 2 * ETA.f64;
      const raw = ldexp(abs * (1 + g), eA + eB);
      if (raw >= MAX[dt] || ldexp((Math.abs(alpha) * prodAbs + Math.abs(beta * old)) * (1 + g), E) >= MAX[dt]) mayOverflow = true;
    }
  }
  if (!o.ok) {
    check(
      o.error instanceof NonFiniteError && mayOverflow,
      () => `${c}: threw ${o.error.constructor.name}: ${o.error.message} though no partial sum can overflow`,
    );
    return;
  }
  const C = o.value;
  check(C.rows === m && C.cols === n && C.dtype === dt, () => `${c}: result ${C.describe()}, want ${m}×${n} ${dt}`);
  const got = C.toArray();
  for (let i = 0; i < m * n; i++) {
    const v = ldexp(got[i]!, -E);
    check(
      Number.isFinite(got[i]!) && Math.abs(v - ref[i]!) <= tol[i]!,
      () => `${c}: C[${Math.floor(i / n)}, ${i % n}] = ${got[i]} but the reference is ${ldexp(ref[i]!, E)} ± ${ldexp(tol[i]!, E)}`,
    );
  }
}

const ALPHAS = [1, 1, -1, 0.5, 3, 1e-3, 2 ** -60, 1e10];

describe('products match the f64 reference within γ_k bounds', () => {
  it('matmul with every transpose combination and α', () => {
    fc.assert(
      fc.property(
        dtype.chain((dt) =>
          fc
            .tuple(dim(40), dim(40), dim(40))
            .chain(([m, k, n]) =>
              fc
                .tuple(fc.boolean(), fc.boolean())
                .chain(([tA, tB]) =>
                  fc.tuple(
                    specOf(fc.constant(tA ? k : m), fc.constant(tA ? m : k), dt),
                    specOf(fc.constant(tB ? n : k), fc.constant(tB ? k : n), dt),
                    fc.constant(tA),
                    fc.constant(tB),
                    fc.constantFrom(...ALPHAS),
                  ),
                ),
            ),
        ),
        ([sa, sb, transA, transB, alpha]) => {
          const c = `${ctx('matmul', sa, sb)} transA=${transA} transB=${transB} alpha=${alpha}`;
          withMatrices([sa, sb], c, (A, B) => {
            run(
              c,
              () => fl.matmul(A!, B!, { transA, transB, alpha }),
              (o) => checkProduct(c, sa.dtype, specData(sa), sa.rows, sa.cols, transA, specData(sb), sb.rows, sb.cols, transB, alpha, 0, undefined, o),
            );
          });
        },
      ),
      params(400),
    );
  });

  it('gemm accumulates α·op(A)·op(B) + β·C in place', () => {
    fc.assert(
      fc.property(
        dtype.chain((dt) =>
          fc
            .tuple(dim(30), dim(30), dim(30), fc.boolean(), fc.boolean())
            .chain(([m, k, n, tA, tB]) =>
              fc.tuple(
                specOf(fc.constant(tA ? k : m), fc.constant(tA ? m : k), dt),
                specOf(fc.constant(tB ? n : k), fc.constant(tB ? k : n), dt),
                specOf(fc.constant(m), fc.constant(n), dt),
                fc.constant(tA),
                fc.constant(tB),
                fc.constantFrom(...ALPHAS),
                fc.constantFrom(0, 1, -1, 0.5, 2),
              ),
            ),
        ),
        ([sa, sb, sc, transA, transB, alpha, beta]) => {
          const c = `${ctx('gemm', sa, sb, sc)} transA=${transA} transB=${transB} alpha=${alpha} beta=${beta}`;
          withMatrices([sa, sb, sc], c, (A, B, C) => {
            const o = attempt(() => fl.gemm(C!, A!, B!, { transA, transB, alpha, beta }), c);
            checkProduct(
              c,
              sa.dtype,
              specData(sa),
              sa.rows,
              sa.cols,
              transA,
              specData(sb),
              sb.rows,
              sb.cols,
              transB,
              alpha,
              beta,
              beta ? specData(sc) : undefined,
              o,
            );
            if (o.ok) check(o.value === C, () => `${c}: gemm must return C`);
          });
        },
      ),
      params(250),
    );
  });

  it('gemv matches the reference and equals matmul bit for bit', () => {
    fc.assert(
      fc.property(
        dtype.chain((dt) =>
          fc.tuple(dim(60), dim(60), fc.boolean(), fc.boolean()).chain(([m, n, trans, row]) => {
            const len = trans ? m : n;
            return fc.tuple(
              specOf(fc.constant(m), fc.constant(n), dt),
              specOf(fc.constant(row ? 1 : len), fc.constant(row ? len : 1), dt),
              fc.constant(trans),
              fc.constantFrom(...ALPHAS),
            );
          }),
        ),
        ([sa, sx, trans, alpha]) => {
          const c = `${ctx('gemv', sa, sx)} trans=${trans} alpha=${alpha}`;
          withMatrices([sa, sx], c, (A, x) => {
            const len = sx.rows * sx.cols;
            const o = attempt(() => fl.gemv(A!, x!, { trans, alpha }), c);
            try {
              checkProduct(c, sa.dtype, specData(sa), sa.rows, sa.cols, trans, specData(sx), len, 1, false, alpha, 0, undefined, o);
              if (!o.ok) return;
              // x twice, as two columns: matmul then takes the packed GEMM (one column would
              // take gemv's own kernel), whose first column gemv must equal.
              const xv = x!.toArray();
              const xc = fl.fromArray(
                xv.constructor === Float64Array
                  ? Float64Array.from({ length: 2 * len }, (_, i) => xv[i >> 1]!)
                  : Float32Array.from({ length: 2 * len }, (_, i) => xv[i >> 1]!),
                len,
                2,
                { allowNonFinite: true },
              );
              try {
                run(
                  c,
                  () => fl.matmul(A!, xc, { transA: trans, alpha }),
                  (p) => {
                    check(p.ok, () => `${c}: matmul threw where gemv did not`);
                    if (p.ok) {
                      const u = o.value.toArray(),
                        v = p.value.toArray();
                      check(
                        u.every((z, i) => Object.is(z, v[2 * i])),
                        () => `${c}: gemv ≠ matmul bitwise`,
                      );
                    }
                  },
                );
              } finally {
                xc.dispose();
              }
            } finally {
              if (o.ok) o.value.dispose();
            }
          });
        },
      ),
      params(250),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Reductions and elementwise operations

/**
 * A reduction in f64 of n terms t_i in any fixed order has |ŝ − s| ≤ γ_{n}·Σ|t_i| (Higham
 * (4.4); f32 input is accumulated in f64, README "How determinism is achieved"). A
 * FeaturelabError is legitimate only when Σ|t_i|·(1 + γ) reaches the largest f64, i.e. a
 * partial sum may overflow; Infinity or NaN as a *result* is never acceptable on finite input.
 */
function checkReduction(c: string, got: Outcome<number>, exact: number, absSum: number, e: number, n: number, extraAbs = 0): void {
  const tol = gamma(n + 1) * absSum + extraAbs;
  const mayOverflow = ldexp(absSum * (1 + gamma(n + 1)), e) >= MAX.f64;
  if (!got.ok) {
    check(mayOverflow, () => `${c}: threw ${got.error.constructor.name}: ${got.error.message} though no partial sum can overflow`);
    return;
  }
  check(Number.isFinite(got.value), () => `${c}: returned ${got.value} on finite input (want ${ldexp(exact, e)}, or a FeaturelabError if it overflows)`);
  const v = ldexp(got.value, -e);
  check(Math.abs(v - exact) <= tol, () => `${c}: ${got.value}, reference ${ldexp(exact, e)} ± ${ldexp(tol, e)}`);
}

describe('reductions match compensated references', () => {
  it('sum, norm (fro, max, 1, inf), sumRows, sumCols, countNonFinite', () => {
    fc.assert(
      fc.property(matrixSpec(), (s) => {
        const c = ctx('reduce', s);
        withMatrices([s], c, (A) => {
          const data = specData(s),
            n = data.length,
            e = exponentOf(data),
            x = scaled(data, e);
          const abs = Float64Array.from(x, Math.abs);
          checkReduction(
            `${c} sum`,
            attempt(() => fl.sum(A!), c),
            compensatedSum(x),
            compensatedSum(abs),
            e,
            n,
          );
          // ‖A‖_F: relative error ≤ γ_{n+2} (sum of squares, sqrt, scaling); a result that
          // underflows to 0 for a nonzero matrix is a silent wrong number.
          run(
            c,
            () => fl.norm(A!, 'fro'),
            (o) => {
              const want = frobenius(x);
              // an error only when ‖A‖_F itself passes the f64 range
              check(o.ok || ldexp(want * (1 + gamma(n + 2)), e) >= MAX.f64, () => `${c}: norm(fro) threw ${!o.ok && o.error.message}`);
              if (o.ok)
                check(
                  Math.abs(ldexp(o.value, -e) - want) <= gamma(n + 2) * want + ldexp(ETA.f64, -e),
                  () => `${c}: norm(fro) = ${o.value}, want ${ldexp(want, e)}`,
                );
            },
          );
          run(
            c,
            () => fl.norm(A!, 'max'),
            (o) => {
              const want = abs.reduce((a, b) => Math.max(a, b), 0);
              check(o.ok && ldexp(o.value, -e) === want, () => `${c}: norm(max) = ${o.ok ? o.value : 'threw'}, want ${ldexp(want, e)}`);
            },
          );
          for (const kind of ['1', 'inf'] as const) {
            // max over columns (1) or rows (inf) of Σ|a_ij|: non-negative terms, relative γ
            const [outer, inner] = kind === '1' ? [s.cols, s.rows] : [s.rows, s.cols];
            let best = 0;
            for (let p = 0; p < outer; p++) {
              const t = new Float64Array(inner);
              for (let q = 0; q < inner; q++) t[q] = kind === '1' ? abs[q * s.cols + p]! : abs[p * s.cols + q]!;
              best = Math.max(best, compensatedSum(t));
            }
            checkReduction(
              `${c} norm(${kind})`,
              attempt(() => fl.norm(A!, kind), c),
              best,
              best,
              e,
              inner,
            );
          }
          for (const [name, byRow] of [
            ['sumRows', true],
            ['sumCols', false],
          ] as const) {
            run(
              c,
              () => (byRow ? fl.sumRows(A!) : fl.sumCols(A!)),
              (o) => {
                const [outer, inner] = byRow ? [s.rows, s.cols] : [s.cols, s.rows];
                let mayOverflow = false;
                const got = o.ok ? o.value.toArray() : undefined;
                for (let p = 0; p < outer; p++) {
                  const t = new Float64Array(inner);
                  for (let q = 0; q < inner; q++) t[q] = byRow ? x[p * s.cols + q]! : x[q * s.cols + p]!;
                  const want = compensatedSum(t),
                    absSum = compensatedSum(Float64Array.from(t, Math.abs));
                  // result rounded to the dtype: + u·|s| + η
                  // sumRows accumulates in f64, sumCols in the dtype (assembly/blas/level1.ts): γ of the dtype bounds both
                  const tol = gamma(inner + 1, s.dtype) * absSum + U[s.dtype] * Math.abs(want) + ldexp(ETA[s.dtype], -e);
                  if (ldexp(absSum * (1 + gamma(inner + 1, s.dtype)) + Math.abs(want) * U[s.dtype], e) >= MAX[s.dtype]) mayOverflow = true;
                  if (got) check(Math.abs(ldexp(got[p]!, -e) - want) <= tol, () => `${c}: ${name}[${p}] = ${got[p]}, want ${ldexp(want, e)}`);
                }
                if (!o.ok) check(mayOverflow && o.error instanceof NonFiniteError, () => `${c}: ${name} threw ${o.error.message}`);
              },
            );
          }
          run(
            c,
            () => fl.countNonFinite(A!),
            (o) => check(o.ok && o.value === 0, () => `${c}: countNonFinite`),
          );
        });
      }),
      params(300),
    );
  });

  it('dot matches the compensated reference', () => {
    fc.assert(
      fc.property(samePair(), ([sx, sy]) => {
        const c = ctx('dot', sx, sy);
        withMatrices([sx, sy], c, (X, Y) => {
          const x = specData(sx),
            y = specData(sy),
            ex = exponentOf(x),
            ey = exponentOf(y);
          const xh = scaled(x, ex),
            yh = scaled(y, ey);
          const t = Float64Array.from(xh, (v, i) => v * yh[i]!);
          // products in f64 underflow by at most η/2 each
          checkReduction(
            c,
            attempt(() => fl.dot(X!, Y!), c),
            compensatedSum(t),
            compensatedSum(Float64Array.from(t, Math.abs)),
            ex + ey,
            t.length,
            ldexp(t.length * ETA.f64, -(ex + ey)),
          );
        });
      }),
      params(250),
    );
  });

  it('scale, hadamard, axpy: one or two roundings per element', () => {
    fc.assert(
      fc.property(samePair(), fc.constantFrom(...ALPHAS, -7.5), ([sx, sy], alpha) => {
        const c = `${ctx('elementwise', sx, sy)} alpha=${alpha}`;
        const dt = sx.dtype;
        withMatrices([sx, sy], c, (X, Y) => {
          const x = specData(sx),
            y = specData(sy),
            ex = exponentOf(x),
            ey = exponentOf(y);
          const xh = scaled(x, ex),
            yh = scaled(y, ey);
          // Each: result in units 2^E; bound γ_3·|terms| (the operation's roundings and α rounded
          // to f32) + 2η; a NonFiniteError only if the exact result's magnitude·(1+γ) reaches MAX.
          const elementwise = (name: string, E: number, terms: (i: number) => [number, number], o: Outcome<Matrix>) => {
            let mayOverflow = false;
            const got = o.ok ? o.value.toArray() : undefined;
            for (let i = 0; i < x.length; i++) {
              const [want, mag] = terms(i);
              if (ldexp(mag * (1 + gamma(3, dt)), E) >= MAX[dt]) mayOverflow = true;
              if (got)
                check(
                  Math.abs(ldexp(got[i]!, -E) - want) <= gamma(3, dt) * mag + ldexp(2 * ETA[dt], -E),
                  () => `${c}: ${name}[${i}] = ${got[i]}, want ${ldexp(want, E)}`,
                );
            }
            if (!o.ok) check(mayOverflow && o.error instanceof NonFiniteError, () => `${c}: ${name} threw ${o.error.message}`);
          };
          run(
            c,
            () => fl.scale(X!, alpha),
            (o) => elementwise('scale', ex, (i) => [alpha * xh[i]!, Math.abs(alpha * xh[i]!)], o),
          );
          run(
            c,
            () => fl.hadamard(X!, Y!),
            (o) => elementwise('hadamard', ex + ey, (i) => [xh[i]! * yh[i]!, Math.abs(xh[i]! * yh[i]!)], o),
          );
          const E = Math.max(ex, ey);
          const Y2 = fl.copy(Y!);
          try {
            const o = attempt(() => fl.axpy(alpha, X!, Y2), c);
            elementwise(
              'axpy',
              E,
              (i) => {
                const ax = alpha * ldexp(xh[i]!, ex - E),
                  yy = ldexp(yh[i]!, ey - E);
                return [ax + yy, Math.abs(ax) + Math.abs(yy)];
              },
              o.ok ? { ok: true, value: Y2 } : o,
            );
          } finally {
            Y2.dispose();
          }
        });
      }),
      params(300),
    );
  });

  it('activations: exact for relu/abs/identity, one rounding for square, in range and near Math for the rest', () => {
    fc.assert(
      fc.property(
        matrixSpec(40),
        fc.constantFrom('identity', 'relu', 'abs', 'square', 'tanh', 'sigmoid', 'softplus', 'erf'),
        fc.boolean(),
        (s, f, derivative) => {
          const c = `${ctx('map', s)} ${f} derivative=${derivative}`;
          withMatrices([s], c, (A) => {
            const x = specData(s),
              dt = s.dtype;
            run(
              c,
              () => fl.map(A!, f, { derivative }),
              (o) => {
                if (!o.ok) {
                  // only square can overflow on finite input
                  const big = Array.from(x).some((v) => (derivative ? Math.abs(2 * v) : v * v) * (1 + U[dt]) >= MAX[dt]);
                  check(f === 'square' && big && o.error instanceof NonFiniteError, () => `${c}: threw ${o.error.message}`);
                  return;
                }
                const got = o.value.toArray();
                check(allFinite(got), () => `${c}: non-finite output on finite input`);
                // V8's Math.tanh/exp/log1p are within 1–2 ulp; the wasm versions promise no ulp
                // bound, so allow 16 ulp of the dtype (relative) + η.
                const near = (g: number, w: number) => Math.abs(g - w) <= 16 * 2 * U[dt] * Math.abs(w) + ETA[dt];
                const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
                for (let i = 0; i < x.length; i++) {
                  const v = x[i]!,
                    g = got[i]!;
                  let ok = true;
                  if (!derivative) {
                    switch (f) {
                      case 'identity':
                        ok = Object.is(g, v);
                        break;
                      case 'relu':
                        ok = g === Math.max(v, 0);
                        break;
                      case 'abs':
                        ok = g === Math.abs(v);
                        break;
                      case 'square':
                        ok = Math.abs(g - v * v) <= U[dt] * v * v + ETA[dt];
                        break;
                      case 'tanh':
                        ok = near(g, Math.tanh(v));
                        break;
                      case 'sigmoid':
                        ok = near(g, sig(v));
                        break;
                      case 'softplus':
                        ok = near(g, Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
                        break;
                      case 'erf':
                        ok = Math.abs(g) <= 1 && Math.sign(g) * Math.sign(v) >= 0;
                        break;
                    }
                  } else {
                    switch (f) {
                      case 'identity':
                        ok = g === 1;
                        break;
                      case 'relu':
                        ok = g === (v > 0 ? 1 : 0);
                        break;
                      case 'abs':
                        ok = Math.abs(g) === (v === 0 ? Math.abs(g) : 1) && (v === 0 || g === Math.sign(v));
                        break;
                      case 'square':
                        ok = Math.abs(g - 2 * v) <= U[dt] * Math.abs(2 * v);
                        break;
                      case 'tanh':
                        ok = g >= 0 && g <= 1 && near(g, 1 - Math.tanh(v) ** 2);
                        break;
                      case 'sigmoid':
                        ok = g >= 0 && g <= 0.25 && near(g, sig(v) * (1 - sig(v)));
                        break;
                      case 'softplus':
                        ok = near(g, sig(v));
                        break;
                      case 'erf':
                        ok = g >= 0 && g <= (2 / Math.sqrt(Math.PI)) * (1 + 2 * U[dt]);
                        break;
                    }
                  }
                  check(ok, () => `${c}: f(${v}) = ${g}`);
                }
              },
            );
          });
        },
      ),
      params(250),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Linear algebra. Tolerances follow LAPACK's test programs (xSYT21, xQRT01, xPOT01), which
// accept a backward-error ratio ‖residual‖/(n·u·‖A‖) below THRESH = 30.

const THRESH = 30;

/** Symmetric matrix with the spec's lower triangle, the upper poisoned with NaN (never read). */
function symmetricData(s: MatrixSpec): { poisoned: Float64Array | Float32Array; full: Float64Array } {
  const lower = specData(s),
    n = s.rows;
  const full = new Float64Array(n * n);
  const poisoned = s.dtype === 'f64' ? new Float64Array(n * n) : new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      full[i * n + j] = i >= j ? lower[i * n + j]! : lower[j * n + i]!;
      poisoned[i * n + j] = i >= j ? lower[i * n + j]! : NaN;
    }
  }
  return { poisoned, full };
}

const squareSpec = (maxDim: number) => dtype.chain((dt) => dim(maxDim).chain((n) => specOf(fc.constant(n), fc.constant(n), dt)));

/** Σ_i x_i·y_i (JS, for residuals in scaled units). */
function matmulJS(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA = false, transB = false): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
      out[i * n + j] = s;
    }
  return out;
}

describe('symmetric eigenproblems', () => {
  it('eigvalsh: ascending, finite, trace and ‖S‖_F² preserved, |λ| ≤ ‖S‖_F (upper triangle never read)', () => {
    fc.assert(
      fc.property(squareSpec(50), (s) => {
        const c = ctx('eigvalsh', s);
        leakChecked([fl], c, () => {
          const { poisoned, full } = symmetricData(s);
          const n = s.rows,
            e = exponentOf(full),
            S = scaled(full, e);
          const A = fl.fromArray(poisoned, n, n, { allowNonFinite: true });
          try {
            run(
              c,
              () => fl.eigvalsh(A),
              (o) => {
                // ‖S‖_F ≥ ‖S‖₂ = max|λ|: only when it passes the f64 range may the eigenvalues be unrepresentable
                const mayOverflow = ldexp(frobenius(S) * (1 + 1e-10), e) >= MAX.f64;
                // an eigenvalue beyond the f64 range is a NonFiniteError naming the function, never ±Infinity
                check(
                  o.ok || (mayOverflow && o.error instanceof NonFiniteError && o.error.message.startsWith('eigvalsh:')),
                  () => `${c}: threw ${!o.ok && `${o.error.constructor.name}: ${o.error.message}`}`,
                );
                if (!o.ok) return;
                const lam = Float64Array.from(o.value, (v) => ldexp(v, -e));
                check(lam.length === n && allFinite(o.value), () => `${c}: ${n} finite values expected, got [${o.value.join(', ')}]`);
                for (let i = 1; i < n; i++) check(lam[i - 1]! <= lam[i]!, () => `${c}: not ascending at ${i}`);
                const fro = frobenius(S);
                // backward stable: each λ̂_i is within ‖E‖₂ ≤ THRESH·n·u·‖S‖_F of λ_i(S), so
                // |Σλ̂ − tr S| ≤ n·that and |Σλ̂² − ‖S‖_F²| ≤ n·that·(2‖S‖_F + that).
                const tolEach = THRESH * Math.max(n, 1) * U.f64 * fro + ldexp(ETA.f64, -e) * n;
                let tr = 0;
                for (let i = 0; i < n; i++) tr += S[i * n + i]!;
                const sum = compensatedSum(lam),
                  sq = compensatedSum(Float64Array.from(lam, (v) => v * v));
                check(Math.abs(sum - tr) <= n * tolEach + gamma(n) * fro * Math.sqrt(n), () => `${c}: Σλ = ${ldexp(sum, e)}, trace ${ldexp(tr, e)}`);
                check(Math.abs(sq - fro * fro) <= n * tolEach * (2 * fro + tolEach), () => `${c}: Σλ² = ${sq}·4^${e}, ‖S‖_F² = ${fro * fro}·4^${e}`);
                for (const l of lam) check(Math.abs(l) <= fro + tolEach, () => `${c}: |λ| = ${ldexp(Math.abs(l), e)} > ‖S‖_F = ${ldexp(fro, e)}`);
              },
            );
          } finally {
            A.dispose();
          }
        });
      }),
      params(200),
    );
  });

  it('eigh: ‖SV − VΛ‖ and ‖VᵀV − I‖ within THRESH·n·u (LAPACK xSYT21)', () => {
    fc.assert(
      fc.property(squareSpec(40), (s) => {
        const c = ctx('eigh', s);
        leakChecked([fl], c, () => {
          const { poisoned, full } = symmetricData(s);
          const n = s.rows,
            e = exponentOf(full),
            S = scaled(full, e);
          const A = fl.fromArray(poisoned, n, n, { allowNonFinite: true });
          try {
            run(
              c,
              () => fl.eigh(A),
              (o) => {
                const mayOverflow = ldexp(frobenius(S) * (1 + 1e-10), e) >= MAX.f64;
                // an eigenvalue beyond the f64 range is a NonFiniteError naming the function, never ±Infinity
                check(
                  o.ok || (mayOverflow && o.error instanceof NonFiniteError && o.error.message.startsWith('eigh:')),
                  () => `${c}: threw ${!o.ok && `${o.error.constructor.name}: ${o.error.message}`}`,
                );
                if (!o.ok) return;
                const V = o.value.vectors.toArray() as Float64Array,
                  lam = Float64Array.from(o.value.values, (v) => ldexp(v, -e));
                check(allFinite(V) && allFinite(o.value.values), () => `${c}: non-finite output`);
                const SV = matmulJS(S, V, n, n, n),
                  VtV = matmulJS(V, V, n, n, n, true);
                let r = 0,
                  q = 0;
                for (let i = 0; i < n; i++)
                  for (let j = 0; j < n; j++) {
                    r += (SV[i * n + j]! - V[i * n + j]! * lam[j]!) ** 2;
                    q += (VtV[i * n + j]! - (i === j ? 1 : 0)) ** 2;
                  }
                const fro = frobenius(S);
                check(Math.sqrt(r) <= THRESH * n * U.f64 * fro + n * ldexp(ETA.f64, -e), () => `${c}: ‖SV − VΛ‖_F/‖S‖_F = ${Math.sqrt(r) / fro}`);
                check(Math.sqrt(q) <= THRESH * n * U.f64, () => `${c}: ‖VᵀV − I‖_F = ${Math.sqrt(q)}`);
              },
            );
          } finally {
            A.dispose();
          }
        });
      }),
      params(100),
    );
  });
  it('eigTridiagonal: ascending, Σλ = Σd, |λ| within Gershgorin; NonFiniteError only when an eigenvalue may pass the f64 range', () => {
    // exact cases: [[1e308, 1e308], [1e308, 1e308]] has λ = 2e308, and [[1.7e308, 1e308], [1e308, 1.7e308]] has λ = 2.7e308
    for (const [op, call] of [
      [
        'eigvalsh',
        () => {
          const A = fl.fromArray(new Float64Array([1e308, 1e308, 1e308, 1e308]), 2, 2);
          try {
            return fl.eigvalsh(A);
          } finally {
            A.dispose();
          }
        },
      ],
      [
        'eigh',
        () => {
          const A = fl.fromArray(new Float64Array([1e308, 1e308, 1e308, 1e308]), 2, 2);
          try {
            return fl.eigh(A);
          } finally {
            A.dispose();
          }
        },
      ],
      ['eigTridiagonal', () => fl.eigTridiagonal([1.7e308, 1.7e308], [1e308])],
      ['eigTridiagonal', () => fl.eigTridiagonal([1.7e308, 1.7e308], [1e308], { vectors: true })],
    ] as const) {
      leakChecked([fl], op, () =>
        run(op, call, (o) =>
          check(
            !o.ok && o.error instanceof NonFiniteError && o.error.message.startsWith(`${op}:`),
            () => `${op}: an eigenvalue of 2e308 must be a NonFiniteError, got ${o.ok ? 'a result' : o.error.message}`,
          ),
        ),
      );
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(...SCALES.f64),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.boolean(),
        (n, scale, seed, vectors) => {
          const c = `eigTridiagonal n=${n} scale=${scale} seed=${seed} vectors=${vectors}`;
          const d = Float64Array.from({ length: n }, (_, i) => hashValue(seed, i) * scale);
          const off = Float64Array.from({ length: n - 1 }, (_, i) => hashValue(seed + 1, i) * scale);
          const e = exponentOf([...d, ...off]),
            ds = scaled(d, e),
            es = scaled(off, e);
          // Gershgorin: every |λ| ≤ max_i |d_i| + |e_{i−1}| + |e_i|
          let gersh = 0;
          for (let i = 0; i < n; i++) gersh = Math.max(gersh, Math.abs(ds[i]!) + Math.abs(es[i - 1] ?? 0) + Math.abs(es[i] ?? 0));
          leakChecked([fl], c, () =>
            run(
              c,
              () => fl.eigTridiagonal(d, off, { vectors }),
              (o) => {
                const mayOverflow = ldexp(gersh * (1 + 1e-10), e) >= MAX.f64;
                check(
                  o.ok || (mayOverflow && o.error instanceof NonFiniteError && o.error.message.startsWith('eigTridiagonal:')),
                  () => `${c}: threw ${!o.ok && `${o.error.constructor.name}: ${o.error.message}`}`,
                );
                if (!o.ok) return;
                check(o.value.values.length === n && allFinite(o.value.values), () => `${c}: ${n} finite values expected, got [${o.value.values.join(', ')}]`);
                const lam = scaled(o.value.values, e);
                for (let i = 1; i < n; i++) check(lam[i - 1]! <= lam[i]!, () => `${c}: not ascending at ${i}`);
                const tol = THRESH * n * U.f64 * gersh + n * ldexp(ETA.f64, -e);
                check(Math.abs(compensatedSum(lam) - compensatedSum(ds)) <= n * tol, () => `${c}: Σλ differs from Σd`);
                for (const l of lam) check(Math.abs(l) <= gersh + tol, () => `${c}: |λ| = ${l}·2^${e} beyond Gershgorin ${gersh}·2^${e}`);
              },
            ),
          );
        },
      ),
      params(150),
    );
  });
});

/**
 * The rule for results beyond the f64 range: a NonFiniteError whose message starts with the
 * function's name is correct exactly when the reference value (already raised by its rounding
 * error bound) reaches the f64 range; any other error, or one on a representable result, fails.
 */
function checkOverflowError(error: Error, op: string, c: string, referenceUpper: number): void {
  check(
    error instanceof NonFiniteError && error.message.startsWith(`${op}:`) && referenceUpper >= MAX.f64,
    () =>
      `${c}: threw ${error.constructor.name}: ${error.message} (reference ${referenceUpper} is ${referenceUpper >= MAX.f64 ? 'beyond' : 'within'} the f64 range)`,
  );
}

describe('singular values', () => {
  it('svdvals: min(m, n) values, descending, Σσ² = ‖A‖_F², max column norm ≤ σ₁ ≤ ‖A‖_F', () => {
    fc.assert(
      fc.property(matrixSpec(50), (s) => {
        const c = ctx('svdvals', s);
        withMatrices([s], c, (A) => {
          run(
            c,
            () => fl.svdvals(A!),
            (o) => {
              const data = specData(s),
                e = exponentOf(data),
                x = scaled(data, e);
              const [m, n] = [s.rows, s.cols],
                r = Math.min(m, n),
                k = Math.max(m, n);
              // A σ₁ beyond the f64 range cannot be returned: a NonFiniteError naming svdvals is the
              // answer then, and only then (σ₁ from an independent Jacobi SVD, within its rounding).
              if (!o.ok) {
                checkOverflowError(o.error, 'svdvals', c, ldexp(jacobiSingularValues(x, m, n)[0]! * (1 + THRESH * k * U.f64), e));
                return;
              }
              const sig = Float64Array.from(o.value, (v) => ldexp(v, -e));
              check(sig.length === r && allFinite(o.value) && sig.every((v) => v >= 0), () => `${c}: want ${r} finite σ ≥ 0, got [${o.value.join(', ')}]`);
              for (let i = 1; i < r; i++) check(sig[i - 1]! >= sig[i]!, () => `${c}: not descending at ${i}`);
              const fro = frobenius(x);
              // σ̂_i² are the eigenvalues of the computed Gram matrix G + ΔG, ‖ΔG‖_F ≤ γ_k·‖A‖_F²
              // (Higham (3.13)), found with error ≤ THRESH·r·u·‖G‖_F; clamping negative ones to 0
              // moves each by no more. Hence |Σσ̂² − ‖A‖_F²| ≤ r·(γ_k + THRESH·r·u)·‖A‖_F² (+ underflow).
              const tol2 = r * (gamma(k) + THRESH * r * U.f64) * fro * fro + ldexp(r * k * ETA.f64, -2 * e);
              const sumSq = compensatedSum(Float64Array.from(sig, (v) => v * v));
              check(Math.abs(sumSq - fro * fro) <= tol2, () => `${c}: Σσ² = ${sumSq}·4^${e} but ‖A‖_F² = ${fro * fro}·4^${e}`);
              let colMax = 0;
              for (let j = 0; j < n; j++) {
                let t = 0;
                for (let i = 0; i < m; i++) t += x[i * n + j]! ** 2;
                colMax = Math.max(colMax, Math.sqrt(t));
              }
              if (r > 0) {
                // σ₁ ≥ ‖A e_j‖; perturbation of σ₁² by tol2 moves σ₁ by ≤ tol2/σ₁ or √tol2
                const slack = Math.sqrt(tol2);
                check(sig[0]! >= colMax - slack && sig[0]! <= fro + slack, () => `${c}: σ₁ = ${o.value[0]} outside [${ldexp(colMax, e)}, ${ldexp(fro, e)}]`);
                // and it agrees with the Jacobi reference (which the overflow rule above relies on)
                const ref = jacobiSingularValues(x, m, n)[0]!;
                check(Math.abs(sig[0]! - ref) <= slack + THRESH * k * U.f64 * ref, () => `${c}: σ₁ = ${sig[0]}·2^${e}, Jacobi reference ${ref}·2^${e}`);
              }
            },
          );
        });
      }),
      params(200),
    );
  });

  it('svdTop: k descending triplets with ‖Aᵀu − σv‖ small, σ₁ ≥ max column norm', () => {
    fc.assert(
      fc.property(
        dtype.chain((dt) =>
          fc
            .tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }))
            .chain(([m, n]) => fc.tuple(specOf(fc.constant(m), fc.constant(n), dt), fc.integer({ min: 1, max: Math.min(m, n) }))),
        ),
        ([s, k]) => {
          const c = `${ctx('svdTop', s)} k=${k}`;
          withMatrices([s], c, (A) => {
            run(
              c,
              () => fl.svdTop(A!, k),
              (o) => {
                const data = specData(s),
                  e = exponentOf(data),
                  x = scaled(data, e);
                const [m, n] = [s.rows, s.cols];
                // as svdvals: a NonFiniteError only when σ₁ truly overflows f64
                if (!o.ok) {
                  checkOverflowError(o.error, 'svdTop', c, ldexp(jacobiSingularValues(x, m, n)[0]! * (1 + THRESH * Math.max(m, n) * U.f64), e));
                  return;
                }
                const sig = Float64Array.from(o.value.values, (v) => ldexp(v, -e));
                const Um = o.value.U.toArray() as Float64Array,
                  Vm = o.value.V.toArray() as Float64Array;
                check(sig.length === k && allFinite(o.value.values) && allFinite(Um) && allFinite(Vm), () => `${c}: non-finite or wrong count`);
                for (let i = 1; i < k; i++) check(sig[i - 1]! >= sig[i]! * (1 - 1e-8), () => `${c}: not descending`);
                const fro = frobenius(x);
                let colMax = 0;
                for (let j = 0; j < n; j++) {
                  let t = 0;
                  for (let i = 0; i < m; i++) t += x[i * n + j]! ** 2;
                  colMax = Math.max(colMax, Math.sqrt(t));
                }
                // Lanczos stops at a residual ≤ tol·θ (tol 1e-10) on AᵀA: σ₁ agrees with the top
                // singular value to ~1e-10 relative, and σ₁ ≥ ‖A e_j‖ for every column.
                // (± η/2 unscaled: a subnormal σ₁ is rounded to the subnormal grid)
                const eta = ldexp(ETA.f64, -e);
                check(
                  sig[0]! >= colMax * (1 - 1e-8) - eta && sig[0]! <= fro * (1 + 1e-8) + eta,
                  () => `${c}: σ₁ = ${o.value.values[0]} outside [${ldexp(colMax, e)}, ${ldexp(fro, e)}]`,
                );
                // Aᵀu_i − σ_i v_i = (AᵀA v_i − σ_i² v_i)/σ_i: ≤ 1e-10·σ_i + rounding THRESH·n·u·‖A‖_F,
                // plus the rounding of the returned σ_i itself when it is subnormal (≤ η/2, unscaled)
                const AtU = matmulJS(x, Um, n, m, k, true);
                for (let i = 0; i < k; i++) {
                  let r = 0;
                  for (let j = 0; j < n; j++) r += (AtU[j * k + i]! - sig[i]! * Vm[j * k + i]!) ** 2;
                  check(
                    Math.sqrt(r) <= 1e-9 * sig[0]! + THRESH * Math.max(m, n) * U.f64 * fro + ldexp(ETA.f64, -e),
                    () => `${c}: ‖Aᵀu − σv‖ = ${Math.sqrt(r)} for triplet ${i} (σ = ${sig[i]})`,
                  );
                }
                // and A·v_i − σ_i u_i, with the same bound
                const AV = matmulJS(x, Vm, m, n, k);
                for (let i = 0; i < k; i++) {
                  let r = 0;
                  for (let j = 0; j < m; j++) r += (AV[j * k + i]! - sig[i]! * Um[j * k + i]!) ** 2;
                  check(
                    Math.sqrt(r) <= 1e-9 * sig[0]! + THRESH * Math.max(m, n) * U.f64 * fro + ldexp(ETA.f64, -e),
                    () => `${c}: ‖Av − σu‖ = ${Math.sqrt(r)} for triplet ${i} (σ = ${sig[i]})`,
                  );
                }
                // U and V have orthonormal columns, also where σ = 0 (rank-deficient A)
                for (const [name, M, rows] of [
                  ['U', Um, m],
                  ['V', Vm, n],
                ] as const) {
                  const G = matmulJS(M, M, k, rows, k, true);
                  let q = 0;
                  for (let i = 0; i < k * k; i++) q += (G[i]! - (Math.floor(i / k) === i % k ? 1 : 0)) ** 2;
                  check(Math.sqrt(q) <= 1e-6, () => `${c}: ‖${name}ᵀ${name} − I‖_F = ${Math.sqrt(q)}`);
                }
              },
            );
          });
        },
      ),
      // pinned: a rank-1 A (σ₂ = σ₃ = 0) and a graded A whose σ₃ ≈ 7e-7·σ₁ (A·v/σ from the Gram
      // route is off by ε·‖A‖²/σ there; FC_SEED=22 found it)
      {
        ...params(100),
        examples: [
          [[{ rows: 25, cols: 5, dtype: 'f64', kind: 'constant', scale: 1, seed: 0 }, 3]],
          [[{ rows: 4, cols: 4, dtype: 'f64', kind: 'graded', scale: 1, seed: 0 }, 3]],
          [[{ rows: 5, cols: 25, dtype: 'f32', kind: 'constant', scale: 1e-20, seed: 1 }, 4]],
        ] as [[MatrixSpec, number]][],
      },
    );
  });
});

describe('factorisations', () => {
  it('qr: Q orthonormal, R upper triangular, QR = A within THRESH·m·u (LAPACK xQRT01); m < n refused', () => {
    fc.assert(
      fc.property(
        dtype.chain((dt) =>
          fc
            .tuple(dim(40), dim(40))
            .chain(([a, b]) => fc.tuple(specOf(fc.constant(Math.max(a, b)), fc.constant(Math.min(a, b)), dt), fc.boolean(), fc.boolean())),
        ),
        ([s, positiveDiagonal, wide]) => {
          const spec = wide && s.rows !== s.cols ? { ...s, rows: s.cols, cols: s.rows } : s;
          const c = `${ctx('qr', spec)} positiveDiagonal=${positiveDiagonal}`;
          withMatrices([spec], c, (A) => {
            run(
              c,
              () => fl.qr(A!, { positiveDiagonal }),
              (o) => {
                const [m, n] = [spec.rows, spec.cols];
                if (m < n) {
                  check(!o.ok && o.error instanceof ShapeError, () => `${c}: m < n must throw a ShapeError`);
                  return;
                }
                const data = specData(spec),
                  e = exponentOf(data),
                  x = scaled(data, e);
                if (!o.ok) {
                  // R cannot be returned when an entry is beyond the f64 range: a NonFiniteError naming
                  // qr then, and only then (R from modified Gram–Schmidt, accurate to m·n·u·‖a_j‖).
                  const ref = gramSchmidtR(x, m, n);
                  let big = 0;
                  for (let i = 0; i < n * n; i++) big = Math.max(big, Math.abs(ref[i]!));
                  checkOverflowError(o.error, 'qr', c, ldexp(big + THRESH * m * n * U.f64 * frobenius(x), e));
                  return;
                }
                const Q = o.value.Q.toArray() as Float64Array,
                  R = Float64Array.from(o.value.R.toArray(), (v) => ldexp(v, -e));
                check(allFinite(Q) && allFinite(o.value.R.toArray()), () => `${c}: non-finite Q or R`);
                for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) check(R[i * n + j] === 0, () => `${c}: R[${i},${j}] ≠ 0`);
                if (positiveDiagonal) for (let i = 0; i < n; i++) check(R[i * n + i]! >= 0, () => `${c}: diag(R) < 0`);
                const QtQ = matmulJS(Q, Q, n, m, n, true),
                  QR = matmulJS(Q, R, m, n, n);
                let q = 0,
                  r = 0;
                for (let i = 0; i < n * n; i++) q += (QtQ[i]! - (Math.floor(i / n) === i % n ? 1 : 0)) ** 2;
                for (let i = 0; i < m * n; i++) r += (QR[i]! - x[i]!) ** 2;
                check(Math.sqrt(q) <= THRESH * m * U.f64, () => `${c}: ‖QᵀQ − I‖_F = ${Math.sqrt(q)}`);
                check(
                  Math.sqrt(r) <= THRESH * m * U.f64 * frobenius(x) + m * n * ldexp(ETA.f64, -e),
                  () => `${c}: ‖QR − A‖_F/‖A‖_F = ${Math.sqrt(r) / frobenius(x)}`,
                );
              },
            );
          });
        },
      ),
      params(200),
    );
  });

  it('cholesky: L·Lᵀ = S within THRESH·n·u·‖S‖ (LAPACK xPOT01); solveSPD backward stable; non-PD refused', () => {
    fc.assert(
      fc.property(
        dtype,
        dim(40),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.constantFrom(0, 0, 250, -250, -260, 60, -60),
        fc.boolean(),
        (dt, n, seed, quarterExp, definite) => {
          // S = 4^q·(B·Bᵀ + n·I) for B with entries in [−1, 1): λ_min ≥ 4^q·n; a power of 4 keeps √ exact.
          const c = `cholesky ${n}×${n} ${dt} seed=${seed} scale=4^${quarterExp} definite=${definite}`;
          const B = Float64Array.from({ length: n * n }, (_, i) => hashValue2(seed, i));
          const S0 = matmulJS(B, B, n, n, n, false, true);
          for (let i = 0; i < n; i++) S0[i * n + i]! += n;
          if (!definite && n > 0) S0[(n - 1) * n + (n - 1)] = -1; // the last pivot goes negative
          const S = Float64Array.from(S0, (v) => ldexp(v, 2 * quarterExp));
          const data = dt === 'f32' ? Float32Array.from(S) : S;
          // f32 cannot hold S at 4^±250: only scales where every entry stays a normal f32 number
          fc.pre(dt === 'f64' || Array.from(data).every((v, i) => Number.isFinite(v) && (S[i] === 0 || Math.abs(v) >= 2 ** -126)));
          leakChecked([fl], c, () => {
            const A = fl.fromArray(data, n, n);
            try {
              run(
                c,
                () => fl.cholesky(A),
                (o) => {
                  if (!definite && n > 0) {
                    check(!o.ok && o.error instanceof NotPositiveDefiniteError, () => `${c}: must throw NotPositiveDefiniteError`);
                    return;
                  }
                  check(o.ok, () => `${c}: threw ${!o.ok && `${o.error.constructor.name}: ${o.error.message}`}`);
                  if (!o.ok) return;
                  const L = Float64Array.from(o.value.toArray(), (v) => ldexp(v, -quarterExp));
                  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) check(L[i * n + j] === 0, () => `${c}: L[${i},${j}] ≠ 0`);
                  const Sh = Float64Array.from(data, (v) => ldexp(v, -2 * quarterExp));
                  const LLt = matmulJS(L, L, n, n, n, false, true);
                  let r = 0;
                  for (let i = 0; i < n * n; i++) r += (LLt[i]! - Sh[i]!) ** 2;
                  const fro = frobenius(Sh);
                  check(
                    Math.sqrt(r) <= THRESH * n * U.f64 * fro + n * n * ldexp(ETA.f64, -2 * quarterExp),
                    () => `${c}: ‖LLᵀ − S‖_F/‖S‖_F = ${Math.sqrt(r) / fro}`,
                  );
                },
              );
              // solveSPD(S, b): Cholesky solves are backward stable, |S + ΔS|x̂ = b with
              // ‖ΔS‖ ≤ THRESH·n·u·‖S‖, so ‖Sx̂ − b‖ ≤ THRESH·n·u·‖S‖_F·‖x̂‖ (Higham Thm 10.4).
              if (definite) {
                const bData = Float64Array.from({ length: n }, (_, i) => hashValue2(seed + 1, i));
                const b = fl.fromArray(dt === 'f32' ? Float32Array.from(bData) : bData, n, 1);
                try {
                  run(
                    c,
                    () => fl.solveSPD(A, b),
                    (o) => {
                      check(o.ok, () => `${c}: solveSPD threw ${!o.ok && o.error.message}`);
                      if (!o.ok) return;
                      const X = Float64Array.from(o.value.toArray(), (v) => ldexp(v, 2 * quarterExp)); // x·4^q
                      const Sh = Float64Array.from(data, (v) => ldexp(v, -2 * quarterExp));
                      const SX = matmulJS(Sh, X, n, n, 1);
                      let r = 0;
                      for (let i = 0; i < n; i++) r += (SX[i]! - bData[i]!) ** 2;
                      check(
                        allFinite(X) && Math.sqrt(r) <= THRESH * n * U.f64 * frobenius(Sh) * frobenius(X) + 1e-300,
                        () => `${c}: ‖Sx − b‖ = ${Math.sqrt(r)}`,
                      );
                    },
                  );
                } finally {
                  b.dispose();
                }
              }
            } finally {
              A.dispose();
            }
          });
        },
      ),
      params(200),
    );
  });
});

function hashValue2(seed: number, i: number): number {
  // a second dyadic stream (independent of the specs')
  let h = (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(i + 1, 0x165667b1)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h >>> 8) / 2 ** 23 - 1;
}

// ---------------------------------------------------------------------------------------
// Bad handles: disposed, another engine's, not a matrix

/**
 * `accepts`: handle kinds that are valid input there (fingerprint hashes plain values too; an
 * `out` option that is undefined is absent, as every option set to undefined is, so the call
 * allocates its result; `null` there is still refused: it is not a matrix).
 */
type Call = { name: string; call: (M: Matrix, good: Matrix, sq: Matrix) => unknown; accepts?: string[] };

/** Every public engine method that takes a matrix, with the bad handle in each matrix slot. */
const HANDLE_CALLS: Call[] = [
  { name: 'copy', call: (M) => fl.copy(M) },
  { name: 'astype', call: (M) => fl.astype(M, 'f32') },
  { name: 'transpose', call: (M) => fl.transpose(M) },
  { name: 'reshape', call: (M) => fl.reshape(M, 1, 9) },
  { name: 'matmul', call: (M, g) => fl.matmul(M, g) },
  { name: 'matmul', call: (M, g) => fl.matmul(g, M) },
  { name: 'gemm', call: (M, g, sq) => fl.gemm(M, g, sq) },
  { name: 'gemm', call: (M, g, sq) => fl.gemm(sq, M, g) },
  { name: 'gemm', call: (M, g, sq) => fl.gemm(sq, g, M) },
  { name: 'gemv', call: (M, g) => fl.gemv(M, g) },
  { name: 'gemv', call: (M, g) => fl.gemv(g, M) },
  { name: 'gemv', call: (M, g, sq) => fl.gemv(sq, g, { y: M, beta: 1 }) },
  { name: 'axpy', call: (M, g) => fl.axpy(1, M, g) },
  { name: 'axpy', call: (M, g) => fl.axpy(1, g, M) },
  { name: 'scale', call: (M) => fl.scale(M, 2) },
  { name: 'scale', call: (M, g) => fl.scale(g, 2, { out: M }), accepts: ['undefined'] },
  { name: 'hadamard', call: (M, g) => fl.hadamard(M, g) },
  { name: 'hadamard', call: (M, g) => fl.hadamard(g, M) },
  { name: 'hadamard', call: (M, g) => fl.hadamard(g, g, { out: M }), accepts: ['undefined'] },
  { name: 'map', call: (M) => fl.map(M, 'tanh') },
  { name: 'map', call: (M, g) => fl.map(g, 'tanh', { out: M }), accepts: ['undefined'] },
  { name: 'dot', call: (M, g) => fl.dot(M, g) },
  { name: 'dot', call: (M, g) => fl.dot(g, M) },
  { name: 'sum', call: (M) => fl.sum(M) },
  { name: 'norm', call: (M) => fl.norm(M) },
  { name: 'norm', call: (M) => fl.norm(M, '1') },
  { name: 'sumRows', call: (M) => fl.sumRows(M) },
  { name: 'sumCols', call: (M) => fl.sumCols(M) },
  { name: 'countNonFinite', call: (M) => fl.countNonFinite(M) },
  { name: 'eigvalsh', call: (M) => fl.eigvalsh(M) },
  { name: 'eigh', call: (M) => fl.eigh(M) },
  { name: 'eighSelect', call: (M) => fl.eighSelect(M, { largest: 1 }) },
  { name: 'svdvals', call: (M) => fl.svdvals(M) },
  { name: 'svdTop', call: (M) => fl.svdTop(M, 1) },
  { name: 'cholesky', call: (M) => fl.cholesky(M) },
  { name: 'choleskySolve', call: (M, g) => fl.choleskySolve(M, g) },
  { name: 'choleskySolve', call: (M, g, sq) => fl.choleskySolve(sq, M) },
  { name: 'solveSPD', call: (M, g) => fl.solveSPD(M, g) },
  { name: 'solveSPD', call: (M, g, sq) => fl.solveSPD(sq, M) },
  { name: 'qr', call: (M) => fl.qr(M) },
  { name: 'lanczos', call: (M) => fl.lanczos(() => M, 3, 1) },
  { name: 'fingerprint', call: (M) => fl.fingerprint(M), accepts: ['null', 'object', 'number', 'array'] },
  { name: 'fingerprint', call: (M) => fl.fingerprint({ a: [M] }), accepts: ['null', 'object', 'number', 'array'] },
];

type BadHandle = 'disposed' | 'foreign' | 'foreign-disposed' | 'null' | 'undefined' | 'object' | 'number' | 'array' | 'fake';

const BAD_HANDLES: BadHandle[] = ['disposed', 'foreign', 'foreign-disposed', 'null', 'undefined', 'object', 'number', 'array', 'fake'];

describe('bad handles: a FeaturelabError (DisposedError after dispose), nothing leaked, the other engine untouched', () => {
  for (const bad of BAD_HANDLES) {
    it(`${bad} handle${bad === 'fake' ? ' (a Matrix built with the internal constructor, never allocated)' : ''}`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: HANDLE_CALLS.length - 1 }), dtype, (which, dt) => {
          const { name, call, accepts } = HANDLE_CALLS[which]!;
          fc.pre(!accepts?.includes(bad));
          const c = `${name} #${which} with a ${bad} ${dt} handle`;
          leakChecked([fl, foreign], c, () => {
            // 3×3 operands; good matrices of this engine in the other slots
            const good = fl.fromArray(dt === 'f64' ? new Float64Array([2, 0, 0, 0, 2, 0, 0, 0, 2]) : new Float32Array([2, 0, 0, 0, 2, 0, 0, 0, 2]), 3, 3);
            const sq = fl.fromArray(new Float64Array([4, 0, 0, 0, 4, 0, 0, 0, 4]), 3, 3);
            const handles: Matrix[] = [];
            const make = (e: Engine) => {
              const m = e.fromArray(dt === 'f64' ? new Float64Array(9).fill(1) : new Float32Array(9).fill(1), 3, 3);
              handles.push(m);
              return m;
            };
            let M: unknown;
            switch (bad) {
              case 'disposed':
                M = make(fl);
                (M as Matrix).dispose();
                break;
              case 'foreign':
                M = make(foreign);
                break;
              case 'foreign-disposed':
                M = make(foreign);
                (M as Matrix).dispose();
                break;
              case 'null':
                M = null;
                break;
              case 'undefined':
                M = undefined;
                break;
              case 'object':
                M = { rows: 3, cols: 3, dtype: dt, ptr: 8 };
                break;
              case 'number':
                M = 8;
                break;
              case 'array':
                M = new Float64Array(9);
                break;
              case 'fake':
                M = new Matrix(fl as never, 8, 3, 3, dt);
                break;
            }
            const foreignBefore = bad === 'foreign' ? (M as Matrix).toArray() : undefined;
            try {
              run(
                c,
                () => call(M as Matrix, good, sq),
                (o) => {
                  check(!o.ok, () => `${c}: returned instead of throwing`);
                  if (o.ok) return;
                  if (bad === 'disposed') check(o.error instanceof DisposedError, () => `${c}: ${o.error.constructor.name}, want DisposedError`);
                },
              );
              if (foreignBefore)
                check(
                  (M as Matrix).toArray().every((v, i) => Object.is(v, foreignBefore[i])),
                  () => `${c}: the foreign matrix changed`,
                );
            } finally {
              good.dispose();
              sq.dispose();
              for (const h of handles) h.dispose();
            }
          });
        }),
        params(60),
      );
    });
  }
});

describe('handles are checked before shapes and dtypes', () => {
  it('a disposed C (gemm) or y (gemv) is a DisposedError even when the other arguments also mismatch', () => {
    leakChecked([fl], 'handles first', () => {
      const a32 = fl.zeros(3, 3, { dtype: 'f32' }),
        a64 = fl.zeros(3, 3),
        dead = fl.zeros(3, 3);
      dead.dispose();
      try {
        for (const [c, call] of [
          ['gemm(disposed C, f32 A, f64 B)', () => fl.gemm(dead, a32, a64)],
          ['gemv(A, 3×3 x, { y: disposed })', () => fl.gemv(a64, a64, { y: dead, beta: 1 })],
        ] as const) {
          run(c, call, (o) =>
            check(!o.ok && o.error instanceof DisposedError, () => `${c}: ${o.ok ? 'returned' : o.error.constructor.name}, want DisposedError`),
          );
        }
      } finally {
        a32.dispose();
        a64.dispose();
      }
    });
  });
});

// ---------------------------------------------------------------------------------------
// Bad options and arguments

type Slot = 'boolean' | 'scalar' | 'count' | 'seed' | 'dtype' | 'matrix' | 'norm' | 'activation' | 'selection';

/** Values that are not valid for a slot of each kind. */
const BAD: Record<Slot, unknown[]> = {
  boolean: ['no', 'true', 1, 0, null, {}],
  scalar: [NaN, Infinity, -Infinity, '1', null, {}, [1], true, 10n],
  count: [-1, 1.5, NaN, Infinity, '2', null, {}, 2 ** 60],
  seed: [-1, 1.5, NaN, '1', null, {}, 2 ** 64 + 1, -1n, 2n ** 64n],
  dtype: ['f16', 'F64', 'float64', null, 64, {}],
  matrix: [{}, 5, null, 'M', new Float64Array(9)],
  norm: ['2', 'frobenius', 'FRO', null, 1, {}],
  activation: ['Relu', 'gelu', null, 3, {}, { hermite: -1 }, { hermite: 1.5 }, { hermite: 65 }, { polynomial: [1] }],
  selection: [
    null,
    5,
    {},
    { largest: -1 },
    { largest: 4 },
    { smallest: 1.5 },
    { indices: null },
    { indices: [2, 1] },
    { indices: [0] },
    { largest: 1, smallest: 1 },
  ],
};

/** Non-objects and unknown or misspelt keys, bad for every options argument. */
const BAD_OPTION_OBJECTS: unknown[] = [null, 5, 'opts', true, [], () => 1, { bogus: 1 }, { transa: true }, { blocksize: 8 }, { Seed: 1 }, { dtyp: 'f32' }];

interface OptionsCase {
  name: string;
  /** Valid option keys and their slot kinds. */
  keys: Record<string, Slot>;
  call: (opts: unknown, A: Matrix, S: Matrix, v: Matrix) => unknown;
}

/** Public engine methods and their options (README API table), called with valid other arguments. */
const OPTION_CASES: OptionsCase[] = [
  { name: 'fromArray', keys: { allowNonFinite: 'boolean' }, call: (o) => fl.fromArray(new Float64Array(4), 2, 2, o as never) },
  { name: 'zeros', keys: { dtype: 'dtype' }, call: (o) => fl.zeros(2, 2, o as never) },
  { name: 'full', keys: { dtype: 'dtype' }, call: (o) => fl.full(2, 2, 1, o as never) },
  { name: 'eye', keys: { dtype: 'dtype' }, call: (o) => fl.eye(2, o as never) },
  { name: 'randn', keys: { seed: 'seed', stream: 'count', offset: 'count', dtype: 'dtype' }, call: (o) => fl.randn(2, 2, o as never) },
  { name: 'rand', keys: { seed: 'seed', stream: 'count', offset: 'count', dtype: 'dtype' }, call: (o) => fl.rand(2, 2, o as never) },
  { name: 'matmul', keys: { transA: 'boolean', transB: 'boolean', alpha: 'scalar' }, call: (o, A) => fl.matmul(A, A, o as never) },
  { name: 'gemm', keys: { transA: 'boolean', transB: 'boolean', alpha: 'scalar', beta: 'scalar' }, call: (o, A, S) => fl.gemm(S, A, A, o as never) },
  { name: 'gemv', keys: { trans: 'boolean', alpha: 'scalar', beta: 'scalar', y: 'matrix' }, call: (o, A, S, v) => fl.gemv(A, v, o as never) },
  { name: 'scale', keys: { out: 'matrix' }, call: (o, A) => fl.scale(A, 2, o as never) },
  { name: 'hadamard', keys: { out: 'matrix' }, call: (o, A) => fl.hadamard(A, A, o as never) },
  { name: 'map', keys: { derivative: 'boolean', out: 'matrix' }, call: (o, A) => fl.map(A, 'tanh', o as never) },
  { name: 'eigvalsh', keys: { blockSize: 'count', maxSweepsPerN: 'count', leafSize: 'count' }, call: (o, A, S) => fl.eigvalsh(S, o as never) },
  { name: 'eigh', keys: { blockSize: 'count', maxSweepsPerN: 'count', leafSize: 'count' }, call: (o, A, S) => fl.eigh(S, o as never) },
  {
    name: 'eighSelect',
    keys: { blockSize: 'count', maxSweepsPerN: 'count', leafSize: 'count' },
    call: (o, A, S) => fl.eighSelect(S, { largest: 1 }, o as never),
  },
  {
    name: 'eigTridiagonal',
    keys: { vectors: 'boolean', leafSize: 'count', maxSweepsPerN: 'count' },
    call: (o) => fl.eigTridiagonal([1, 2, 3], [1, 1], o as never),
  },
  { name: 'svdvals', keys: { blockSize: 'count', maxSweepsPerN: 'count', leafSize: 'count' }, call: (o, A) => fl.svdvals(A, o as never) },
  { name: 'svdTop', keys: { seed: 'seed', stream: 'count', maxIterations: 'count', tol: 'scalar' }, call: (o, A) => fl.svdTop(A, 1, o as never) },
  {
    name: 'lanczos',
    keys: { seed: 'seed', stream: 'count', maxIterations: 'count', tol: 'scalar' },
    call: (o, A, S) => fl.lanczos((x) => fl.matmul(S, x), 3, 1, o as never),
  },
  { name: 'cholesky', keys: { blockSize: 'count' }, call: (o, A, S) => fl.cholesky(S, o as never) },
  { name: 'qr', keys: { positiveDiagonal: 'boolean' }, call: (o, A) => fl.qr(A, o as never) },
  { name: 'randomOrthogonal', keys: { seed: 'seed', stream: 'count' }, call: (o) => fl.randomOrthogonal(3, o as never) },
];

/** Positional (non-options) arguments with a kind. */
const ARGUMENT_CASES: { name: string; slot: Slot; call: (bad: unknown, A: Matrix, S: Matrix, v: Matrix) => unknown }[] = [
  { name: 'astype', slot: 'dtype', call: (b, A) => fl.astype(A, b as never) },
  { name: 'norm', slot: 'norm', call: (b, A) => fl.norm(A, b as never) },
  { name: 'map', slot: 'activation', call: (b, A) => fl.map(A, b as never) },
  { name: 'eighSelect', slot: 'selection', call: (b, A, S) => fl.eighSelect(S, b as never) },
  { name: 'full', slot: 'scalar', call: (b) => fl.full(2, 2, b as never) },
  { name: 'scale', slot: 'scalar', call: (b, A) => fl.scale(A, b as never) },
  { name: 'axpy', slot: 'scalar', call: (b, A, S, v) => fl.axpy(b as never, v, v) },
  { name: 'zeros', slot: 'count', call: (b) => fl.zeros(b as never, 2) },
  { name: 'randn', slot: 'count', call: (b) => fl.randn(2, b as never) },
  { name: 'eye', slot: 'count', call: (b) => fl.eye(b as never) },
  { name: 'reshape', slot: 'count', call: (b, A) => fl.reshape(A, b as never, 1) },
  { name: 'svdTop', slot: 'count', call: (b, A) => fl.svdTop(A, b as never) },
  { name: 'lanczos', slot: 'count', call: (b, A, S) => fl.lanczos((x) => fl.matmul(S, x), 3, b as never) },
  { name: 'randomOrthogonal', slot: 'count', call: (b) => fl.randomOrthogonal(b as never) },
  { name: 'fromArray', slot: 'count', call: (b) => fl.fromArray(new Float64Array(4), b as never, 2) },
  { name: 'scope', slot: 'matrix', call: (b) => fl.scope(b as never) },
  { name: 'keep', slot: 'matrix', call: (b) => fl.keep(b as never) },
];

describe('bad options and arguments', () => {
  const A3 = () => fl.fromArray(new Float64Array([2, 1, 0, 1, 3, 1, 0, 1, 4]), 3, 3);

  for (const [i, { name, keys, call }] of OPTION_CASES.entries()) {
    it(`${name}: bad options (non-objects, unknown keys, wrong types, invalid values) give a FeaturelabError; nothing leaks`, () => {
      const entries = Object.entries(keys);
      const badObject = fc.constantFrom(...BAD_OPTION_OBJECTS).map((o) => ({ opts: o, what: '' }));
      const badKey = fc
        .integer({ min: 0, max: entries.length - 1 })
        .chain((k) => fc.constantFrom(...BAD[entries[k]![1]]).map((v) => ({ opts: { [entries[k]![0]]: v } as unknown, what: entries[k]![0] })));
      fc.assert(
        fc.property(fc.oneof(badObject, badKey), ({ opts, what }) => {
          const c = `${name}(…, ${fc.stringify(opts)})`;
          leakChecked([fl, foreign], c, () => {
            const A = A3(),
              S = A3(),
              v = fl.fromArray(new Float64Array([1, 2, 3]), 3, 1);
            try {
              run(
                c,
                () => call(opts, A, S, v),
                (o) => {
                  check(!o.ok, () => `${c}: accepted silently`);
                },
              );
            } finally {
              A.dispose();
              S.dispose();
              v.dispose();
            }
          });
        }),
        params(40),
      );
      void i;
    });
  }

  // The project's standard (PREAMBLE): the message names the public function and the argument.
  it('error messages name the public function (and the option) for bad options, arguments and handles', () => {
    const cases = fc.oneof(
      fc.integer({ min: 0, max: OPTION_CASES.length - 1 }).chain((i) => {
        const entries = Object.entries(OPTION_CASES[i]!.keys);
        return fc.oneof(
          fc.constantFrom(...BAD_OPTION_OBJECTS).map((o) => ({ kind: 'option' as const, i, opts: o, what: '' })),
          fc
            .integer({ min: 0, max: entries.length - 1 })
            .chain((k) =>
              fc
                .constantFrom(...BAD[entries[k]![1]])
                .map((v) => ({ kind: 'option' as const, i, opts: { [entries[k]![0]]: v } as unknown, what: entries[k]![0] })),
            ),
        );
      }),
      fc
        .integer({ min: 0, max: ARGUMENT_CASES.length - 1 })
        .chain((i) => fc.constantFrom(...BAD[ARGUMENT_CASES[i]!.slot]).map((v) => ({ kind: 'argument' as const, i, opts: v, what: '' }))),
      fc.integer({ min: 0, max: HANDLE_CALLS.length - 1 }).map((i) => ({ kind: 'handle' as const, i, opts: undefined as unknown, what: '' })),
    );
    fc.assert(
      fc.property(cases, ({ kind, i, opts, what }) => {
        const name = kind === 'option' ? OPTION_CASES[i]!.name : kind === 'argument' ? ARGUMENT_CASES[i]!.name : HANDLE_CALLS[i]!.name;
        const c = `${name} with a bad ${kind} ${fc.stringify(opts)}`;
        const A = A3(),
          S = A3(),
          v = fl.fromArray(new Float64Array([1, 2, 3]), 3, 1);
        const dead = A3();
        dead.dispose();
        try {
          let o: Outcome<unknown>;
          try {
            o = {
              ok: true,
              value:
                kind === 'option'
                  ? OPTION_CASES[i]!.call(opts, A, S, v)
                  : kind === 'argument'
                    ? ARGUMENT_CASES[i]!.call(opts, A, S, v)
                    : HANDLE_CALLS[i]!.call(dead, A, S),
            };
          } catch (error) {
            if (!(error instanceof FeaturelabError)) return; // a TypeError is the other properties' concern
            o = { ok: false, error };
          }
          if (o.ok) {
            disposeAll(o.value);
            return;
          } // accepting is the other properties' concern
          check(
            o.error.message.includes(name) && o.error.message.includes(what),
            () => `${c}: the message must name ${name}${what && ` and ${what}`}: "${o.error.message}"`,
          );
        } finally {
          A.dispose();
          S.dispose();
          v.dispose();
        }
      }),
      params(300),
    );
  });

  for (const { name, slot, call } of ARGUMENT_CASES) {
    it(`${name}: a ${slot} argument of the wrong kind gives a FeaturelabError; nothing leaks`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...BAD[slot]), (bad) => {
          const c = `${name}(${fc.stringify(bad)} as ${slot})`;
          leakChecked([fl, foreign], c, () => {
            const A = A3(),
              S = A3(),
              v = fl.fromArray(new Float64Array([1, 2, 3]), 3, 1);
            try {
              run(
                c,
                () => call(bad, A, S, v),
                (o) => {
                  check(!o.ok, () => `${c}: accepted silently`);
                },
              );
            } finally {
              A.dispose();
              S.dispose();
              v.dispose();
            }
          });
        }),
        params(20),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------
// fingerprint

describe('fingerprint', () => {
  it('distinct strings never collide (lone surrogates included) or are refused with a FeaturelabError', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff })), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(units, fc.nat(8), fc.integer({ min: 0xd800, max: 0xdfff }), (codes, at, surrogate) => {
        const a = String.fromCharCode(...codes);
        // b differs from a: a lone surrogate replaced by U+FFFD, or inserted
        const pos = Math.min(at, codes.length);
        const b = a.slice(0, pos) + '\ufffd' + a.slice(pos);
        const a2 = a.slice(0, pos) + String.fromCharCode(surrogate) + a.slice(pos);
        const c = `fingerprint(${JSON.stringify(a2)}) vs (${JSON.stringify(b)})`;
        leakChecked([fl], c, () => {
          const h1 = attempt(() => fl.fingerprint(a2), c),
            h2 = attempt(() => fl.fingerprint(b), c);
          if (h1.ok && h2.ok) check(h1.value !== h2.value, () => `${c}: collide (${h1.value})`);
          check(h2.ok, () => `${c}: a well-formed string was refused`);
        });
      }),
      params(150),
    );
  });

  it('cyclic, exotic and non-plain inputs give a FeaturelabError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push(cyclicArray);
    let deepValue: unknown = 1;
    for (let d = 0; d < 100_000; d++) deepValue = [deepValue];
    const exotic = [
      cyclic,
      cyclicArray,
      undefined,
      Symbol('s'),
      10n,
      new Map(),
      new Set(),
      new Date(0),
      () => 1,
      new Int32Array(2),
      new Uint8Array(2),
      { a: undefined, b: Symbol('x') },
      deepValue,
      Object.create(null),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...exotic.map((_, i) => i)), fc.boolean(), (i, nested) => {
        const value = nested ? { wrap: [exotic[i]] } : exotic[i];
        const c = `fingerprint(exotic #${i}${nested ? ', nested' : ''})`;
        leakChecked([fl], c, () => {
          const o = attempt(() => fl.fingerprint(value as never), c);
          // a plain null-prototype object, or undefined object values (documented as skipped), may hash
          if (i === 11 || i === 13) return;
          check(!o.ok, () => `${c}: hashed ${String(exotic[i])}`);
        });
      }),
      params(60),
    );
  });
});

describe('createEngine options', () => {
  it('bad engine options and module sources reject with a FeaturelabError naming the option', async () => {
    const bad: [string, unknown][] = [
      ['options', null],
      ['options', 5],
      ['options', 'fast'],
      ['bogus', { bogus: 1 }],
      ['threads', { threads: 0 }],
      ['threads', { threads: 1.5 }],
      ['threads', { threads: 'x' }],
      ['threads', { threads: 1000 }],
      ['grain', { threads: 1, grain: -1 }],
      ['grain', { threads: 1, grain: '1' }],
      ['checkFinite', { threads: 1, checkFinite: 'no' }],
      ['blocking', { threads: 1, blocking: { f64: { mc: 0 } } }],
      ['blocking', { threads: 1, blocking: 5 }],
      ['wasm', { threads: 1, wasm: '/nonexistent/featurelab.wasm' }],
      ['wasm', { threads: 1, wasm: new Uint8Array([0, 97, 115, 109]) }],
      ['wasm', { threads: 1, wasm: 42 }],
      ['wasm', { threads: 1, wasm: {} }],
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bad.length - 1 }), async (i) => {
        const [what, options] = bad[i]!;
        const c = `createEngine(${fc.stringify(options)})`;
        let engine: Engine | undefined;
        try {
          engine = await createEngine(options as never);
        } catch (error) {
          check(
            error instanceof FeaturelabError,
            () => `${c}: rejected with ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}, not a FeaturelabError`,
          );
          check(
            (error as Error).message.includes(what === 'options' || what === 'bogus' ? 'createEngine' : what),
            () => `${c}: the message must name ${what}: ${(error as Error).message}`,
          );
          return;
        } finally {
          engine?.dispose();
        }
        throw new Error(`${c}: accepted`);
      }),
      params(40),
    );
  });
});

describe('engine after dispose', () => {
  it('every method of a disposed engine throws a DisposedError', async () => {
    const e = await createEngine({ threads: 1 });
    const M = e.zeros(2, 2);
    e.dispose();
    const calls: [string, () => unknown][] = [
      ['zeros', () => e.zeros(1, 1)],
      ['fromArray', () => e.fromArray(new Float64Array(1), 1, 1)],
      ['randn', () => e.randn(1, 1)],
      ['matmul', () => e.matmul(M, M)],
      ['sum', () => e.sum(M)],
      ['eigvalsh', () => e.eigvalsh(M)],
      ['qr', () => e.qr(M)],
      ['fingerprint', () => e.fingerprint('x')],
      ['scope', () => e.scope(() => 1)],
      ['eigTridiagonal', () => e.eigTridiagonal([1], [])],
      ['lanczos', () => e.lanczos((x) => x, 2, 1)],
      ['toArray', () => M.toArray()],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: calls.length - 1 }), (i) => {
        const [name, call] = calls[i]!;
        const o = attempt(call, `${name} after dispose`);
        check(!o.ok && o.error instanceof DisposedError, () => `${name} after engine.dispose(): ${o.ok ? 'returned' : o.error.constructor.name}`);
      }),
      params(40),
    );
  });
});

void ArgumentError;
void FeaturelabError;
