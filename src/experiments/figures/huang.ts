// Huang et al.'s Fig. 1 as a named sweep (docs/sweeps.md, "Figures: two-step, Zhu, Huang"):
// the loss, the ratio mean|ρ_r|/mean|v_r| against √γ, the NTK's distance to its limit and the
// stage-1 closed form's error along training, each curve averaged over seeds with a band.

import type { SweepSummary } from '../sweep.js';
import type { NamedFigure } from './index.js';
import { fmt, metricText } from './text.js';

/** Both presets keep the same curves: the trajectory per step, the stage-1 errors per step and quantity. */
const SERIES = { trajectory: ['step'], stage1: ['step', 'quantity'] };

export const huangFig1: NamedFigure = {
  name: 'huang-fig1',
  experiment: 'huang-linear',
  title: 'Huang et al. Fig. 1: the two stages of a linear network, over seeds',
  paper: 'Huang, Chen, Xu, Wang & Suzuki, "Exact and Rich Feature Learning Dynamics of Two-Layer Linear Networks", CPAL 2025, Fig. 1',
  paperShows:
    'One run at m = 1024, d = 10000, n = 10, η = 0.1, σ0 = 0.01, v0 = 0.001, σ_y² = 0.01, about 20 steps: the loss barely moves in stage 1 and then collapses; the ratio |ρ_r|/|v_r| rises to √γ = ‖Xᵀy‖; the tangent kernel approaches its predicted limit (v²/m)·X(I + XᵀyyᵀX/γ)Xᵀ. ' +
    'Over seeds the data change, so √γ and the collapse step change too (17–25 steps, docs/science.md §4): the mean curves are smoother than one run, and their bands show that spread.',
  presets: {
    // the paper's sizes (the experiment's defaults), 40 steps so the collapse is inside the run
    quick: { grid: { steps: [40] }, seeds: 5, series: SERIES },
    // Fig. 1 is a single run; 20 seeds give the bands
    paper: { grid: { steps: [40] }, seeds: 20, series: SERIES },
  },
  measured: sentences,
  views: [
    {
      title: 'Loss (1/2n)‖f − y‖² per step',
      source: 'trajectory',
      x: 'step',
      y: ['loss'],
      theory: ['lossScalarMap'],
      scale: { y: 'log' },
      caption:
        'Flat in stage 1, then a collapse by several orders of magnitude; the band is wide where the seeds collapse at different steps. Dashed: the scalar map L0·(1 − s_t)² (docs/science.md §4), averaged over the same seeds.',
    },
    {
      title: 'mean|ρ_r| / mean|v_r| and √γ',
      source: 'trajectory',
      x: 'step',
      y: ['ratio'],
      theory: ['sqrtGamma'],
      scale: { y: 'log' },
      caption: 'The ratio rises to √γ = ‖Xᵀy‖ (dashed, averaged over the same seeds) after the collapse.',
    },
    {
      title: 'Relative NTK error ‖Θ − Θ_pred‖₂ / ‖Θ_pred‖₂',
      source: 'trajectory',
      x: 'step',
      y: ['ntkError'],
      scale: { y: 'log' },
      caption: 'The tangent kernel reaches its predicted limit once the loss has collapsed.',
    },
    {
      title: 'Stage 1: relative error of the closed form for v_r and ρ_r',
      source: 'stage1',
      x: 'step',
      color: 'quantity',
      y: ['error'],
      scale: { y: 'log' },
      caption:
        'The exact discrete solution without loss feedback: the error grows with t but stays far below 1 % through t = 10 (at t = 0, ρ = 0 and the relative error of ρ reads 1).',
    },
  ],
};

export const HUANG_FIGURES: NamedFigure[] = [huangFig1];

/** What the sweep measured: the half-loss time against its prediction, the final ratio against √γ, the NTK's error. */
function sentences(s: SweepSummary): string[] {
  const g = s.groups[0];
  if (!g) return ['No point of this sweep has finished yet.'];
  const m = g.metrics;
  const halved = m.tHalfMeasured?.n ?? 0;
  return [
    `Half-loss time: measured ${metricText(m.tHalfMeasured)} against the prediction t½ ${metricText(m.tHalfPredicted)}${halved < g.seeds ? ` (the loss halved in ${halved} of ${g.seeds} seeds)` : ''}.`,
    `After the collapse mean|ρ_r|/mean|v_r| is ${metricText(m.ratioFinal)} against √γ ${metricText(m.sqrtGamma)}; the NTK's relative distance to its limit is ${metricText(m.ntkErrorFinal)}; the final loss ${metricText(m.lossFinal)} (initial ${fmt(m.lossInitial?.mean)}).`,
  ];
}
