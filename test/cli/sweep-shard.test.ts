// Issue 13: which points a process takes: --shard i/n, else Slurm's array environment; --seeds.

import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../dist/core/errors.js';
import { parseShard } from '../../dist/cli/sweep.js';
import { parseSeeds } from '../../dist/experiments/sweep.js';

describe('sweep shards and seeds', () => {
  it('--shard i/n, else SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, else the whole sweep', () => {
    expect(parseShard('1/4', {})).toEqual({ i: 1, n: 4 });
    expect(parseShard('0/1', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ i: 0, n: 1 }); // the option wins
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ i: 3, n: 4 });
    // --array=1-4: ids 1..4, counted from the minimum
    expect(parseShard(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' })).toEqual({ i: 3, n: 4 });
    expect(parseShard(undefined, {})).toEqual({ i: 0, n: 1 });
  });

  it('rejects a shard outside [0, n) from the option or the environment, naming it', () => {
    for (const bad of ['4/4', '1/0', '-1/2', 'a/b', '1']) expect(() => parseShard(bad, {})).toThrow(ArgumentError);
    expect(() => parseShard('2/2', {})).toThrow(/--shard must be i\/n with 0 ≤ i < n, got '2\/2'/);
    expect(() => parseShard(undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/SLURM_ARRAY_TASK_ID=4/);
  });

  it('--seeds: a count from 0 or an inclusive range', () => {
    expect(parseSeeds('3')).toEqual([0, 1, 2]);
    expect(parseSeeds('5..7')).toEqual([5, 6, 7]);
    for (const bad of ['0', '7..5', '1.5', '', 'x', '-2']) expect(() => parseSeeds(bad)).toThrow(/--seeds must be/);
  });
});
