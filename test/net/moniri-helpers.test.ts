// The helpers moniri-spikes added to src/net: the D-transform and BBP threshold of an empirical
// spectrum (Benaych-Georges & Nadakuditi 2012), the next-order correction of the spike
// strengths, and the exact Hermite component of a predictor (checked against sampling).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, createNetwork, randomUnitVector, type Engine } from '../../dist/index.js';
import { hermiteComponent } from '../../dist/net/measure.js';
import { bbpThreshold, dTransform, gaussHermite, spikeStrengthCorrection } from '../../dist/net/theory.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

describe('dTransform and bbpThreshold', () => {
  it('match the transform written out by hand for equal singular values', () => {
    // square, s_i = 1, z = 2: φ = 2/(4 − 1) = 2/3, D = φ² = 4/9, threshold 1/√D = 3/2
    const ones = new Float64Array([1, 1, 1]);
    expect(dTransform(ones, 2, 3, 3)).toBeCloseTo(4 / 9, 14);
    expect(bbpThreshold(ones, 2, 3, 3)).toBeCloseTo(1.5, 14);
    // 2×4, c = 1/2: D = φ·(c·φ + (1 − c)/z) = (2/3)·(1/3 + 1/4) = 7/18
    expect(dTransform(new Float64Array([1, 1]), 2, 2, 4)).toBeCloseTo(7 / 18, 14);
    expect(dTransform(new Float64Array([1, 1]), 2, 4, 2)).toBeCloseTo(7 / 18, 14);
  });

  it('give the BGN outlier location of a Gaussian matrix: D(ρ) = 1/θ² at ρ = √((1 + θ²)(c + θ²))/θ', () => {
    // X 400×800 with N(0, 1/800) entries, c = 1/2: the closed form of Benaych-Georges &
    // Nadakuditi (2012), §3.1, independent of the code under test
    const [p, q, c] = [400, 800, 0.5];
    const values = fl.scope(() => fl.svdvals(fl.scale(fl.randn(p, q, { seed: 5, stream: 0 }), 1 / Math.sqrt(q))));
    for (const theta of [1.2, 1.5, 2.5]) {
      const rho = Math.sqrt((1 + theta * theta) * (c + theta * theta)) / theta;
      expect(dTransform(values, rho, p, q) * theta * theta).toBeGreaterThan(0.97);
      expect(dTransform(values, rho, p, q) * theta * theta).toBeLessThan(1.03);
      // and the strength that puts an outlier at ρ is θ
      expect(Math.abs(bbpThreshold(values, rho, p, q) / theta - 1)).toBeLessThan(0.015);
    }
  });

  it('refuse a z inside the spectrum, a wrong count of values, and negative values', () => {
    expect(() => dTransform(new Float64Array([1, 2]), 1.5, 2, 2)).toThrow(ArgumentError);
    expect(() => dTransform(new Float64Array([1, 2]), 3, 3, 3)).toThrow(/a 3×3 matrix has 3 singular values, got 2/);
    expect(() => dTransform(new Float64Array([-1, 2]), 3, 2, 2)).toThrow(/singular values must be finite and ≥ 0/);
    expect(() => dTransform(new Float64Array([]), 3, 2, 2)).toThrow(/non-empty/);
  });
});

describe('spikeStrengthCorrection', () => {
  it('is (c_{k+2}/c_k)·t²·((k+2)!/(2·k!))·Σa^{2k+2}/Σa^{2k}', () => {
    // k = 2: (−0.02/0.2)·9·6·(2/4) = −2.7; k = 1: (0.1/0.5)·4·3·(3/6) = 1.2
    expect(spikeStrengthCorrection({ k: 2, ck: 0.2, ckPlus2: -0.02, t: 3, sumA2k: 4, sumA2kPlus2: 2 })).toBeCloseTo(-2.7, 14);
    expect(spikeStrengthCorrection({ k: 1, ck: 0.5, ckPlus2: 0.1, t: 2, sumA2k: 6, sumA2kPlus2: 3 })).toBeCloseTo(1.2, 14);
    expect(spikeStrengthCorrection({ k: 3, ck: 0, ckPlus2: 0.1, t: 2, sumA2k: 6, sumA2kPlus2: 3 })).toBe(0);
  });

  it('names a bad parameter', () => {
    expect(() => spikeStrengthCorrection({ k: 0, ck: 1, ckPlus2: 1, t: 1, sumA2k: 1, sumA2kPlus2: 1 })).toThrow(
      /spikeStrengthCorrection: k must be an integer/,
    );
    expect(() => spikeStrengthCorrection({ k: 1, ck: 1, ckPlus2: 1, t: 1, sumA2k: 0, sumA2kPlus2: 1 })).toThrow(/sumA2k must be a positive finite number/);
  });
});

describe('hermiteComponent', () => {
  it('is exact for a quadratic neuron along β: s·â·‖w‖² for σ(u) = u², k = 2', () => {
    fl.scope(() => {
      const d = 6;
      const beta = randomUnitVector(fl, d, { seed: 1, stream: 0 });
      const net = { W: fl.scale(beta, 1.7), a: fl.full(1, 1, 1), scale: 0.5, activation: { polynomial: [0, 0, 1] } as const };
      // f̂(x) = 0.5·0.3·(1.7·v)², E[f̂·He_2(v)]/2 = 0.15·2.89·E[v²·He_2(v)]/2 = 0.15·2.89
      expect(hermiteComponent(fl, net, fl.full(1, 1, 0.3), beta, 2, gaussHermite(fl, 40))).toBeCloseTo(0.15 * 2.89, 12);
    });
  });

  for (const activation of ['relu', 'softplus', 'tanh'] as const) {
    it(`matches a Monte Carlo estimate of E[f̂(x)·He_k(⟨β, x⟩)]/k! (${activation}, k = 1, 2)`, () => {
      fl.scope(() => {
        const [d, N, samples] = [8, 5, 200_000];
        const net = createNetwork(fl, d, N, activation, { kind: 'mean-field' }, { seed: 2, stream: 0 });
        // neurons correlated with β, so the components are not small
        const beta = randomUnitVector(fl, d, { seed: 2, stream: 5 });
        const W = fl.axpy(0.8, fl.matmul(beta, fl.full(1, N, 1)), fl.copy(net.W));
        const model = { ...net, W };
        const readout = fl.randn(N, 1, { seed: 2, stream: 6 });
        const X = fl.randn(samples, d, { seed: 2, stream: 7 });
        const f = fl.matmul(fl.scale(fl.map(fl.matmul(X, W), activation), net.scale), readout).toArray();
        const v = fl.matmul(X, beta).toArray();
        const quad = gaussHermite(fl, 150);
        for (const k of [1, 2]) {
          const he = (z: number) => (k === 1 ? z : (z * z - 1) / 2); // He_k/k!
          let sum = 0,
            sum2 = 0;
          for (let i = 0; i < samples; i++) {
            const term = f[i]! * he(v[i]!);
            sum += term;
            sum2 += term * term;
          }
          const mean = sum / samples;
          const se = Math.sqrt((sum2 / samples - mean * mean) / samples);
          const exact = hermiteComponent(fl, model, readout, beta, k, quad);
          expect(Math.abs(exact - mean), `k = ${k}: exact ${exact}, sampled ${mean} ± ${se}`).toBeLessThan(4 * se + 1e-12);
          if (activation === 'tanh' && k === 2) expect(Math.abs(exact)).toBeLessThan(1e-12); // odd σ: no even part
        }
      });
    });
  }

  it('refuses a β that is not a unit vector and a bad degree', () => {
    fl.scope(() => {
      const net = createNetwork(fl, 4, 3, 'relu', { kind: 'mean-field' }, { seed: 1, stream: 0 });
      const quad = gaussHermite(fl, 20);
      expect(() => hermiteComponent(fl, net, fl.full(3, 1, 1), fl.full(4, 1, 1), 2, quad)).toThrow(/beta must be a unit vector/);
      expect(() => hermiteComponent(fl, net, fl.full(3, 1, 1), randomUnitVector(fl, 4, { seed: 1, stream: 3 }), -1, quad)).toThrow(/k must be an integer/);
    });
  });
});
