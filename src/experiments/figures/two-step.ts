// The two-step paper's figure as a named sweep (docs/sweeps.md, "Figures: two-step, Zhu,
// Huang"): the (α1, α2) phase diagram, predicted beside measured outlier counts, and the
// alignment with β* for a fresh and a reused second batch, each cell over seeds.
//
// Why a grid and not the experiment's own `phase` mode: `phase=true` maps a fixed 3 × 4 grid
// inside one run (cheaper, 16 runs per seed instead of 4 per cell), but it fixes the cells,
// counts only the main target's outliers and measures fresh vs reused at one cell. Sweeping
// alpha1 × alpha2 (with phase=false) lets the paper preset take the cells of
// docs/science.md §3, gives every cell its seed interval, and measures fresh vs reused in
// every cell.

import type { Figure } from '../sweep-view.js';

const ALPHA_QUICK = [0.1, 0.2, 0.3];
const ALPHA_PAPER = [0.1, 0.15, 0.2, 0.25, 0.3];

export const twoStepPhase: Figure = {
  name: 'two-step-phase',
  experiment: 'two-step',
  title: 'Two steps: the (α1, α2) phase diagram of outliers, fresh vs reused batch',
  paper:
    'Moniri & Hassani, "Feature Learning in Linear-Width Two-Layer Networks: Two vs. One Step of Gradient Descent", 2026: the phase diagram over (α1, α2) stated in the abstract (main theorem; no numbered figure is available to us)',
  paperShows:
    'With step sizes η1 = c·N^α1 and η2 = c·N^α2, α1, α2 ∈ [0, ½), the first layer after two steps is a spiked random matrix whose number of outliers is ⌊α2/(½ − α1)⌋: no outlier below the line α1 + α2 = ½, one above it, more only near α1 → ½. With independent batches only directions of information exponent 1 are learned; reusing the first batch lets the second step reach directions of higher exponent for suitable (α1, α2). ' +
    "Our reading (docs/science.md §3): the count is the number of outliers the second step adds (the k-th needs c_{k+1}(σ) ≠ 0); the total also counts step 1's spike. c = 2.5 [assumed: the paper gives exponents only] puts the finite-N threshold of the first added outlier on α1 + α2 = ½ at N = 2000; at c = 1 nothing is added at these sizes. Reuse is shown with ie2tanh, a bounded target of information exponent 2 and generative exponent 1 (docs/science.md §3), where it helps; He_2/√2 (generative exponent 2) is the control where it cannot.",
  presets: {
    // 9 cells × 3 seeds at N = 600: about 3 min with --jobs 2 (docs/sweeps.md)
    quick: { grid: { alpha1: ALPHA_QUICK, alpha2: ALPHA_QUICK, c: [2.5], phase: [false] }, seeds: 3 },
    // the sizes and seeds of docs/science.md §3 (N = n = d = 2000, 3 seeds; the paper gives no seed count)
    paper: { grid: { d: [2000], n: [2000], N: [2000], alpha1: ALPHA_PAPER, alpha2: ALPHA_PAPER, c: [2.5], phase: [false] }, seeds: 3 },
  },
  views: [
    {
      title: 'Outliers added by step 2: predicted ⌊α2/(½ − α1)⌋ (terms with c_{k+1}(σ) ≠ 0)',
      x: 'alpha1',
      color: 'alpha2',
      y: ['predictedOutliers'],
      kind: 'heatmap',
      caption: 'The asymptotic prediction: 0 below α1 + α2 = ½, 1 on and above it (relu has c2 ≠ 0).',
    },
    {
      title: 'Outliers added by step 2: finite-N prediction (T_k strengths against the BBP threshold of the bulk)',
      x: 'alpha1',
      color: 'alpha2',
      y: ['predictedOutliersFinite'],
      kind: 'heatmap',
      caption: 'What N = n = d of this preset can show: the threshold moves with c and N (docs/science.md §3).',
    },
    {
      title: 'Outliers added by step 2: measured (mean over seeds)',
      x: 'alpha1',
      color: 'alpha2',
      y: ['outliers'],
      kind: 'heatmap',
      caption: 'Outliers of W2 nearly orthogonal to span(b, u_0), against W2’s own bulk edge; cells at the finite-N threshold may differ between seeds.',
    },
    {
      title: 'All outliers of W2, measured (step 1’s spike included)',
      x: 'alpha1',
      color: 'alpha2',
      y: ['outliersTotal'],
      kind: 'heatmap',
      caption: "Step 1's spike is an outlier wherever it is visible, so the total is the added count plus one there.",
    },
    {
      title: 'Size of the k = 1 term step 2 adds: measured vs prediction',
      x: 'alpha2',
      color: 'alpha1',
      y: ['termStrength1'],
      theory: ['termStrength1Predicted', 'termStrength1Leading'],
      caption:
        'The term behind the first added outlier, growing like N^{α2 + α1 − ½}; dashed: the prediction with the next orders, and the leading order alone (high at large steps).',
    },
    {
      title: 'Alignment ‖P_top3 β*‖², ie2tanh target (IE 2, generative exponent 1), fresh second batch',
      x: 'alpha1',
      color: 'alpha2',
      y: ['alignmentIe2tanhFresh'],
      kind: 'heatmap',
      caption: 'Fresh batches do not learn an information-exponent-2 direction.',
    },
    {
      title: 'Alignment ‖P_top3 β*‖², ie2tanh target, reused batch',
      x: 'alpha1',
      color: 'alpha2',
      y: ['alignmentIe2tanhReuse'],
      kind: 'heatmap',
      caption: 'Reusing the first batch reaches it (generative exponent 1).',
    },
    {
      title: 'Alignment ‖P_top3 β*‖², tanh target (IE 1): fresh second batch',
      x: 'alpha1',
      color: 'alpha2',
      y: ['alignmentTanhFresh'],
      kind: 'heatmap',
      caption: 'An information-exponent-1 direction is learned with fresh batches.',
    },
    {
      title: 'Alignment ‖P_top3 β*‖², tanh target (IE 1): reused batch',
      x: 'alpha1',
      color: 'alpha2',
      y: ['alignmentTanhReuse'],
      kind: 'heatmap',
      caption: 'Reuse adds self-term noise: lower than fresh for this target.',
    },
    {
      title: 'Alignment ‖P_top3 β*‖², He_2/√2 target (control): reused batch',
      x: 'alpha1',
      color: 'alpha2',
      y: ['alignmentHe2Reuse'],
      kind: 'heatmap',
      caption: 'No gain from reuse, by construction: He_2/√2 has generative exponent 2 (docs/science.md §3).',
    },
  ],
};

export const TWO_STEP_FIGURES: Figure[] = [twoStepPhase];
