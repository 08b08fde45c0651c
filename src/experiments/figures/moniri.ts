// Moniri, Lee, Hassani & Dobriban (ICML 2024) Fig. 3 as a named sweep of moniri-spikes
// (docs/sweeps.md "Figures"; docs/science.md §2): train and test error of the ridge readout,
// and the number of spikes of the feature matrix, against log η / log n over a grid of α
// (η = c·n^α, so log η / log n = α + ln c / ln n). The experiment's own α sweep and size
// ladder are off: the grid is the sweep, each point one α.

import type { SweepSummary } from '../sweep.js';
import type { DerivedField } from '../sweep-view.js';
import type { Params, ParamValue } from '../types.js';
import type { NamedFigure } from './index.js';
import { fmt, metricText } from './text.js';

const logEtaOverLogN: DerivedField = {
  label: 'log η / log n',
  of: (p: Params) => Math.log((p.c as number) * (p.n as number) ** (p.alpha as number)) / Math.log(p.n as number),
};

const ALPHAS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4];

/** The asymptotic thresholds (k − 1)/(2k) in log η / log n where spike k appears: 1/4, 1/3. */
const THRESHOLDS = '1/4 (second spike) and 1/3 (third)';

function grid(size: number): Record<string, ParamValue[]> {
  return { d: [size], n: [size], N: [size], alpha: ALPHAS, c: [3], sweep: [false], ladder: [false] };
}

function sentences(s: SweepSummary): string[] {
  const done = s.groups.filter((g) => g.seeds > 0).sort((a, b) => (a.params.alpha as number) - (b.params.alpha as number));
  if (done.length === 0) return ['No point of this sweep has finished yet.'];
  const first = done[0]!,
    last = done[done.length - 1]!;
  const x = (g: (typeof done)[number]) => fmt(logEtaOverLogN.of(g.params));
  const agree = done.filter((g) => g.metrics.spikes?.mean === g.metrics.predictedSpikes?.mean);
  return [
    `Measured (n = d = N = ${first.params.n}, c = ${first.params.c}, ${first.params.activation} student, ${first.params.target} target): from log η / log n = ${x(first)} to ${x(last)} the train error goes from ${metricText(first.metrics.trainError)} to ${metricText(last.metrics.trainError)} and the test error from ${metricText(first.metrics.testError)} to ${metricText(last.metrics.testError)}.`,
    `The mean outlier count over seeds equals the predicted count (k ≤ ⌊1/(1 − 2α)⌋ with c_k ≠ 0) at ${agree.length} of ${done.length} values of α${
      agree.length < done.length
        ? ` (not at α ∈ {${done
            .filter((g) => !agree.includes(g))
            .map((g) => g.params.alpha)
            .join(', ')}})`
        : ''
    }; the predicted thresholds are at log η / log n = ${THRESHOLDS} asymptotically, and move by O(1/ln n) at finite n.`,
  ];
}

export const moniriFig3: NamedFigure = {
  name: 'moniri-fig3',
  experiment: 'moniri-spikes',
  title: 'Moniri et al. Fig. 3: train and test error vs log η / log n',
  paper: 'Moniri, Lee, Hassani & Dobriban, "A Theory of Non-Linear Feature Learning with One Gradient Step in Two-Layer Neural Networks", ICML 2024, Fig. 3',
  paperShows: `Moniri et al. Fig. 3: after one step with η = c·n^α the train and test errors of the ridge readout improve in a staircase as log η / log n crosses the thresholds (k − 1)/(2k) = ${THRESHOLDS}, where the feature matrix gains its k-th spike (a degree-k polynomial feature). The paper's simulations use linear and quadratic targets; here the experiment's tanh target (odd: the He_2 spike carries no signal of it, so its error step at 1/4 may be flat), a ReLU student and c = 3, for which the second spike is visible at n = 2000 (docs/science.md §2).`,
  presets: {
    quick: { grid: grid(600), seeds: 5 },
    paper: { grid: grid(2000), seeds: 10 },
  },
  views: [
    {
      title: 'Train and test error of the ridge readout vs log η / log n',
      x: 'logEtaOverLogN',
      y: ['trainError', 'testError'],
      derived: { logEtaOverLogN },
      caption: `Predicted thresholds at log η / log n = ${THRESHOLDS} (asymptotic). Bands: 95 % t intervals over seeds.`,
    },
    {
      title: 'Outliers of the feature matrix vs log η / log n',
      x: 'logEtaOverLogN',
      y: ['spikes'],
      theory: ['predictedSpikes'],
      derived: { logEtaOverLogN },
      caption: 'Measured outliers of the column-centred F (mean over seeds) beside the prediction: one spike per k ≤ ⌊1/(1 − 2α)⌋ with c_k ≠ 0 (dashed).',
    },
  ],
  measured: sentences,
};
