// Zhu, Liu & Cevher's figures as named sweeps (docs/sweeps.md, "Figures: two-step, Zhu,
// Huang"): the late loss slope against m and k over a grid, and the length of the alignment
// and growth phases against m and k from the experiment's own phase-length runs, each with
// seed bands.
//
// Two figures, not one: the phase lengths come from the series `phaseLengths`, whose rows carry
// their own k and m (⌈m/4⌉, m, 4m at k; 2k at m). A grid key named k or m would replace those
// columns in series-phaseLengths.csv (the grid's value comes first), so the phase figure leaves
// k and m at the preset's defaults and lets the experiment vary them, while the rate figure
// sweeps them.

import type { Figure } from '../sweep-view.js';

export const zhuRate: Figure = {
  name: 'zhu-rate',
  experiment: 'zhu-balance',
  title: 'Zhu et al.: the late loss decays like T⁻³ for every m and k',
  paper:
    'Zhu, Liu & Cevher, "How Gradient descent balances features: A dynamical analysis for two-layer neural networks", ICLR 2025: the loss curves of the k = 2, m = 20 and k = 4, m ∈ {12, 20, 40} runs (figure numbers not available to us: the configurations come from public reviews, docs/science.md §5)',
  paperShows:
    'Population gradient descent on a sum of m ReLU students learning k orthogonal ReLU teachers, from a small initialisation, goes through alignment, tangential growth and a local convergence phase in which the loss decays like T⁻³ (a log–log slope of −3), whatever m and k. The step size, d and σ are not given in the sources we have: d = 20, σ = 1e-3, η = 0.05 are the assumed values of docs/science.md §5.',
  presets: {
    // phaseSteps = 0: the phase-length runs are zhu-phases' business; 6 cells × 3 seeds
    quick: { grid: { k: [2, 4], m: [12, 20, 40], steps: [100000], phaseSteps: [0] }, seeds: 3, series: { loss: ['step', 't1', 'run'] } },
    // the experiment's paper size (T = 1e6); the sources give no seed count: 10 seeds
    paper: { grid: { k: [2, 4], m: [12, 20, 40], steps: [1000000], phaseSteps: [0] }, seeds: 10, series: { loss: ['step', 't1', 'run'] } },
  },
  views: [
    {
      title: 'Late log–log slope of the loss vs m',
      x: 'm',
      color: 'k',
      y: ['lossSlope'],
      theory: ['slopeTheory'],
      derived: { slopeTheory: { label: 'T⁻³ (slope −3)', of: () => -3 } },
      caption: 'The slope over the last decade of steps, mean and 95 % t interval over seeds; the dashed line is −3.',
    },
    {
      title: 'Final loss vs m',
      x: 'm',
      color: 'k',
      y: ['lossFinal'],
      scale: { y: 'log' },
      caption: 'The loss after T steps: more teachers leave more to learn in the same time.',
    },
    {
      title: 'Loss curves, mean over seeds with a 95 % band',
      source: 'loss',
      x: 't1',
      color: 'run',
      y: ['loss'],
      scale: { x: 'log', y: 'log' },
      caption: 'Log–log: a plateau (alignment), a drop (growth), then a straight line of slope −3.',
    },
  ],
};

export const zhuPhases: Figure = {
  name: 'zhu-phases',
  experiment: 'zhu-balance',
  title: 'Zhu et al.: more students shorten the first two phases, more teachers lengthen them',
  paper:
    'Zhu, Liu & Cevher, "How Gradient descent balances features: A dynamical analysis for two-layer neural networks", ICLR 2025: the phase lengths against m and k (figure numbers not available to us; docs/science.md §5)',
  paperShows:
    'The alignment and tangential-growth phases get shorter as the number of students m grows and longer as the number of teachers k grows; during growth the per-teacher residual H_l = ‖v‖ − Σ_{i in group l}⟨w_i, v̄_l⟩ decays geometrically and the largest student–teacher angle shrinks. We read the end of the first two phases off the residuals: the first step (checked at 1 % resolution) at which every |H_l| ≤ 1 %·‖v‖ [assumed: the sources describe the phases qualitatively]. The experiment measures it at ⌈m/4⌉, m and 4m students for k teachers, and for 2k teachers at m, each as the geometric mean over phaseSeeds independent runs (one run is too noisy to order: docs/science.md §5).',
  presets: {
    // k = 2, m = 20 (the defaults): m ∈ {5, 20, 80} and k ∈ {2, 4}; the main run shortened to
    // 2e4 steps (its late rate is zhu-rate's)
    quick: {
      grid: { steps: [20000], phaseSteps: [5000] },
      seeds: 10,
      series: { phaseLengths: ['k', 'm', 'vary', 'label', 'x'], residuals: ['step', 'teacher'], maxAngle: ['step', 't1'] },
    },
    // the paper's k = 2, m = 20 configuration (the defaults) with 20000-step phase runs; the
    // sources give no seed count: 20 seeds
    paper: {
      grid: { steps: [100000], phaseSteps: [20000] },
      seeds: 20,
      series: { phaseLengths: ['k', 'm', 'vary', 'label', 'x'], residuals: ['step', 'teacher'], maxAngle: ['step', 't1'] },
    },
  },
  views: [
    {
      title: 'Length of the alignment and growth phases vs m, one line per k',
      source: 'phaseLengths',
      x: 'm',
      color: 'k',
      y: ['steps'],
      scale: { x: 'log', y: 'log' },
      caption: 'Steps until every |H_l| ≤ 1 %·‖v‖: falling with m along the k line, higher for 2k teachers at the same m.',
    },
    {
      title: 'Per-teacher residual |H_l| during training (main run)',
      source: 'residuals',
      x: 'step',
      color: 'teacher',
      y: ['H'],
      scale: { y: 'log' },
      caption: 'Geometric decay during tangential growth (a straight line on this semilog plot).',
    },
    {
      title: 'Largest student–teacher angle (main run)',
      source: 'maxAngle',
      x: 't1',
      y: ['maxAngle'],
      scale: { x: 'log', y: 'log' },
      caption: 'Alignment: the angle falls during the first phase and keeps shrinking slowly afterwards.',
    },
  ],
};

export const ZHU_FIGURES: Figure[] = [zhuRate, zhuPhases];
