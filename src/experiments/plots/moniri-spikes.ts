// Figures of moniri-spikes: the top of F's spectrum over the bulk edge, the spike strengths
// against their leading-order value over the size ladder, the outlier count and the readout
// error across the α sweep, and the Hermite alignment of each outlier.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, integer, logQuant, nominal, ordinal, quant } from './common.js';

/** `sweep`: whether the α sweep ran (without it the count and error plots would be empty). */
export function moniriSpikesPlots(options: { alpha: number; sweep: boolean }): PlotSpec[] {
  const n = logQuant('n', 'n (samples; d and N in proportion)', { axis: { format: 'd' } });
  const strength = logQuant('strength', 'spike strength');
  return [
    figure(`Top singular values of F at α = ${options.alpha} and the bulk edge of F0 (dashed)`, {
      data: { name: 'spectrum' },
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { x: ordinal('index', 'rank', { axis: { labelAngle: 0 } }), y: logQuant('s', 'singular value') } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: THEORY }, encoding: { y: logQuant('edge', 'singular value') } },
      ],
    }),
    figure('Spike strengths (F − F0 along He_k(z) ⊗ a^{∘k}) vs n, log–log: measured (points), leading-order theory (lines), bulk edge of F0 (dashed)', {
      layer: [
        {
          data: { name: 'strengths' },
          transform: [{ filter: "datum.kind === 'measured'" }],
          mark: { type: 'point', filled: true, size: 60 },
          encoding: { x: n, y: strength, color: nominal('k', 'spike') },
        },
        {
          data: { name: 'strengths' },
          transform: [{ filter: "datum.kind !== 'measured'" }],
          mark: 'line',
          encoding: { x: n, y: strength, color: nominal('k', 'spike') },
        },
        { data: { name: 'bulk' }, mark: { type: 'line', strokeDash: [4, 3], color: THEORY }, encoding: { x: n, y: logQuant('edge', 'spike strength') } },
      ],
    }),
    ...(options.sweep
      ? [
          figure('Outliers of F vs α: measured and predicted', {
            data: { name: 'counts' },
            mark: { type: 'line', point: true, interpolate: 'step-after' },
            encoding: {
              x: quant('alpha', 'α (η = c·n^α)'),
              y: integer('spikes', 'outliers of F'),
              color: nominal('kind', null),
              strokeDash: nominal('kind', null),
            },
          }),
          figure('Ridge readout error vs log η / log n', {
            data: { name: 'staircase' },
            mark: { type: 'line', point: true },
            encoding: { x: quant('logEtaOverLogN', 'log η / log n'), y: quant('error', 'mean squared error'), color: nominal('kind', 'error') },
          }),
        ]
      : []),
    figure('Alignment of the k-th outlier of F with He_k(X̃b/‖b‖)', {
      data: { name: 'hermite' },
      mark: 'bar',
      encoding: { x: ordinal('k', 'outlier k', { axis: { labelAngle: 0 } }), y: quant('alignment', '⟨u_k, h_k⟩² / ‖h_k‖²', { scale: { domain: [0, 1] } }) },
    }),
  ];
}
