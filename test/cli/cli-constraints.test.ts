// Item 7: every experiment declares its cross-parameter constraints; a violating combination is
// refused before any work (exit 2, a message naming the user's parameters), and the presets
// satisfy them all.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS, findExperiment } from '../../dist/experiments/index.js';
import { constraintViolations, resolveParams } from '../../dist/experiments/params.js';
import { TINY_OVERRIDES as TINY } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

// [experiment, key=value arguments, what the message must name]. Each of these failed late
// (after setup or minutes of work) with an internal name, diverged, ran out of memory, or was
// silently changed, before the experiments declared their constraints.
const VIOLATIONS: [string, string[], RegExp][] = [
  ['ba-one-step', ['d=1000'], /N=800 < d=1000: .*needs N ≥ d; raise N or lower d/],
  ['ba-one-step', ['d=20000', 'N=20000'], /d=20000, .*N=20000.* need about [\d.]+ GiB of memory, more than the 4 GiB/],
  ['huang-linear', ['d=100000'], /eta=0\.1, d=100000, n=10, m=1024.*a = η√γ\/\(nm\) ≈ 3\.\d+.*lower eta or d, or raise m or n/],
  ['huang-linear', ['eta=0'], /eta=0: the step size must be positive/],
  ['huang-linear', ['sigma0=10'], /sigma0=10.*gradient descent diverges.*lower sigma0, v0 or eta/],
  ['huang-linear', ['d=100000', 'm=100000', 'eta=0.001'], /d=100000, n=10, m=100000 need about [\d.]+ GiB/],
  ['two-step', ['d=2', 'n=2', 'N=2'], /d=2, N=2: the count reads the top 5 singular values of W2.*raise d and N to ≥ 5/],
  ['two-step', ['d=20000', 'N=20000'], /d=20000, n=600, N=20000 need about [\d.]+ GiB/],
  ['moniri-spikes', ['d=20000', 'n=20000', 'N=20000'], /d=20000, n=20000, N=20000, nTest=1000 need about [\d.]+ GiB/],
  ['zhou-ge-local', ['m=40'], /eta=0\.05, m=40, d=2.*gradient descent diverges; lower eta, m, d or richInit/],
  ['zhou-ge-local', ['d=100'], /d=100.*gradient descent diverges/],
  ['zhu-balance', ['k=4', 'd=2'], /d=2 < k=4: .*d must be ≥ k; raise d or lower k/],
  ['zhu-balance', ['m=1000'], /eta=0\.05, m=1000 \(the phase-length runs use 4m = 4000 students\).*gradient descent diverges/],
];

describe('experiment constraints (item 7)', () => {
  it('every experiment declares constraints', () => {
    for (const exp of EXPERIMENTS) expect(exp.constraints?.length, exp.id).toBeGreaterThan(0);
    expect(new Set(VIOLATIONS.map(([id]) => id))).toEqual(new Set(EXPERIMENTS.map((e) => e.id)));
  });

  it('the quick and paper presets, and the tiny test sizes, satisfy every constraint', () => {
    for (const exp of EXPERIMENTS) {
      for (const preset of ['quick', 'paper'] as const) {
        expect(constraintViolations(exp, resolveParams(exp, preset)), `${exp.id} ${preset}`).toEqual([]);
        expect(() => resolveParams(exp, preset, TINY[exp.id])).not.toThrow();
      }
    }
  });

  it('each violating combination is refused by resolveParams, naming the parameters', () => {
    for (const [id, pairs, message] of VIOLATIONS) {
      const overrides = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
      expect(() => resolveParams(findExperiment(id), 'quick', overrides), `${id} ${pairs.join(' ')}`).toThrow(message);
    }
  });

  for (const [id, pairs, message] of VIOLATIONS) {
    it(`featurelab run ${id} ${pairs.join(' ')}: exit 2 at once with the message`, () => {
      const started = performance.now();
      const r = run('run', id, ...pairs, '--json');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      // before any work: the answer comes long before the run would have (seconds to minutes)
      expect((performance.now() - started) / 1000).toBeLessThan(6);
    });
  }
});
