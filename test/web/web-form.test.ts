// The web page's form logic (src/web/form-state.ts) on a stub experiment: per-field
// validation as in the CLI, values that differ from the preset, and cross-parameter rules.
import { describe, expect, it } from 'vitest';
import { checkForm } from '../../src/web/form-state.js';
import type { Experiment } from '../../src/experiments/types.js';

const stub: Experiment = {
  id: 'stub',
  title: 'stub',
  paper: 'none',
  summary: 'a stub for the form',
  params: [
    { name: 'd', type: 'int', doc: 'dimension', quick: 10, paper: 100, min: 2 },
    { name: 'N', type: 'int', doc: 'width', quick: 20, paper: 200, min: 2 },
    { name: 'eta', type: 'number', doc: 'step', quick: 0.5, paper: 0.5 },
    { name: 'act', type: 'enum', doc: 'activation', quick: 'relu', paper: 'tanh', values: ['relu', 'tanh'] },
    { name: 'reuse', type: 'boolean', doc: 'reuse', quick: false, paper: false },
  ],
  constraints: [(p) => ((p.d as number) > (p.N as number) ? `d=${p.d} > N=${p.N}: needs d ≤ N; raise N or lower d` : undefined)],
  run: () => ({ metrics: {}, series: {}, claims: [], plots: [] }),
};

const form = (values: Record<string, string>, preset: 'quick' | 'paper' = 'quick') => checkForm(stub, preset, new Map(Object.entries(values)));

describe('web form check', () => {
  it('the preset as it stands: runnable, nothing differs', () => {
    const check = form({});
    expect(check.runnable).toBe(true);
    expect(check.violations).toEqual([]);
    expect(check.overrides).toEqual([]);
    expect(check.fields.map((f) => [f.name, f.value, f.differs])).toEqual([
      ['d', 10, false],
      ['N', 20, false],
      ['eta', 0.5, false],
      ['act', 'relu', false],
      ['reuse', false, false],
    ]);
  });

  it('marks values that differ from the preset, compared as parsed values, against the chosen preset', () => {
    const check = form({ d: '12', eta: '5e-1', act: 'tanh', reuse: 'true' });
    expect(check.fields.filter((f) => f.differs).map((f) => f.name)).toEqual(['d', 'act', 'reuse']); // 5e-1 is 0.5
    expect(check.overrides).toEqual([
      ['d', '12'],
      ['act', 'tanh'],
      ['reuse', 'true'],
    ]);
    expect(check.fields.find((f) => f.name === 'd')!.preset).toBe(10);
    // tanh is the paper preset's value, 10 is not
    const paper = form({ d: '10', act: 'tanh' }, 'paper');
    expect(paper.fields.filter((f) => f.differs).map((f) => f.name)).toEqual(['d']);
  });

  it('a broken cross-parameter rule: its message, and the form cannot run', () => {
    const check = form({ d: '50', N: '30' });
    expect(check.violations).toEqual(['d=50 > N=30: needs d ≤ N; raise N or lower d']);
    expect(check.runnable).toBe(false);
    expect(check.fields.every((f) => f.error === undefined)).toBe(true);
    expect(form({ d: '30', N: '30' }).runnable).toBe(true);
  });

  it('an invalid field: its message without the experiment id; rules wait until every field parses', () => {
    const check = form({ d: 'abc', N: '3' });
    expect(check.fields[0]!.error).toBe('d=abc is not allowed: d must be an integer ≥ 2');
    expect(check.violations).toEqual([]);
    expect(check.runnable).toBe(false);
    expect(check.overrides).toEqual([
      ['d', 'abc'],
      ['N', '3'],
    ]); // kept as typed, for the URL
  });

  it('a rule that throws still stops the run, with its message', () => {
    const throwing: Experiment = {
      ...stub,
      constraints: [
        () => {
          throw new Error('rule failed');
        },
      ],
    };
    const check = checkForm(throwing, 'quick', new Map());
    expect([check.runnable, check.violations]).toEqual([false, ['rule failed']]);
  });
});
