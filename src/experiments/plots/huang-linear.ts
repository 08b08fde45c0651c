// Figures of huang-linear: the loss with the scalar map and the predicted and measured half-loss times, the ratio
// mean|ρ_r|/mean|v_r| against √γ, the NTK error, and the error of the stage-1 closed form.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, integer, logQuant, nominal, quant } from './common.js';

export interface HuangPlotInput {
  /** The derived half-loss time t½ (RMS over neurons). */
  tHalfPredicted: number;
  /** The log-interpolated crossing of ½·initial loss, or NaN if none. */
  tHalfMeasured: number;
  lossInitial: number;
  /** The smallest measured loss: the map is drawn down to it, not to its own ~1e-16 tail. */
  lossMin: number;
}

export function huangLinearPlots(input: HuangPlotInput): PlotSpec[] {
  const step = integer('step', 'GD step t');
  const loss = logQuant('loss', 'training loss');
  const MEASURED = '#1f5fa8';
  // The two collapse times as vertical rules: predicted (theory colour) and measured, labelled
  // on opposite sides and at different heights (where the curve is not) so close values stay readable.
  const collapse = [{ step: input.tHalfPredicted, label: `predicted t½ = ${input.tHalfPredicted.toFixed(2)}`, align: 'left', dx: 4, y: 4, colour: THEORY }];
  if (Number.isFinite(input.tHalfMeasured))
    collapse.push({
      step: input.tHalfMeasured,
      label: `measured: loss = ½·initial at t = ${input.tHalfMeasured.toFixed(2)}`,
      align: 'right',
      dx: -4,
      y: 120,
      colour: MEASURED,
    });
  return [
    figure('Training loss and the scalar map L0·(1 − s_t)² (dashed), with the predicted and the measured half-loss time', {
      layer: [
        { data: { name: 'trajectory' }, mark: 'line', encoding: { x: step, y: loss } },
        {
          data: { name: 'trajectory' },
          // the map's (1 − s)² falls to ~1e-16 (and 0 once s rounds to 1): drawn only down to the
          // smallest measured loss, so its tail does not squash the measured curve on the log axis
          transform: [{ filter: `datum.lossScalarMap > 0 && datum.lossScalarMap >= ${input.lossMin}` }],
          mark: { type: 'line', strokeDash: [4, 3], color: THEORY },
          encoding: { x: step, y: logQuant('lossScalarMap', 'training loss') },
        },
        { data: { values: [{ loss: input.lossInitial / 2 }] }, mark: { type: 'rule', color: 'gray', strokeDash: [2, 2] }, encoding: { y: loss } },
        {
          data: { values: [{ loss: input.lossInitial / 2 }] },
          mark: { type: 'text', color: 'gray', align: 'left', baseline: 'top', x: 4, dy: 3, text: '½·initial loss' },
          encoding: { y: loss },
        },
        ...collapse.map((c) => ({
          data: { values: [c] },
          layer: [
            { mark: { type: 'rule', strokeDash: [4, 3], color: c.colour, strokeWidth: 1.5 }, encoding: { x: step } },
            { mark: { type: 'text', color: c.colour, align: c.align, dx: c.dx, baseline: 'top', y: c.y }, encoding: { x: step, text: { field: 'label' } } },
          ],
        })),
      ],
    }),
    figure('mean|ρ_r| / mean|v_r| against √γ (dashed)', {
      data: { name: 'trajectory' },
      layer: [
        { mark: 'line', encoding: { x: step, y: quant('ratio', 'mean|ρ_r| / mean|v_r|') } },
        { mark: { type: 'line', strokeDash: [4, 3], color: THEORY }, encoding: { x: step, y: quant('sqrtGamma', 'mean|ρ_r| / mean|v_r|') } },
      ],
    }),
    figure('NTK relative error ‖Θ − Θ_pred‖₂ / ‖Θ_pred‖₂', {
      data: { name: 'trajectory' },
      mark: 'line',
      encoding: { x: step, y: logQuant('ntkError', 'NTK relative error') },
    }),
    figure('Stage-1 closed form vs simulation: relative error of v and ρ from t = 1', {
      data: { name: 'stage1' },
      // t = 0 is not a test of the closed form: there ρ = 0 and the predicted ρ is rounding noise
      // around 0, so the relative error of ρ is 1 and would flatten the whole curve
      transform: [{ filter: 'datum.step > 0 && datum.error > 0' }],
      mark: { type: 'line', point: true },
      encoding: { x: step, y: logQuant('error', 'relative error'), color: nominal('quantity', null) },
    }),
  ];
}
