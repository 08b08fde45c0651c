// Figures of zhou-ge-local: the loss over the three weight-decay stages, the paths of the
// effective neurons a_j·w_j in the plane for the rich and the lazy run (each path's start and
// end marked, the teacher lines drawn through the origin), the recovery masses and the largest
// near angle over time, and the dual certificate η(w) on the circle at the end of each stage.

import type { PlotSpec } from '../types.js';
import { THEORY, figure, logQuant, nominal, quant } from './common.js';

/** The series label of the λ → 0 certificate η_V, drawn dashed. */
export const LIMIT_LABEL = 'λ → 0 limit η_V (theory)';

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

/** The recovery measures of the rich run over time, with the claims' common 1 % bound. */
function recoveryPlot(tolerance: number): PlotSpec {
  const step = logQuant('step', 'step');
  const value = logQuant('value', 'mass (teacher mass a*_i‖w*_i‖ = 1)');
  return figure(`Rich run: mass not yet recovered over time (the claims bound each at ${tolerance}, dashed)`, {
    width: 480,
    layer: [
      {
        data: { name: 'recovery' },
        transform: [{ filter: 'datum.value > 0' }], // log axis: an empty far set has mass 0
        mark: { type: 'line', point: true },
        encoding: { x: step, y: value, color: nominal('quantity', 'measure') },
      },
      {
        data: { values: [{ value: tolerance }] },
        mark: { type: 'rule', color: THEORY, strokeDash: [6, 3] },
        encoding: { y: value }, // the same channel: a null title here would blank the shared axis
      },
    ],
  });
}

/** The largest line angle of a near neuron with non-negligible mass, over time: a series, not a claim. */
function nearAnglePlot(alignedAngle: number): PlotSpec {
  const angle = logQuant('angle', 'largest near angle (rad)');
  return figure(`Rich run: largest line angle of a near neuron with |a_j|‖w_j‖ > 1e-3 (dashed: ${alignedAngle} rad, for reference)`, {
    width: 480,
    layer: [
      {
        data: { name: 'nearAngle' },
        mark: { type: 'line', point: true },
        encoding: { x: logQuant('step', 'step'), y: angle },
      },
      {
        data: { values: [{ angle: alignedAngle }] },
        mark: { type: 'rule', color: THEORY, strokeDash: [6, 3] },
        encoding: { y: angle },
      },
    ],
  });
}

/** η(u) on the circle of the teacher plane at the end of each stage, teacher directions as vertical rules. */
function certificatePlot(): PlotSpec {
  const angle = quant('angle', 'direction u = (cos φ, sin φ): φ in degrees', { scale: { domain: [0, 180] } });
  const eta = quant('eta', 'η(u)');
  return figure(
    'Rich run: dual certificate η(u) = E[(f* − f)(x)·|uᵀx|]/λ at the end of each stage, and its λ → 0 limit η_V (dashed); teacher directions and η = ±1 as rules',
    {
      width: 480,
      layer: [
        {
          data: { name: 'teacherAngles' },
          mark: { type: 'rule', color: THEORY, strokeDash: [6, 3] },
          encoding: { x: angle },
        },
        {
          data: { values: [{ eta: 1 }, { eta: -1 }] },
          mark: { type: 'rule', color: 'gray', strokeDash: [2, 2] },
          encoding: { y: eta },
        },
        {
          data: { name: 'certificate' },
          mark: 'line',
          encoding: {
            x: angle,
            y: eta,
            color: nominal('stage', 'stage'),
            // the theory curve dashed, the measured ones solid
            strokeDash: { condition: { test: `datum.stage === '${LIMIT_LABEL}'`, value: [6, 3] }, value: [1, 0] },
          },
        },
      ],
    },
  );
}

export function zhouGeLocalPlots(input: { alignedAngle: number; tolerance: number }): PlotSpec[] {
  return [
    figure('Population loss (data term + weight decay) over the three weight-decay stages', {
      data: { name: 'loss' },
      mark: 'line',
      encoding: { x: logQuant('step', 'step'), y: logQuant('loss', 'loss'), color: nominal('run', 'run') },
    }),
    trajectories('rich', 'Rich run (small initialisation, so every path starts at the origin): paths of the effective neurons a_j·w_j and the teacher lines'),
    trajectories('lazy', 'Lazy run (large initialisation): paths of the effective neurons a_j·w_j and the teacher lines'),
    recoveryPlot(input.tolerance),
    nearAnglePlot(input.alignedAngle),
    certificatePlot(),
  ];
}
