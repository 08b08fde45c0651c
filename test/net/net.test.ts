import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DivergenceError,
  absPopulation,
  absPopulationGD,
  alignments,
  oneStep,
  twoStep,
  trainOnline,
  hermiteFeatures,
  features,
  studentsOf,
  cka,
  createNetwork,
  empiricalNTK,
  expectation,
  fitMarchenkoPastur,
  forward,
  gaussHermite,
  gdStep,
  gradients,
  hermiteSummary,
  huangStage1,
  kernelAlignment,
  marchenkoPastur,
  predictedSpikes,
  predictedTwoStepOutliers,
  principalCosines,
  randomUnitVector,
  reluNtkInfinite,
  reluPopulation,
  reluPopulationGD,
  ridge,
  sampleBatch,
  spectrum,
  spikedPrediction,
  targetAlignment,
  teacherStudentGeometry,
  trainFullBatch,
  type Engine,
  type Matrix,
  type ScalarFunction,
  type TwoLayer,
} from '../../dist/index.js';
import { engine, expectGoldens, fixture, testArray } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

/** L(W, a) = (1/2n)‖f − y‖² evaluated for a perturbed copy of the network. */
function lossAt(net: TwoLayer, X: Matrix, y: Matrix): number {
  return fl.scope(() => {
    const { f } = forward(fl, net, X);
    const r = fl.axpy(-1, y, fl.copy(f));
    return fl.dot(r, r) / (2 * X.rows);
  });
}

describe('two-layer network: gradients', () => {
  const activations: ScalarFunction[] = ['tanh', 'erf', 'softplus', 'sigmoid', { hermiteNormalized: 3 }, { polynomial: [0.1, -0.5, 0.25, 0.2] }, 'relu'];
  for (const activation of activations) {
    it(`match central finite differences (${JSON.stringify(activation)})`, () => {
      fl.scope(() => {
        const [n, d, N] = [9, 5, 4];
        const net = createNetwork(fl, d, N, activation, { kind: 'mean-field' }, { seed: 3, stream: 0 });
        const { X, y } = sampleBatch(fl, { kind: 'single-index', link: 'tanh', beta: randomUnitVector(fl, d, { seed: 3, stream: 9 }) }, n, d, {
          seed: 3,
          stream: 4,
          noise: 0.1,
        });
        const g = gradients(fl, net, X, y);
        const gW = g.gW.toArray(),
          ga = g.ga.toArray();
        const h = 1e-6;
        const W0 = net.W.toArray(),
          a0 = net.a.toArray();
        for (let idx = 0; idx < d * N; idx++) {
          const plus = Float64Array.from(W0),
            minus = Float64Array.from(W0);
          plus[idx] += h;
          minus[idx] -= h;
          const fd = (lossAt({ ...net, W: fl.fromArray(plus, d, N) }, X, y) - lossAt({ ...net, W: fl.fromArray(minus, d, N) }, X, y)) / (2 * h);
          expect(Math.abs(fd - gW[idx]!), `∂L/∂W[${idx}]`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
        }
        for (let j = 0; j < N; j++) {
          const plus = Float64Array.from(a0),
            minus = Float64Array.from(a0);
          plus[j] += h;
          minus[j] -= h;
          const fd = (lossAt({ ...net, a: fl.fromArray(plus, N, 1) }, X, y) - lossAt({ ...net, a: fl.fromArray(minus, N, 1) }, X, y)) / (2 * h);
          expect(Math.abs(fd - ga[j]!), `∂L/∂a[${j}]`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
        }
        expect(Math.abs(g.loss - lossAt(net, X, y))).toBeLessThan(1e-15);
      });
    });
  }
});

describe('two-layer network: gradients against numpy', () => {
  it('tanh network, s = 1/√N: loss and both gradients to 1e-14 relative', () => {
    const fx = fixture<{ n: number; d: number; N: number; loss: number; gW: number[]; ga: number[] }>('net.json');
    fl.scope(() => {
      const { n, d, N } = fx;
      const X = fl.fromArray(testArray(60, n * d), n, d);
      const W = fl.scale(fl.fromArray(testArray(61, d * N), d, N), 1 / Math.sqrt(d));
      const a = fl.scale(fl.fromArray(testArray(62, N), N, 1), 1 / Math.sqrt(N));
      const y = fl.fromArray(testArray(63, n), n, 1);
      const g = gradients(fl, { W, a, scale: 1 / Math.sqrt(N), activation: 'tanh' }, X, y);
      expect(Math.abs(g.loss - fx.loss)).toBeLessThan(1e-14 * fx.loss);
      const gW = g.gW.toArray(),
        ga = g.ga.toArray();
      const scale = Math.max(...fx.gW.map(Math.abs), ...fx.ga.map(Math.abs));
      fx.gW.forEach((v, i) => expect(Math.abs(gW[i]! - v)).toBeLessThan(1e-14 * scale));
      fx.ga.forEach((v, i) => expect(Math.abs(ga[i]! - v)).toBeLessThan(1e-14 * scale));
    });
  });
});

describe('population teacher–student closed forms', () => {
  it('ReLU loss and gradient agree with Monte Carlo (4·10^5 samples, 5 standard errors)', () => {
    fl.scope(() => {
      const [m, k, d, S] = [3, 2, 4, 400_000];
      const W = fl.scale(fl.randn(m, d, { seed: 5 }), 0.7);
      const V = fl.fromArray(new Float64Array([1, 0, 0, 0, 0, 1, 0, 0]), k, d);
      const { loss, grad } = reluPopulation(fl, W, V);
      const X = fl.randn(S, d, { seed: 6 });
      const f = fl.sumRows(fl.map(fl.matmul(X, W, { transB: true }), 'relu'));
      const fs = fl.sumRows(fl.map(fl.matmul(X, V, { transB: true }), 'relu'));
      const r = fl.axpy(-1, fs, fl.copy(f)); // f − f*
      const r2 = fl.hadamard(r, r);
      const mcLoss = fl.sum(r2) / (2 * S);
      const se = Math.sqrt((fl.dot(r2, r2) / S - (2 * mcLoss) ** 2) / S) / 2;
      expect(Math.abs(mcLoss - loss)).toBeLessThan(5 * se);
      // ∇_{w_i} = E[(f − f*)·1{w_iᵀx > 0}·x]
      const act = fl.map(fl.matmul(X, W, { transB: true }), 'relu', { derivative: true }); // S×m indicators
      const weighted = fl.hadamard(act, fl.matmul(r, fl.full(1, m, 1))); // (f − f*)·1{…}
      const mcGrad = fl.matmul(weighted, X, { transA: true, alpha: 1 / S }).toArray(); // m×d
      const g = grad.toArray();
      for (let i = 0; i < m * d; i++) expect(Math.abs(mcGrad[i]! - g[i]!)).toBeLessThan(0.02);
    });
  });

  it('ReLU gradient is the derivative of the (stable-form) loss; tiny angles stay accurate', () => {
    fl.scope(() => {
      const [m, k, d] = [4, 2, 3];
      const W = fl.scale(fl.randn(m, d, { seed: 8 }), 0.5);
      const V = fl.randn(k, d, { seed: 9 });
      const g = reluPopulation(fl, W, V).grad.toArray();
      const w0 = W.toArray();
      const h = 1e-6;
      for (let idx = 0; idx < m * d; idx++) {
        const p = Float64Array.from(w0),
          q = Float64Array.from(w0);
        p[idx] += h;
        q[idx] -= h;
        const fd = (reluPopulation(fl, fl.fromArray(p, m, d), V).loss - reluPopulation(fl, fl.fromArray(q, m, d), V).loss) / (2 * h);
        expect(Math.abs(fd - g[idx]!)).toBeLessThan(1e-7);
      }
      // a student exactly on its teacher, another 1e-5 rad off: loss ~ O(θ³), no cancellation noise
      const Vt = fl.fromArray(new Float64Array([1, 0, 0]), 1, 3);
      const Wt = fl.fromArray(new Float64Array([0.5, 0, 0, 0.5, 5e-6, 0]), 2, 3);
      // L = ¼‖Σw − v‖² + O(θ³) = 6.25e-12 + O(1e-16): the ψ form keeps every digit
      const l = reluPopulation(fl, Wt, Vt).loss;
      expect(Math.abs(l - 6.25e-12)).toBeLessThan(1e-15);
    });
  });

  it('absolute-value loss agrees with Monte Carlo and its gradients with finite differences', () => {
    fl.scope(() => {
      const [m, k, d, S] = [3, 2, 3, 400_000];
      const W = fl.randn(m, d, { seed: 10 }),
        a = fl.randn(m, 1, { seed: 11 });
      const Ws = fl.randn(k, d, { seed: 12 }),
        as = fl.randn(k, 1, { seed: 13 });
      const lambda = 0.01;
      const { loss, gW, ga } = absPopulation(fl, W, a, Ws, as, lambda);
      const X = fl.randn(S, d, { seed: 14 });
      const f = fl.matmul(fl.map(fl.matmul(X, W, { transB: true }), 'abs'), a);
      const fs = fl.matmul(fl.map(fl.matmul(X, Ws, { transB: true }), 'abs'), as);
      const r = fl.axpy(-1, fs, fl.copy(f));
      const r2 = fl.hadamard(r, r);
      const reg = (lambda / 2) * (fl.dot(a, a) + fl.dot(W, W));
      const mc = fl.sum(r2) / (2 * S) + reg;
      const se = Math.sqrt((fl.dot(r2, r2) / S - (fl.sum(r2) / S) ** 2) / S) / 2;
      expect(Math.abs(mc - loss)).toBeLessThan(5 * se);
      const h = 1e-6,
        w0 = W.toArray(),
        a0 = a.toArray(),
        g = gW.toArray(),
        gav = ga.toArray();
      for (let idx = 0; idx < m * d; idx++) {
        const p = Float64Array.from(w0),
          q = Float64Array.from(w0);
        p[idx] += h;
        q[idx] -= h;
        const fd =
          (absPopulation(fl, fl.fromArray(p, m, d), a, Ws, as, lambda).loss - absPopulation(fl, fl.fromArray(q, m, d), a, Ws, as, lambda).loss) / (2 * h);
        expect(Math.abs(fd - g[idx]!)).toBeLessThan(1e-6);
      }
      for (let j = 0; j < m; j++) {
        const p = Float64Array.from(a0),
          q = Float64Array.from(a0);
        p[j] += h;
        q[j] -= h;
        const fd =
          (absPopulation(fl, W, fl.fromArray(p, m, 1), Ws, as, lambda).loss - absPopulation(fl, W, fl.fromArray(q, m, 1), Ws, as, lambda).loss) / (2 * h);
        expect(Math.abs(fd - gav[j]!)).toBeLessThan(1e-6);
      }
    });
  });
});

describe('theory', () => {
  it('Gauss–Hermite quadrature: moments, Stein identity, erf identity', () => {
    const q = gaussHermite(fl, 100);
    expect(Math.abs(expectation(fl, q, { polynomial: [0, 0, 0, 0, 1] }) - 3)).toBeLessThan(1e-12);
    expect(Math.abs(expectation(fl, q, { polynomial: [0, 0, 0, 0, 0, 0, 1] }) - 15)).toBeLessThan(1e-11);
    // Stein: E[z·tanh z] = E[tanh′ z]
    expect(Math.abs(expectation(fl, q, 'identity', 'tanh') - expectation(fl, q, { polynomial: [1] }, 'tanh'))).toBeGreaterThan(0);
    const stein =
      expectation(fl, q, 'identity', 'tanh') -
      fl.scope(() => fl.dot(fl.map(fl.fromArray(q.nodes, 100, 1), 'tanh', { derivative: true }), fl.fromArray(q.weights, 100, 1)));
    expect(Math.abs(stein)).toBeLessThan(1e-10);
    // E erf(a + ξ) = erf(a/√3)
    for (const a of [-1.3, 0.2, 2.0]) {
      const lhs = fl.scope(() => {
        const shifted = fl.axpy(a, fl.full(100, 1, 1), fl.fromArray(q.nodes, 100, 1));
        return fl.dot(fl.map(shifted, 'erf'), fl.fromArray(q.weights, 100, 1));
      });
      expect(Math.abs(lhs - fl.math.erf(a / Math.sqrt(3)))).toBeLessThan(1e-9);
    }
  });

  it('Hermite summaries: relu, tanh, He_3/√6 (μ values, information exponent, kernel bound)', () => {
    const q = gaussHermite(fl, 150);
    const relu = hermiteSummary(fl, q, 'relu');
    // relu's kink at 0 limits any Gauss rule to algebraic convergence: 150 nodes give ~1e-3
    expect(Math.abs(relu.mu0 - 1 / Math.sqrt(2 * Math.PI))).toBeLessThan(3e-3);
    expect(Math.abs(relu.mu1 - 0.5)).toBeLessThan(3e-3);
    expect(Math.abs(relu.secondMoment - 0.5)).toBeLessThan(3e-3);
    expect(relu.informationExponent).toBe(1);
    const he3 = hermiteSummary(fl, q, { hermiteNormalized: 3 });
    expect(he3.informationExponent).toBe(3);
    expect(Math.abs(he3.kernelLowerBound - 1)).toBeLessThan(1e-10);
    const tanh = hermiteSummary(fl, q, 'tanh');
    expect(tanh.informationExponent).toBe(1);
    expect(Math.abs(tanh.mu0)).toBeLessThan(1e-14);
  });

  it('random-matrix formulas and spike counts', () => {
    const mp = marchenkoPastur(0.5);
    expect(mp.lower).toBeCloseTo((1 - Math.sqrt(0.5)) ** 2, 14);
    expect(mp.upper).toBeCloseTo((1 + Math.sqrt(0.5)) ** 2, 14);
    expect(mp.density(mp.upper + 1)).toBe(0);
    expect(predictedSpikes(0.15)).toBe(1);
    expect(predictedSpikes(0.3)).toBe(2);
    expect(predictedSpikes(0.36)).toBe(3);
    expect(predictedTwoStepOutliers(0.2, 0.35)).toBe(1);
    // thresholds are inclusive, also for decimal inputs that land on them
    expect(predictedSpikes(1 / 3)).toBe(3);
    expect(predictedSpikes(0.25)).toBe(2);
    expect(predictedTwoStepOutliers(0.35, 0.3)).toBe(2);
    expect(predictedTwoStepOutliers(1 / 6, 1 / 3)).toBe(1);
    expect(() => huangStage1(fl, 1, { a: 0, F: 0, v0: 1, gamma: 1 })).toThrow(/a = η√γ\/\(nm\) must be in \(0, 1\)/);
    expect(() => spikedPrediction(NaN, 10, 20)).toThrow(/theta must be a finite number/);
    expect(() => predictedSpikes(0.5)).toThrow(/alpha must be in \[0, 0.5\)/);
    const below = spikedPrediction(0.1, 1000, 2000);
    expect(below.alignmentU).toBe(0);
    expect(below.s1).toBeCloseTo(Math.sqrt(2) * (1 + Math.sqrt(0.5)), 12);
    const above = spikedPrediction(5, 1000, 2000);
    expect(above.s1).toBeGreaterThan(below.s1);
    expect(above.alignmentU).toBeGreaterThan(0.9);
    const h0 = huangStage1(fl, 0, { a: 0.01, F: 0.001, v0: 0.5, gamma: 4 });
    expect(h0.v).toBe(0.5);
    expect(Math.abs(h0.rho)).toBeLessThan(1e-15);
  });

  it('spectrum: a planted spike is one outlier above the fitted edge; pure noise has none', () => {
    fl.scope(() => {
      const [p, q] = [200, 400];
      const Z = fl.scale(fl.randn(p, q, { seed: 20 }), 1 / Math.sqrt(q));
      expect(spectrum(fl, Z).outliers).toBe(0);
      const u = randomUnitVector(fl, p, { seed: 20, stream: 1 }),
        v = randomUnitVector(fl, q, { seed: 20, stream: 2 });
      const S = fl.axpy(1, fl.matmul(u, v, { transB: true, alpha: 4 }), fl.copy(Z));
      const s = spectrum(fl, S);
      expect(s.outliers).toBe(1);
      expect(Math.abs(s.edge - (1 + Math.sqrt(0.5))) / s.edge).toBeLessThan(0.05);
      expect(fitMarchenkoPastur(s.values, p, q).outliers).toBe(1);
    });
  });
});

describe('measurements', () => {
  it('empirical NTK equals J·Jᵀ of the explicit Jacobian', () => {
    fl.scope(() => {
      const [p, d, N] = [5, 3, 4];
      const net = createNetwork(fl, d, N, 'tanh', { kind: 'ntk' }, { seed: 30, stream: 0 });
      const Xp = fl.randn(p, d, { seed: 31 });
      const K = empiricalNTK(fl, net, Xp).toArray();
      const x = Xp.toArray(),
        W = net.W.toArray(),
        a = net.a.toArray(),
        s = net.scale;
      const J: number[][] = [];
      for (let i = 0; i < p; i++) {
        const row: number[] = [];
        for (let j = 0; j < N; j++) {
          let z = 0;
          for (let t = 0; t < d; t++) z += x[i * d + t]! * W[t * N + j]!;
          const th = Math.tanh(z);
          row.push(s * th); // ∂f/∂a_j
          for (let t = 0; t < d; t++) row.push(s * a[j]! * (1 - th * th) * x[i * d + t]!); // ∂f/∂W_tj
        }
        J.push(row);
      }
      for (let i = 0; i < p; i++)
        for (let k = 0; k < p; k++) {
          const want = J[i]!.reduce((acc, v, c) => acc + v * J[k]![c]!, 0);
          expect(Math.abs(K[i * p + k]! - want)).toBeLessThan(1e-12);
        }
      expect(Math.abs(kernelAlignment(fl, empiricalNTK(fl, net, Xp), empiricalNTK(fl, net, Xp)) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(cka(fl, empiricalNTK(fl, net, Xp), empiricalNTK(fl, net, Xp)) - 1)).toBeLessThan(1e-12);
      // the two layers' parts add up to the whole
      const both = empiricalNTK(fl, net, Xp),
        first = empiricalNTK(fl, net, Xp, { layers: 'first' }),
        second = empiricalNTK(fl, net, Xp, { layers: 'second' });
      expect(fl.norm(fl.axpy(-1, both, fl.axpy(1, first, fl.copy(second))), 'max')).toBeLessThan(1e-14);
      const inf = reluNtkInfinite(fl, Xp, Xp);
      expect([inf.rows, inf.cols]).toEqual([p, p]);
      const y = fl.randn(p, 1, { seed: 32 });
      expect(Math.abs(targetAlignment(fl, empiricalNTK(fl, net, Xp), y))).toBeLessThanOrEqual(1);
    });
  });

  it('ridge: primal and dual agree and the objective is stationary', () => {
    fl.scope(() => {
      const [n, N, lambda] = [30, 12, 0.1];
      const Phi = fl.randn(n, N, { seed: 40 }),
        y = fl.randn(n, 1, { seed: 41 });
      const primal = ridge(fl, Phi, y, lambda, 'primal'),
        dual = ridge(fl, Phi, y, lambda, 'dual');
      const p = primal.toArray(),
        q = dual.toArray();
      for (let j = 0; j < N; j++) expect(Math.abs(p[j]! - q[j]!)).toBeLessThan(1e-12);
      // (1/n)Φᵀ(Φâ − y) + (λ/N)â = 0
      const r = fl.axpy(-1, y, fl.matmul(Phi, primal));
      const g = fl.axpy(lambda / N, primal, fl.gemv(Phi, r, { trans: true, alpha: 1 / n }));
      expect(fl.norm(g, 'max')).toBeLessThan(1e-13);
      expect(() => ridge(fl, Phi, y, 0)).toThrow(/lambda must be a positive/);
    });
  });

  it('Hermite features, readout features and the student layout helpers', () => {
    fl.scope(() => {
      const X = fl.randn(2000, 5, { seed: 60 });
      const b = fl.fromArray(new Float64Array([0, 2, 0, 0, 0]), 5, 1);
      const F = hermiteFeatures(fl, X, b, 3);
      expect([F.rows, F.cols]).toEqual([2000, 3]);
      // columns are He_k(x_2)/√k!: nearly orthonormal under the empirical measure (1/n)FᵀF ≈ I
      const G = fl.scale(fl.gram(F), 1 / 2000).toArray();
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(G[i * 3 + j]! - (i === j ? 1 : 0))).toBeLessThan(0.15);
      const net = createNetwork(fl, 5, 7, 'tanh', { kind: 'mean-field', sphere: true }, { seed: 61, stream: 0 });
      for (const v of fl.sumCols(fl.hadamard(net.W, net.W)).toArray()) expect(Math.abs(v - 1)).toBeLessThan(1e-14);
      const Phi = features(fl, net, X);
      expect(fl.norm(fl.axpy(-net.scale, forward(fl, net, X).H, fl.copy(Phi)), 'max')).toBe(0);
      expect([studentsOf(fl, net).rows, studentsOf(fl, net).cols]).toEqual([7, 5]);
    });
  });

  it('alignments, principal angles and teacher–student geometry', () => {
    fl.scope(() => {
      const A = fl.randn(20, 3, { seed: 50 });
      const B = fl.matmul(A, fl.randn(3, 3, { seed: 51 }));
      for (const c of principalCosines(fl, A, B)) expect(Math.abs(c - 1)).toBeLessThan(1e-12);
      const e1 = fl.fromArray(new Float64Array([1, 0, 0]), 3, 1),
        e2 = fl.fromArray(new Float64Array([0, 1, 0]), 3, 1);
      expect(principalCosines(fl, e1, e2)[0]).toBeLessThan(1e-15);
      expect(Array.from(alignments(fl, fl.eye(3), fl.fromArray(new Float64Array([3, 4, 0]), 3, 1)))).toEqual([9 / 25, 16 / 25, 0]);
      const V = fl.fromArray(new Float64Array([1, 0, 0, 1]), 2, 2);
      const W = fl.fromArray(new Float64Array([0.5, 0.01, 0.4, -0.01, 0.02, 1.1]), 3, 2);
      const geo = teacherStudentGeometry(fl, W, V);
      expect(Array.from(geo.group)).toEqual([0, 0, 1]);
      expect(Array.from(geo.groupSizes)).toEqual([2, 1]);
      expect(geo.residuals[0]).toBeCloseTo(1 - 0.9, 14);
      expect(geo.balance[2]).toBeCloseTo(Math.hypot(0.02, 1.1), 14);
    });
  });
});

describe('protocols: golden fingerprints and bad parameters', () => {
  const file = new URL('../goldens/net.json', import.meta.url);

  function protocols(): Record<string, string> {
    const out: Record<string, string> = {};
    fl.scope(() => {
      const [n, d, N] = [40, 16, 24];
      const beta = randomUnitVector(fl, d, { seed: 7, stream: 100 });
      const target = { kind: 'single-index', link: 'tanh', beta } as const;
      const b1 = sampleBatch(fl, target, n, d, { seed: 7, stream: 0, noise: 0.1 });
      const b2 = sampleBatch(fl, target, n, d, { seed: 7, stream: 2, noise: 0.1 });
      out.data = fl.fingerprint(b1.X, b1.y, b2.X, b2.y);
      const net = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed: 7, stream: 10 });
      gdStep(fl, net, b1.X, b1.y, { etaW: 2 * Math.sqrt(N) });
      out.oneStep = fl.fingerprint(net.W);
      gdStep(fl, net, b1.X, b1.y, { etaW: Math.sqrt(N) }); // reused batch
      out.twoStepReuse = fl.fingerprint(net.W);
      const fresh = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed: 7, stream: 10 });
      gdStep(fl, fresh, b1.X, b1.y, { etaW: 2 * Math.sqrt(N) });
      gdStep(fl, fresh, b2.X, b2.y, { etaW: Math.sqrt(N) });
      out.twoStepFresh = fl.fingerprint(fresh.W);
      const lin = createNetwork(fl, d, 8, 'identity', { kind: 'linear', sigma0: 0.1, v0: 0.05 }, { seed: 7, stream: 20 });
      const losses: number[] = [];
      trainFullBatch(fl, lin, b1.X, b1.y, 30, { etaW: 0.5, etaA: 0.5, points: 8, record: (_t, l) => losses.push(l) });
      out.fullBatch = fl.fingerprint(lin.W, lin.a, losses);
      const V = fl.fromArray(new Float64Array([1, 0, 0, 0, 1, 0]), 2, 3);
      const Ws = fl.scale(fl.randn(4, 3, { seed: 7, stream: 30 }), 0.05);
      const trace: number[] = [];
      reluPopulationGD(fl, Ws, V, 0.05, 200, { points: 10, record: (_t, l) => trace.push(l) });
      out.reluPopulation = fl.fingerprint(Ws, trace);
      const ridgeA = ridge(fl, fl.map(fl.matmul(b2.X, net.W), 'tanh'), b2.y, 1e-3);
      out.ridge = fl.fingerprint(ridgeA);
      // the protocol helpers are the same arithmetic as the manual steps above
      const viaHelpers = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed: 7, stream: 10 });
      twoStep(fl, viaHelpers, b1, b2, 2, 1);
      expect(fl.fingerprint(viaHelpers.W)).toBe(out.twoStepFresh);
      const reuse = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed: 7, stream: 10 });
      oneStep(fl, reuse, b1, 2);
      expect(fl.fingerprint(reuse.W)).toBe(out.oneStep);
      // sampled (online) SGD for the ReLU teacher–student model, fresh batch each step
      const student = createNetwork(fl, 3, 4, 'relu', { kind: 'fixed-output', sigma: 0.1 }, { seed: 7, stream: 40 });
      const teacher = { kind: 'teacher', activation: 'relu', V } as const;
      const sgd: number[] = [];
      trainOnline(fl, student, (t) => sampleBatch(fl, teacher, 16, 3, { seed: 7, stream: 1000 + 2 * t }), 50, {
        etaW: 0.05,
        points: 6,
        record: (_t, l) => sgd.push(l),
      });
      out.onlineSGD = fl.fingerprint(student.W, sgd);
      // regularised |·| population GD on both layers
      const Wa = fl.randn(5, 2, { seed: 7, stream: 50 }),
        aa = fl.full(5, 1, 0.3);
      const Wsa = fl.fromArray(new Float64Array([1, 0, 0.5, 0.8660254037844386]), 2, 2),
        asa = fl.full(2, 1, 1);
      const absTrace: number[] = [];
      absPopulationGD(fl, Wa, aa, Wsa, asa, 1e-3, 0.05, 300, { points: 6, record: (_t, l) => absTrace.push(l) });
      expect(absTrace[absTrace.length - 1]!).toBeLessThan(absTrace[0]!);
      out.absPopulation = fl.fingerprint(Wa, aa, absTrace);
    });
    return out;
  }

  it('each protocol at small size reproduces its committed fingerprint', () => {
    expectGoldens(file, protocols(), (got, want) => expect(got).toEqual(want));
  });

  it('bad parameters and diverging training give clear errors', () => {
    fl.scope(() => {
      expect(() => createNetwork(fl, -1, 3, 'tanh', { kind: 'mean-field' }, { seed: 1, stream: 0 })).toThrow(/d must be a positive integer/);
      expect(() => createNetwork(fl, 3, 3, 'gelu' as never, { kind: 'mean-field' }, { seed: 1, stream: 0 })).toThrow(/unknown function 'gelu'/);
      expect(() => createNetwork(fl, 3, 3, 'identity', { kind: 'linear', sigma0: -1, v0: 1 }, { seed: 1, stream: 0 })).toThrow(/sigma0 must be a positive/);
      const net = createNetwork(fl, 4, 6, { polynomial: [0, 1, 0, 1] }, { kind: 'mean-field' }, { seed: 1, stream: 0 });
      const { X, y } = sampleBatch(fl, { kind: 'linear', beta: fl.full(4, 1, 1) }, 10, 4, { seed: 1, stream: 0 });
      expect(() => gdStep(fl, net, X, y, { etaW: -1 })).toThrow(/etaW must be a finite number ≥ 0/);
      expect(() => trainFullBatch(fl, net, X, y, 200, { etaW: 1e6 })).toThrow(DivergenceError);
      expect(() => sampleBatch(fl, { kind: 'linear', beta: fl.full(3, 1, 1) }, 10, 4, { seed: 1, stream: 0 })).toThrow(/beta is 3×1 but x has dimension 4/);
      expect(() => sampleBatch(fl, { kind: 'linear', beta: fl.full(4, 2, 1) }, 10, 4, { seed: 1, stream: 0 })).toThrow(/must be a 4×1 direction/);
      expect(() => createNetwork(fl, 3, 3, 'tanh', { kind: 'linear', sigma0: 1, v0: 1 }, { seed: 1, stream: 0 })).toThrow(/needs activation 'identity'/);
      const fresh = createNetwork(fl, 4, 6, 'tanh', { kind: 'mean-field' }, { seed: 1, stream: 0 });
      const f32net = { ...fresh, W: fl.astype(fresh.W, 'f32'), a: fl.astype(fresh.a, 'f32') };
      expect(() => gdStep(fl, f32net, fl.astype(X, 'f32'), y, { etaW: 1 })).toThrow(/W must be f64/);
      expect(() => empiricalNTK(fl, { ...fresh, a: fl.zeros(5, 1) }, X)).toThrow(/a must be 6×1/);
      expect(() => reluPopulation(fl, fresh.W, fl.zeros(2, 5))).toThrow(/studentsOf/);
    });
  });
});
