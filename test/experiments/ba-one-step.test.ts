// Issue 14, ba-one-step: the crossing ψ1* of the large step's risk curve with the kernel bound
// (a measurement, interpolated in log–log), and the Fig. 3c claims and metrics that replace the
// retired claim "large step below the bound at ψ1 = 4".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../dist/index.js';
import { findExperiment, runExperiment } from '../../dist/experiments/index.js';
import { crossingPsi1 } from '../../dist/experiments/ba-one-step.js';

let fl: Engine;
beforeAll(async () => {
  fl = await createEngine({ threads: 1 });
});
afterAll(() => fl.dispose());

// the kernel lower bound ‖P>1 erf‖² (docs/science.md §1: 0.040146)
const BOUND = 0.040146;

describe('crossingPsi1', () => {
  it('interpolates log risk linearly in log ψ1 between the last point above the bound and the next', () => {
    // the numpy reference means at d = 512 (docs/science.md §1): 0.067 at ψ1 = 4, 0.030 at 8, 0.019 at 16;
    // expected by hand (Python): 4·2^(ln(0.067/B)/ln(0.067/0.030)) = 6.22221…
    const curve = [
      { psi1: 2, risk: 0.2 },
      { psi1: 4, risk: 0.067 },
      { psi1: 8, risk: 0.03 },
      { psi1: 16, risk: 0.019 },
    ];
    expect(crossingPsi1(fl.math, curve, BOUND)).toBeCloseTo(6.2222109756379185, 12);
  });

  it('takes the last crossing when the curve dips below the bound and comes back (the n = N peak)', () => {
    const curve = [
      { psi1: 1, risk: 0.05 },
      { psi1: 2, risk: 0.03 },
      { psi1: 4, risk: 0.05 },
      { psi1: 8, risk: 0.02 },
    ];
    // by hand: 4·2^(ln(0.05/B)/ln(0.05/0.02)) = 4.72251…
    expect(crossingPsi1(fl.math, curve, BOUND)).toBeCloseTo(4.722507222212733, 12);
  });

  it('is NaN when the curve ends above the bound or never is above it', () => {
    const above = [
      { psi1: 4, risk: 0.07 },
      { psi1: 8, risk: 0.05 },
    ];
    const below = [
      { psi1: 4, risk: 0.03 },
      { psi1: 8, risk: 0.02 },
    ];
    expect(crossingPsi1(fl.math, above, BOUND)).toBeNaN();
    expect(crossingPsi1(fl.math, below, BOUND)).toBeNaN();
    expect(crossingPsi1(fl.math, [], BOUND)).toBeNaN();
  });

  it('a point exactly at the bound counts as not below it', () => {
    const curve = [
      { psi1: 4, risk: BOUND },
      { psi1: 8, risk: 0.02 },
    ];
    expect(crossingPsi1(fl.math, curve, BOUND)).toBe(4);
  });
});

describe('ba-one-step: the Fig. 3c claims and measurements', () => {
  const r = () => runExperiment(fl, findExperiment('ba-one-step'), { overrides: { d: '60', n: '120', N: '120', nTest: '100', dCurve: '24' } });

  it('claims the small step above the bound at every ψ1 and the large step below it at ψ1 = 8 and 16, not at ψ1 = 4', () => {
    const result = r();
    const ids = result.claims.map((c) => c.id);
    expect(ids).not.toContain('large-step-beats-bound');
    expect(ids).toEqual(expect.arrayContaining(['curve-large-step-beats-bound-8', 'curve-large-step-beats-bound-16', 'curve-small-step-above-bound']));
    const curve = result.series.riskCurve as { psi1: number; alpha: number; label: string; risk: number }[];
    expect([...new Set(curve.map((p) => p.psi1))]).toEqual([0.5, 1, 2, 4, 8, 16]);
    for (const p of curve) expect(Object.keys(p).sort()).toEqual(['alpha', 'label', 'psi1', 'risk']);
    const large = (x: number) => curve.find((p) => p.psi1 === x && p.alpha === 0.5)!.risk;
    for (const x of [8, 16]) expect(result.claims.find((c) => c.id === `curve-large-step-beats-bound-${x}`)!.measured).toBe(large(x));
    const smallMin = Math.min(...curve.filter((p) => p.alpha === 0).map((p) => p.risk));
    expect(result.claims.find((c) => c.id === 'curve-small-step-above-bound')!.measured).toBe(smallMin);
  });

  it('reports ψ1* inside the grid interval where the η = N^½ curve crosses the bound, and R1·ψ1', () => {
    const result = r();
    const curve = (result.series.riskCurve as { psi1: number; alpha: number; risk: number }[]).filter((p) => p.alpha === 0.5);
    const bound = result.metrics.kernelLowerBoundErf!;
    const star = result.metrics.psi1Crossing!;
    const i = curve.findLastIndex((p) => p.risk >= bound);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(star).toBeGreaterThan(curve[i]!.psi1);
    expect(star).toBeLessThan(curve[i + 1]!.psi1);
    for (const x of [4, 8, 16]) expect(result.metrics[`riskTimesPsi1At${x}`]).toBe(x * curve.find((p) => p.psi1 === x)!.risk);
    for (const key of ['s1', 'alignment', 'riskRF', 'riskTrained']) expect(result.metrics[key]).toBeTypeOf('number');
  });
});
