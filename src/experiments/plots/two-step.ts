// Figures of two-step: the top of W2's spectrum over its own bulk edge, the alignment of fresh
// vs reused second batches per target, and the phase diagram over (α1, α2): the added counts
// (the paper's, the finite-N prediction's, the measured) beside the fresh and reused alignment
// of the ie2tanh target.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, logQuant, nominal, ordinal, quant } from './common.js';

const COUNT_PANELS = ['paper: ⌊α2/(½ − α1)⌋', 'finite-N prediction', 'measured'];
const ALIGN_PANELS = ['ie2tanh, fresh batch', 'ie2tanh, reused batch'];
/** Near white (0 reads as "none") to mid blue, light enough for the black count printed in a cell. */
const LIGHTEST = [0xf4, 0xf8, 0xfd],
  DARKEST = [0x4a, 0x90, 0xd0];

/** One colour per count 0…max, evenly spaced between LIGHTEST and DARKEST (the same count has the same colour in every panel). */
function countScale(max: number): Record<string, unknown> {
  const domain = Array.from({ length: max + 1 }, (_, i) => i);
  const range = domain.map((i) => {
    const t = max === 0 ? 0 : i / max;
    return `#${LIGHTEST.map((c, j) =>
      Math.round(c + t * (DARKEST[j]! - c))
        .toString(16)
        .padStart(2, '0'),
    ).join('')}`;
  });
  return { domain, range };
}

/** `phase`: whether the phase diagram ran; `maxCount`: the largest count on it, predicted or measured. */
export function twoStepPlots(options: { phase: boolean; maxCount: number }): PlotSpec[] {
  // cells set apart, so the frame of a mismatched cell does not run into its neighbour's
  const alpha1 = ordinal('alpha1', 'α1', { axis: { labelAngle: 0 }, scale: { paddingInner: 0.1 } });
  const alpha2 = ordinal('alpha2', 'α2', { sort: 'descending', scale: { paddingInner: 0.1 } });
  const panelHeader = { labelFontSize: 12 };
  return [
    figure(
      "Top singular values of W2 (log scale) and the outlier threshold (dashed: W2's own bulk edge + margin); colour: whether the left vector lies in span(b, u_0), i.e. is step 1's spike",
      {
        data: { name: 'top' },
        transform: [{ calculate: `datum.step1Share >= 0.5 ? "step 1's spike" : 'other (added by step 2 if above the line)'`, as: 'kind' }],
        layer: [
          {
            mark: { type: 'point', filled: true, size: 70 },
            encoding: {
              x: ordinal('index', 'rank', { axis: { labelAngle: 0 } }),
              y: logQuant('s', 'singular value'),
              color: nominal('kind', 'left vector'),
            },
          },
          { mark: { type: 'rule', strokeDash: [4, 3], color: THEORY }, encoding: { y: logQuant('edge', 'singular value') } },
        ],
      },
    ),
    figure('‖P β*‖² on the top 3 left singular vectors of W2: fresh vs reused second batch (main cell)', {
      data: { name: 'alignment' },
      width: 160, // per target panel
      mark: 'bar',
      encoding: {
        x: nominal('batch', 'second batch', { axis: { labelAngle: 0 } }),
        y: quant('alignment', '‖P_top3 β*‖²', { scale: { domain: [0, 1] } }),
        column: nominal('target', 'target', { sort: null }),
      },
    }),
    ...(options.phase
      ? [
          figure(
            'Phase diagram over (α1, α2): outliers added by step 2 — the paper, the finite-N prediction, measured (red frame: measured ≠ finite-N prediction; dashed frame: marginal cell, not judged; bold: claimed cell) — and ‖P_top3 β*‖² for ie2tanh with a fresh and a reused second batch',
            {
              data: { name: 'phase' },
              hconcat: [
                {
                  transform: [
                    { calculate: 'datum.measured !== datum.predictedFinite && !datum.marginal', as: 'mismatch' },
                    { fold: ['predicted', 'predictedFinite', 'measured'], as: ['quantity', 'count'] },
                    {
                      calculate: `datum.quantity === 'predicted' ? '${COUNT_PANELS[0]}' : datum.quantity === 'predictedFinite' ? '${COUNT_PANELS[1]}' : '${COUNT_PANELS[2]}'`,
                      as: 'panel',
                    },
                  ],
                  facet: { column: nominal('panel', null, { sort: COUNT_PANELS, header: panelHeader }) },
                  spec: {
                    width: 150,
                    height: 90,
                    layer: [
                      {
                        mark: 'rect',
                        encoding: {
                          x: alpha1,
                          y: alpha2,
                          color: ordinal('count', 'outliers added', {
                            scale: countScale(options.maxCount),
                            legend: { symbolStrokeColor: '#888', symbolStrokeWidth: 0.5 },
                          }),
                          stroke: {
                            condition: [
                              { test: "datum.panel === 'measured' && datum.mismatch", value: THEORY },
                              { test: 'datum.marginal', value: '#555' },
                            ],
                            value: '#c8c8c8',
                          },
                          strokeDash: { condition: { test: 'datum.marginal', value: [3, 2] }, value: [1, 0] },
                          strokeWidth: { condition: { test: "datum.panel === 'measured' && datum.mismatch", value: 2.5 }, value: 1 },
                        },
                      },
                      {
                        mark: { type: 'text', fontSize: 13 },
                        encoding: {
                          x: alpha1,
                          y: alpha2,
                          text: quant('count', null, { format: 'd' }),
                          fontWeight: { condition: { test: 'datum.claimed', value: 'bold' }, value: 'normal' },
                        },
                      },
                    ],
                  },
                },
                {
                  transform: [
                    { fold: ['fresh', 'reused'], as: ['batch', 'alignment'] },
                    { calculate: `datum.batch === 'fresh' ? '${ALIGN_PANELS[0]}' : '${ALIGN_PANELS[1]}'`, as: 'panel' },
                  ],
                  facet: { column: nominal('panel', null, { sort: ALIGN_PANELS, header: panelHeader }) },
                  spec: {
                    width: 200,
                    height: 90,
                    layer: [
                      {
                        mark: 'rect',
                        encoding: {
                          x: alpha1,
                          y: alpha2,
                          color: quant('alignment', '‖P_top3 β*‖²', { scale: { scheme: 'greens', domain: [0, 0.25], clamp: true } }),
                        },
                      },
                      {
                        mark: { type: 'text', fontSize: 11 },
                        encoding: { x: alpha1, y: alpha2, text: quant('alignment', null, { format: '.3f' }) },
                      },
                    ],
                  },
                },
              ],
              resolve: { scale: { color: 'independent' } },
            },
          ),
        ]
      : []),
  ];
}
