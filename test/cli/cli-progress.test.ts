// Item 16: progress without a terminal is at most a line every few seconds plus a final line;
// on a terminal the bar shows an ETA; experiments' labels never count past their totals.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../dist/index.js';
import { EXPERIMENTS, runExperiment } from '../../dist/experiments/index.js';
import { createCountProgress, createProgress } from '../../dist/cli/progress.js';
import { TINY_OVERRIDES as TINY } from '../../dist/harness/conformance.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** A fake clock and a sink that records what was written. */
function harness(isTTY: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = createProgress('exp', { isTTY, write: (s: string) => written.push(s) }, { now: () => now });
  return { progress, written, advance: (ms: number) => (now += ms) };
}

describe('progress (item 16)', () => {
  it('without a terminal: 1000 updates over 60 s print at most one line per 5 s, plus the final line', () => {
    const { progress, written, advance } = harness(false);
    for (let i = 1; i <= 1000; i++) {
      advance(60);
      progress.report(i / 1000, `step ${i}/1000`);
    }
    progress.done();
    const lines = written.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(60 / 5 + 1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^exp: 100% done in 1 min 00 s$/);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^exp: +\d+% step \d+\/1000$/);
  });

  it('a short run without a terminal prints only its final line', () => {
    const { progress, written, advance } = harness(false);
    for (let i = 1; i <= 200; i++) {
      advance(10);
      progress.report(i / 200, `step ${i}`);
    }
    progress.done();
    expect(written).toEqual(['exp: 100% done in 2 s\n']);
  });

  it('on a terminal: one bar redrawn in place, with an ETA extrapolated from the elapsed time', () => {
    const { progress, written, advance } = harness(true);
    advance(10_000);
    progress.report(0.25, 'half way there');
    expect(written.at(-1)).toMatch(/^\rexp \[#{6}\.{18}\] +25% half way there +ETA 30 s/);
    advance(50_000);
    progress.report(0.5, 'more');
    expect(written.at(-1)).toMatch(/ETA 1 min 00 s/);
    progress.done();
    expect(written.at(-1)).toMatch(/^\rexp \[#{24}\] 100% done +in 1 min 00 s +\n$/);
    expect(written.join('')).not.toMatch(/\n.*\n/); // a single line on the terminal
  });

  it('featurelab run without a terminal prints few progress lines', () => {
    // stderr is a pipe here; before, every update was a line (ba-one-step: 12)
    const args = Object.entries(TINY['ba-one-step']!).map(([k, v]) => `${k}=${v}`);
    const out = mkdtempSync(join(tmpdir(), 'featurelab-progress-'));
    const r2 = spawnSync(process.execPath, [CLI, 'run', 'ba-one-step', ...args, '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r2.status, r2.stderr).toBe(0);
    const lines = r2.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^ba-one-step: 100% done in \d+ s$/);
  }, 120_000);

  it('every experiment: fractions in [0, 1] never go back, and no label counts past its total ("step 41/40")', async () => {
    const fl = await createEngine({ threads: 1 });
    try {
      for (const exp of EXPERIMENTS) {
        const seen: [number, string][] = [];
        runExperiment(fl, exp, { overrides: TINY[exp.id], progress: (f, label) => seen.push([f, label]) });
        expect(seen.length, exp.id).toBeGreaterThan(0);
        for (let i = 0; i < seen.length; i++) {
          const [f, label] = seen[i]!;
          expect(f, `${exp.id} ${label}`).toBeGreaterThanOrEqual(i > 0 ? seen[i - 1]![0] : 0);
          expect(f, `${exp.id} ${label}`).toBeLessThanOrEqual(1);
          for (const [, done, total] of label.matchAll(/(\d+)\/(\d+)/g)) expect(Number(done), `${exp.id}: ${label}`).toBeLessThanOrEqual(Number(total));
        }
      }
    } finally {
      fl.dispose();
    }
  });
});

describe('sweep progress (issue 13): done/total, rate, ETA', () => {
  function counter(isTTY: boolean, total: number) {
    let now = 0;
    const written: string[] = [];
    const progress = createCountProgress('sweep x', total, { isTTY, write: (s: string) => written.push(s) }, { now: () => now });
    return { progress, written, advance: (ms: number) => (now += ms) };
  }
  it('on a terminal: the count, the rate and an ETA from this run’s pace', () => {
    const { progress, written, advance } = counter(true, 100);
    for (let i = 0; i < 25; i++) {
      advance(2000); // 2 s per point
      progress.tick();
    }
    // 25 points in 50 s: 2 s/point, 75 left → 150 s
    expect(written.at(-1)).toMatch(/\[######\.+\] 25\/100 points, 2 s\/point, ETA 2 min 30 s/);
    for (let i = 0; i < 75; i++) progress.tick(); // a burst: 100 points/… the final count is always drawn
    progress.done();
    expect(written.at(-1)).toMatch(/\[#{24}\] 100\/100 points in 50 s\s*\n$/);
  });
  it('without a terminal: at most one line per 30 s plus the final line, even for 5000 points', () => {
    const { progress, written, advance } = counter(false, 5000);
    for (let i = 0; i < 5000; i++) {
      advance(100); // 10 points/s, 500 s in all
      progress.tick();
    }
    progress.done();
    const lines = written.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(500 / 30 + 1);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines[0]).toMatch(/^sweep x: 300\/5000 points, 10\.0 points\/s, ETA 7 min 50 s$/);
    expect(lines.at(-1)).toBe('sweep x: 5000/5000 points in 8 min 20 s');
  });
});
