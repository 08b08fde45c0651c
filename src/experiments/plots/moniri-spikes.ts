// Figures of moniri-spikes: the top of F's spectrum over its own bulk edge, the outlier count
// across the α grid (measured, finite-n and asymptotic predictions, the perturbative window),
// F's bulk edge against F0's, the readout error and q2 against log η / log n with the
// asymptotic and finite-n thresholds, the spike strengths over the size ladder, and the
// Hermite alignment of each outlier.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, integer, logQuant, nominal, ordinal, quant } from './common.js';

/** Vertical threshold rules on the log η / log n axis: asymptotic (grey) and finite-n (theory colour). */
function thresholdRules(x: Record<string, unknown>): Record<string, unknown>[] {
  return [
    {
      data: { name: 'thresholds' },
      mark: { type: 'rule', strokeDash: [4, 3] },
      encoding: {
        x,
        color: nominal('threshold', 'threshold', { scale: { range: ['#777777', '#777777', THEORY] } }),
      },
    },
  ];
}

/** `sweep`: whether the α grid ran (else the count, edge, error and q2 plots would be empty); `ladder`: whether the size ladder ran. */
export function moniriSpikesPlots(options: { alpha: number; sweep: boolean; ladder: boolean; windowAlpha: number }): PlotSpec[] {
  const n = logQuant('n', 'n (samples; d and N in proportion)', { axis: { format: 'd' } });
  const strength = logQuant('strength', 'spike strength');
  const alpha = quant('alpha', 'α (η = c·n^α)');
  const logEta = quant('logEtaOverLogN', 'log η / log n');
  const windowRule = {
    data: { values: [{ alpha: options.windowAlpha }] },
    mark: { type: 'rule', color: 'gray', strokeDash: [2, 2] },
    encoding: { x: quant('alpha', 'α (η = c·n^α)') },
  };
  return [
    figure(`Top singular values of the centred F at α = ${options.alpha}, F's own bulk edge (dashed) and F0's (dotted)`, {
      data: { name: 'spectrum' },
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { x: ordinal('index', 'rank', { axis: { labelAngle: 0 } }), y: logQuant('s', 'singular value') } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: THEORY }, encoding: { y: logQuant('edge', 'singular value') } },
        { mark: { type: 'rule', strokeDash: [1, 2], color: 'gray' }, encoding: { y: logQuant('edge0', 'singular value') } },
      ],
    }),
    ...(options.sweep
      ? [
          figure(
            'Outliers of F vs α: measured, finite-n and asymptotic predictions (hollow: outside the perturbative window, not claimed; grey rule: the window)',
            {
              layer: [
                {
                  data: { name: 'counts' },
                  mark: { type: 'line', interpolate: 'step-after' },
                  encoding: { x: alpha, y: integer('spikes', 'outliers of F'), color: nominal('kind', null), strokeDash: nominal('kind', null) },
                },
                {
                  data: { name: 'counts' },
                  mark: { type: 'point', size: 50 },
                  encoding: {
                    x: alpha,
                    y: integer('spikes', 'outliers of F'),
                    color: nominal('kind', null),
                    fill: { condition: { test: "datum.window === 'inside the window'", value: null }, value: 'white' },
                    shape: nominal('window', 'grid point'),
                  },
                },
                windowRule,
              ],
            },
          ),
          figure("Bulk edge vs α: F's own (He_1..He_4(z) projected out) and the centred F0's (grey rule: the window)", {
            layer: [
              {
                data: { name: 'edges' },
                mark: { type: 'line', point: true },
                encoding: { x: alpha, y: quant('edge', 'top bulk singular value', { scale: { zero: false } }), color: nominal('kind', null) },
              },
              windowRule,
            ],
          }),
          figure(
            'Ridge readout error vs log η / log n, target lin_quad = (z + He_2(z)/√2)/√2, with the thresholds of the second and third spike (asymptotic grey, finite-n red)',
            {
              layer: [
                {
                  data: { name: 'staircase' },
                  mark: { type: 'line', point: true },
                  encoding: { x: logEta, y: quant('error', 'mean squared error'), strokeDash: nominal('kind', 'error') },
                },
                ...thresholdRules(logEta),
              ],
            },
          ),
          figure("q2 vs log η / log n: the share of lin_quad's He_2 part carried by the readout, with the thresholds (asymptotic grey, finite-n red)", {
            layer: [
              {
                data: { name: 'q2' },
                mark: { type: 'line', point: true },
                encoding: { x: logEta, y: quant('q2', 'q2 = E[f̂·He_2(⟨β*, x⟩)]/(2c*_2)'), strokeDash: nominal('student', 'student') },
              },
              ...thresholdRules(logEta),
            ],
          }),
        ]
      : []),
    ...(options.ladder
      ? [
          figure(
            "Spike strengths (F − F0 along He_k(z) ⊗ a^{∘k}) vs n, log–log: measured (points), leading order and with the next Taylor term (lines), F's bulk edge (dashed)",
            {
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
                  encoding: { x: n, y: strength, color: nominal('k', 'spike'), strokeDash: nominal('kind', 'theory') },
                },
                {
                  data: { name: 'bulk' },
                  mark: { type: 'line', strokeDash: [4, 3], color: THEORY },
                  encoding: { x: n, y: logQuant('edge', 'spike strength') },
                },
              ],
            },
          ),
        ]
      : []),
    figure('Alignment of the i-th outlier of F with He_k(X̃b/‖b‖), k the i-th degree with c_k ≠ 0', {
      data: { name: 'hermite' },
      mark: 'bar',
      encoding: {
        x: ordinal('k', 'Hermite degree k', { axis: { labelAngle: 0 } }),
        y: quant('alignment', '⟨u_i, h_k⟩² / ‖h_k‖²', { scale: { domain: [0, 1] } }),
      },
    }),
  ];
}
