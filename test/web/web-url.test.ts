// The web page's URL fragment: what a shared link encodes (src/web/url-state.ts).
import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, RESERVED_KEYS } from '../../src/web/url-state.js';
import { EXPERIMENTS } from '../../dist/experiments/index.js';

describe('web page URL state', () => {
  it('round-trips an experiment run with overrides in order', () => {
    const overrides: [string, string][] = [
      ['d', '60'],
      ['lambda', '1e-3'],
      ['activation', 'erf'],
    ];
    const state = { view: 'experiment' as const, id: 'ba-one-step', preset: 'paper', seed: '7', overrides, run: true };
    const hash = formatHash(state);
    expect(hash).toBe('#ba-one-step?preset=paper&seed=7&d=60&lambda=1e-3&activation=erf&run=1');
    expect(parseHash(hash)).toEqual(state);
  });

  it('defaults: no fragment is the first experiment at the quick preset, seed 0, not running', () => {
    expect(parseHash('')).toEqual({ view: 'experiment', id: '', preset: 'quick', seed: '0', overrides: [], run: false });
    expect(parseHash('#two-step')).toMatchObject({ id: 'two-step', run: false });
    expect(parseHash('#two-step?run=0')).toMatchObject({ run: false });
    expect(parseHash('#two-step?run')).toMatchObject({ run: true });
  });

  it('encodes values that need escaping', () => {
    const hash = formatHash({
      view: 'experiment',
      id: 'x',
      preset: 'quick',
      seed: '0',
      overrides: [
        ['eta', '1e+3'],
        ['s', 'a b&c'],
      ],
      run: false,
    });
    expect(parseHash(hash)).toMatchObject({
      overrides: [
        ['eta', '1e+3'],
        ['s', 'a b&c'],
      ],
    });
  });

  it('the benchmark view', () => {
    expect(formatHash({ view: 'bench', suite: 'quick', run: true })).toBe('#bench?suite=quick&run=1');
    expect(parseHash('#bench')).toEqual({ view: 'bench', suite: 'full', run: false });
    expect(parseHash('#bench?suite=quick&run=1')).toEqual({ view: 'bench', suite: 'quick', run: true });
  });

  it('no experiment has a parameter named like a reserved key, nor the id "bench"', () => {
    for (const exp of EXPERIMENTS) {
      expect(exp.id).not.toBe('bench');
      for (const p of exp.params) expect(RESERVED_KEYS, `${exp.id}.${p.name}`).not.toContain(p.name);
    }
  });
});
