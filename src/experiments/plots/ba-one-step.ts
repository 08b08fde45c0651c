// Figures of ba-one-step: the spectra of W0 and W1 against the Marchenko–Pastur law and the
// predicted spike, the Fig. 3c risk curves, and the risks of the ridge readouts.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, logQuant, nominal, quant } from './common.js';

export function baOneStepPlots(options: { riskCurve: boolean }): PlotSpec[] {
  const s = quant('s', 'singular value');
  return [
    figure('Singular values of W0 and W1 (histograms), Marchenko–Pastur law of W0 (black line), BGN prediction for s1 (dashed)', {
      layer: [
        {
          data: { name: 'histogram' },
          mark: { type: 'rect', opacity: 0.55 },
          encoding: { x: s, x2: { field: 's2' }, y: quant('density', 'density', { stack: null }), color: nominal('matrix', 'matrix') },
        },
        { data: { name: 'mpDensity' }, mark: { type: 'line', color: 'black' }, encoding: { x: s, y: quant('density', 'density') } },
        { data: { name: 'predictedSpike' }, mark: { type: 'rule', color: THEORY, strokeDash: [4, 3] }, encoding: { x: s } },
        {
          data: { name: 'predictedSpike' },
          mark: { type: 'text', color: THEORY, align: 'right', dx: -4, baseline: 'top' },
          encoding: { x: s, y: { value: 4 }, text: { value: 'predicted s1' } },
        },
      ],
    }),
    ...(options.riskCurve
      ? [
          figure('Test risk vs ψ1 = n/d after one step η = N^α (σ = σ* = erf, Fig. 3c), with the kernel lower bound (dashed)', {
            layer: [
              {
                data: { name: 'riskCurve' },
                mark: { type: 'line', point: true },
                encoding: {
                  x: quant('psi1', 'ψ1 = n/d', { scale: { type: 'log', base: 2 } }),
                  y: logQuant('risk', 'test risk'),
                  color: nominal('label', 'step size'),
                },
              },
              { data: { name: 'erfBound' }, mark: { type: 'rule', strokeDash: [4, 3], color: 'black' }, encoding: { y: logQuant('risk', 'test risk') } },
              {
                data: { name: 'erfBound' },
                mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0 },
                encoding: { y: logQuant('risk', 'test risk'), text: { value: 'kernel lower bound ‖P>1 f*‖²' } },
              },
            ],
          }),
        ]
      : []),
    figure('Test risk of the ridge readouts and the kernel lower bounds', {
      data: { name: 'risks' },
      transform: [{ calculate: "indexof(datum.readout, 'lower bound') >= 0 ? 'kernel lower bound' : 'ridge readout'", as: 'kind' }],
      mark: 'bar',
      encoding: {
        y: nominal('readout', null, { sort: null, axis: { labelLimit: 0 } }),
        x: quant('risk', 'test risk (mean squared error)'),
        color: nominal('kind', null, { scale: { domain: ['ridge readout', 'kernel lower bound'], range: ['#4c78a8', '#9a9a9a'] } }),
      },
    }),
  ];
}
