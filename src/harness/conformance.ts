// The cross-engine conformance suite: a fixed list of named workloads, each reduced to a
// SHA-256 fingerprint. The fingerprints are committed as goldens (test/goldens/conformance.json)
// and must come out bit for bit the same in Node, Bun, Chromium and Firefox; a difference
// names the kernel (or experiment) that is not deterministic across engines.
//
// This module must stay pure ECMAScript (no node: imports, no DOM): the test loads it
// unmodified in browsers and in Bun. Inputs are built only by the engine (randn, rand,
// fromArray of literal values) and by exact JS arithmetic, never by JavaScript's Math
// transcendentals, which differ between engines.

import { ACTIVATION_NAMES, type Activation } from '../core/activations.js';
import type { DType } from '../core/matrix.js';
import type { Engine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { EXPERIMENTS, runExperiment } from '../experiments/index.js';

/** One workload: computes its results and returns their fingerprint (fl.fingerprint). */
export interface ConformanceCase {
  readonly name: string;
  /** Runs inside fl.scope(), so every matrix it creates is disposed afterwards. */
  readonly run: (fl: Engine) => string;
}

/**
 * Each experiment's smoke preset (Experiment.smoke: sizes that run in well under a second) as
 * the key=value strings of the command line, by experiment id: used by the CLI tests and
 * their goldens (test/goldens/experiments.json).
 */
export const TINY_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.fromEntries(
  EXPERIMENTS.map((exp) => [exp.id, Object.fromEntries(Object.entries(exp.smoke ?? {}).map(([key, value]) => [key, String(value)]))]),
);

const DTYPES: readonly DType[] = ['f64', 'f32'];

// ---------------------------------------------------------------------------------------
// Random numbers: shapes of 1, odd sizes and long columns; several seeds, streams, offsets
// and a 64-bit bigint seed (exercises both key words of Philox).

const RANDOM_DRAWS: readonly { label: string; rows: number; cols: number; seed: number | bigint; stream?: number; offset?: number }[] = [
  { label: '67x45', rows: 67, cols: 45, seed: 20261122 },
  { label: '1x1', rows: 1, cols: 1, seed: 0 },
  { label: '7x33-stream3', rows: 7, cols: 33, seed: 1, stream: 3 },
  { label: '130x1-seed64bit', rows: 130, cols: 1, seed: 0xfedcba9876543210n, stream: 2 ** 40 + 5 },
  { label: '9x5-offset', rows: 9, cols: 5, seed: 42, stream: 1, offset: 2 ** 33 + 3 },
];

function randomCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const kind of ['randn', 'rand'] as const) {
    for (const dtype of DTYPES) {
      for (const d of RANDOM_DRAWS) {
        cases.push({
          name: `${kind}-${dtype}-${d.label}`,
          run: (fl) => fl.fingerprint(fl[kind](d.rows, d.cols, { seed: d.seed, stream: d.stream, offset: d.offset, dtype })),
        });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------
// GEMM: (m, n, k) around the register tiles (4×4 f64, 4×8 f32), the row block (mc = 96), the
// column block (nc = 2048) and the depth block (kc = 256 f64, 512 f32), in all four
// transpose combinations.

const GEMM_SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 67],
  [67, 130, 33],
  [130, 67, 130],
  [33, 1, 130],
  [1, 130, 7],
  [67, 33, 520],
  [9, 2053, 5],
];
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

const transLabel = (transA: boolean, transB: boolean) => `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;

/** Random A and B stored so that op(A) is m×k and op(B) is k×n. */
function gemmOperands(fl: Engine, m: number, n: number, k: number, transA: boolean, transB: boolean, dtype: DType, seed: number) {
  const A = transA ? fl.randn(k, m, { seed, dtype }) : fl.randn(m, k, { seed, dtype });
  const B = transB ? fl.randn(n, k, { seed, stream: 1, dtype }) : fl.randn(k, n, { seed, stream: 1, dtype });
  return { A, B };
}

function gemmCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of DTYPES) {
    for (const [m, n, k] of GEMM_SHAPES) {
      for (const [transA, transB] of TRANSPOSES) {
        cases.push({
          name: `matmul-${dtype}-${m}x${n}x${k}-${transLabel(transA, transB)}`,
          run: (fl) => {
            const { A, B } = gemmOperands(fl, m, n, k, transA, transB, dtype, 1000 + m + n + k);
            return fl.fingerprint(fl.matmul(A, B, { transA, transB }));
          },
        });
      }
    }
    // The α/β epilogue: C := α·op(A)·op(B) + β·C, and a scaled product without accumulation.
    for (const [m, n, k] of [
      [67, 130, 33],
      [7, 33, 67],
    ] as const) {
      for (const [transA, transB] of TRANSPOSES) {
        cases.push({
          name: `gemm-accumulate-${dtype}-${m}x${n}x${k}-${transLabel(transA, transB)}`,
          run: (fl) => {
            const { A, B } = gemmOperands(fl, m, n, k, transA, transB, dtype, 2000 + m + n + k);
            const C = fl.randn(m, n, { seed: 2000, stream: 2, dtype });
            fl.gemm(C, A, B, { transA, transB, alpha: 0.375, beta: -1.25 });
            return fl.fingerprint(C, fl.matmul(A, B, { transA, transB, alpha: -3.5 }));
          },
        });
      }
    }
  }
  return cases;
}

// GEMV, with and without the transpose and the α/β accumulation into an existing y.
function gemvCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of DTYPES) {
    for (const [rows, cols] of [
      [67, 130],
      [1, 33],
      [130, 7],
    ] as const) {
      for (const trans of [false, true]) {
        cases.push({
          name: `gemv-${dtype}-${rows}x${cols}-${trans ? 'T' : 'N'}`,
          run: (fl) => {
            const A = fl.randn(rows, cols, { seed: 3000 + rows + cols, dtype });
            const [inLen, outLen] = trans ? [rows, cols] : [cols, rows];
            const x = fl.randn(inLen, 1, { seed: 3000, stream: 1, dtype });
            const y = fl.randn(outLen, 1, { seed: 3000, stream: 2, dtype });
            const plain = fl.gemv(A, x, { trans });
            fl.gemv(A, x, { trans, alpha: -0.625, beta: 1.5, y });
            return fl.fingerprint(plain, y);
          },
        });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------
// Elementwise maps on Gaussian inputs spread over [-12, 12] and on hand-picked values: signed
// zeros, subnormals, the saturation ranges of tanh/erf/sigmoid and softplus's exp overflow.

const SPECIAL_VALUES = [
  0, -0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-200, 1e-20, -1e-8, 1e-4, 0.25, -0.5, 0.5, 1, -1, 2, -2.5, 3, 5.9, -6, 8, -10, 18, -20, 26, 30, -37, 40, 88, -100,
  300, -709, 710, -745, 800, 1e4, -1e5,
];

function activationInputs(fl: Engine, dtype: DType) {
  const gauss = fl.scale(fl.randn(37, 29, { seed: 4000 }), 4);
  const special = fl.fromArray(Float64Array.from(SPECIAL_VALUES), SPECIAL_VALUES.length, 1);
  // f32 inputs are rounded in wasm (astype) from the same f64 values.
  return dtype === 'f64' ? [gauss, special] : [fl.astype(gauss, 'f32'), fl.astype(special, 'f32')];
}

function mapCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const activations: { label: string; f: Activation; moderate?: boolean }[] = [
    ...ACTIVATION_NAMES.map((name) => ({ label: name, f: name as Activation })),
    // Polynomials overflow (and then throw) on the large special values: use moderate inputs.
    ...[0, 1, 3, 7, 12].map((k) => ({ label: `hermite${k}`, f: { hermite: k } as Activation, moderate: true })),
  ];
  for (const dtype of DTYPES) {
    for (const { label, f, moderate } of activations) {
      for (const derivative of [false, true]) {
        cases.push({
          name: `map-${dtype}-${label}${derivative ? '-derivative' : ''}`,
          run: (fl) => {
            const inputs = moderate ? [fl.randn(37, 29, { seed: 4001, dtype })] : activationInputs(fl, dtype);
            return fl.fingerprint(inputs.map((x) => fl.map(x, f, { derivative })));
          },
        });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------
// Level 1: reductions returning scalars (a fixed eight-lane order), row/column sums, and the
// in-place updates, at lengths below, at and above multiples of eight.

function level1Cases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of DTYPES) {
    for (const [rows, cols] of [
      [1, 1],
      [1, 7],
      [67, 45],
      [130, 33],
    ] as const) {
      cases.push({
        name: `reductions-${dtype}-${rows}x${cols}`,
        run: (fl) => {
          const A = fl.randn(rows, cols, { seed: 5000 + rows * cols, dtype });
          const B = fl.rand(rows, cols, { seed: 5000 + rows * cols, stream: 1, dtype });
          const scalars = [fl.dot(A, B), fl.dot(A, A), fl.sum(A), fl.sum(B), fl.norm(A, 'fro'), fl.norm(A, 'max'), fl.norm(A, '1'), fl.norm(A, 'inf')];
          return fl.fingerprint(scalars, fl.sumRows(A), fl.sumCols(A));
        },
      });
      cases.push({
        name: `level1-${dtype}-${rows}x${cols}`,
        run: (fl) => {
          const A = fl.randn(rows, cols, { seed: 6000 + rows * cols, dtype });
          const B = fl.randn(rows, cols, { seed: 6000 + rows * cols, stream: 1, dtype });
          const y = fl.copy(B);
          fl.axpy(-0.3, A, y);
          return fl.fingerprint(y, fl.scale(A, 1 / 3), fl.hadamard(A, B), fl.transpose(A), fl.astype(A, dtype === 'f64' ? 'f32' : 'f64'));
        },
      });
    }
  }
  return cases;
}

// The scalar transcendentals of fl.math (used by the theory code instead of Math).
function detMathCase(): ConformanceCase {
  const xs = [-745.5, -30, -2.5, -1, -0.75, -1e-9, -0, 0, 1e-300, 1e-9, 0.1, 0.5, 0.999, 1, 1.5, 3, 7.25, 40, 709, 1e10];
  return {
    name: 'detmath',
    run: (fl) => {
      const m = fl.math;
      const rows = xs.map((x) => [
        m.exp(x),
        m.expm1(x),
        m.log(x),
        m.log1p(x),
        m.pow(x, 0.5),
        m.pow(x, 3),
        m.pow(1.5, x),
        m.sin(x),
        m.cos(x),
        m.tanh(x),
        m.sinh(x),
        m.cosh(x),
        m.atan2(x, 0.75),
        m.atan2(-1, x),
        m.acos(x),
        m.erf(x),
      ]);
      return fl.fingerprint(rows);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Linear algebra. Sizes 40 and 150 pass the panel width (32) of the blocked reduction and
// the leaf size (25) of divide and conquer; a rank-deficient matrix exercises deflation.

/** The sample covariance G·Gᵀ/k of a Gaussian n×k matrix (rank min(n, k)). */
function covariance(fl: Engine, n: number, k: number, seed: number): ReturnType<Engine['matmul']> {
  const G = fl.randn(n, k, { seed });
  return fl.matmul(G, G, { transB: true, alpha: 1 / k });
}

function linalgCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const spectra: [string, number, number][] = [
    ['40', 40, 60],
    ['150', 150, 200],
    ['150-rank60', 150, 60],
  ];
  for (const [label, n, k] of spectra) {
    cases.push({ name: `eigvalsh-${label}`, run: (fl) => fl.fingerprint(fl.eigvalsh(covariance(fl, n, k, 7000 + n + k))) });
    cases.push({
      name: `eigh-${label}`,
      run: (fl) => {
        const { values, vectors } = fl.eigh(covariance(fl, n, k, 7000 + n + k));
        return fl.fingerprint(values, vectors);
      },
    });
  }
  cases.push(
    {
      // f32 input is converted to f64 inside.
      name: 'eigh-f32-input-40',
      run: (fl) => {
        const { values, vectors } = fl.eigh(fl.astype(covariance(fl, 40, 60, 7100), 'f32'));
        return fl.fingerprint(values, vectors);
      },
    },
    {
      name: 'eigh-small-blocks-67',
      run: (fl) => {
        const { values, vectors } = fl.eigh(covariance(fl, 67, 90, 7200), { blockSize: 8, leafSize: 6 });
        return fl.fingerprint(values, vectors);
      },
    },
    {
      name: 'eighSelect-150-largest5',
      run: (fl) => {
        const { values, vectors } = fl.eighSelect(covariance(fl, 150, 200, 7300), { largest: 5 });
        return fl.fingerprint(values, vectors);
      },
    },
    {
      // The Jacobi matrix of the probabilists' Hermite polynomials: e_i = √i, taken in wasm
      // (the spec lets JavaScript's Math approximate, even sqrt).
      name: 'eigTridiagonal-hermite-60',
      run: (fl) => {
        const n = 60;
        const d = new Float64Array(n);
        const e = Float64Array.from({ length: n - 1 }, (_, i) => fl.math.pow(i + 1, 0.5));
        const { values, vectors } = fl.eigTridiagonal(d, e, { vectors: true });
        return fl.fingerprint(values, vectors!);
      },
    },
    {
      name: 'cholesky-40',
      run: (fl) => {
        const S = fl.axpy(1, fl.eye(40), covariance(fl, 40, 30, 7400));
        const L = fl.cholesky(S);
        const B = fl.randn(40, 3, { seed: 7400, stream: 1 });
        return fl.fingerprint(L, fl.choleskySolve(L, B), fl.solveSPD(S, B));
      },
    },
    {
      name: 'cholesky-150',
      run: (fl) => {
        const S = fl.axpy(0.5, fl.eye(150), covariance(fl, 150, 200, 7500));
        const L = fl.cholesky(S);
        const B = fl.randn(150, 7, { seed: 7500, stream: 1 });
        return fl.fingerprint(L, fl.choleskySolve(L, B), fl.cholesky(S, { blockSize: 16 }));
      },
    },
    {
      name: 'qr-130x67',
      run: (fl) => {
        const { Q, R } = fl.qr(fl.randn(130, 67, { seed: 7600 }));
        return fl.fingerprint(Q, R);
      },
    },
    {
      name: 'qr-positive-40x40-f32-input',
      run: (fl) => {
        const { Q, R } = fl.qr(fl.randn(40, 40, { seed: 7700, dtype: 'f32' }), { positiveDiagonal: true });
        return fl.fingerprint(Q, R);
      },
    },
    { name: 'randomOrthogonal-33', run: (fl) => fl.fingerprint(fl.randomOrthogonal(33, { seed: 7800, stream: 4 })) },
    { name: 'svdvals-67x130', run: (fl) => fl.fingerprint(fl.svdvals(fl.randn(67, 130, { seed: 7900 }))) },
    { name: 'svdvals-130x33-f32', run: (fl) => fl.fingerprint(fl.svdvals(fl.randn(130, 33, { seed: 7901, dtype: 'f32' }))) },
    {
      name: 'svdTop-150x90-k4',
      run: (fl) => {
        const { values, U, V, iterations } = fl.svdTop(fl.randn(150, 90, { seed: 8000 }), 4, { seed: 8000 });
        return fl.fingerprint(values, U, V, iterations);
      },
    },
  );
  return cases;
}

// ---------------------------------------------------------------------------------------
// Every experiment end to end at tiny size: its fingerprint covers metrics, series and claims.

function experimentCases(): ConformanceCase[] {
  return EXPERIMENTS.map((exp) => ({
    name: `experiment-${exp.id}`,
    run: (fl: Engine) => runExperiment(fl, exp, { overrides: exp.smoke }).fingerprint,
  }));
}

/** Every case, in a fixed order (the order of the golden file). */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...randomCases(),
  ...gemmCases(),
  ...gemvCases(),
  ...mapCases(),
  ...level1Cases(),
  detMathCase(),
  ...linalgCases(),
  ...experimentCases(),
];

/**
 * Runs the cases (all, or those named in `only`) and returns case name → fingerprint. Each
 * case runs in its own scope, so nothing it allocates survives it.
 */
export function runConformance(fl: Engine, options: { only?: readonly string[] } = {}): Record<string, string> {
  let cases = CONFORMANCE_CASES;
  if (options.only) {
    const known = new Set(CONFORMANCE_CASES.map((c) => c.name));
    const unknown = options.only.filter((name) => !known.has(name));
    if (unknown.length > 0) throw new ArgumentError(`runConformance: unknown case(s) ${unknown.join(', ')}`);
    const wanted = new Set(options.only);
    cases = CONFORMANCE_CASES.filter((c) => wanted.has(c.name));
  }
  const out: Record<string, string> = {};
  for (const c of cases) out[c.name] = fl.scope(() => c.run(fl));
  return out;
}
