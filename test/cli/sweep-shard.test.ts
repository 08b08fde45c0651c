// Issue 13: which points a process takes: --shard i/n, else Slurm's array environment, else a
// Kubernetes Indexed Job's; --seeds.

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

  it("a Kubernetes Indexed Job: JOB_COMPLETION_INDEX of FEATURELAB_SHARD_COUNT; the option and Slurm's environment win", () => {
    expect(parseShard(undefined, { JOB_COMPLETION_INDEX: '2', FEATURELAB_SHARD_COUNT: '5' })).toEqual({ i: 2, n: 5 });
    expect(parseShard(undefined, { JOB_COMPLETION_INDEX: '0', FEATURELAB_SHARD_COUNT: '1' })).toEqual({ i: 0, n: 1 });
    expect(parseShard('1/3', { JOB_COMPLETION_INDEX: '2', FEATURELAB_SHARD_COUNT: '5' })).toEqual({ i: 1, n: 3 });
    const both = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4', JOB_COMPLETION_INDEX: '2', FEATURELAB_SHARD_COUNT: '5' };
    expect(parseShard(undefined, both)).toEqual({ i: 1, n: 4 });
    // the count alone (set for every pod of a template) does not shard
    expect(parseShard(undefined, { FEATURELAB_SHARD_COUNT: '5' })).toEqual({ i: 0, n: 1 });
  });

  it('rejects an index without its count, or an index outside [0, count), naming the variables', () => {
    // every pod running the whole sweep would be correct but N times the work: refuse it
    expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: '3' })).toThrow(/JOB_COMPLETION_INDEX=3 is set .* but FEATURELAB_SHARD_COUNT is not/);
    for (const [index, count] of [
      ['5', '5'],
      ['0', '0'],
      ['-1', '4'],
      ['1.5', '4'],
      ['', '4'],
      ['1', ''],
      ['1', 'x'],
      ['1', ' 4'],
    ] as const) {
      expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: index, FEATURELAB_SHARD_COUNT: count })).toThrow(ArgumentError);
    }
    expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: '5', FEATURELAB_SHARD_COUNT: '5' })).toThrow(
      /JOB_COMPLETION_INDEX=5 and FEATURELAB_SHARD_COUNT=5 do not give a shard i\/n with 0 ≤ i < n/,
    );
  });

  it('--seeds: a count from 0 or an inclusive range', () => {
    expect(parseSeeds('3')).toEqual([0, 1, 2]);
    expect(parseSeeds('5..7')).toEqual([5, 6, 7]);
    for (const bad of ['0', '7..5', '1.5', '', 'x', '-2']) expect(() => parseSeeds(bad)).toThrow(/--seeds must be/);
  });
});
