// The network layer (src/net/) under bad and extreme input (issue 11 items 4, 5, 6, 8, 9):
// degenerate measurements give a FeaturelabError naming the function (never NaN/Infinity),
// results at 1e±200 match the unscaled ones, counts are bounded (no hang), matrices of another
// engine are refused before their pointer is read, and a failed call leaves no live matrix.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DisposedError,
  DTypeError,
  FeaturelabError,
  NonFiniteError,
  absPopulation,
  absPopulationGD,
  alignments,
  applyFunction,
  checkNetwork,
  cka,
  createEngine,
  createNetwork,
  describeFunction,
  empiricalNTK,
  fitMarchenkoPastur,
  forward,
  gaussianInputs,
  gdStep,
  gradients,
  hermiteFeatures,
  hermiteSummary,
  gaussHermite,
  huangStage1,
  huangStage2Step,
  kernelAlignment,
  kernelDistance,
  logSpacedSteps,
  oneStep,
  principalCosines,
  randomUnitVector,
  relativeChange,
  reluPopulation,
  reluPopulationGD,
  ridge,
  sampleBatch,
  spikedPrediction,
  targetAlignment,
  teacherStudentGeometry,
  trainFullBatch,
  twoStep,
  type Engine,
  type TwoLayer,
} from '../../dist/index.js';
import { engine, testArray } from '../helpers.js';

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

const P = 2 ** 700; // ≈ 5e210: squares overflow, exact to scale by
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);
const mat = (seed: number, rows: number, cols: number) => fl.fromArray(testArray(seed, rows * cols), rows, cols);
const net = (): TwoLayer => createNetwork(fl, 4, 6, 'tanh', { kind: 'mean-field' }, { seed: 1, stream: 0 });

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** A FeaturelabError of class `kind` whose message starts with `name:` and matches `pattern`. */
function expectError(fn: () => unknown, kind: new (...args: never[]) => FeaturelabError, name: string, pattern?: RegExp): void {
  const error = thrown(fn);
  expect(error, `${error.constructor.name}: ${error.message}`).toBeInstanceOf(kind);
  expect(error.message.startsWith(`${name}`), error.message).toBe(true);
  if (pattern) expect(error.message).toMatch(pattern);
}

describe('measurements: degenerate input is a named error, extreme magnitudes a correct result (item 4)', () => {
  it('alignments: β = 0 is an error; U and β at 2^±700 give the unscaled alignments', () => {
    fl.scope(() => {
      expectError(() => alignments(fl, mat(1, 5, 2), fl.zeros(5, 1)), ArgumentError, 'alignments', /β is zero/);
      const U = mat(1, 5, 2),
        beta = mat(2, 5, 1);
      const u = U.toArray(),
        b = beta.toArray();
      const want = [0, 1].map(
        (j) =>
          dot(
            [0, 1, 2, 3, 4].map((i) => u[i * 2 + j]!),
            b,
          ) **
            2 /
          dot(b, b),
      );
      for (const [su, sb] of [
        [1, 1],
        [1, P],
        [1, 1 / P],
        [2 ** -300, P],
        [2 ** 300, 1 / P],
      ]) {
        const got = alignments(fl, fl.scale(U, su!), fl.scale(beta, sb!));
        want.forEach((w, j) => expect(Math.abs(got[j]! / su! / su! - w)).toBeLessThan(1e-14 * w));
      }
      // ⟨u, β⟩²/‖β‖² ≈ 2^1400 for u at 2^700 is beyond the double range: an error, not Infinity
      expectError(() => alignments(fl, fl.scale(U, P), beta), NonFiniteError, 'alignments');
    });
  });

  it("ridge: a shift that overflows the Gram matrix's diagonal is a NonFiniteError, not Infinity", () => {
    fl.scope(() => {
      // ΦᵀΦ = 1.69e308 (finite), shift nλ/N = 1e308: the diagonal overflows in either form.
      const Phi = fl.fromArray(Float64Array.of(1.3e154), 1, 1),
        y = fl.fromArray(Float64Array.of(1), 1, 1);
      for (const form of ['primal', 'dual'] as const) {
        expectError(() => ridge(fl, Phi, y, 1e308, form), NonFiniteError, 'ridge', /overflows at \[0, 0\]/);
      }
      expect(Number.isFinite(ridge(fl, Phi, y, 1e300).get(0, 0))).toBe(true);
    });
  });

  it('kernelAlignment / kernelDistance: a zero kernel is an error; 2^±700 kernels give the JS value', () => {
    fl.scope(() => {
      const K1 = mat(3, 4, 4),
        K2 = mat(4, 4, 4);
      expectError(() => kernelAlignment(fl, fl.zeros(4, 4), K2), ArgumentError, 'kernelAlignment', /K1 is zero/);
      expectError(() => kernelDistance(fl, K1, fl.zeros(4, 4)), ArgumentError, 'kernelDistance', /K2 is zero/);
      const a = K1.toArray(),
        b = K2.toArray();
      const want = dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
      for (const [s1, s2] of [
        [P, 1],
        [1 / P, 1],
        [P, 1 / P],
        [P, P],
      ]) {
        expect(Math.abs(kernelAlignment(fl, fl.scale(K1, s1!), fl.scale(K2, s2!)) - want)).toBeLessThan(1e-14);
      }
    });
  });

  it('cka and targetAlignment: constant kernels and labels are errors (even when centring rounds), 2^±700 inputs give the unscaled value', () => {
    fl.scope(() => {
      const G = fl.gram(mat(5, 3, 6)); // 6×6 kernel of rank 3
      // 0.1·11ᵀ centres to rounding noise, not to zero: still refused
      expectError(() => cka(fl, fl.full(6, 6, 0.1), G), ArgumentError, 'cka', /K1 is zero after centring/);
      expectError(() => cka(fl, G, fl.full(6, 6, 0.7)), ArgumentError, 'cka', /K2 is zero after centring/);
      // K_ij = u_i + u_j is constant after centring too
      const u = testArray(6, 6),
        Ku = fl.fromArray(
          Float64Array.from({ length: 36 }, (_, i) => u[Math.floor(i / 6)]! + u[i % 6]!),
          6,
          6,
        );
      expectError(() => cka(fl, Ku, G), ArgumentError, 'cka', /K1 is zero after centring/);
      expectError(() => targetAlignment(fl, G, fl.full(6, 1, 0.3)), ArgumentError, 'targetAlignment', /y is constant/);
      expectError(() => targetAlignment(fl, fl.full(6, 6, 0.3), mat(7, 6, 1)), ArgumentError, 'targetAlignment', /K is zero after centring/);
      const H = fl.gram(mat(8, 4, 6)),
        y = mat(9, 6, 1);
      const ckaRef = cka(fl, G, H),
        taRef = targetAlignment(fl, G, y);
      expect(Number.isFinite(ckaRef) && Number.isFinite(taRef)).toBe(true);
      for (const s of [P, 1 / P]) {
        expect(cka(fl, fl.scale(G, s), H)).toBe(ckaRef);
        expect(targetAlignment(fl, fl.scale(G, s), fl.scale(y, s))).toBe(taRef);
      }
    });
  });

  it('relativeChange: M0 = 0 is an error; ±1e308 entries (difference overflows) give the JS value 2', () => {
    fl.scope(() => {
      expectError(() => relativeChange(fl, fl.eye(3), fl.zeros(3, 3)), ArgumentError, 'relativeChange', /M0 is zero/);
      expect(relativeChange(fl, fl.full(3, 3, 1e308), fl.full(3, 3, -1e308))).toBe(2);
      const A = mat(10, 3, 4),
        B = mat(11, 3, 4);
      const d = Array.from(A.toArray(), (x, i) => x - B.toArray()[i]!),
        b = B.toArray();
      const want = Math.sqrt(dot(d, d) / dot(b, b));
      expect(Math.abs(relativeChange(fl, fl.scale(A, 1 / P), fl.scale(B, 1 / P)) - want)).toBeLessThan(1e-14 * want);
    });
  });

  it('teacherStudentGeometry: a zero teacher or student is an error; students at 2^700 keep their angles and report their norms', () => {
    fl.scope(() => {
      const W = mat(12, 5, 3),
        V = mat(13, 2, 3);
      expectError(() => teacherStudentGeometry(fl, W, fl.zeros(2, 3)), ArgumentError, 'teacherStudentGeometry', /teacher 0 .* is zero/);
      expectError(() => teacherStudentGeometry(fl, fl.zeros(5, 3), V), ArgumentError, 'teacherStudentGeometry', /student 0 .* is zero/);
      const ref = teacherStudentGeometry(fl, W, V);
      const big = teacherStudentGeometry(fl, fl.scale(W, P), V);
      expect(Array.from(big.angles)).toEqual(Array.from(ref.angles));
      expect(Array.from(big.norms)).toEqual(Array.from(ref.norms, (x) => x * P));
      expect(Array.from(big.balance)).toEqual(Array.from(ref.balance, (x) => x * P));
      const w = W.toArray();
      ref.norms.forEach((x, i) => expect(Math.abs(x - Math.hypot(w[3 * i]!, w[3 * i + 1]!, w[3 * i + 2]!))).toBeLessThan(1e-15));
    });
  });

  it('fitMarchenkoPastur: NaN/Infinity/unsorted values and bad sizes are errors; σ² beyond the double range too', () => {
    const s = Float64Array.from([3, 1, 0.9, 0.8]);
    expectError(() => fitMarchenkoPastur(Float64Array.from([NaN]), 4, 8), ArgumentError, 'fitMarchenkoPastur', /finite/);
    expectError(() => fitMarchenkoPastur(Float64Array.from([Infinity, 1]), 4, 8), ArgumentError, 'fitMarchenkoPastur', /finite/);
    expectError(() => fitMarchenkoPastur(s, NaN, 8), ArgumentError, 'fitMarchenkoPastur', /p must be an integer/);
    expectError(() => fitMarchenkoPastur(s, 4, undefined as never), ArgumentError, 'fitMarchenkoPastur', /q must be an integer/);
    expectError(
      () =>
        fitMarchenkoPastur(
          s.map((x) => x * 2 ** 600),
          4,
          8,
        ),
      NonFiniteError,
      'fitMarchenkoPastur',
      /σ²/,
    );
    // at 2^-530 the squares are subnormal (bits lost before): the fit now scales exactly
    const ref = fitMarchenkoPastur(s, 4, 8),
      small = fitMarchenkoPastur(
        s.map((x) => x * 2 ** -530),
        4,
        8,
      );
    expect(small.outliers).toBe(ref.outliers);
    expect(small.edge).toBe(ref.edge * 2 ** -530);
    // at 2^-600, σ² ≈ 2^-1200 underflows to zero: an error rather than a silent σ² = 0
    expectError(
      () =>
        fitMarchenkoPastur(
          s.map((x) => x * 2 ** -600),
          4,
          8,
        ),
      ArgumentError,
      'fitMarchenkoPastur',
      /underflows/,
    );
  });

  it('principalCosines, hermiteFeatures, spikedPrediction, huangStage1/2: degenerate or overflowing input is a named error', () => {
    fl.scope(() => {
      expectError(() => principalCosines(fl, fl.zeros(6, 2), mat(14, 6, 2)), ArgumentError, 'principalCosines', /linearly dependent/);
      expectError(() => hermiteFeatures(fl, mat(15, 10, 4), fl.zeros(4, 1), 3), ArgumentError, 'hermiteFeatures', /b is zero/);
      const huge = spikedPrediction(1e300, 10, 20); // t² overflows: the limit ⟨û, u⟩² → 1, s1 ≈ s0·t
      expect(huge.alignmentU).toBe(1);
      expect(Math.abs(huge.s1 / (Math.sqrt(2) * huge.t) - 1)).toBeLessThan(1e-15);
      expectError(() => huangStage1(fl, 1e6, { a: 0.1, F: 0.1, v0: 0.1, gamma: 1 }), NonFiniteError, 'huangStage1');
      expectError(() => huangStage2Step(0.5, {} as never), ArgumentError, 'huangStage2Step', /p\.eta/);
      expectError(() => huangStage2Step(NaN, { eta: 1, gamma: 1, phi: 1, n: 1, m: 1 }), ArgumentError, 'huangStage2Step', /rho/);
    });
  });

  it('reluPopulation: the loss and gradient at 2^−600 are the unscaled ones scaled back (the norms underflowed before)', () => {
    fl.scope(() => {
      const W = mat(16, 4, 3),
        V = mat(17, 2, 3);
      const ref = reluPopulation(fl, W, V);
      const tiny = reluPopulation(fl, fl.scale(W, 2 ** -600), fl.scale(V, 2 ** -600));
      expect(Array.from(tiny.grad.toArray())).toEqual(Array.from(ref.grad.toArray(), (x) => x * 2 ** -600));
    });
  });
});

/** Runs `body` (an expression using `L` = the package and `fl` = an engine) in a worker, timing out after 10 s. */
async function isolated(body: string): Promise<string> {
  const dist = new URL('../../dist/index.js', import.meta.url).href;
  const code = `import { parentPort } from 'node:worker_threads';
    const L = await import(${JSON.stringify(dist)});
    const fl = await L.createEngine({ threads: 1 });
    try { ${body}; parentPort.postMessage('returned'); }
    catch (e) { parentPort.postMessage(e.constructor.name + ': ' + e.message); }`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('timeout'), 10_000);
      worker.on('message', (m) => {
        clearTimeout(timer);
        resolve(m as string);
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } finally {
    await worker.terminate();
  }
}

describe('counts are bounded: no hang (item 5)', () => {
  const net = `L.createNetwork(fl, 4, 6, 'tanh', { kind: 'mean-field' }, { seed: 1, stream: 0 })`;
  const cases: [string, string][] = [
    ['logSpacedSteps', `L.logSpacedSteps(fl, 100, Infinity)`],
    ['trainFullBatch', `L.trainFullBatch(fl, ${net}, fl.randn(10, 4), fl.randn(10, 1), 0, { etaW: 0.1, points: 1e12 })`],
    ['trainOnline', `L.trainOnline(fl, ${net}, () => ({ X: fl.randn(8, 4), y: fl.randn(8, 1) }), 0, { etaW: 0.1, points: Infinity })`],
    ['reluPopulationGD', `L.reluPopulationGD(fl, fl.randn(4, 3), fl.randn(2, 3), 0.01, 5, { points: Infinity })`],
    ['absPopulationGD', `L.absPopulationGD(fl, fl.randn(4, 3), fl.randn(4, 1), fl.randn(2, 3), fl.randn(2, 1), 0, 0.01, 5, { points: 1e12 })`],
    ['sqrtFactorial', `L.sqrtFactorial(Infinity)`],
  ];
  for (const [name, call] of cases) {
    it(`${name} refuses an unbounded count`, async () => {
      expect(await isolated(call)).toMatch(new RegExp(`^ArgumentError: ${name}: .*must be an integer`));
    }, 20_000);
  }
  it('logSpacedSteps keeps its grid for valid counts and bounds T', () => {
    const grid = [...new Set([0, 10, ...[0, 1, 2, 3].map((i) => Math.round(Math.expm1((Math.log1p(10) * i) / 3)))])].sort((x, y) => x - y);
    expect(logSpacedSteps(fl, 10, 4)).toEqual(grid);
    expectError(() => logSpacedSteps(fl, 1e300, 10), ArgumentError, 'logSpacedSteps', /T must be an integer/);
    expectError(() => logSpacedSteps(fl, 10, 0), ArgumentError, 'logSpacedSteps', /points must be an integer/);
  });
});

describe('matrices of another engine, disposed or of the wrong dtype never reach a kernel (item 6)', () => {
  it('population functions, empiricalNTK, gradients and applyFunction refuse them by name', () => {
    fl.scope(() => {
      const W = mat(20, 4, 3),
        V = mat(21, 2, 3),
        a = mat(22, 4, 1),
        as = mat(23, 2, 1);
      const foreign = (rows: number, cols: number) => other.fromArray(testArray(24, rows * cols), rows, cols);
      expectError(() => reluPopulation(fl, foreign(4, 3), V), ArgumentError, 'reluPopulation', /another engine/);
      expectError(() => reluPopulation(fl, W, foreign(2, 3)), ArgumentError, 'reluPopulation', /another engine/);
      expectError(() => reluPopulationGD(fl, foreign(4, 3), V, 0.1, 3), ArgumentError, 'reluPopulationGD', /another engine/);
      expectError(() => absPopulation(fl, W, foreign(4, 1), V, as, 0), ArgumentError, 'absPopulation', /another engine/);
      expectError(() => absPopulationGD(fl, W, a, V, foreign(2, 1), 0, 0.1, 3), ArgumentError, 'absPopulationGD', /another engine/);
      const n = net();
      const Xp = mat(25, 5, 4);
      expectError(() => empiricalNTK(fl, { ...n, a: foreign(6, 1) }, Xp), ArgumentError, 'empiricalNTK', /net\.a.*another engine/);
      expectError(() => gradients(fl, { ...n, a: foreign(6, 1) }, Xp, mat(26, 5, 1)), ArgumentError, 'gradients', /another engine/);
      expectError(() => checkNetwork({ ...n, W: foreign(4, 6) }, undefined, 'mine', fl), ArgumentError, 'mine', /net\.W.*another engine/);
      expectError(() => checkNetwork({ ...n, a: foreign(6, 1) }, undefined, 'mine'), ArgumentError, 'mine', /net\.a.*another engine/);
      expectError(() => applyFunction(fl, { polynomial: [0, 1] }, foreign(2, 2)), ArgumentError, 'applyFunction', /another engine/);
      const dead = mat(27, 2, 3);
      dead.dispose();
      expectError(() => reluPopulation(fl, W, dead), DisposedError, 'reluPopulation');
      expectError(() => absPopulation(fl, W, a, V, fl.astype(as, 'f32'), 0), DTypeError, 'absPopulation', /as must be f64/);
    });
  });
});

describe('bad arguments are FeaturelabErrors naming the function and argument (item 8)', () => {
  it('null options, missing arguments, bogus enums and unknown keys', () => {
    fl.scope(() => {
      const n = net();
      const X = mat(30, 10, 4),
        y = mat(31, 10, 1);
      const target = { kind: 'linear', beta: mat(32, 4, 1) } as const;
      const cases: [string, () => unknown, RegExp][] = [
        ['twoStep', () => twoStep(fl, n, { X, y }, 'bogus' as never, 1, 1), /second must be a batch/],
        ['ridge', () => ridge(fl, mat(33, 10, 6), y, 0.1, 'bogus' as never), /form must be one of/],
        ['sampleBatch', () => sampleBatch(fl, target, 10, 4, null as never), /options/],
        ['sampleBatch', () => sampleBatch(fl, target, 10, 4, { seed: 1, stream: 0, nois: 0.1 } as never), /did you mean 'noise'/],
        ['gaussianInputs', () => gaussianInputs(fl, 5, 4, undefined as never), /options \{ seed, stream \} are required/],
        ['randomUnitVector', () => randomUnitVector(fl, 4, { seed: null, stream: 0 } as never), /seed/],
        ['createNetwork', () => createNetwork(fl, 4, 6, 'tanh', null as never, { seed: 1, stream: 0 }), /param must be an object/],
        [
          'createNetwork',
          () => createNetwork(fl, 4, 6, 'tanh', { kind: 'mean-field', sphere: 'yes' } as never, { seed: 1, stream: 0 }),
          /sphere must be true or false/,
        ],
        ['forward', () => forward(fl, n, undefined as never), /X must be a Matrix/],
        ['forward', () => forward(fl, null as never, X), /net must be an object/],
        ['forward', () => forward(null as never, n, X), /fl must be an engine/],
        ['gdStep', () => gdStep(fl, n, X, y, undefined as never), /options \{ etaW, … \} are required/],
        ['gdStep', () => gdStep(fl, n, X, y, { etaW: 0.1, eta: 1 } as never), /unknown option 'eta'/],
        ['oneStep', () => oneStep(fl, n, { X, y }, 0.1, { scaleByWidth: 'no' } as never), /scaleByWidth must be true or false/],
        ['trainFullBatch', () => trainFullBatch(fl, n, X, y, 3, { etaW: 0.1, record: 'x' } as never), /record must be a function/],
        ['empiricalNTK', () => empiricalNTK(fl, n, X, null as never), /options must be an object/],
        ['teacherStudentGeometry', () => teacherStudentGeometry(fl, mat(34, 3, 2), mat(35, 2, 2), { lins: true } as never), /did you mean 'lines'/],
        ['hermiteSummary', () => hermiteSummary(fl, gaussHermite(fl, 20), 'tanh', { tol: Infinity }), /tol must be a positive finite number/],
        ['describeFunction', () => describeFunction(null as never), /expected an activation name/],
        ['spikedPrediction', () => spikedPrediction(1, 10, Infinity), /N must be a positive finite number/],
      ];
      for (const [name, call, pattern] of cases) {
        const error = thrown(call);
        expect(error, `${name}: ${error.constructor.name}: ${error.message}`).toBeInstanceOf(FeaturelabError);
        expect(error.message.startsWith(name), error.message).toBe(true);
        expect(error.message).toMatch(pattern);
      }
    });
  });

  it('twoStep checks the second batch before the first step: a bad call leaves the network untouched', () => {
    fl.scope(() => {
      const n = net();
      const before = fl.fingerprint(n.W);
      const { X, y } = sampleBatch(fl, { kind: 'linear', beta: mat(36, 4, 1) }, 10, 4, { seed: 1, stream: 0 });
      expect(() => twoStep(fl, n, { X, y }, { X: mat(37, 10, 3), y }, 1, 1)).toThrow(FeaturelabError);
      expect(fl.fingerprint(n.W)).toBe(before);
    });
  });
});

describe('a failed call leaves no live matrix (item 9)', () => {
  it('memoryStats is unchanged after each failing call', async () => {
    const fresh = await createEngine({ threads: 1 });
    try {
      const W = fresh.randn(4, 3, { seed: 1 }),
        V = fresh.randn(2, 3, { seed: 2 }),
        a = fresh.randn(4, 1, { seed: 3 });
      const dead = fresh.randn(2, 1, { seed: 4 });
      dead.dispose();
      const deadV = fresh.randn(2, 3, { seed: 5 });
      deadV.dispose();
      // each entry builds its arguments, then returns the call to measure
      const calls: [string, () => () => unknown][] = [
        ['randomUnitVector d = 0', () => () => randomUnitVector(fresh, 0, { seed: 1, stream: 0 })],
        ['reluPopulation disposed V', () => () => reluPopulation(fresh, W, deadV)],
        ['absPopulation disposed a*', () => () => absPopulation(fresh, W, a, V, dead, 0)],
        [
          'absPopulationGD bad points',
          () => {
            const as = fresh.randn(2, 1);
            return () => absPopulationGD(fresh, W, a, V, as, 0, 0.1, 3, { points: -1 });
          },
        ],
        ['sampleBatch bad noise', () => () => sampleBatch(fresh, { kind: 'linear', beta: V }, 10, 3, { seed: 1, stream: 0, noise: NaN })],
        [
          'hermiteFeatures b = 0',
          () => {
            const X = fresh.randn(5, 3),
              b = fresh.zeros(3, 1);
            return () => hermiteFeatures(fresh, X, b, 2);
          },
        ],
        [
          'forward X of another engine',
          () => {
            const n = createNetwork(fresh, 3, 4, 'tanh', { kind: 'ntk' }, { seed: 1, stream: 0 });
            const X = other.randn(5, 3);
            return () => forward(fresh, n, X);
          },
        ],
      ];
      for (const [what, prepare] of calls) {
        const call = prepare();
        const before = fresh.memoryStats();
        expect(call, what).toThrow(FeaturelabError);
        const after = fresh.memoryStats();
        expect([after.liveMatrices, after.bytesInUse], what).toEqual([before.liveMatrices, before.bytesInUse]);
      }
    } finally {
      fresh.dispose();
    }
  });
});
