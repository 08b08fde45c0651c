// Property-based tests of the exported two-layer-network functions (src/net/, issue 11 item 13),
// with fast-check and a fixed seed (SEED in test/arbitraries.ts). Every property: a result
// that matches a plain-JS reference within a bound from rounding-error analysis, or a
// FeaturelabError — never a TypeError, NaN/Infinity on finite input, a hang (calls that can
// loop run in a worker with a timeout), or a leak (memoryStats back to baseline).

import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as api from '../../dist/index.js';
import { FeaturelabError, createEngine, type Engine, type Matrix } from '../../dist/index.js';
import {
  MAX,
  SEED,
  U,
  allFinite,
  attempt,
  check,
  compensatedSum,
  describeSpec,
  dim,
  disposeAll,
  exponentOf,
  frobenius,
  gamma,
  ldexp,
  leakChecked,
  params,
  scaled,
  specData,
  specOf,
  type MatrixSpec,
  type Outcome,
} from '../arbitraries.js';

let fl: Engine;
let foreign: Engine;
beforeAll(async () => {
  console.log(`property-net: fast-check seed ${SEED} (set FC_SEED to change)`);
  fl = await createEngine();
  foreign = await createEngine({ threads: 1 });
});
afterAll(() => {
  fl.dispose();
  foreign.dispose();
});

function run<T>(context: string, fn: () => T, verify: (o: Outcome<T>) => void): void {
  const o = attempt(fn, context);
  try {
    verify(o);
  } finally {
    if (o.ok) disposeAll(o.value);
  }
}

function withMatrices<T>(specs: MatrixSpec[], context: string, body: (...m: Matrix[]) => T): T {
  return leakChecked([fl, foreign], context, () => {
    const ms: Matrix[] = [];
    try {
      for (const s of specs) ms.push(fl.fromArray(specData(s), s.rows, s.cols));
      return body(...ms);
    } finally {
      for (const m of ms) m.dispose();
    }
  });
}

/** f64 specs (the network layer computes in f64) with these shapes. */
const f64Spec = (rows: fc.Arbitrary<number>, cols: fc.Arbitrary<number>) => specOf(rows, cols, 'f64');

/** Entries all of a "benign" size (1e-100…1e100 or 0): there, a scale-free measure must not be refused. */
function benign(...specs: MatrixSpec[]): boolean {
  return specs.every((s) => s.kind !== 'zeros' && s.kind !== 'constant' && s.scale >= 1e-100 && s.scale <= 1e100);
}

const ctx = (op: string, ...specs: MatrixSpec[]) => `${op}(${specs.map(describeSpec).join(', ')})`;

/** Checks a scalar outcome: an accepted value must be finite and within tol of want; a refusal must be a FeaturelabError (by attempt) and is required when `mustRefuse`. */
function checkScalar(c: string, o: Outcome<number>, want: number, tol: number, opts: { mustRefuse: boolean; mustAccept: boolean }): void {
  if (opts.mustRefuse) {
    check(!o.ok, () => `${c}: the value is undefined (0/0) but ${o.ok ? o.value : ''} was returned; want a FeaturelabError`);
    return;
  }
  if (!o.ok) {
    check(!opts.mustAccept, () => `${c}: refused ordinary input: ${o.error.constructor.name}: ${o.error.message}`);
    return;
  }
  check(Number.isFinite(o.value), () => `${c}: returned ${o.value} on finite input`);
  check(Math.abs(o.value - want) <= tol, () => `${c}: ${o.value}, reference ${want} ± ${tol}`);
}

// ---------------------------------------------------------------------------------------
// Measurements

describe('measurements: the reference value, or a FeaturelabError when it is undefined (0/0) — never NaN', () => {
  it('kernelAlignment and kernelDistance = ⟨K1, K2⟩/(‖K1‖‖K2‖)', () => {
    const pair = fc.tuple(dim(30), dim(30)).chain(([r, c]) => fc.tuple(f64Spec(fc.constant(r), fc.constant(c)), f64Spec(fc.constant(r), fc.constant(c))));
    fc.assert(
      fc.property(pair, ([s1, s2]) => {
        const c = ctx('kernelAlignment', s1, s2);
        withMatrices([s1, s2], c, (K1, K2) => {
          const e1 = exponentOf(specData(s1)),
            e2 = exponentOf(specData(s2));
          const x = scaled(specData(s1), e1),
            y = scaled(specData(s2), e2);
          const n = x.length;
          const nx = frobenius(x),
            ny = frobenius(y);
          const want = compensatedSum(Float64Array.from(x, (v, i) => v * y[i]!)) / (nx * ny);
          // |Δ⟨K1,K2⟩| ≤ γ_n·Σ|k1·k2| + n·η/2 ≤ γ_n‖K1‖‖K2‖ + n·η/2 (Cauchy–Schwarz; products
          // that underflow); each norm and the division add relative γ_{n+2}.
          const tol = gamma(n) + (n * ldexp(2 ** -1074, -(e1 + e2))) / (nx * ny) + 3 * gamma(n + 2) * Math.abs(want);
          const undefinedValue = nx === 0 || ny === 0;
          const opts = { mustRefuse: undefinedValue, mustAccept: !undefinedValue && benign(s1, s2) };
          checkScalar(
            c,
            attempt(() => api.kernelAlignment(fl, K1!, K2!), c),
            want,
            tol,
            opts,
          );
          checkScalar(
            `${c} distance`,
            attempt(() => api.kernelDistance(fl, K1!, K2!), c),
            1 - want,
            tol + U.f64,
            opts,
          );
        });
      }),
      params(100),
    );
  });

  it('relativeChange = ‖Mt − M0‖_F/‖M0‖_F', () => {
    const pair = fc.tuple(dim(30), dim(30)).chain(([r, c]) => fc.tuple(f64Spec(fc.constant(r), fc.constant(c)), f64Spec(fc.constant(r), fc.constant(c))));
    fc.assert(
      fc.property(pair, ([st, s0]) => {
        const c = ctx('relativeChange', st, s0);
        withMatrices([st, s0], c, (Mt, M0) => {
          const t = specData(st),
            z = specData(s0),
            n = t.length;
          // norms each at their own scale (a ratio of norms of very different sizes stays exact)
          const et = exponentOf(t),
            ez = exponentOf(z),
            E = Math.max(et, ez);
          const th = scaled(t, E),
            zh = scaled(z, E);
          const d = Float64Array.from(th, (v, i) => v - zh[i]!);
          const ed = exponentOf(d);
          const Nd = frobenius(scaled(d, ed)),
            Nt = frobenius(scaled(t, et)),
            N0 = frobenius(scaled(z, ez));
          const ratio = (N: number, eN: number) => ldexp(N / N0, eN - ez); // ‖·‖/‖M0‖, original units
          const want = ratio(Nd, ed + E);
          // each difference one rounding (relative u of |t| + |z|; ≤ η/2 where it underflows),
          // the two norms and the division relative γ_{n+3}
          const tol = gamma(n + 3) * (want + ratio(Nt, et) + 1) + (n * ldexp(2 ** -1074, -ez)) / N0 + gamma(n + 3) * want;
          checkScalar(
            c,
            attempt(() => api.relativeChange(fl, Mt!, M0!), c),
            want,
            tol,
            { mustRefuse: N0 === 0, mustAccept: N0 !== 0 && benign(st, s0) },
          );
        });
      }),
      params(100),
    );
  });

  it('alignments = ⟨u_i, β⟩²/‖β‖²', () => {
    const arb = fc.tuple(dim(30), dim(8)).chain(([m, k]) => fc.tuple(f64Spec(fc.constant(m), fc.constant(k)), f64Spec(fc.constant(m), fc.constant(1))));
    fc.assert(
      fc.property(arb, ([su, sb]) => {
        const c = ctx('alignments', su, sb);
        withMatrices([su, sb], c, (Um, beta) => {
          const u = scaled(specData(su), exponentOf(specData(su))),
            b = scaled(specData(sb), exponentOf(specData(sb)));
          const [m, k] = [su.rows, su.cols];
          const b2 = compensatedSum(Float64Array.from(b, (v) => v * v));
          run(
            c,
            () => api.alignments(fl, Um!, beta!),
            (o) => {
              if (b2 === 0) {
                check(!o.ok, () => `${c}: β = 0 makes ⟨u, β⟩²/‖β‖² undefined; want a FeaturelabError, got [${o.ok ? Array.from(o.value).join(', ') : ''}]`);
                return;
              }
              if (!o.ok) {
                check(!benign(su, sb), () => `${c}: refused ordinary input: ${o.error.message}`);
                return;
              }
              check(o.value.length === k && allFinite(o.value), () => `${c}: want ${k} finite values, got [${Array.from(o.value).join(', ')}]`);
              // unscaled value = (c_i·2^{eU})²/… : alignments scale with ‖u‖², so compare v·4^{-eU}
              const eU = exponentOf(specData(su));
              for (let i = 0; i < k; i++) {
                let ci = 0,
                  absSum = 0;
                for (let j = 0; j < m; j++) {
                  ci += u[j * k + i]! * b[j]!;
                  absSum += Math.abs(u[j * k + i]! * b[j]!);
                }
                const want = (ci * ci) / b2;
                // |Δc| ≤ γ_m·Σ|u_j β_j|; b² relative γ_m; squares and division relative 3u
                const dc = gamma(m + 1) * absSum + m * ldexp(2 ** -1074, -(eU + exponentOf(specData(sb)))); // + underflowing products
                const tol = (2 * Math.abs(ci) * dc + dc * dc) / b2 + gamma(m + 4) * want;
                const got = ldexp(o.value[i]!, -2 * eU);
                check(Math.abs(got - want) <= tol + ldexp(2 ** -1074, -2 * eU), () => `${c}: alignment ${i} = ${o.value[i]}, reference ${ldexp(want, 2 * eU)}`);
              }
            },
          );
        });
      }),
      params(100),
    );
  });

  it('cka and targetAlignment on centred kernels; constant kernels or targets are refused', () => {
    const arb = dim(20).chain((n) =>
      fc.tuple(f64Spec(fc.constant(n), fc.constant(n)), f64Spec(fc.constant(n), fc.constant(n)), f64Spec(fc.constant(n), fc.constant(1))),
    );
    fc.assert(
      fc.property(arb, ([s1, s2, sy]) => {
        const c = ctx('cka/targetAlignment', s1, s2, sy);
        const n = s1.rows;
        /** Symmetric kernel from the spec's lower triangle (centerKernel assumes symmetry). */
        const sym = (s: MatrixSpec) => {
          const d = specData(s),
            out = new Float64Array(n * n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = i >= j ? d[i * n + j]! : d[j * n + i]!;
          return out;
        };
        const centre = (k: Float64Array) => {
          const row = new Float64Array(n);
          for (let i = 0; i < n; i++) row[i] = compensatedSum(k.subarray(i * n, i * n + n)) / n;
          const all = compensatedSum(row) / n;
          return Float64Array.from(k, (v, idx) => v - row[Math.floor(idx / n)]! - row[idx % n]! + all);
        };
        leakChecked([fl], c, () => {
          const k1 = sym(s1),
            k2 = sym(s2);
          const K1 = fl.fromArray(k1, n, n),
            K2 = fl.fromArray(k2, n, n),
            y = fl.fromArray(specData(sy), n, 1);
          try {
            const e1 = exponentOf(k1),
              e2 = exponentOf(k2);
            const c1 = centre(scaled(k1, e1)),
              c2 = centre(scaled(k2, e2));
            const n1 = frobenius(c1),
              n2 = frobenius(c2);
            // a constant (or zero) kernel centres to exactly 0: alignment 0/0
            const const1 = k1.every((v) => v === k1[0]),
              const2 = k2.every((v) => v === k2[0]);
            const want = compensatedSum(Float64Array.from(c1, (v, i) => v * c2[i]!)) / (n1 * n2);
            // centring error per entry ≤ γ_{n+3}·4·max|K| (three means, three subtractions), so
            // ‖ΔK_c‖_F ≤ 4γ_{n+3}·n·max|K| (max|K| = 1 in scaled units, up to 2); each kernel's
            // error moves the alignment by ≤ 2‖ΔK_c‖/‖K_c‖; then the alignment's own γ bound.
            const dK = 8 * gamma(n + 3) * n;
            const tol = (2 * dK) / n1 + (2 * dK) / n2 + gamma(n * n) + 3 * gamma(n * n + 2) * Math.abs(want);
            checkScalar(
              `${c} cka`,
              attempt(() => api.cka(fl, K1, K2), c),
              want,
              Number.isFinite(tol) ? tol : Infinity,
              { mustRefuse: const1 || const2, mustAccept: !(const1 || const2) && benign(s1, s2) && n1 > 1e-6 && n2 > 1e-6 },
            );
            // targetAlignment(K, y) = y_cᵀK_c y_c/(‖K_c‖_F‖y_c‖²): refused for constant y or K
            const yv = specData(sy),
              ey = exponentOf(yv),
              yh = scaled(yv, ey);
            const ym = compensatedSum(yh) / n,
              yc = Float64Array.from(yh, (v) => v - ym);
            const constY = yv.every((v) => v === yv[0]);
            const Ky = new Float64Array(n);
            for (let i = 0; i < n; i++) Ky[i] = compensatedSum(Float64Array.from({ length: n }, (_, j) => c1[i * n + j]! * yc[j]!));
            const yy = compensatedSum(Float64Array.from(yc, (v) => v * v));
            const wantT = compensatedSum(Float64Array.from(yc, (v, i) => v * Ky[i]!)) / (n1 * yy);
            // |wantT| ≤ 1; the same centring argument for K and y (y_c error ≤ 2γ_{n+1}·max|y|·√n)
            const tolT = (2 * dK) / n1 + (4 * gamma(n + 1) * Math.sqrt(n)) / Math.sqrt(yy) + gamma(n * n + 4) * (1 + Math.abs(wantT));
            checkScalar(
              `${c} targetAlignment`,
              attempt(() => api.targetAlignment(fl, K1, y), c),
              wantT,
              Number.isFinite(tolT) ? tolT : Infinity,
              { mustRefuse: const1 || constY, mustAccept: !(const1 || constY) && benign(s1, sy) && n1 > 1e-6 && yy > 1e-6 },
            );
          } finally {
            K1.dispose();
            K2.dispose();
            y.dispose();
          }
        });
      }),
      params(100),
    );
  });

  it('teacherStudentGeometry: angles in [0, π], groups partition the students, norms match; zero rows refused or finite', () => {
    const arb = fc
      .tuple(dim(12), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
      .chain(([m, k, d, lines]) => fc.tuple(f64Spec(fc.constant(m), fc.constant(d)), f64Spec(fc.constant(k), fc.constant(d)), fc.constant(lines)));
    fc.assert(
      fc.property(arb, ([sw, sv, lines]) => {
        const c = `${ctx('teacherStudentGeometry', sw, sv)} lines=${lines}`;
        withMatrices([sw, sv], c, (W, V) => {
          run(
            c,
            () => api.teacherStudentGeometry(fl, W!, V!, { lines }),
            (o) => {
              const w = specData(sw),
                v = specData(sv);
              const zeroRow = (x: ArrayLike<number>, rows: number, d: number) =>
                Array.from({ length: rows }, (_, i) => Array.from({ length: d }, (_, j) => x[i * d + j]!).every((z) => z === 0)).some(Boolean);
              const undefinedAngle = zeroRow(w, sw.rows, sw.cols) || zeroRow(v, sv.rows, sv.cols);
              if (!o.ok) {
                check(undefinedAngle || !benign(sw, sv), () => `${c}: refused ordinary input: ${o.error.message}`);
                return;
              }
              const g = o.value;
              check(
                !undefinedAngle,
                () => `${c}: a zero student or teacher has no angle, but angles [${Array.from(g.angles).join(', ')}] were returned; want a FeaturelabError`,
              );
              for (const [name, arr] of Object.entries(g))
                check(allFinite(arr as ArrayLike<number>), () => `${c}: ${name} holds non-finite values [${Array.from(arr as ArrayLike<number>).join(', ')}]`);
              check(
                g.angles.every((a) => a >= 0 && a <= (lines ? Math.PI / 2 : Math.PI) + 1e-15),
                () => `${c}: angles outside [0, π]`,
              );
              check(g.groupSizes.reduce((a, b) => a + b, 0) === sw.rows, () => `${c}: group sizes do not add up to m`);
              const d = sw.cols;
              for (let i = 0; i < sw.rows; i++) {
                const row = Float64Array.from({ length: d }, (_, j) => w[i * d + j]!);
                const e = exponentOf(row),
                  want = frobenius(scaled(row, e));
                // one sum of squares (γ_{d+1}, in f64) and a square root
                check(
                  Math.abs(ldexp(g.norms[i]!, -e) - want) <= gamma(d + 2) * want + ldexp(d * 2 ** -1074, -e),
                  () => `${c}: norm ${i} = ${g.norms[i]}, want ${ldexp(want, e)}`,
                );
              }
            },
          );
        });
      }),
      params(100),
    );
  });

  it('principalCosines: span(A) vs span(A·R) gives cosines 1, disjoint coordinates give 0; a zero A has no span and is refused', () => {
    const arb = fc.tuple(
      fc.integer({ min: 2, max: 20 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 2 ** 30 }),
      fc.constantFrom('same', 'disjoint', 'zero'),
      fc.constantFrom(1, 1e-150, 1e150),
    );
    fc.assert(
      fc.property(arb, ([m0, k, seed, relation, scale]) => {
        const m = Math.max(m0, 2 * k);
        const c = `principalCosines(${m}×${k}, ${relation}, scale ${scale}, seed ${seed})`;
        leakChecked([fl], c, () => {
          // B: k columns supported on the first k rows (full rank: a dominant diagonal);
          // 'same': A = B·R (R upper triangular, unit diagonal); 'disjoint': A on rows k…2k−1.
          const B = new Float64Array(m * k),
            A = new Float64Array(m * k);
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) B[i * k + j] = (i === j ? 4 : 0) + (((seed + 7 * i + 3 * j) % 5) - 2) / 4;
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              if (relation === 'same') {
                let t = 0;
                for (let p2 = 0; p2 <= j; p2++) t += B[i * k + p2]! * (p2 === j ? 1 : 0.5);
                A[i * k + j] = t * scale;
              }
              if (relation === 'disjoint') A[(k + i) * k + j] = B[i * k + j]! * scale;
            }
          const Am = fl.fromArray(A, m, k),
            Bm = fl.fromArray(B, m, k);
          try {
            run(
              c,
              () => api.principalCosines(fl, Am, Bm),
              (o) => {
                if (relation === 'zero') {
                  check(!o.ok, () => `${c}: a zero matrix spans nothing, but cosines [${o.ok ? Array.from(o.value).join(', ') : ''}] were returned`);
                  return;
                }
                check(o.ok, () => `${c}: threw ${!o.ok && o.error.message}`);
                if (!o.ok) return;
                // QR is backward stable (Q_AᵀQ_B off by ≤ THRESH·m·u·κ, κ(B) ≤ 3 here); svdvals goes
                // through the Gram matrix, whose eigenvalues are off by ≤ THRESH·k·u, so a zero
                // cosine comes out as ≤ √(THRESH·k·u) (README: poor for σ ≪ √ε).
                const want = relation === 'same' ? 1 : 0;
                const tol = 3 * THRESH * m * U.f64 + (want === 0 ? Math.sqrt(THRESH * Math.max(k, 2) * U.f64) : THRESH * k * U.f64);
                check(
                  o.value.length === k && o.value.every((v) => Math.abs(v - want) <= tol),
                  () => `${c}: [${Array.from(o.value).join(', ')}], want all ${want} ± ${tol}`,
                );
              },
            );
          } finally {
            Am.dispose();
            Bm.dispose();
          }
        });
      }),
      params(80),
    );
  });

  it('fitMarchenkoPastur: finite fit, 0 ≤ outliers ≤ count, or a FeaturelabError for invalid sizes', () => {
    const sizes = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(0, -1, 1.5, NaN, Infinity, 2 ** 60));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e300, noNaN: true }), fc.double({ min: 0, max: 1e-300, noNaN: true })), { maxLength: 30 }),
        sizes,
        sizes,
        (values, p, q) => {
          const s = Float64Array.from(values).sort().reverse();
          const c = `fitMarchenkoPastur([${s.length} values, max ${s[0]}], ${p}, ${q})`;
          const o = attempt(() => api.fitMarchenkoPastur(s, p, q), c);
          if (!o.ok) return;
          check(Number.isInteger(p) && Number.isInteger(q) && p > 0 && q > 0, () => `${c}: accepted invalid sizes`);
          check(
            allFinite([o.value.sigma2, o.value.edge, o.value.c]) && o.value.outliers >= 0 && o.value.outliers <= s.length,
            () => `${c}: ${JSON.stringify(o.value)}`,
          );
          check(o.value.sigma2 >= 0 && o.value.c > 0 && o.value.c <= 1, () => `${c}: ${JSON.stringify(o.value)}`);
        },
      ),
      params(150),
    );
  });

  it('gaussHermite: weights ≥ 0 sum to 1, nodes symmetric, exact moments E z^{2j} = (2j − 1)!! for 2j ≤ 2n − 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (n) => {
        const c = `gaussHermite(${n})`;
        leakChecked([fl], c, () => {
          const q = api.gaussHermite(fl, n);
          check(q.nodes.length === n && q.weights.length === n && allFinite(q.nodes) && allFinite(q.weights), () => `${c}: shape or non-finite`);
          check(
            q.weights.every((w) => w >= 0),
            () => `${c}: negative weight`,
          );
          for (let i = 0; i < n; i++)
            check(
              Math.abs(q.nodes[i]! + q.nodes[n - 1 - i]!) <= THRESH * n * U.f64 * Math.max(1, Math.abs(q.nodes[i]!)) * Math.sqrt(n),
              () => `${c}: nodes not symmetric at ${i}`,
            );
          // Eigenvectors of the Jacobi matrix are backward stable: each weight w_i = v_0i² is off
          // by ≤ 2·THRESH·n·u (LAPACK xSTT21's ratio), so E[z^{2j}] is off by ≤ that·Σ|x_i|^{2j}.
          let dfact = 1;
          for (let j = 0; 2 * j <= 2 * n - 1 && j <= 6; j++) {
            if (j > 0) dfact *= 2 * j - 1;
            const terms = Float64Array.from(q.nodes, (x, i) => q.weights[i]! * x ** (2 * j));
            const got = compensatedSum(terms);
            const tol = 2 * THRESH * n * U.f64 * compensatedSum(Float64Array.from(q.nodes, (x) => Math.abs(x) ** (2 * j))) + gamma(n) * dfact;
            check(Math.abs(got - dfact) <= tol, () => `${c}: E z^${2 * j} = ${got}, want ${dfact} ± ${tol}`);
          }
        });
      }),
      params(40),
    );
  });
});

const THRESH = 30;

// ---------------------------------------------------------------------------------------
// Bad handles in the network functions

type Slots = { W: Matrix; a: Matrix; X: Matrix; y: Matrix; K: Matrix; Wr: Matrix; Vr: Matrix; am: Matrix; ak: Matrix; b: Matrix };
const SLOT_NAMES = ['W', 'a', 'X', 'y', 'K', 'Wr', 'Vr', 'am', 'ak', 'b'] as const;
type SlotName = (typeof SLOT_NAMES)[number];

/** Network functions and the matrix slots they read (d = 3, N = 4, n = 5, m = 4 students, k = 2 teachers). */
const NET_CALLS: { name: string; slots: SlotName[]; optional?: SlotName[]; call: (s: Slots) => unknown }[] = [
  { name: 'forward', slots: ['W', 'a', 'X'], call: (s) => api.forward(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X) },
  { name: 'gradients', slots: ['W', 'a', 'X', 'y'], call: (s) => api.gradients(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X, s.y) },
  {
    name: 'gdStep',
    slots: ['W', 'a', 'X', 'y'],
    call: (s) => api.gdStep(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X, s.y, { etaW: 0.1, etaA: 0.1 }),
  },
  { name: 'features', slots: ['W', 'X'], call: (s) => api.features(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'relu' }, s.X) },
  { name: 'empiricalNTK', slots: ['W', 'a', 'X'], call: (s) => api.empiricalNTK(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X) },
  { name: 'studentsOf', slots: ['W'], call: (s) => api.studentsOf(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }) },
  { name: 'loss', slots: ['y'], call: (s) => api.loss(fl, s.y, s.y) },
  { name: 'ridge', slots: ['X', 'y'], call: (s) => api.ridge(fl, s.X, s.y, 0.1) },
  { name: 'meanSquaredError', slots: ['y'], call: (s) => api.meanSquaredError(fl, s.y, s.y) },
  { name: 'spectrum', slots: ['X'], call: (s) => api.spectrum(fl, s.X) },
  { name: 'alignments', slots: ['X', 'y'], call: (s) => api.alignments(fl, s.X, s.y) },
  { name: 'principalCosines', slots: ['X'], call: (s) => api.principalCosines(fl, s.X, s.X) },
  { name: 'kernelAlignment', slots: ['K'], call: (s) => api.kernelAlignment(fl, s.K, s.K) },
  { name: 'centerKernel', slots: ['K'], call: (s) => api.centerKernel(fl, s.K) },
  { name: 'cka', slots: ['K'], call: (s) => api.cka(fl, s.K, s.K) },
  { name: 'targetAlignment', slots: ['K', 'y'], call: (s) => api.targetAlignment(fl, s.K, s.y) },
  { name: 'relativeChange', slots: ['K'], call: (s) => api.relativeChange(fl, s.K, s.K) },
  { name: 'teacherStudentGeometry', slots: ['Wr', 'Vr'], call: (s) => api.teacherStudentGeometry(fl, s.Wr, s.Vr) },
  { name: 'reluPopulation', slots: ['Wr', 'Vr'], call: (s) => api.reluPopulation(fl, s.Wr, s.Vr) },
  { name: 'reluPopulationGD', slots: ['Wr', 'Vr'], call: (s) => api.reluPopulationGD(fl, s.Wr, s.Vr, 0.1, 3) },
  { name: 'absPopulation', slots: ['Wr', 'am', 'Vr', 'ak'], call: (s) => api.absPopulation(fl, s.Wr, s.am, s.Vr, s.ak, 0.01) },
  { name: 'absPopulationGD', slots: ['Wr', 'am', 'Vr', 'ak'], call: (s) => api.absPopulationGD(fl, s.Wr, s.am, s.Vr, s.ak, 0.01, 0.1, 3) },
  { name: 'reluNtkInfinite', slots: ['X'], call: (s) => api.reluNtkInfinite(fl, s.X, s.X) },
  { name: 'hermiteFeatures', slots: ['X', 'b'], call: (s) => api.hermiteFeatures(fl, s.X, s.b, 2) },
  { name: 'evaluateTarget', slots: ['X', 'b'], call: (s) => api.evaluateTarget(fl, { kind: 'single-index', link: 'tanh', beta: s.b }, s.X) },
  { name: 'sampleBatch', slots: ['b'], call: (s) => api.sampleBatch(fl, { kind: 'linear', beta: s.b }, 5, 3, { seed: 1, stream: 0 }) },
  { name: 'gaussianInputs', slots: ['K'], optional: ['K'], call: (s) => api.gaussianInputs(fl, 5, 5, { seed: 1, stream: 0, covarianceSqrt: s.K }) },
  { name: 'applyFunction', slots: ['X'], call: (s) => api.applyFunction(fl, { polynomial: [1, 2] }, s.X) },
];

function makeSlots(e: Engine): Slots {
  const m = (r: number, c: number, seed: number) =>
    e.fromArray(
      Float64Array.from({ length: r * c }, (_, i) => Math.sin(seed + 1.3 * i) + (i === 0 ? 2 : 0)),
      r,
      c,
    );
  return {
    W: m(3, 4, 1),
    a: m(4, 1, 2),
    X: m(5, 3, 3),
    y: m(5, 1, 4),
    K: m(5, 5, 5),
    Wr: m(4, 3, 6),
    Vr: m(2, 3, 7),
    am: m(4, 1, 8),
    ak: m(2, 1, 9),
    b: m(3, 1, 10),
  };
}

describe('network functions with a foreign, disposed or missing matrix: a FeaturelabError, nothing leaked, nothing written', () => {
  for (const bad of ['foreign', 'disposed', 'missing'] as const) {
    it(`${bad} matrix`, () => {
      // An optional slot left undefined means "absent" (e.g. gaussianInputs without covarianceSqrt), not missing.
      const calls =
        bad === 'missing'
          ? NET_CALLS.map((c, i) => [c, i] as const).filter(([c]) => c.slots.some((s) => !c.optional?.includes(s)))
          : NET_CALLS.map((c, i) => [c, i] as const);
      const arb = fc
        .constantFrom(...calls)
        .chain(([c, i]) => fc.tuple(fc.constant(i), fc.constantFrom(...c.slots.filter((s) => bad !== 'missing' || !c.optional?.includes(s)))));
      fc.assert(
        fc.property(arb, ([i, slot]) => {
          const { name, call } = NET_CALLS[i]!;
          const c = `${name} with a ${bad} ${slot}`;
          leakChecked([fl, foreign], c, () => {
            const own = makeSlots(fl),
              other = makeSlots(foreign);
            const slots = { ...own } as Slots;
            if (bad === 'foreign') slots[slot] = other[slot];
            if (bad === 'disposed') own[slot].dispose();
            if (bad === 'missing') (slots as Record<string, unknown>)[slot] = undefined;
            const before = other[slot].toArray();
            try {
              run(
                c,
                () => call(slots),
                (o) => {
                  check(!o.ok, () => `${c}: returned instead of throwing`);
                },
              );
              check(
                other[slot].toArray().every((v, k) => Object.is(v, before[k])),
                () => `${c}: the other engine's matrix was modified`,
              );
            } finally {
              for (const s of SLOT_NAMES) {
                own[s].dispose();
                other[s].dispose();
              }
            }
          });
        }),
        params(60),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------
// Bad options and arguments

/** Each exported function with an argument slot and values that are invalid there. */
const OPTION_CALLS: { name: string; bad: unknown[]; call: (v: unknown, s: Slots) => unknown }[] = [
  {
    name: 'sampleBatch options',
    bad: [null, undefined, 5, {}, { seed: 1 }, { seed: 1, stream: 0, noise: -1 }, { seed: 1, stream: 0, bogus: 1 }, { seed: null, stream: 0 }],
    call: (v, s) => api.sampleBatch(fl, { kind: 'linear', beta: s.b }, 5, 3, v as never),
  },
  {
    name: 'sampleBatch target',
    bad: [null, undefined, {}, { kind: 'bogus' }, { kind: 'single-index', link: 'bogus', beta: null }],
    call: (v) => api.sampleBatch(fl, v as never, 5, 3, { seed: 1, stream: 0 }),
  },
  {
    name: 'randomUnitVector',
    bad: [null, undefined, 5, {}, { seed: -1, stream: 0 }, { seed: 1, stream: 0, bogus: 1 }],
    call: (v) => api.randomUnitVector(fl, 3, v as never),
  },
  { name: 'randomUnitVector d', bad: [0, -1, 1.5, NaN, null, '3'], call: (v) => api.randomUnitVector(fl, v as never, { seed: 1, stream: 0 }) },
  {
    name: 'gaussianInputs',
    bad: [null, undefined, 5, { seed: 1 }, { seed: 1, stream: 0, covarianceSqrt: 5 }],
    call: (v) => api.gaussianInputs(fl, 5, 3, v as never),
  },
  {
    name: 'createNetwork param',
    bad: [null, undefined, 'mean-field', { kind: 'bogus' }, { kind: 'linear', sigma0: 1, v0: 1 }, { kind: 'fixed-output', sigma: -1 }],
    call: (v) => api.createNetwork(fl, 3, 4, 'tanh', v as never, { seed: 1, stream: 0 }),
  },
  {
    name: 'createNetwork rng',
    bad: [null, undefined, 5, {}, { seed: 1 }, { seed: -1, stream: 0 }],
    call: (v) => api.createNetwork(fl, 3, 4, 'tanh', { kind: 'mean-field' }, v as never),
  },
  {
    name: 'createNetwork activation',
    bad: [null, undefined, 'bogus', 5, {}, { polynomial: [] }, { hermiteNormalized: -1 }],
    call: (v) => api.createNetwork(fl, 3, 4, v as never, { kind: 'mean-field' }, { seed: 1, stream: 0 }),
  },
  {
    name: 'gdStep options',
    bad: [null, undefined, 5, {}, { etaW: -1 }, { etaW: '1' }, { etaW: 0.1, bogus: 1 }, { etaW: NaN }],
    call: (v, s) => api.gdStep(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X, s.y, v as never),
  },
  {
    name: 'oneStep options',
    bad: [null, 5, { scaleByWidth: 'no' }, { bogus: 1 }],
    call: (v, s) => api.oneStep(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, { X: s.X, y: s.y }, 0.1, v as never),
  },
  {
    name: 'twoStep second',
    bad: ['bogus', null, undefined, 5, {}],
    call: (v, s) => api.twoStep(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, { X: s.X, y: s.y }, v as never, 0.1, 0.1),
  },
  {
    name: 'trainFullBatch options',
    bad: [null, undefined, 5, {}, { etaW: 0.1, record: 5 }, { etaW: 0.1, bogus: 1 }],
    call: (v, s) => api.trainFullBatch(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X, s.y, 2, v as never),
  },
  { name: 'ridge form', bad: ['bogus', null, 5, 'PRIMAL'], call: (v, s) => api.ridge(fl, s.X, s.y, 0.1, v as never) },
  { name: 'ridge lambda', bad: [0, -1, NaN, Infinity, '1', null, undefined], call: (v, s) => api.ridge(fl, s.X, s.y, v as never) },
  {
    name: 'empiricalNTK options',
    bad: [null, 5, { layers: 'bogus' }, { bogus: 1 }],
    call: (v, s) => api.empiricalNTK(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, s.X, v as never),
  },
  {
    name: 'teacherStudentGeometry options',
    bad: [null, 5, { lines: 'yes' }, { bogus: 1 }],
    call: (v, s) => api.teacherStudentGeometry(fl, s.Wr, s.Vr, v as never),
  },
  { name: 'spectrum margin', bad: [NaN, -1, Infinity, '0.1', null], call: (v, s) => api.spectrum(fl, s.X, v as never) },
  {
    name: 'hermiteSummary options',
    bad: [null, 5, { maxDegree: 0 }, { tol: -1 }, { maxDegree: 1000 }, { bogus: 1 }],
    call: (v) => api.hermiteSummary(fl, api.gaussHermite(fl, 20), 'tanh', v as never),
  },
  { name: 'hermiteCoefficients K', bad: [-1, 1.5, 31, NaN, null], call: (v) => api.hermiteCoefficients(fl, api.gaussHermite(fl, 20), 'tanh', v as never) },
  { name: 'expectation quad', bad: [null, undefined, {}, { nodes: [0], weights: [1] }], call: (v) => api.expectation(fl, v as never, 'tanh') },
  { name: 'gaussHermite n', bad: [0, -1, 1.5, NaN, null, '8', 1001], call: (v) => api.gaussHermite(fl, v as never) },
  { name: 'powerStep', bad: [NaN, Infinity, -1, '1', null], call: (v) => api.powerStep(fl, v as never, 10, 0.5) },
  { name: 'spikedPrediction', bad: [NaN, -1, Infinity, null, '1'], call: (v) => api.spikedPrediction(v as never, 3, 4) },
  {
    name: 'huangStage1',
    bad: [null, undefined, {}, { a: 0.5, F: 1, v0: 1 }, { a: 2, F: 1, v0: 1, gamma: 1 }],
    call: (v) => api.huangStage1(fl, 3, v as never),
  },
  { name: 'huangStage2Step', bad: [null, undefined, {}, { eta: 1, gamma: 1, phi: 1, n: 1 }], call: (v) => api.huangStage2Step(1, v as never) },
  { name: 'predictedSpikes', bad: [NaN, -0.1, 0.5, null, '0.1'], call: (v) => api.predictedSpikes(v as never) },
  { name: 'marchenkoPastur', bad: [NaN, 0, 2, null, '0.5'], call: (v) => api.marchenkoPastur(v as never) },
  {
    name: 'evaluateTarget target',
    bad: [null, undefined, {}, { kind: 'teacher', activation: 'tanh', V: null }],
    call: (v, s) => api.evaluateTarget(fl, v as never, s.X),
  },
  {
    name: 'applyFunction',
    bad: [null, undefined, 'bogus', {}, { polynomial: [] }, { polynomial: [NaN] }, { hermiteNormalized: 65 }],
    call: (v, s) => api.applyFunction(fl, v as never, s.X),
  },
  { name: 'hermiteFeatures K', bad: [0, 31, 1.5, NaN, null], call: (v, s) => api.hermiteFeatures(fl, s.X, s.b, v as never) },
  {
    name: 'reluPopulationGD options',
    bad: [null, 5, { points: -1 }, { record: 5 }, { bogus: 1 }],
    call: (v, s) => api.reluPopulationGD(fl, s.Wr, s.Vr, 0.1, 3, v as never),
  },
  {
    name: 'absPopulationGD options',
    bad: [null, 5, { points: -1 }, { record: 5 }, { bogus: 1 }],
    call: (v, s) => api.absPopulationGD(fl, s.Wr, s.am, s.Vr, s.ak, 0.01, 0.1, 3, v as never),
  },
  {
    name: 'trainOnline draw',
    bad: [null, undefined, 5, () => null, () => ({ X: null, y: null })],
    call: (v, s) => api.trainOnline(fl, { W: s.W, a: s.a, scale: 0.5, activation: 'tanh' }, v as never, 2, { etaW: 0.1 }),
  },
  { name: 'describeFunction', bad: [null, undefined, 5, {}], call: (v) => api.describeFunction(v as never) },
  { name: 'sqrtFactorial', bad: [-1, 1.5, NaN, null, '3', 200], call: (v) => api.sqrtFactorial(v as never) },
  { name: 'logSpacedSteps T', bad: [-1, 1.5, NaN, null, '3'], call: (v) => api.logSpacedSteps(fl, v as never, 5) },
];

describe('network functions with bad options and arguments: a FeaturelabError, nothing leaked', () => {
  for (const [i, { name, bad }] of OPTION_CALLS.entries()) {
    it(name, () => {
      fc.assert(
        fc.property(fc.constantFrom(...bad.map((_, k) => k)), (k) => {
          const v = bad[k];
          const c = `${name} = ${fc.stringify(v)}`;
          leakChecked([fl, foreign], c, () => {
            const s = makeSlots(fl);
            try {
              run(
                c,
                () => OPTION_CALLS[i]!.call(v, s),
                (o) => {
                  check(!o.ok, () => `${c}: accepted (returned ${fc.stringify(o.ok ? o.value : undefined).slice(0, 80)})`);
                },
              );
            } finally {
              for (const n of SLOT_NAMES) s[n].dispose();
            }
          });
        }),
        params(bad.length * 2),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------
// Hangs: calls with a `points` count or a step count run in a worker that is terminated
// after a timeout, since a synchronous infinite loop cannot be interrupted in-thread.

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const api = await import(workerData.url);
  const fl = await api.createEngine({ threads: 1 });
  const { fn, points, T } = workerData;
  const opts = { points, etaW: 0.01 };
  try {
    const net = () => api.createNetwork(fl, 3, 4, 'tanh', { kind: 'mean-field' }, { seed: 1, stream: 0 });
    const X = fl.randn(5, 3, { seed: 2 }), y = fl.randn(5, 1, { seed: 3 });
    const W = fl.randn(4, 3, { seed: 4 }), V = fl.randn(2, 3, { seed: 5 }), a = fl.randn(4, 1, { seed: 6 }), as = fl.randn(2, 1, { seed: 7 });
    let result;
    if (fn === 'logSpacedSteps') result = api.logSpacedSteps(fl, T, points);
    if (fn === 'trainFullBatch') result = api.trainFullBatch(fl, net(), X, y, T, opts);
    if (fn === 'trainOnline') result = api.trainOnline(fl, net(), () => ({ X, y }), T, opts);
    if (fn === 'reluPopulationGD') result = api.reluPopulationGD(fl, W, V, 0.01, T, { points });
    if (fn === 'absPopulationGD') result = api.absPopulationGD(fl, W, a, V, as, 0.01, 0.01, T, { points });
    parentPort.postMessage({ ok: true, result: JSON.stringify(result) });
  } catch (e) {
    parentPort.postMessage({ ok: false, featurelab: e instanceof api.FeaturelabError, name: e && e.constructor && e.constructor.name, message: String(e && e.message) });
  }
})();
`;

function inWorker(
  data: { fn: string; points: number; T: number },
  timeoutMs: number,
): Promise<{ ok: boolean; featurelab?: boolean; name?: string; message?: string; result?: string } | 'timeout'> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { ...data, url: new URL('../../dist/index.js', import.meta.url).href } });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve('timeout');
    }, timeoutMs);
    w.once('message', (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('no hangs', () => {
  it('points: Infinity, 1e12, NaN, −1, 1.5 and huge step counts end (a result or a FeaturelabError) within seconds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('logSpacedSteps', 'trainFullBatch', 'trainOnline', 'reluPopulationGD', 'absPopulationGD'),
        fc.constantFrom(Infinity, 1e12, 2 ** 31, NaN, -1, 1.5, 0, 5),
        fc.constantFrom(3, 1e12, Infinity),
        async (fn, points, T) => {
          // a step count of 1e12 is a request for 1e12 steps: only logSpacedSteps (no training) must finish it
          fc.pre(T === 3 || fn === 'logSpacedSteps');
          const c = `${fn}(T = ${T}, points = ${points})`;
          const r = await inWorker({ fn, points, T }, 6000);
          check(r !== 'timeout', () => `${c}: still running after 6 s (hang)`);
          if (r === 'timeout') return;
          if (!r.ok) check(r.featurelab === true, () => `${c}: threw ${r.name}: ${r.message}, not a FeaturelabError`);
          else if (fn === 'logSpacedSteps') {
            const steps = JSON.parse(r.result!) as number[];
            check(
              Number.isFinite(points) && points >= 0 && Number.isInteger(points) && Number.isFinite(T),
              () => `${c}: accepted invalid input, returned ${steps.length} steps`,
            );
            check(steps[0] === 0 && steps.at(-1) === T && steps.every((t, k) => k === 0 || t > steps[k - 1]!), () => `${c}: ${r.result}`);
          } else check(Number.isInteger(points) && points >= 0, () => `${c}: accepted points = ${points} (returned ${r.result})`);
        },
      ),
      // no shrinking: each candidate can cost the full timeout
      { ...params(16, 30_000), endOnFailure: true },
    );
  }, 120_000);
});

void FeaturelabError;
void MAX;
