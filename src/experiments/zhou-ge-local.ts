// zhou-ge-local — Zhou & Ge (NeurIPS 2024), with Zhou, Ge & Jin (2021): with weight decay,
// population gradient descent on a sum of absolute-value neurons moves the neurons near a
// teacher direction onto it and shrinks the far ones to zero. The model is an [assumed]
// stand-in (docs/science.md §6).

import type { Engine } from '../core/engine.js';
import type { Matrix } from '../core/matrix.js';
import { relativeChange, teacherStudentGeometry } from '../net/measure.js';
import { absPopulation, absPopulationGD } from '../net/population.js';
import type { Claim, RunContext, SeriesRows } from './types.js';
import { defineExperiment, int, num, type ParamsOf } from './define.js';
import { belowClaim } from './claims.js';
import { zhouGeLocalPlots } from './plots/zhou-ge-local.js';

/** RNG streams of the students' first and second layers. */
const STREAM = { firstLayer: 60, secondLayer: 61 } as const;

const params = {
  r: int({ doc: 'teachers (unit directions spread over the half-circle)', quick: 3, paper: 3, min: 1, max: 12 }),
  m: int({ doc: 'student neurons', quick: 20, paper: 20, min: 1, max: 500 }),
  d: int({ doc: 'input dimension (teachers live in the first two coordinates)', quick: 2, paper: 2, min: 2, max: 100 }),
  eta: num({ doc: 'step size (both layers)', quick: 0.05, paper: 0.05, min: 1e-9, max: 10 }),
  steps: int({ doc: 'GD steps per weight-decay stage', quick: 4000, paper: 20000, min: 1, max: 10000000 }),
  lambda1: num({
    doc: 'weight decay of stage 1',
    quick: 1e-2,
    paper: 1e-2,
    min: 0,
    max: 10,
    assumption: 'λ decreased in stages (1e-2, 1e-3, 1e-4): docs/science.md §6 gives the scheme, not the values',
  }),
  lambda2: num({ doc: 'weight decay of stage 2', quick: 1e-3, paper: 1e-3, min: 0, max: 10 }),
  lambda3: num({ doc: 'weight decay of stage 3', quick: 1e-4, paper: 1e-4, min: 0, max: 10 }),
  richInit: num({ doc: 'initial scale of the rich (small-init) run', quick: 0.01, paper: 0.01, min: 1e-9, max: 100 }),
  lazyInit: num({
    doc: 'initial scale of the lazy (large-init) run; it steps with η/lazyInit² for stability',
    quick: 2,
    paper: 2,
    min: 1e-9,
    max: 100,
    assumption: 'Zhou, Ge & Jin (2021) Fig. 1 contrasts small and large initialisation; scale 2 and step η/4 are stand-ins',
  }),
  neighbourhood: num({
    doc: 'a neuron is near teacher i within this line angle (rad)',
    quick: 0.3,
    paper: 0.3,
    min: 0,
    max: 1.58,
    assumption: 'about half the teacher separation π/3',
  }),
};
type Params = ParamsOf<typeof params>;

interface Run {
  trajectory: SeriesRows;
  loss: SeriesRows;
  W: Float64Array;
  a: Float64Array;
  relativeChange: number;
  lossFinal: number;
}

/** r unit teacher directions in the plane (lines, so angles in [0, π)), spread evenly, padded with zeros to d. */
function teacherRows(fl: Engine, r: number, d: number): Matrix {
  const rows = new Float64Array(r * d);
  for (let i = 0; i < r; i++) {
    const angle = (Math.PI * i) / r;
    rows[i * d] = fl.math.cos(angle);
    rows[i * d + 1] = fl.math.sin(angle);
  }
  return fl.fromArray(rows, r, d);
}

function train(fl: Engine, ctx: RunContext<Params>, label: string, init: number, eta: number, Ws: Matrix, as: Matrix, m: number, d: number): Run {
  const p = ctx.params;
  return fl.scope(() => {
    const W = fl.scale(fl.randn(m, d, { seed: ctx.seed, stream: STREAM.firstLayer }), init);
    const a = fl.scale(fl.randn(m, 1, { seed: ctx.seed, stream: STREAM.secondLayer }), init);
    const W0 = fl.copy(W);
    const trajectory: SeriesRows = [],
      loss: SeriesRows = [];
    const stages = [p.lambda1, p.lambda2, p.lambda3];
    const T = p.steps;
    let offset = 0;
    stages.forEach((lambda, s) => {
      absPopulationGD(fl, W, a, Ws, as, lambda, eta, T, {
        points: 25,
        record: (t, l) => {
          const step = offset + t;
          loss.push({ step: step + 1, loss: l, run: label, stage: `λ = ${lambda}` });
          const w = W.toArray(),
            av = a.toArray();
          for (let j = 0; j < m; j++) {
            // effective neuron a_j·w_j (the |·| model only sees a_j‖w_j‖ and the line of w_j)
            trajectory.push({ step, neuron: j, x: av[j]! * w[j * d]!, y: av[j]! * w[j * d + 1]!, run: label });
          }
        },
      });
      offset += T;
      ctx.progress(0.1 + (0.4 * (s + 1)) / stages.length + (label === 'lazy' ? 0.4 : 0), `${label}: stage ${s + 1}/3`);
    });
    const lossFinal = absPopulation(fl, W, a, Ws, as, 0).loss; // data term only
    return { trajectory, loss, W: W.toArray() as Float64Array, a: a.toArray() as Float64Array, relativeChange: relativeChange(fl, W, W0), lossFinal };
  });
}

export const zhouGeLocal = defineExperiment({
  id: 'zhou-ge-local',
  title: 'Weight decay makes neurons settle on teacher directions',
  paper:
    'Zhou & Ge, "How does Gradient Descent Learn Features — A Local Analysis for Regularized Two-Layer Neural Networks", NeurIPS 2024; Zhou, Ge & Jin 2021',
  summary:
    'Population GD with weight decay (decreased in three stages) on f(x) = Σ_j a_j|w_jᵀx| against r unit teachers Σ_i |w*_iᵀx| in the plane: near neurons align with their teacher and carry its mass (Σ a_j‖w_j‖ ≈ 1), far neurons shrink to zero; a small (rich) initialisation moves the weights far more than a large (lazy) one.',
  about:
    "A student f(x) = Σ_j a_j·|w_jᵀx| learns r teachers Σ_i |w*_iᵀx| whose unit directions lie in a plane, by population gradient descent on the squared loss plus weight decay λ, with λ lowered in three stages. Zhou & Ge show that once the loss is small, neurons near a teacher direction move onto it and together carry its weight, while neurons far from every teacher shrink to zero; earlier work by Zhou, Ge & Jin contrasts a small (rich) initialisation, where the weights travel far, with a large (lazy) one, where they barely move. The paper's exact objective was not available to us: this model, the λ schedule, the step budget and the thresholds are stand-ins [assumed], listed in the assumptions below.",
  failureNotes: {
    'near-neurons-align':
      "The largest angle over near neurons is not a robust measure in this model: a neuron carrying 0.3–0.5 % of a teacher's mass can enter its neighbourhood late and then turn in slowly (0.18, 0.05, 0.016 rad after 60k, 126k, 260k steps), almost independently of λ. At the paper preset it ends at 0.22 rad (it failed on 2 of 10 numpy seeds and 3 of 5 featurelab seeds at that size), while the mass-based claims pass.",
    'teacher-mass':
      "With too few steps per stage, or a large final λ (weight decay shrinks the mass by about λ), the near neurons carry visibly less than their teacher's mass.",
    'far-neurons-vanish': 'Far neurons shrink at a rate set by λ and the step budget; with few steps per stage they are not yet below 0.01.',
    'lazy-vs-rich': 'The contrast needs lazyInit well above richInit; with similar scales both runs move their weights by comparable amounts.',
  },
  params,
  smoke: { m: 6, steps: 50 },
  constraints: [
    (p) => {
      // gradient descent on the population loss diverges once η times its curvature passes 2; the
      // curvature grows like m·(d + 2.4)·scale² (measured edge: η·m·(d + 2.4)·scale² ≈ 7.3), where the
      // rich run has scale richInit and the lazy run, stepping with η/lazyInit², min(lazyInit, 1)
      const { m, d, eta } = p;
      const scale = Math.max(p.richInit, Math.min(p.lazyInit, 1));
      const c = eta * m * (d + 2.4) * scale * scale;
      return c > 6
        ? `eta=${eta}, m=${m}, d=${d}, richInit=${p.richInit}, lazyInit=${p.lazyInit}: η·m·(d + 2.4)·max(richInit, min(lazyInit, 1))² = ${c.toPrecision(3)} > 6, gradient descent diverges; lower eta, m, d or richInit`
        : undefined;
    },
  ],
  run(ctx) {
    const { fl, params: p } = ctx;
    const { r, m, d } = p;
    return fl.scope(() => {
      const Ws = teacherRows(fl, r, d),
        as = fl.full(r, 1, 1);
      const rich = train(fl, ctx, 'rich', p.richInit, p.eta, Ws, as, m, d);
      // the loss curvature grows like init², so the lazy run steps with η/init² to stay stable
      const lazyInit = p.lazyInit;
      const lazy = train(fl, ctx, 'lazy', lazyInit, p.eta / Math.max(1, lazyInit * lazyInit), Ws, as, m, d);
      // Geometry of the rich run's neurons against the teachers (lines: w ~ −w)
      const W = fl.fromArray(rich.W, m, d);
      const geo = teacherStudentGeometry(fl, W, Ws, { lines: true });
      const mass = new Float64Array(r);
      let farMass = 0,
        nearMaxAngle = 0;
      for (let j = 0; j < m; j++) {
        const effective = rich.a[j]! * geo.norms[j]!; // a_j·‖w_j‖
        if (geo.angles[j]! <= p.neighbourhood) {
          mass[geo.group[j]!]! += effective;
          if (Math.abs(effective) > 1e-3) nearMaxAngle = Math.max(nearMaxAngle, geo.angles[j]!);
        } else {
          farMass += Math.abs(effective);
        }
      }
      const massErr = Math.max(...Array.from(mass, (x) => Math.abs(x - 1)));
      const teacherPoints: SeriesRows = [];
      const row = Ws.toArray();
      for (let i = 0; i < r; i++) {
        teacherPoints.push({ x: row[i * d]!, y: row[i * d + 1]!, teacher: `w*${i + 1}` }, { x: -row[i * d]!, y: -row[i * d + 1]!, teacher: `w*${i + 1}` });
      }
      const claims: Claim[] = [
        belowClaim({
          id: 'near-neurons-align',
          statement: 'neurons near a teacher (with non-negligible mass) end on its direction',
          predicted: '< 0.05 rad',
          measured: nearMaxAngle,
          bound: 0.05,
          tolerance: 'largest line angle',
        }),
        {
          id: 'teacher-mass',
          statement: 'the near neurons of each teacher carry its mass: Σ a_j‖w_j‖ ≈ a*_i‖w*_i‖ = 1',
          predicted: 1,
          measured: Array.from(mass, (x) => x.toFixed(3)).join(', '),
          tolerance: 'absolute 0.1 for every teacher',
          pass: massErr <= 0.1,
        },
        belowClaim({
          id: 'far-neurons-vanish',
          statement: 'neurons far from every teacher shrink to zero',
          predicted: '< 0.01',
          measured: farMass,
          bound: 0.01,
          tolerance: 'Σ_far |a_j|‖w_j‖',
        }),
        belowClaim({
          id: 'lazy-vs-rich',
          statement: 'a large (lazy) initialisation moves the first layer relatively less than a small (rich) one',
          predicted: `< ${rich.relativeChange.toPrecision(3)} (rich)`,
          measured: lazy.relativeChange,
          bound: rich.relativeChange,
          tolerance: '‖W_T − W_0‖/‖W_0‖',
        }),
      ];
      return {
        metrics: {
          lossFinalRich: rich.lossFinal,
          lossFinalLazy: lazy.lossFinal,
          nearMaxAngle,
          farMass,
          massMaxError: massErr,
          relativeChangeRich: rich.relativeChange,
          relativeChangeLazy: lazy.relativeChange,
          ...Object.fromEntries(Array.from(mass, (x, i) => [`mass${i + 1}`, x])),
        },
        series: { loss: rich.loss.concat(lazy.loss), trajectory: rich.trajectory.concat(lazy.trajectory), teachers: teacherPoints },
        claims,
        plots: zhouGeLocalPlots(),
      };
    });
  },
});
