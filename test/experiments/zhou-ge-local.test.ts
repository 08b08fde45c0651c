// zhou-ge-local's measures (issue 14): the recovery masses on hand-built students, the empirical
// dual certificate η(u) = E[(f* − f)|uᵀx|]/λ against closed-form values and against the
// gradient of absPopulation (stationarity in a_j reads a_j·λ − ∂L/∂a_j = λ‖w_j‖η(ŵ_j)), and the
// λ → 0 pre-certificate η_V against hand-solved cases and an independent numpy solve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, absPopulation } from '../../dist/index.js';
import { dualCertificate, limitCertificate, recovery } from '../../dist/experiments/zhou-ge-local.js';
import { engine } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

/** E[|uᵀx||vᵀx|] for unit u, v at line angle t ∈ [0, π/2], written out here. */
const k = (t: number) => (2 / Math.PI) * (Math.sin(t) + (Math.PI / 2 - t) * Math.cos(t));

describe('recovery', () => {
  it('average neuron, near mass off the line and far mass of hand-built students (one teacher e1)', () => {
    const c = Math.cos(0.1),
      s = Math.sin(0.1);
    // rows: on the line (both signs of w: the same neuron for |·|), near at 0.1 rad, far at 1.0 rad
    const W = fl.fromArray(Float64Array.from([1, 0, -2, 0, c, s, 0.5 * Math.cos(1), 0.5 * Math.sin(1)]), 4, 2);
    const a = Float64Array.from([0.6, 0.2, 0.01, -0.02]);
    const Ws = fl.fromArray(Float64Array.from([1, 0]), 1, 2);
    const rec = recovery(fl, W, a, Ws, Float64Array.from([1]), 0.3, 0.05);
    // mass 0.6 + 0.2·2 + 0.01 = 1.01; average neuron (1, 0) + 0.01·(c, s): error 0.01
    expect(rec.mass[0]).toBeCloseTo(1.01, 14);
    expect(rec.averageNeuronError[0]).toBeCloseTo(0.01, 14);
    expect(rec.nearMassOutside[0]).toBeCloseTo(0.01, 14);
    expect(rec.farMass).toBeCloseTo(0.01, 14);
    expect(rec.nearMaxAngle).toBeCloseTo(0.1, 12);
    W.dispose();
    Ws.dispose();
  });

  it('the average neuron is signed: a neuron of negative a_j subtracts, and near mass is relative to |a*_i|‖w*_i‖', () => {
    const W = fl.fromArray(Float64Array.from([0, 3, 0, 1]), 2, 2);
    const a = Float64Array.from([1, -0.5]); // 3 − 0.5 = 2.5 along e2
    const Ws = fl.fromArray(Float64Array.from([0, 2]), 1, 2); // teacher 2·e2 with a* = 1.25: a*·w* = (0, 2.5)
    const rec = recovery(fl, W, a, Ws, Float64Array.from([1.25]), 0.3, 0.05);
    expect(rec.averageNeuronError[0]).toBeCloseTo(0, 14);
    expect(rec.mass[0]).toBeCloseTo(2.5, 14);
    expect(rec.farMass).toBe(0);
    W.dispose();
    Ws.dispose();
  });
});

describe('dualCertificate', () => {
  it('with no student mass it is the teachers’ kernel over λ (closed form)', () => {
    const W = fl.fromArray(Float64Array.from([1, 1]), 1, 2);
    const Ws = fl.fromArray(Float64Array.from([1, 0]), 1, 2);
    const h = Math.SQRT1_2;
    const U = Float64Array.from([1, 0, 0, 1, h, h, -h, h]);
    const eta = dualCertificate(fl, W, Float64Array.from([0]), Ws, Float64Array.from([1]), 0.5, U);
    expect(Array.from(eta)).toEqual([2, 4 / Math.PI, 2 * k(Math.PI / 4), 2 * k(Math.PI / 4)].map((x) => expect.closeTo(x, 13)));
    W.dispose();
    Ws.dispose();
  });

  it("at each neuron's direction it equals (λa_j − ∂L/∂a_j)/(λ‖w_j‖), with ∂L/∂a_j from absPopulation", () => {
    const d = 3,
      lambda = 0.03;
    const W = fl.randn(5, d, { seed: 7 }),
      a = fl.randn(5, 1, { seed: 8 }),
      Ws = fl.randn(2, d, { seed: 9 }),
      as = fl.randn(2, 1, { seed: 10 });
    const { ga, gW } = absPopulation(fl, W, a, Ws, as, lambda);
    const w = W.toArray(),
      av = a.toArray(),
      g = ga.toArray();
    const norms = Array.from({ length: 5 }, (_, j) => Math.hypot(w[j * d]!, w[j * d + 1]!, w[j * d + 2]!));
    const U = Float64Array.from({ length: 5 * d }, (_, q) => w[q]! / norms[Math.floor(q / d)]!);
    const eta = dualCertificate(fl, W, Float64Array.from(av), Ws, Float64Array.from(as.toArray()), lambda, U);
    for (let j = 0; j < 5; j++) expect(eta[j]).toBeCloseTo((lambda * av[j]! - g[j]!) / (lambda * norms[j]!), 10);
    for (const M of [W, a, Ws, as, ga, gW]) M.dispose();
  });

  it('refuses λ ≤ 0 and directions of the wrong length', () => {
    const W = fl.fromArray(Float64Array.from([1, 0]), 1, 2);
    expect(() => dualCertificate(fl, W, Float64Array.from([1]), W, Float64Array.from([1]), 0, Float64Array.from([1, 0]))).toThrow(/lambda must be > 0/);
    expect(() => dualCertificate(fl, W, Float64Array.from([1]), W, Float64Array.from([1]), 1, Float64Array.from([1, 0, 0]))).toThrow(/multiple of d = 2/);
    W.dispose();
  });
});

describe('limitCertificate', () => {
  it('one teacher: η_V = k(φ)/k(0) = k(φ), the kernel itself', () => {
    const angles = [0, 0.3, Math.PI / 4, Math.PI / 2, Math.PI - 0.3];
    const eta = limitCertificate(fl, [0], [1], angles);
    expect(Array.from(eta)).toEqual([k(0), k(0.3), k(Math.PI / 4), k(Math.PI / 2), k(0.3)].map((x) => expect.closeTo(x, 13)));
  });

  it('two orthogonal teachers of sign +1: η_V = α(k(φ) + k(π/2 − φ)) with α = 1/(1 + 2/π) (symmetry: no derivative term)', () => {
    const alpha = 1 / (1 + 2 / Math.PI);
    const eta = limitCertificate(fl, [0, Math.PI / 2], [1, 1], [0, Math.PI / 8, Math.PI / 4]);
    expect(Array.from(eta)).toEqual([1, alpha * (k(Math.PI / 8) + k((3 * Math.PI) / 8)), 2 * alpha * k(Math.PI / 4)].map((x) => expect.closeTo(x, 13)));
  });

  it('interpolates the signs with zero slope at arbitrary teachers of mixed sign', () => {
    const teachers = [0.2, 1.1, 2.5],
      signs = [1, -1, 1],
      h = 1e-5;
    const at = limitCertificate(fl, teachers, signs, teachers);
    expect(Array.from(at)).toEqual(signs.map((s) => expect.closeTo(s, 12)));
    for (const phi of teachers) {
      const [left, right] = limitCertificate(fl, teachers, signs, [phi - h, phi + h]);
      expect(Math.abs(right! - left!) / (2 * h)).toBeLessThan(1e-4);
    }
  });

  it('three teachers spread over the half-circle: nearly flat, 0.99669 midway (numpy reference)', () => {
    // numpy: np.linalg.solve on the same 6×6 system, written independently (issue 14 worker notes):
    // α_i = 0.410510527, β_i = 0, η_V(π/6) = 0.99669
    const teachers = [0, Math.PI / 3, (2 * Math.PI) / 3];
    const [mid] = limitCertificate(fl, teachers, [1, 1, 1], [Math.PI / 6]);
    expect(mid).toBeCloseTo(0.410510527 * (k(Math.PI / 6) + k(Math.PI / 6) + k(Math.PI / 2)), 8);
    expect(mid).toBeCloseTo(0.99669, 5);
  });
});
