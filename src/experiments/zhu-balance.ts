// zhu-balance — Zhu, Liu & Cevher (ICLR 2025), with Xu & Du (COLT 2023): exact population
// gradient descent on a sum of ReLU students learning orthogonal ReLU teachers groups the
// students by teacher, balances their norms and converges at rate T⁻³.
// docs/science.md §5.

import type { Engine } from '../core/engine.js';
import type { Matrix } from '../core/matrix.js';
import { logLogSlope, teacherStudentGeometry } from '../net/measure.js';
import { reluPopulationGD } from '../net/population.js';
import type { SeriesRows } from './types.js';
import { defineExperiment, int, num } from './define.js';
import { absoluteClaim, belowClaim } from './claims.js';
import { zhuBalancePlots } from './plots/zhu-balance.js';

const STREAM = {
  teachers: 30,
  students: 31,
  /** Xu & Du's runs draw m students from stream 40 + m (41, 42), their teacher with seed + 1. */
  xuDuStudents: 40,
} as const;

/** A loss curve: one row per recorded step. */
type LossRow = { step: number; t1: number; loss: number; run: string };

/**
 * First recorded step at which every per-teacher residual |H_l| ≤ tol·‖v‖ (the end of the
 * alignment and tangential-growth phases), or NaN if not reached within T steps.
 */
function fitTime(fl: Engine, k: number, m: number, d: number, p: { sigma0: number; eta: number; vNorm: number; tol: number; T: number }, seed: number): number {
  return fl.scope(() => {
    const V = teachers(fl, k, d, p.vNorm, seed);
    const W = fl.scale(fl.randn(m, d, { seed, stream: STREAM.students }), p.sigma0);
    let reached = NaN;
    reluPopulationGD(fl, W, V, p.eta, p.T, {
      points: 200,
      record: (t) => {
        if (Number.isNaN(reached) && teacherStudentGeometry(fl, W, V).residuals.every((h) => Math.abs(h) <= p.tol * p.vNorm)) reached = t;
      },
    });
    return reached;
  });
}

/** k orthonormal teacher rows of norm vNorm (the first rows of a Haar orthogonal matrix). */
function teachers(fl: Engine, k: number, d: number, vNorm: number, seed: number): Matrix {
  return fl.scope(() => {
    const Q = fl.randomOrthogonal(d, { seed, stream: STREAM.teachers });
    const rows = Q.toArray().slice(0, k * d);
    return fl.scale(fl.fromArray(rows, k, d), vNorm);
  });
}

const params = {
  k: int({ doc: 'teachers (orthogonal, equal norm)', quick: 2, paper: 2, min: 1, max: 64 }),
  m: int({ doc: 'students', quick: 20, paper: 20, min: 1, max: 1000 }),
  d: int({
    doc: 'input dimension (≥ k)',
    quick: 20,
    paper: 20,
    min: 1,
    max: 1000,
    assumption: 'docs/science.md §5 lists d ∈ {10, 20} as assumed hyper-parameters',
  }),
  sigma0: num({ doc: 'initial scale, w_i ~ N(0, σ0²I)', quick: 1e-3, paper: 1e-3, min: 1e-12, max: 10, assumption: 'σ ∈ {1e-3, 1e-2} per docs/science.md §5' }),
  eta: num({ doc: 'step size', quick: 0.05, paper: 0.05, min: 1e-9, max: 10 }),
  steps: int({ doc: 'population GD steps T', quick: 100000, paper: 1000000, min: 10, max: 100000000 }),
  vnorm: num({ doc: 'teacher norm ‖v‖', quick: 1, paper: 1, min: 1e-6, max: 1e6 }),
  phaseSteps: int({
    doc: 'steps of the phase-length runs (m/2, m, 2m students at k teachers; 2k teachers at m); 0 skips them',
    quick: 5000,
    paper: 20000,
    min: 0,
    max: 10000000,
  }),
  fitTolerance: num({
    doc: 'phases 1–2 end when every per-teacher residual |H_l| ≤ this·‖v‖',
    quick: 0.01,
    paper: 0.01,
    min: 1e-12,
    max: 1,
    assumption: 'the sources describe the phases qualitatively; the end of tangential growth is read off the residuals H_l at 1%',
  }),
};

export const zhuBalance = defineExperiment({
  id: 'zhu-balance',
  title: 'Gradient descent groups and balances ReLU students (T⁻³ convergence)',
  paper: 'Zhu, Liu & Cevher, "How Gradient descent balances features: A dynamical analysis for two-layer neural networks", ICLR 2025; Xu & Du, COLT 2023',
  summary:
    'Exact population GD on f(x) = Σ_i relu(w_iᵀx) against k orthogonal teachers Σ_l relu(v_lᵀx) from a small initialisation: students group around teachers, their norms balance (‖w_i‖·m_l/‖v‖ ∈ [¼, 4]) and the loss decays like T⁻³; for one teacher, m = 1 converges linearly while m = 2 is slowed to T⁻³.',
  about:
    "A student f(x) = Σ_i relu(w_iᵀx) with m neurons (output weights fixed at 1) learns k orthogonal ReLU teachers of equal norm by population gradient descent — the exact gradient of the expected squared loss over Gaussian inputs, which has a closed form for ReLU — from a small random initialisation. Zhu et al. describe three phases: each student turns towards its nearest teacher, the students of each teacher grow until together they match it, and a slow local convergence in which the loss decays like T⁻³; at the end every student's norm is within a factor 4 of its share ‖v‖/m_l of its teacher. Xu & Du's earlier result is the one-teacher case: a single student converges linearly, two students only at the rate T⁻³. The experiment checks the rate, the grouping and the balance, Xu & Du's comparison, and how the length of the first two phases changes with m and k.",
  failureNotes: {
    'loss-rate': 'A log–log slope over the last decade of steps: with too few steps the run is still in the growth phase and the slope is steeper than −3.',
    balance:
      'Balance is reached only at the end of the growth phase; with too few steps, or an initialisation that is not small, some ratios are still outside [¼, 4].',
    grouping:
      'Angles keep shrinking late in training (about 1e-4 rad at T = 1e5); with too few steps the largest angle is still above 0.01 rad, and a teacher can be left without students when m is small.',
    'xu-du-m1-linear':
      'The single student converges linearly, but only below 1e-20 after enough steps; with fewer steps (steps below about 2e4) the threshold is not reached yet.',
    'xu-du-m2-cubic': 'The T⁻³ regime starts late; with too few steps the slope over the last decade is still steeper.',
    'phases-shorten-with-m':
      'The phase lengths are read at 200 log-spaced records of one seed, so close values (192 and 184 steps for m = 20 and 40) can swap at another seed or size.',
    'phases-lengthen-with-k':
      'Read at 200 log-spaced records of one seed; if a run does not reach the tolerance within phaseSteps it has no length and the claim fails.',
  },
  params,
  smoke: { k: 2, m: 4, d: 4, steps: 300, phaseSteps: 200 },
  constraints: [
    (p) => (p.d < p.k ? `d=${p.d} < k=${p.k}: the k teachers are orthogonal directions in R^d, so d must be ≥ k; raise d or lower k` : undefined),
    (p) => {
      // population GD diverges once η·(students) passes about 6 (measured for k = 2…8, d = 4…20); the
      // phase-length runs use 2m students
      const { eta, m } = p,
        widest = p.phaseSteps > 0 ? 2 * m : m;
      return eta * widest > 5
        ? `eta=${eta}, m=${m}${widest > m ? ` (the phase-length runs use 2m = ${widest} students)` : ''}: η·students = ${(eta * widest).toPrecision(3)} > 5, gradient descent diverges; lower eta or m${widest > m ? ', or set phaseSteps=0' : ''}`
        : undefined;
    },
  ],
  run(ctx) {
    const { fl, params: p, seed } = ctx;
    const { k, m, steps: T, eta } = p,
      d = Math.max(p.d, k);
    const vNorm = p.vnorm;
    return fl.scope(() => {
      const V = teachers(fl, k, d, vNorm, seed);
      const W = fl.scale(fl.randn(m, d, { seed, stream: STREAM.students }), p.sigma0);
      const curve: LossRow[] = [],
        angles: SeriesRows = [],
        residuals: SeriesRows = [];
      reluPopulationGD(fl, W, V, eta, T, {
        points: 80,
        record: (t, loss) => {
          const g = teacherStudentGeometry(fl, W, V);
          curve.push({ step: t, t1: t + 1, loss, run: `k=${k}, m=${m}` });
          angles.push({ step: t, t1: t + 1, maxAngle: Math.max(...g.angles) });
          g.residuals.forEach((h, l) => residuals.push({ step: t, teacher: `v${l + 1}`, H: Math.abs(h) }));
          ctx.progress(0.05 + 0.75 * (t / T), `step ${t}/${T}`);
        },
      });
      const geo = teacherStudentGeometry(fl, W, V);
      const late = curve.filter((c) => c.step >= T / 10 && c.loss > 0).map((c) => ({ x: c.step, y: c.loss }));
      const slope = logLogSlope(fl, late);
      const balance = Array.from(geo.balance);
      const balanceMin = Math.min(...balance),
        balanceMax = Math.max(...balance);
      const maxAngle = Math.max(...geo.angles);
      const lossFinal = curve[curve.length - 1]!.loss;

      // Xu & Du: one teacher, m = 1 (linear convergence) against m = 2 (T⁻³).
      ctx.progress(0.85, 'Xu & Du: m = 1 vs m = 2');
      const xuDu: LossRow[] = [];
      const xuSteps = Math.min(T, 20000);
      const finals: Record<number, { loss: number; slope: number }> = {};
      const V1 = teachers(fl, 1, d, vNorm, seed + 1); // seed + 1: a teacher independent of the main ones
      for (const mm of [1, 2]) {
        const W1 = fl.scale(fl.randn(mm, d, { seed, stream: STREAM.xuDuStudents + mm }), 0.1);
        const pts: { x: number; y: number }[] = [];
        reluPopulationGD(fl, W1, V1, eta, xuSteps, {
          points: 60,
          record: (t, loss) => {
            xuDu.push({ step: t, t1: t + 1, loss, run: `m = ${mm}` });
            if (t >= xuSteps / 10 && loss > 0) pts.push({ x: t, y: loss });
          },
        });
        finals[mm] = { loss: xuDu[xuDu.length - 1]!.loss, slope: logLogSlope(fl, pts) };
      }
      // Phase lengths vs m and k (Zhu et al.: more students shorten phases 1–2, more teachers lengthen them)
      const phaseRuns: { k: number; m: number; steps: number; vary: string }[] = [];
      if (p.phaseSteps > 0) {
        const q = { sigma0: p.sigma0, eta, vNorm, tol: p.fitTolerance, T: p.phaseSteps };
        const configs = [
          [k, Math.max(1, Math.round(m / 2)), 'm'],
          [k, m, 'm'],
          [k, 2 * m, 'm'],
          [2 * k, m, 'k'],
        ] as const;
        configs.forEach(([kk, mm, vary], i) => {
          ctx.progress(0.9 + (0.08 * i) / configs.length, `phase lengths k = ${kk}, m = ${mm}`);
          phaseRuns.push({ k: kk, m: mm, steps: fitTime(fl, kk, mm, Math.max(d, kk), q, seed), vary });
        });
        phaseRuns.push({ ...phaseRuns[1]!, vary: 'k' });
      }
      const byM = phaseRuns.filter((r) => r.vary === 'm').map((r) => r.steps);
      const byK = phaseRuns
        .filter((r) => r.vary === 'k')
        .sort((a, b) => a.k - b.k)
        .map((r) => r.steps);
      const reference = late.length
        ? [
            { step: late[0]!.x, t1: late[0]!.x + 1, loss: late[0]!.y },
            { step: T, t1: T + 1, loss: late[0]!.y * fl.math.pow(T / late[0]!.x, -3) },
          ]
        : [];
      return {
        metrics: {
          lossSlope: slope,
          balanceMin,
          balanceMax,
          lossFinal,
          maxAngleFinal: maxAngle,
          ...Object.fromEntries(Array.from(geo.groupSizes, (s, l) => [`groupSize${l + 1}`, s])),
          xuDuLossM1: finals[1]!.loss,
          xuDuLossM2: finals[2]!.loss,
          xuDuSlopeM2: finals[2]!.slope,
          // (a run that never reached the tolerance within phaseSteps has no metric and fails its claim)
          ...Object.fromEntries(
            phaseRuns.filter((r) => (r.vary === 'm' || r.k !== k) && Number.isFinite(r.steps)).map((r) => [`fitSteps_k${r.k}_m${r.m}`, r.steps]),
          ),
        },
        series: {
          loss: curve,
          reference: reference.map((r) => ({ ...r, run: 'T⁻³ reference' })),
          maxAngle: angles,
          residuals,
          balance: balance.map((b, i) => ({ student: i, ratio: b, teacher: `v${geo.group[i]! + 1}` })),
          xuDu,
          phaseLengths: phaseRuns
            .filter((r) => Number.isFinite(r.steps))
            .map((r) => ({ ...r, label: r.vary === 'm' ? `m varies (k = ${k})` : `k varies (m = ${m})`, x: r.vary === 'm' ? r.m : r.k })),
        },
        claims: [
          // (|slope − (−3)| is |slope + 3| exactly: IEEE subtraction adds the negation)
          absoluteClaim({
            id: 'loss-rate',
            statement: 'late in training L(T) decays like T⁻³ (log–log slope over the last decade)',
            predicted: -3,
            measured: slope,
            tol: 0.3,
            tolerance: '± 0.3',
          }),
          {
            id: 'balance',
            statement: 'every student balances: ‖v‖/(4m_l) ≤ ‖w_i‖ ≤ 4‖v‖/m_l, i.e. ratios ‖w_i‖·m_l/‖v‖ in [¼, 4]',
            predicted: '[0.25, 4]',
            measured: `[${balanceMin.toPrecision(3)}, ${balanceMax.toPrecision(3)}]`,
            tolerance: 'inclusive',
            pass: balanceMin >= 0.25 && balanceMax <= 4,
          },
          {
            id: 'grouping',
            statement: 'every student ends aligned with its nearest teacher (all groups non-empty)',
            predicted: '< 0.01 rad',
            measured: maxAngle,
            tolerance: 'max angle',
            pass: maxAngle < 0.01 && Array.from(geo.groupSizes).every((s) => s > 0),
          },
          belowClaim({
            id: 'xu-du-m1-linear',
            statement: 'one teacher, one student: linear (exponential) convergence',
            predicted: '< 1e-20',
            measured: finals[1]!.loss,
            bound: 1e-20,
            tolerance: `loss after ${xuSteps} steps`,
          }),
          absoluteClaim({
            id: 'xu-du-m2-cubic',
            statement: 'one teacher, two students: over-parameterisation slows GD to T⁻³',
            predicted: -3,
            measured: finals[2]!.slope,
            tol: 0.3,
            tolerance: '± 0.3',
          }),
          ...(phaseRuns.length
            ? [
                {
                  id: 'phases-shorten-with-m',
                  statement: `more students shorten phases 1–2: steps until every |H_l| ≤ ${p.fitTolerance}·‖v‖ for m = ${phaseRuns
                    .filter((r) => r.vary === 'm')
                    .map((r) => r.m)
                    .join(', ')}`,
                  predicted: 'non-increasing, first > last',
                  measured: byM.join(', '),
                  tolerance: 'at the 200 log-spaced records',
                  pass: byM.every(Number.isFinite) && byM.every((v, i) => i === 0 || v <= byM[i - 1]!) && byM[0]! > byM[byM.length - 1]!,
                },
                {
                  id: 'phases-lengthen-with-k',
                  statement: `more teachers lengthen phases 1–2: k = ${k} vs ${2 * k} at m = ${m}`,
                  predicted: 'increasing',
                  measured: byK.join(', '),
                  tolerance: 'at the 200 log-spaced records',
                  pass: byK.every(Number.isFinite) && byK[1]! > byK[0]!,
                },
              ]
            : []),
        ],
        plots: zhuBalancePlots({ k, m, fitTolerance: p.fitTolerance, phaseLengths: phaseRuns.length > 0 }),
      };
    });
  },
});
