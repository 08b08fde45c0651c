// Issue 12: the claim helpers. Claims are fingerprinted, so each helper must give the tolerance
// text and the comparison the experiments wrote by hand (the expected claims below are
// written out here, not computed by the helpers).

import { describe, expect, it } from 'vitest';
import { absoluteClaim, atLeastClaim, atMostClaim, belowClaim, exactClaim, relativeClaim } from '../../dist/experiments/index.js';

const base = { id: 'c', statement: 's' };

describe('claim helpers', () => {
  it('relative: |m − p| ≤ tol·|p|, "relative <tol>" unless told otherwise', () => {
    expect(relativeClaim({ ...base, predicted: 2, measured: 2.05, tol: 0.03 })).toEqual({
      id: 'c',
      statement: 's',
      predicted: 2,
      measured: 2.05,
      tolerance: 'relative 0.03',
      pass: true,
    });
    expect(relativeClaim({ ...base, predicted: 2, measured: 2.07, tol: 0.03 }).pass).toBe(false);
    // a negative prediction is compared by its magnitude
    expect(relativeClaim({ ...base, predicted: -2, measured: -2.1, tol: 0.1, tolerance: 'relative 10%' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: -2,
      measured: -2.1,
      tolerance: 'relative 10%',
      pass: true,
    });
    expect(relativeClaim({ ...base, predicted: -2, measured: -1.7, tol: 0.1 }).pass).toBe(false);
  });

  it('absolute: |m − p| ≤ tol, "absolute <tol>" unless told otherwise', () => {
    expect(absoluteClaim({ ...base, predicted: 0.5, measured: 0.52, tol: 0.03 })).toEqual({
      id: 'c',
      statement: 's',
      predicted: 0.5,
      measured: 0.52,
      tolerance: 'absolute 0.03',
      pass: true,
    });
    expect(absoluteClaim({ ...base, predicted: -3, measured: -2.75, tol: 0.3, tolerance: '± 0.3' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: -3,
      measured: -2.75,
      tolerance: '± 0.3',
      pass: true,
    });
    expect(absoluteClaim({ ...base, predicted: -3, measured: -3.5, tol: 0.3 }).pass).toBe(false);
  });

  it('exact: equal counts', () => {
    expect(exactClaim({ ...base, predicted: 2, measured: 2 })).toEqual({ id: 'c', statement: 's', predicted: 2, measured: 2, tolerance: 'exact', pass: true });
    expect(exactClaim({ ...base, predicted: 2, measured: 1 }).pass).toBe(false);
  });

  it('bounds: strict below, at most, at least, the bound shown with 4 digits unless predicted is given', () => {
    expect(belowClaim({ ...base, measured: 0.5, bound: 1.23456, tolerance: 'inequality' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: '< 1.235',
      measured: 0.5,
      tolerance: 'inequality',
      pass: true,
    });
    expect(belowClaim({ ...base, measured: 1.23456, bound: 1.23456, tolerance: 'inequality' }).pass).toBe(false);
    expect(atMostClaim({ ...base, measured: 1.23456, bound: 1.23456, tolerance: 't' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: '≤ 1.235',
      measured: 1.23456,
      tolerance: 't',
      pass: true,
    });
    expect(atMostClaim({ ...base, measured: 1.3, bound: 1.23456, tolerance: 't' }).pass).toBe(false);
    expect(atLeastClaim({ ...base, measured: 1.23456, bound: 1.23456, tolerance: 't' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: '≥ 1.235',
      measured: 1.23456,
      tolerance: 't',
      pass: true,
    });
    expect(atLeastClaim({ ...base, measured: 1.2, bound: 1.23456, tolerance: 't' }).pass).toBe(false);
    expect(belowClaim({ ...base, predicted: '< riskRF', measured: 1, bound: 2, tolerance: 'strict' })).toEqual({
      id: 'c',
      statement: 's',
      predicted: '< riskRF',
      measured: 1,
      tolerance: 'strict',
      pass: true,
    });
    expect(atMostClaim({ ...base, predicted: 0, measured: 0.01, bound: 0.01, tolerance: 'relative error ≤ 0.01' }).predicted).toBe(0);
  });

  it('a NaN measurement or prediction fails every comparison', () => {
    const claims = [
      relativeClaim({ ...base, predicted: 1, measured: NaN, tol: 0.1 }),
      relativeClaim({ ...base, predicted: NaN, measured: 1, tol: 0.1 }),
      absoluteClaim({ ...base, predicted: 1, measured: NaN, tol: 0.1 }),
      exactClaim({ ...base, predicted: NaN, measured: NaN }),
      belowClaim({ ...base, measured: NaN, bound: 1, tolerance: 't' }),
      atMostClaim({ ...base, measured: NaN, bound: 1, tolerance: 't' }),
      atLeastClaim({ ...base, measured: NaN, bound: 1, tolerance: 't' }),
      atLeastClaim({ ...base, measured: 1, bound: NaN, tolerance: 't' }),
    ];
    expect(claims.map((c) => c.pass)).toEqual(claims.map(() => false));
  });

  it('keeps the field order of every claim (the JSON output shows it)', () => {
    expect(Object.keys(atLeastClaim({ ...base, measured: 1, bound: 0, tolerance: 't' }))).toEqual([
      'id',
      'statement',
      'predicted',
      'measured',
      'tolerance',
      'pass',
    ]);
    expect(Object.keys(relativeClaim({ ...base, predicted: 1, measured: 1, tol: 0 }))).toEqual([
      'id',
      'statement',
      'predicted',
      'measured',
      'tolerance',
      'pass',
    ]);
  });
});
