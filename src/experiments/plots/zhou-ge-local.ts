// Figures of zhou-ge-local: the loss over the three weight-decay stages, and the paths of the
// effective neurons a_j·w_j in the plane for the rich and the lazy run, with each path's
// start and end marked and the teacher lines drawn through the origin.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, logQuant, nominal, quant } from './common.js';

const PATH = 'neuron path',
  START = 'start',
  END = 'end',
  TEACHER = 'teacher line ±w*_i';
/** One legend for the four layers: a colour per kind of mark. */
const COLOURS = { domain: [PATH, START, END, TEACHER], range: ['#9db7d5', '#2a9d3f', 'black', THEORY] };

function trajectories(run: 'rich' | 'lazy', title: string): PlotSpec {
  const x = quant('x', 'a_j·w_j (first coordinate)');
  const y = quant('y', 'a_j·w_j (second coordinate)');
  const key = (label: string) => ({ datum: label, type: 'nominal', title: null, scale: COLOURS });
  const ofRun = [{ filter: `datum.run === '${run}'` }];
  // first and last recorded step of the run: the same for every neuron
  const ends = [
    ...ofRun,
    {
      joinaggregate: [
        { op: 'min', field: 'step', as: 'first' },
        { op: 'max', field: 'step', as: 'last' },
      ],
    },
  ];
  return figure(title, {
    width: 420,
    height: 420,
    layer: [
      // teacher directions are lines (|·| is even): a segment from −w*_i to w*_i through the origin
      {
        data: { name: 'teachers' },
        mark: { type: 'line', strokeWidth: 1.5, strokeDash: [6, 3] },
        encoding: { x, y, detail: nominal('teacher', null), color: key(TEACHER) },
      },
      {
        data: { name: 'trajectory' },
        transform: ofRun,
        mark: { type: 'line', opacity: 0.8 },
        encoding: { x, y, detail: nominal('neuron', null), order: quant('step', null), color: key(PATH) },
      },
      {
        data: { name: 'trajectory' },
        transform: [...ends, { filter: 'datum.step === datum.first' }],
        mark: { type: 'point', filled: false, size: 60, strokeWidth: 2 },
        encoding: { x, y, color: key(START) },
      },
      {
        data: { name: 'trajectory' },
        transform: [...ends, { filter: 'datum.step === datum.last' }],
        mark: { type: 'point', filled: true, size: 40 },
        encoding: { x, y, color: key(END) },
      },
    ],
  });
}

export function zhouGeLocalPlots(): PlotSpec[] {
  return [
    figure('Population loss (data term + weight decay) over the three weight-decay stages', {
      data: { name: 'loss' },
      mark: 'line',
      encoding: { x: logQuant('step', 'step'), y: logQuant('loss', 'loss'), color: nominal('run', 'run') },
    }),
    trajectories('rich', 'Rich run (small initialisation, so every path starts at the origin): paths of the effective neurons a_j·w_j and the teacher lines'),
    trajectories('lazy', 'Lazy run (large initialisation): paths of the effective neurons a_j·w_j and the teacher lines'),
  ];
}
