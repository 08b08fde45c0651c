// Issue 13: `featurelab figure list | figure <name>`: the list, clear usage errors, a plan for
// schedulers (--plan-only), and a real figure run at its tiny sizes that resumes.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES } from '../../dist/experiments/figures/index.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const root = mkdtempSync(join(tmpdir(), 'fl-figure-'));
// runs of a preset: the product of its axes times its seeds (the experiments' constraints reject no point of a figure)
const runsOf = (grid: Record<string, unknown[]>) => Object.values(grid).reduce((n, v) => n * v.length, 1);

describe('featurelab figure', () => {
  it('list: one line per figure with its experiment, title and points × seeds per preset', () => {
    const r = cli(['figure', 'list']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(FIGURES.length);
    for (const [i, f] of FIGURES.entries()) {
      const line = lines[i]!;
      expect(line.startsWith(f.name)).toBe(true);
      expect(line).toContain(f.experiment);
      expect(line).toContain(f.title);
      for (const preset of ['quick', 'paper'] as const) {
        const points = runsOf(f.presets[preset].grid);
        expect(line).toContain(`${preset}: ${points} point${points === 1 ? '' : 's'} × ${f.presets[preset].seeds} seeds`);
      }
    }
  });

  it('an unknown figure, a bad option or no name: exit 2 with a message that names the figures or the option', () => {
    const unknown = cli(['figure', 'ba-fig9']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown figure 'ba-fig9'");
    for (const f of FIGURES) expect(unknown.stderr).toContain(f.name);
    const none = cli(['figure']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('figure needs one argument');
    const jobs = cli(['figure', 'ba-fig3c', '--jobs', '0', '--out', join(root, 'bad')]);
    expect(jobs.status).toBe(2);
    expect(jobs.stderr).toContain('--jobs must be an integer');
    expect(existsSync(join(root, 'bad'))).toBe(false);
    const preset = cli(['figure', 'ba-fig3c', '--preset', 'huge', '--out', join(root, 'bad')]);
    expect(preset.status).toBe(2);
    expect(preset.stderr).toContain("--preset must be quick or paper, got 'huge'");
  });

  it('--plan-only writes the paper plan (for a scheduler) and runs nothing', () => {
    const dir = join(root, 'plan');
    const r = cli(['figure', 'ba-fig3c', '--preset', 'paper', '--plan-only', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    const fig = FIGURES.find((f) => f.name === 'ba-fig3c')!;
    expect(plan.id).toBe('ba-one-step');
    expect(plan.preset).toBe('paper');
    expect(plan.points).toHaveLength(runsOf(fig.presets.paper.grid) * fig.presets.paper.seeds);
    expect(plan.series).toEqual(fig.presets.paper.series);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('runs a figure at its tiny sizes on 2 processes, reports what it measured, and resumes without rerunning', () => {
    const dir = join(root, 'moniri');
    const first = cli(['figure', 'moniri-fig3', '--tiny', '--jobs', '2', '--out', dir]);
    expect(first.status, first.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.missing).toEqual([]);
    expect(summary.points).toBe(2); // tiny: one grid point (the experiment sweeps α itself) × 2 seeds
    expect(summary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stdout).toContain('(2 to do)');
    expect(first.stdout).toContain('the train error of the lin_quad readout goes from');
    expect(first.stdout).toContain(`fingerprint ${summary.fingerprint}`);
    const again = cli(['figure', 'moniri-fig3', '--tiny', '--jobs', '2', '--out', dir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(0 to do)');
    expect(again.stdout).toContain(`fingerprint ${summary.fingerprint}`);
    // another preset into the same directory is refused, naming the other grid
    const other = cli(['figure', 'moniri-fig3', '--out', dir, '--plan-only']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('holds a sweep of another grid');
  });
});
