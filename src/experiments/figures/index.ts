// The papers' figures as named sweeps (`featurelab figure list | figure <name>`; docs/sweeps.md
// "Figures"): each names an experiment, a grid, seeds and kept series per preset, the plots of
// its report, what the paper's figure shows, and how to say what the sweep measured.

import { ArgumentError } from '../../core/errors.js';
import { findExperiment } from '../index.js';
import { validateGrid } from '../params.js';
import type { SweepSummary } from '../sweep.js';
import type { Figure, SweepPage } from '../sweep-view.js';
import type { ParamValue, Preset } from '../types.js';
import { baFig3a, baFig3b, baFig3c } from './ba.js';
import { HUANG_FIGURES } from './huang.js';
import { moniriFig3 } from './moniri.js';
import { TWO_STEP_FIGURES } from './two-step.js';
import { ZHU_FIGURES } from './zhu.js';

/** A Figure that can also say, from its summary, what the sweep measured (the report's intro). */
export interface NamedFigure extends Figure {
  measured?(summary: SweepSummary): string[];
  /** The experiment's claims this figure tests (default: all); see SweepPage.claims. */
  claims?: readonly string[];
}

export const FIGURES: readonly NamedFigure[] = [baFig3a, baFig3b, baFig3c, moniriFig3, ...TWO_STEP_FIGURES, ...ZHU_FIGURES, ...HUANG_FIGURES];

export function findFigure(name: string): NamedFigure {
  const fig = FIGURES.find((f) => f.name === name);
  if (!fig) throw new ArgumentError(`figure: unknown figure '${name}'; figures are ${FIGURES.map((f) => f.name).join(', ')}`);
  return fig;
}

/** A preset's grid, seeds and series; `tiny` shrinks them for tests and smoke checks (see below). */
export function figureSpec(fig: Figure, preset: Preset, tiny = false): Figure['presets'][Preset] {
  const spec = fig.presets[preset];
  if (!spec) throw new ArgumentError(`figure ${fig.name}: no preset '${preset}' (presets: ${Object.keys(fig.presets).join(', ')})`);
  return tiny ? shrink(fig, spec) : spec;
}

/**
 * The same figure at the experiment's smoke sizes, for tests: 2 seeds, the first two values of
 * each swept axis, and every fixed setting the experiment's `smoke` lists replaced by its smoke
 * value (numbers only when smaller, so a part the figure switched off, such as dCurve = 0,
 * stays off).
 */
function shrink(fig: Figure, spec: Figure['presets'][Preset]): Figure['presets'][Preset] {
  const smoke = findExperiment(fig.experiment).smoke ?? {};
  const grid: Record<string, ParamValue[]> = {};
  for (const [key, values] of Object.entries(spec.grid)) grid[key] = values.length > 1 ? values.slice(0, 2) : values;
  for (const [key, value] of Object.entries(smoke)) {
    const current = grid[key];
    if (current && current.length > 1) continue;
    const now = current?.[0];
    // a switch or choice the figure sets (e.g. moniri's sweep = true) stays: the figure needs it
    if (current && typeof value !== 'number') continue;
    grid[key] = [typeof value === 'number' && typeof now === 'number' ? Math.min(value, now) : value];
  }
  return { ...spec, grid, seeds: Math.min(spec.seeds, 2) };
}

/** Grid points (those that satisfy the experiment's constraints) and seeds of a preset. */
export function figureSize(fig: Figure, preset: Preset): { points: number; seeds: number; errors: string[] } {
  const spec = figureSpec(fig, preset);
  const check = validateGrid(findExperiment(fig.experiment), spec.grid as never, preset);
  return { points: check.points.length, seeds: spec.seeds, errors: check.errors.concat(check.rejected.flatMap((r) => r.violations)) };
}

/** The report page of a figure's sweep: what the paper shows, what we measured, the figure's views. */
export function figurePage(fig: NamedFigure, summary: SweepSummary): SweepPage {
  const done = summary.points - summary.missing.length;
  const seeds = Math.max(0, ...summary.groups.map((g) => g.seeds));
  return {
    title: `${fig.title} (${summary.preset} preset)`,
    citation: fig.paper,
    ...(fig.claims ? { claims: fig.claims } : {}),
    intro: [
      `What the paper shows: ${fig.paperShows}`,
      ...(fig.measured?.(summary) ?? []),
      `This sweep: experiment ${fig.experiment}, ${summary.groups.length} grid point(s) × up to ${seeds} seeds, ${done} of ${summary.points} runs done${
        summary.missing.length ? ' (the numbers above cover the finished runs only)' : ''
      }; intervals are ${summary.interval}.`,
    ],
    views: fig.views,
  };
}
