// The pieces two-step builds its claims on: the BBP threshold from the D-transform, the
// ie2tanh target of docs/science.md §3, and the step direction that replaces oneStep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { createNetwork, forward, gaussHermite, oneStep, randomUnitVector, sampleBatch } from '../../dist/index.js';
import { dTransformThreshold, spikedPrediction } from '../../dist/net/theory.js';
import { gradientStep, ie2tanhConstants } from '../../dist/experiments/two-step.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine({ threads: 1 });
});
afterAll(() => fl.dispose());

describe('dTransformThreshold', () => {
  it("inverts the BGN spike position of a Gaussian bulk (Ba et al.'s closed form, spikedPrediction)", () => {
    const d = 400,
      N = 800;
    // W0 with N(0, 1/d) entries, the bulk spikedPrediction assumes
    const W = createNetwork(fl, d, N, 'relu', { kind: 'mean-field' }, { seed: 3, stream: 0 }).W;
    const s = fl.svdvals(W);
    for (const theta of [1.6, 2, 3]) {
      const z = spikedPrediction(theta, d, N).s1; // where a spike of strength θ lands
      expect(z).toBeGreaterThan(s[0]!);
      expect(dTransformThreshold(s, d, N, z)).toBeCloseTo(theta, 1);
      expect(Math.abs(dTransformThreshold(s, d, N, z) / theta - 1)).toBeLessThan(0.03);
    }
  });

  it('is the same for a matrix and its transpose, and names its bad arguments', () => {
    const s = new Float64Array([1, 0.5, 0.2]);
    expect(dTransformThreshold(s, 3, 7, 2)).toBe(dTransformThreshold(s, 7, 3, 2));
    expect(() => dTransformThreshold(s, 3, 7, 1)).toThrow(/z/);
    expect(() => dTransformThreshold(s, 4, 7, 2)).toThrow(/values must be the 4 singular values/);
  });
});

describe('ie2tanh', () => {
  it('is centred, of unit variance, with c1 = 0, c2 ≈ −0.53 and E[z·y²] ≈ −0.66 (docs/science.md §3)', () => {
    const k = ie2tanhConstants(fl, gaussHermite(fl, 150));
    // an independent quadrature: the trapezoid rule on [−12, 12] with Math.tanh
    const h = 1e-3;
    const m = { y: 0, yy: 0, zy: 0, he2y: 0, zyy: 0 };
    for (let z = -12; z <= 12; z += h) {
      const w = (h * Math.exp((-z * z) / 2)) / Math.sqrt(2 * Math.PI);
      const y = (Math.tanh(2 * (z + 1)) - k.A * Math.tanh(z) - k.mean) / k.sd;
      m.y += w * y;
      m.yy += w * y * y;
      m.zy += w * z * y;
      m.he2y += (w * (z * z - 1) * y) / 2;
      m.zyy += w * z * y * y;
    }
    expect(Math.abs(m.y)).toBeLessThan(1e-6);
    expect(m.yy).toBeCloseTo(1, 6);
    expect(Math.abs(m.zy)).toBeLessThan(1e-6);
    expect(m.he2y).toBeCloseTo(-0.53, 2);
    expect(m.zyy).toBeCloseTo(-0.66, 2);
  });
});

describe('gradientStep', () => {
  it("gives oneStep's update: W0 + η·(1/n)·Xᵀ[σ′(XW0) ⊙ (y − f0)·aᵀ] = W1", () => {
    const d = 30,
      N = 40,
      n = 50,
      eta = 0.7;
    const beta = randomUnitVector(fl, d, { seed: 1, stream: 0 });
    const batch = sampleBatch(fl, { kind: 'single-index', link: 'tanh', beta }, n, d, { seed: 1, stream: 2, noise: 0.1 });
    const net = createNetwork(fl, d, N, 'relu', { kind: 'mean-field' }, { seed: 1, stream: 10 });
    const { Z, f } = forward(fl, net, batch.X);
    const r = fl.axpy(-1, f, fl.copy(batch.y));
    const expected = fl.axpy(eta, gradientStep(fl, 'relu', batch.X, Z, r, net.a, n), fl.copy(net.W));
    oneStep(fl, net, batch, eta);
    const diff = fl.norm(fl.axpy(-1, net.W, expected)) / fl.norm(net.W);
    expect(diff).toBeLessThan(1e-13);
    expect(fl.norm(fl.axpy(-1, Z, fl.matmul(batch.X, net.W)))).toBeGreaterThan(0); // the step moved W
  });
});
