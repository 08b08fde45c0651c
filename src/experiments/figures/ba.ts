// Ba et al. (NeurIPS 2022) Fig. 3a, 3b, 3c as named sweeps of ba-one-step (docs/sweeps.md
// "Figures"; docs/science.md §1 for the sizes). 3a and 3b sweep the main run's n, N and η
// (ψ1 = n/d, ψ2 = N/d derived) and read riskTrained; 3c keeps the experiment's riskCurve series
// (σ = σ* = erf, η = N^α) at dCurve = d. Parameters a figure does not need are set small so
// each point's cost is the figure's own: psi1/psi2 of the small/large-step claims at 0.1
// (tiny runs), dCurve = 0 for 3a/3b, and for 3c a main run at d = 16.

import type { SweepSummary } from '../sweep.js';
import type { DerivedField, SweepView } from '../sweep-view.js';
import type { Params, ParamValue } from '../types.js';
import type { NamedFigure } from './index.js';
import { cellText, fmt, metricMean, metricText } from './text.js';

const PAPER =
  'Ba, Erdogdu, Suzuki, Wang, Wu & Yang, "High-dimensional asymptotics of feature learning: how one gradient step improves the representation", NeurIPS 2022';

const psi1Field: DerivedField = { label: 'ψ1 = n/d', of: (p: Params) => (p.n as number) / (p.d as number) };
const psi2Field: DerivedField = { label: 'ψ2 = N/d', of: (p: Params) => (p.N as number) / (p.d as number) };

/** Step sizes of 3a and 3b: η = 0 is the random-features model, the others are η = Θ(1). */
const SMALL_ETAS = [0, 1, 2, 4];

/** n or N = ratio·d for each ratio. */
const times = (d: number, ratios: readonly number[]) => ratios.map((r) => Math.round(r * d));

/** The main run's settings that only 3a/3b's points need, with the unused runs shrunk. */
function mainRunGrid(d: number, nTest: number, rest: Record<string, ParamValue[]>): Record<string, ParamValue[]> {
  return { d: [d], nTest: [nTest], psi1: [0.1], psi2: [0.1], dCurve: [0], eta: SMALL_ETAS, ...rest };
}

/**
 * What 3a/3b measured: at the largest x, the risk of each η beside the bound, and how many
 * grid points have a 95 % interval entirely below the bound (the paper: none for η = Θ(1)).
 */
function smallStepSentences(s: SweepSummary, x: DerivedField, metric: string, bound: string): string[] {
  const at = (g: (typeof s.groups)[number]) => x.of(g.params);
  const xs = s.groups.map(at);
  if (xs.length === 0) return ['No point of this sweep has finished yet.'];
  const xMax = Math.max(...xs);
  const boundMean = metricMean(s.groups, bound);
  const last = s.groups.filter((g) => at(g) === xMax).sort((a, b) => (a.params.eta as number) - (b.params.eta as number));
  const parts = last.map((g) => `η = ${g.params.eta}${g.params.eta === 0 ? ' (random features)' : ''}: ${metricText(g.metrics[metric])}`);
  const below = s.groups.filter((g) => {
    const hi = g.metrics[metric]?.ciHi;
    return typeof hi === 'number' && boundMean !== null && hi < boundMean;
  });
  return [
    `Measured at ${x.label} = ${fmt(xMax)}: ${parts.join('; ')}; the kernel lower bound ‖P>1 f*‖² is ${fmt(boundMean)}.`,
    `${below.length} of ${s.groups.length} grid points have a 95 % interval of the risk entirely below the bound${
      below.length ? ` (${below.map((g) => `${x.label} = ${fmt(at(g))}, η = ${g.params.eta}`).join('; ')})` : ''
    }.`,
  ];
}

const riskView = (title: string, xKey: string, x: DerivedField, caption: string): SweepView => ({
  title,
  x: xKey,
  y: ['riskTrained'],
  color: 'eta',
  theory: ['kernelLowerBound'],
  scale: { y: 'log' },
  derived: { [xKey]: x },
  caption,
});

export const baFig3a: NamedFigure = {
  name: 'ba-fig3a',
  experiment: 'ba-one-step',
  title: 'Ba et al. Fig. 3a: test risk vs ψ1 for small steps (σ* = tanh, σ = softplus)',
  paper: `${PAPER}, Fig. 3a`,
  paperShows:
    'Ba et al. Fig. 3a: the test risk of ridge regression (λ = 1e-4) on the features after one step of size η = Θ(1), against ψ1 = n/d at ψ2 = N/d = 2 (d = 512, σ_ε = 0.25, 50 runs per point): a larger step lowers the risk below that of random features (η = 0), but no small step goes below the kernel lower bound ‖P>1 f*‖², the risk of the best linear predictor. (science.md lists the pair as "tanh/softplus"; we read it as target σ* = tanh, student σ = softplus, because with a softplus target a tanh student cannot fit its mean and the risk stays near 0.9.)',
  presets: {
    quick: {
      grid: mainRunGrid(128, 1000, {
        n: times(128, [0.5, 1, 2, 4, 8]),
        N: [256],
        activation: ['softplus'],
        target: ['tanh'],
        lambda: [1e-4],
        noise: [0.25],
      }),
      seeds: 8,
    },
    paper: {
      grid: mainRunGrid(512, 2000, {
        n: times(512, [0.5, 1, 2, 3, 4, 6, 8]),
        N: [1024],
        activation: ['softplus'],
        target: ['tanh'],
        lambda: [1e-4],
        noise: [0.25],
      }),
      seeds: 50,
    },
  },
  views: [
    riskView(
      'Test risk after one small step vs ψ1 = n/d (ψ2 = 2)',
      'psi1_nd',
      psi1Field,
      'One line per step size η (η = 0: random features); dashed: the kernel lower bound ‖P>1 f*‖². Bands: 95 % t intervals over seeds.',
    ),
  ],
  measured: (s) => smallStepSentences(s, psi1Field, 'riskTrained', 'kernelLowerBound'),
};

export const baFig3b: NamedFigure = {
  name: 'ba-fig3b',
  experiment: 'ba-one-step',
  title: 'Ba et al. Fig. 3b: test risk vs ψ2 for small steps (σ* = tanh, σ = ReLU)',
  paper: `${PAPER}, Fig. 3b`,
  paperShows:
    'Ba et al. Fig. 3b: the test risk of ridge regression (λ = 1e-2) after one step of size η = Θ(1), against the width ratio ψ2 = N/d at ψ1 = n/d = 5 (d = 512, σ_ε = 0.1, 50 runs per point): the trained features improve on random features (η = 0) but stay above the kernel lower bound ‖P>1 f*‖² at every width. (We read science.md\'s "tanh/ReLU" as target σ* = tanh, student σ = ReLU, as for 3a; ψ2 starts at 1 because ba-one-step needs N ≥ d.)',
  presets: {
    quick: {
      grid: mainRunGrid(128, 1000, {
        n: [640],
        N: times(128, [1, 1.5, 2, 3, 4]),
        activation: ['relu'],
        target: ['tanh'],
        lambda: [1e-2],
        noise: [0.1],
      }),
      seeds: 8,
    },
    paper: {
      grid: mainRunGrid(512, 2000, {
        n: [2560],
        N: times(512, [1, 1.5, 2, 3, 4]),
        activation: ['relu'],
        target: ['tanh'],
        lambda: [1e-2],
        noise: [0.1],
      }),
      seeds: 50,
    },
  },
  views: [
    riskView(
      'Test risk after one small step vs ψ2 = N/d (ψ1 = 5)',
      'psi2_Nd',
      psi2Field,
      'One line per step size η (η = 0: random features); dashed: the kernel lower bound ‖P>1 f*‖². Bands: 95 % t intervals over seeds.',
    ),
  ],
  measured: (s) => smallStepSentences(s, psi2Field, 'riskTrained', 'kernelLowerBound'),
};

/** 3c's grid: the riskCurve at dCurve = d; the main run and the step runs at a negligible size. */
function fig3cGrid(d: number, nTest: number): Record<string, ParamValue[]> {
  return { d: [16], n: [32], N: [16], nTest: [nTest], psi1: [0.1], psi2: [2], dCurve: [d], lambda: [1e-3], noise: [0.1] };
}

/** What 3c measured: at the largest ψ1 each step's risk against the bound, and where the large step's interval first lies below it. */
function fig3cSentences(s: SweepSummary): string[] {
  const g = s.groups[0];
  const rows = g?.series?.riskCurve ?? [];
  if (!g || rows.length === 0) return ['No point of this sweep has finished yet.'];
  const bound = metricMean(s.groups, 'kernelLowerBoundErf');
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  const psiMax = Math.max(...rows.map((r) => num(r.psi1)));
  const alphas = [...new Set(rows.map((r) => num(r.alpha)))].sort((a, b) => a - b);
  const at = (psi: number, alpha: number) => rows.find((r) => r.psi1 === psi && r.alpha === alpha);
  const parts = alphas.map((a) => `η = N^${a}: ${cellText(at(psiMax, a), 'risk')}`);
  const aMax = alphas[alphas.length - 1]!;
  const below = rows
    .filter((r) => r.alpha === aMax && typeof r.risk_hi === 'number' && bound !== null && (r.risk_hi as number) < bound)
    .map((r) => num(r.psi1))
    .sort((a, b) => a - b);
  const smallMin = Math.min(...rows.filter((r) => r.alpha === alphas[0]).map((r) => num(r.risk_mean)));
  return [
    `Measured at ψ1 = ${fmt(psiMax)} (d = ${g.params.dCurve}, ψ2 = ${g.params.psi2}): ${parts.join('; ')}; the kernel lower bound ‖P>1 f*‖² (erf) is ${fmt(bound)}.`,
    below.length
      ? `The large step's (η = N^${aMax}) 95 % interval lies entirely below the bound at ψ1 ∈ {${below.map(fmt).join(', ')}}; the smallest mean risk of the small step (η = N^${alphas[0]}) over ψ1 is ${fmt(smallMin)}.`
      : `The large step's (η = N^${aMax}) 95 % interval is below the bound at no ψ1 of the sweep; the smallest mean risk of the small step (η = N^${alphas[0]}) over ψ1 is ${fmt(smallMin)}.`,
  ];
}

export const baFig3c: NamedFigure = {
  name: 'ba-fig3c',
  experiment: 'ba-one-step',
  title: 'Ba et al. Fig. 3c: test risk vs ψ1 for η = N^α (σ = σ* = erf)',
  paper: `${PAPER}, Fig. 3c`,
  // the main run is shrunk to d = 16 (only the curve is drawn): its claims are not this figure's
  claims: ['curve-large-step-beats-bound-8', 'curve-large-step-beats-bound-16', 'curve-small-step-above-bound'],
  paperShows:
    'Ba et al. Fig. 3c: σ = σ* = erf, ψ2 = 2, λ = 1e-3, σ_ε = 0.1, d = 512, 50 runs per point; the test risk against ψ1 = n/d for steps η = N^α, α from 0 to ½. A step η = Θ(1) stays above the kernel lower bound ‖P>1 f*‖² (0.0401 for erf); the large step η = Θ(√N) goes below it once ψ1 is large enough (the paper proves this above a ψ1* it does not give, with risk O(d/n)).',
  presets: {
    // d = 256 at quick: at 128 the large step's risk at ψ1 = 8 crossed the bound on 5 of 30 seeds (docs/science.md §1)
    quick: { grid: fig3cGrid(256, 1000), seeds: 10, series: { riskCurve: ['psi1', 'alpha', 'label'] } },
    paper: { grid: fig3cGrid(512, 2000), seeds: 50, series: { riskCurve: ['psi1', 'alpha', 'label'] } },
  },
  views: [
    {
      title: 'Test risk vs ψ1 = n/d for η = N^α (σ = σ* = erf, ψ2 = 2)',
      source: 'riskCurve',
      x: 'psi1',
      y: ['risk'],
      color: 'label',
      theory: ['kernelLowerBoundErf'],
      scale: { x: 'log', y: 'log' },
      caption: 'One line per step η = N^α; dashed: the kernel lower bound ‖P>1 f*‖² for erf. Bands: 95 % t intervals over seeds.',
    },
  ],
  measured: fig3cSentences,
};
