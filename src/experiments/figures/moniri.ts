// Moniri, Lee, Hassani & Dobriban (ICML 2024) Fig. 3 as a named sweep of moniri-spikes
// (docs/sweeps.md "Figures"; docs/science.md §2): train and test error of the ridge readout,
// q2 and the number of spikes of the feature matrix, against log η / log n, from the
// experiment's own α sweep (η = c·n^α) kept over seeds; the size ladder is off.

import type { KeptRow, SweepSummary } from '../sweep.js';
import type { ParamValue } from '../types.js';
import type { NamedFigure } from './index.js';
import { cellText, fmt } from './text.js';

/** The asymptotic thresholds (k − 1)/(2k) in log η / log n where spike k appears: 1/4, 1/3. */
const THRESHOLDS = '1/4 (second spike) and 1/3 (third)';

/** The experiment's own α sweep (train/test error and q2 of the lin_quad target, the outlier counts) kept over seeds; the size ladder off. */
function grid(alphas: 'coarse' | 'fine'): Record<string, ParamValue[]> {
  return { sweep: [true], grid: [alphas], ladder: [false] };
}

const SERIES = { staircase: ['alpha', 'logEtaOverLogN', 'kind'], q2: ['alpha', 'logEtaOverLogN', 'student'], counts: ['alpha', 'kind', 'window'] };

function sentences(s: SweepSummary): string[] {
  const g = s.groups[0];
  const stairs = g?.series?.staircase ?? [];
  if (!g || stairs.length === 0) return ['No point of this sweep has finished yet (or its α sweep was off).'];
  const at = (kind: string) => stairs.filter((r) => r.kind === kind).sort((a, b) => (a.alpha as number) - (b.alpha as number));
  const train = at('train'),
    test = at('test');
  const x = (r: KeptRow | undefined) => fmt(r?.logEtaOverLogN as number);
  const q2 = (g.series?.q2 ?? []).filter((r) => r.alpha === Math.max(...(g.series?.q2 ?? []).map((q) => q.alpha as number)));
  const counts = g.series?.counts ?? [];
  const measured = counts.filter((r) => r.kind === 'measured');
  const finite = counts.filter((r) => String(r.kind).startsWith('finite'));
  const agree = measured.filter((m) => finite.some((f) => f.alpha === m.alpha && f.spikes_mean === m.spikes_mean)).length;
  return [
    `Measured (n = ${g.params.n ?? 'the preset’s'}, ${g.seeds} seeds): from log η / log n = ${x(train[0])} to ${x(train.at(-1))} the train error of the lin_quad readout goes from ${cellText(train[0], 'error')} to ${cellText(train.at(-1), 'error')} and the test error from ${cellText(test[0], 'error')} to ${cellText(test.at(-1), 'error')}.`,
    `q2 (the share of the target’s He_2 part the predictor carries) at the largest α: ${q2.map((r) => `${r.student} ${cellText(r, 'q2')}`).join('; ')}.`,
    `The mean outlier count over seeds equals the finite-n prediction at ${agree} of ${measured.length} values of α; the asymptotic thresholds are at log η / log n = ${THRESHOLDS}, moved at finite n by ln c / ln n and the BBP threshold of the bulk (docs/science.md §2).`,
  ];
}

export const moniriFig3: NamedFigure = {
  name: 'moniri-fig3',
  experiment: 'moniri-spikes',
  title: 'Moniri et al. Fig. 3: train and test error and q2 vs log η / log n',
  paper: 'Moniri, Lee, Hassani & Dobriban, "A Theory of Non-Linear Feature Learning with One Gradient Step in Two-Layer Neural Networks", ICML 2024, Fig. 3',
  paperShows: `Moniri et al. Fig. 3: after one step with η = c·n^α the train and test errors of the ridge readout improve in a staircase as log η / log n crosses the thresholds (k − 1)/(2k) = ${THRESHOLDS}, where the feature matrix gains its k-th spike (a degree-k polynomial feature). Here the target is lin_quad = (z + He_2(z)/√2)/√2 with a ReLU student and c = 3 [assumed]; q2 shows the non-linear part being learned, and a tanh student (c2 = 0) is the control that cannot learn it (docs/science.md §2).`,
  presets: {
    quick: { grid: grid('coarse'), seeds: 5, series: SERIES },
    paper: { grid: grid('fine'), seeds: 10, series: SERIES },
  },
  views: [
    {
      title: 'Train and test error of the ridge readout (lin_quad target) vs log η / log n',
      source: 'staircase',
      x: 'logEtaOverLogN',
      y: ['error'],
      color: 'kind',
      caption: `Asymptotic thresholds at log η / log n = ${THRESHOLDS}. Bands: 95 % t intervals over seeds.`,
    },
    {
      title: 'q2: the share of the target’s He_2 component carried by the predictor',
      source: 'q2',
      x: 'logEtaOverLogN',
      y: ['q2'],
      color: 'student',
      caption: 'Rises from ≈ 0 once the second spike leaves the bulk for the ReLU student; stays ≈ 0 for the tanh control (c2 = 0).',
    },
    {
      title: 'Outliers of the feature matrix vs α: measured, finite-n and asymptotic predictions',
      source: 'counts',
      x: 'alpha',
      y: ['spikes'],
      color: 'kind',
      caption: 'Points outside the perturbative window are drawn, not claimed (the window column says which).',
    },
  ],
  measured: sentences,
};
