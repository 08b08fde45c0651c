// Figures of zhu-balance: the loss on log–log axes with a T⁻³ reference, the student–teacher
// angle, the per-teacher residuals, the balance ratios, the phase lengths vs m and k, and
// Xu & Du's m = 1 vs m = 2 comparison.

import type { PlotSpec } from '../types.js';
import { figure, integer, logQuant, nominal, quant } from './common.js';

export interface ZhuPlotInput {
  k: number;
  m: number;
  fitTolerance: number;
  /** Independent draws per phase-length configuration. */
  phaseSeeds: number;
  /** Whether the phase-length runs were made. */
  phaseLengths: boolean;
}

/** The reference is drawn a decade below the loss it starts from, so it stays visible beside the curve it predicts. */
const REFERENCE_SHIFT = 10;

export function zhuBalancePlots(input: ZhuPlotInput): PlotSpec[] {
  const t1 = logQuant('t1', 'step + 1');
  const run = `k = ${input.k}, m = ${input.m}`;
  const reference = `∝ T⁻³ (reference, shifted down ×${REFERENCE_SHIFT})`;
  // one legend for both curves: colour and dash keyed by the same field, title and domain
  const curve = (extra: Record<string, unknown> = {}) => ({
    color: nominal('curve', null, { scale: { domain: [run, reference], range: ['#4c78a8', 'black'] } }),
    strokeDash: nominal('curve', null, {
      scale: {
        domain: [run, reference],
        range: [
          [1, 0],
          [6, 4],
        ],
      },
    }),
    ...extra,
  });
  return [
    figure('Population loss (log–log) with a T⁻³ reference (dashed)', {
      layer: [
        {
          data: { name: 'loss' },
          transform: [{ calculate: `'${run}'`, as: 'curve' }],
          mark: 'line',
          encoding: { x: t1, y: logQuant('loss', 'population loss'), ...curve() },
        },
        {
          data: { name: 'reference' },
          transform: [
            { calculate: `datum.loss / ${REFERENCE_SHIFT}`, as: 'shifted' },
            { calculate: `'${reference}'`, as: 'curve' },
          ],
          mark: { type: 'line', strokeWidth: 2 },
          encoding: { x: t1, y: logQuant('shifted', 'population loss'), ...curve() },
        },
      ],
    }),
    figure('Largest student–teacher angle', {
      data: { name: 'maxAngle' },
      mark: 'line',
      encoding: { x: t1, y: logQuant('maxAngle', 'largest angle (rad)') },
    }),
    figure('Per-teacher residual |H_l| (semilog)', {
      data: { name: 'residuals' },
      mark: 'line',
      encoding: { x: quant('step', 'step'), y: logQuant('H', '|H_l|'), color: nominal('teacher', 'teacher') },
    }),
    figure('Balance ratios ‖w_i‖·m_l/‖v‖ (balanced: within [¼, 4])', {
      data: { name: 'balance' },
      mark: 'bar',
      encoding: {
        x: quant('ratio', '‖w_i‖·m_l / ‖v‖', { bin: { maxbins: 20 } }),
        y: { aggregate: 'count', type: 'quantitative', title: 'students', axis: { format: 'd', tickMinStep: 1 } },
        color: nominal('teacher', 'teacher'),
      },
    }),
    ...(input.phaseLengths
      ? [
          figure(
            `Length of phases 1–2 (steps until every |H_l| ≤ ${input.fitTolerance}·‖v‖), geometric mean of ${input.phaseSeeds} draws with its 95 % interval, vs m and vs k`,
            {
              data: { name: 'phaseLengths' },
              layer: [
                {
                  mark: { type: 'line', point: true },
                  encoding: { x: integer('x', 'students m or teachers k'), y: integer('steps', 'steps'), color: nominal('label', null) },
                },
                {
                  mark: { type: 'rule' },
                  encoding: {
                    x: integer('x', 'students m or teachers k'),
                    y: integer('stepsLo', 'steps'),
                    y2: { field: 'stepsHi' },
                    color: nominal('label', null),
                  },
                },
              ],
            },
          ),
        ]
      : []),
    figure('Xu & Du: one teacher, m = 1 vs m = 2 students', {
      data: { name: 'xuDu' },
      mark: 'line',
      encoding: { x: t1, y: logQuant('loss', 'population loss'), color: nominal('run', 'students') },
    }),
  ];
}
