// Figures of two-step: the top of W2's spectrum over the outlier threshold, the alignment of
// fresh vs reused second batches, and the phase diagram over (α1, α2), where predicted and
// measured counts sit side by side for both readings of the paper's count.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, nominal, ordinal, quant } from './common.js';

const READING_TOTAL = 'outliers of W2 in all (reading 1)';
const READING_ADDED = 'outliers added by step 2 (reading 2)';
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
  return [
    figure('Top singular values of W2 and the outlier threshold (dashed)', {
      data: { name: 'top' },
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { x: ordinal('index', 'rank', { axis: { labelAngle: 0 } }), y: quant('s', 'singular value') } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: THEORY }, encoding: { y: quant('edge', 'singular value') } },
      ],
    }),
    figure('‖P β*‖² on the top 3 left singular vectors of W2: fresh vs reused second batch', {
      data: { name: 'alignment' },
      width: 240, // per target panel
      mark: 'bar',
      encoding: {
        x: nominal('batch', 'second batch', { axis: { labelAngle: 0 } }),
        y: quant('alignment', '‖P_top3 β*‖²', { scale: { domain: [0, 1] } }),
        column: nominal('target', 'target', { sort: ['tanh (IE 1)', 'He_2/√2 (IE 2)'] }),
      },
    }),
    ...(options.phase
      ? [
          figure('Phase diagram over (α1, α2): predicted vs measured outlier counts (red frame: measured ≠ predicted)', {
            data: { name: 'phase' },
            transform: [
              { calculate: 'datum.measured === datum.predicted', as: 'totalMatches' },
              { calculate: 'datum.added === datum.predictedAdded', as: 'addedMatches' },
              { fold: ['predicted', 'measured', 'predictedAdded', 'added'], as: ['quantity', 'count'] },
              { calculate: `indexof(datum.quantity, 'dded') >= 0 ? '${READING_ADDED}' : '${READING_TOTAL}'`, as: 'reading' },
              { calculate: "indexof(datum.quantity, 'predicted') === 0 ? 'predicted' : 'measured'", as: 'source' },
              { calculate: "datum.source === 'measured' && !(indexof(datum.quantity, 'dded') >= 0 ? datum.addedMatches : datum.totalMatches)", as: 'mismatch' },
            ],
            facet: {
              column: nominal('reading', null, { sort: [READING_TOTAL, READING_ADDED], header: { labelFontSize: 12 } }),
              row: nominal('source', null, { sort: ['predicted', 'measured'], header: { labelAngle: 0, labelAlign: 'right', labelFontSize: 12 } }),
            },
            spec: {
              width: 240,
              height: 120,
              layer: [
                {
                  mark: 'rect',
                  encoding: {
                    x: alpha1,
                    y: alpha2,
                    color: ordinal('count', 'outliers', { scale: countScale(options.maxCount), legend: { symbolStrokeColor: '#888', symbolStrokeWidth: 0.5 } }),
                    stroke: { condition: { test: 'datum.mismatch', value: THEORY }, value: '#c8c8c8' },
                    strokeWidth: { condition: { test: 'datum.mismatch', value: 2.5 }, value: 0.5 },
                  },
                },
                {
                  mark: { type: 'text', fontSize: 14 },
                  encoding: {
                    x: alpha1,
                    y: alpha2,
                    text: quant('count', null, { format: 'd' }),
                  },
                },
              ],
            },
          }),
        ]
      : []),
  ];
}
