// Figures of huang-linear: the loss with the predicted and measured collapse, the ratio
// mean|ρ_r|/mean|v_r| against √γ, the NTK error, and the error of the stage-1 closed form.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, integer, logQuant, nominal, quant } from './common.js';

export interface HuangPlotInput {
  /** The derived collapse time t1 (median over neurons). */
  t1Predicted: number;
  /** First step with loss < ½·initial, or −1 if none. */
  collapseStep: number;
  lossInitial: number;
}

export function huangLinearPlots(input: HuangPlotInput): PlotSpec[] {
  const step = integer('step', 'GD step t');
  const loss = logQuant('loss', 'training loss');
  const MEASURED = '#1f5fa8';
  // The two collapse times as vertical rules: predicted (theory colour) and measured, labelled
  // on opposite sides and at different heights (where the curve is not) so close values stay readable.
  const collapse = [{ step: input.t1Predicted, label: `predicted t1 = ${input.t1Predicted.toFixed(1)}`, align: 'left', dx: 4, y: 4, colour: THEORY }];
  if (input.collapseStep >= 0)
    collapse.push({
      step: input.collapseStep,
      label: `measured: loss < ½·initial at t = ${input.collapseStep}`,
      align: 'right',
      dx: -4,
      y: 120,
      colour: MEASURED,
    });
  return [
    figure('Training loss, with the predicted and the measured collapse (loss below half its initial value)', {
      layer: [
        { data: { name: 'trajectory' }, mark: 'line', encoding: { x: step, y: loss } },
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
