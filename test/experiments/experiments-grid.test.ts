// Issue 12, ready for sweeps: validateGrid and gridPoints check a grid of parameter values
// against an experiment's schema and constraints before any work, and enumerate its points.

import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../dist/core/errors.js';
import { MAX_GRID_POINTS, baOneStep, findExperiment, gridPoints, resolveParams, validateGrid, zhouGeLocal } from '../../dist/experiments/index.js';

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe('validateGrid', () => {
  it('enumerates the points over the preset, schema order (d before N), and rejects those that break a constraint', () => {
    // written N first: the enumeration follows the schema, where d comes first
    const check = validateGrid(baOneStep, { N: [100, 800], d: [200, 400] });
    expect(check.errors).toEqual([]);
    const quick = resolveParams(baOneStep, 'quick');
    expect(check.points).toEqual([
      { ...quick, d: 200, N: 800 },
      { ...quick, d: 400, N: 800 },
    ]);
    expect(check.rejected.map((r) => [r.point.d, r.point.N])).toEqual([
      [200, 100],
      [400, 100],
    ]);
    expect(check.rejected[0]!.violations).toEqual([expect.stringMatching(/^N=100 < d=200: .*needs N ≥ d/)]);
  });

  it('starts from the paper preset when asked', () => {
    const check = validateGrid(baOneStep, { eta: [1, 2] }, 'paper');
    expect(check.points).toEqual([1, 2].map((eta) => ({ ...resolveParams(baOneStep, 'paper'), eta })));
  });

  it('names every unknown key, empty list and value the spec does not allow, and builds no point', () => {
    const grid = { bogus: [1], N: [], d: [1.5, 1, 300], activation: ['cosh'], eta: ['fast'] };
    const check = validateGrid(findExperiment('ba-one-step'), grid);
    expect(check.points).toEqual([]);
    expect(check.rejected).toEqual([]);
    expect(check.errors).toEqual([
      expect.stringMatching(/^ba-one-step: unknown parameter 'bogus' in the grid; parameters are d, n, N, /),
      'ba-one-step: grid N must be a non-empty array of values, got []',
      'ba-one-step: d must be an integer ≥ 2 and ≤ 20000, got 1.5',
      'ba-one-step: d=1 is out of range: d must be an integer ≥ 2 and ≤ 20000',
      'ba-one-step: eta=fast is not allowed: eta must be a number ≥ 0 and ≤ 1000000',
      'ba-one-step: activation=cosh is not allowed: activation must be one of tanh, erf, relu, softplus, sigmoid',
    ]);
  });

  it('parses command-line strings as resolveParams does', () => {
    const check = validateGrid(findExperiment('huang-linear'), { steps: ['10', '20'], noise: ['0.5'] });
    expect(check.errors).toEqual([]);
    expect(check.points.map((p) => [p.steps, p.noise])).toEqual([
      [10, 0.5],
      [20, 0.5],
    ]);
  });

  it(`refuses a grid of more than MAX_GRID_POINTS (${MAX_GRID_POINTS}) points before building any`, () => {
    const check = validateGrid(zhouGeLocal, { r: range(1, 12), m: range(1, 500), steps: range(1, 200) });
    expect(check.points).toEqual([]);
    expect(check.errors).toEqual([`zhou-ge-local: the grid has 1200000 points (r: 12 × m: 500 × steps: 200), more than ${MAX_GRID_POINTS}`]);
  });

  it('refuses a grid that is not an object, naming the function', () => {
    for (const bad of [null, [1, 2], 'd=1']) {
      expect(() => validateGrid(baOneStep, bad as never)).toThrow(ArgumentError);
      expect(() => validateGrid(baOneStep, bad as never)).toThrow(/^validateGrid: grid must be an object/);
    }
  });

  it('an empty grid is the preset itself', () => {
    expect(validateGrid(baOneStep, {}).points).toEqual([resolveParams(baOneStep, 'quick')]);
  });
});

describe('gridPoints', () => {
  it('returns the points of a clean grid', () => {
    expect(gridPoints(baOneStep, { activation: ['tanh', 'erf'] }).map((p) => p.activation)).toEqual(['tanh', 'erf']);
  });

  it('throws one ArgumentError naming every problem', () => {
    let error: unknown;
    try {
      gridPoints(baOneStep, { N: [100, 200, 800] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as Error).message).toMatch(/^gridPoints: 2 problem\(s\) in the grid of ba-one-step:\n {2}N=100 < d=400: .*\n {2}N=200 < d=400: /);
  });
});
