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
import { tInterval95, welchInterval95 } from './stats.js';
import { zhuBalancePlots } from './plots/zhu-balance.js';

const STREAM = {
  teachers: 30,
  students: 31,
  /** Xu & Du's runs draw m students from stream 40 + m (41, 42), their teacher with seed + 1. */
  xuDuStudents: 40,
  /** Phase-length run j of configuration c: teachers from stream 100 + 2(4j + c), students from the next. */
  phases: 100,
} as const;

/** A loss curve: one row per recorded step. */
type LossRow = { step: number; t1: number; loss: number; run: string };

/** The phase-length settings shared by every run. */
type PhaseSettings = { sigma0: number; eta: number; vNorm: number; tol: number; T: number };

/**
 * First step at which every per-teacher residual |H_l| ≤ tol·‖v‖ (the end of the alignment
 * and tangential-growth phases), or NaN if not reached within T steps. The residuals are
 * checked every max(1, ⌊t/100⌋) steps (a 1 % resolution) and the run stops once they are small.
 */
function fitTime(fl: Engine, k: number, m: number, d: number, p: PhaseSettings, seed: number, streams: { teachers: number; students: number }): number {
  return fl.scope(() => {
    const V = teachers(fl, k, d, p.vNorm, seed, streams.teachers);
    const W = fl.scale(fl.randn(m, d, { seed, stream: streams.students }), p.sigma0);
    const fitted = () => teacherStudentGeometry(fl, W, V).residuals.every((h) => Math.abs(h) <= p.tol * p.vNorm);
    let t = 0;
    while (t < p.T) {
      if (fitted()) return t;
      const chunk = Math.min(p.T - t, Math.max(1, Math.floor(t / 100)));
      reluPopulationGD(fl, W, V, p.eta, chunk, { points: 1 });
      t += chunk;
    }
    return fitted() ? t : NaN;
  });
}

/** A sample of phase lengths summarised on the log scale: geometric mean and its 95 % t interval. */
type PhaseSample = { k: number; m: number; lengths: number[]; logs: number[]; geoMean: number; lo: number; hi: number };

/** (A draw that never reached the tolerance leaves the sample without a mean: its claims fail.) */
function phaseSample(fl: Engine, k: number, m: number, lengths: number[]): PhaseSample {
  if (!lengths.every((x) => Number.isFinite(x) && x > 0)) return { k, m, lengths, logs: [], geoMean: NaN, lo: NaN, hi: NaN };
  const logs = lengths.map((x) => fl.math.log(x));
  const ci = tInterval95(fl.math, logs);
  return { k, m, lengths, logs, geoMean: fl.math.exp(ci.mean), lo: fl.math.exp(ci.lo), hi: fl.math.exp(ci.hi) };
}

/**
 * The claim that phase lengths fall along `samples` (each longer than the next): for every
 * consecutive pair the Welch interval of the difference of mean log lengths lies above 0, i.e.
 * the ratio of geometric means is above 1 with 95 % confidence.
 */
function orderedClaim(fl: Engine, samples: PhaseSample[]): { pass: boolean; measured: string } {
  const name = (s: PhaseSample) => `k=${s.k},m=${s.m}`;
  const steps = (x: number) => String(Math.round(x));
  const lengths = samples.map((s) => `${name(s)}: ${Number.isFinite(s.geoMean) ? `${steps(s.geoMean)} (${steps(s.lo)}–${steps(s.hi)})` : 'not reached'}`);
  if (!samples.every((s) => s.logs.length >= 2)) return { pass: false, measured: `geometric means ${lengths.join('; ')}` };
  const pairs = samples.slice(1).map((b, i) => ({ a: samples[i]!, b, w: welchInterval95(fl.math, samples[i]!.logs, b.logs) }));
  const ratios = pairs.map(
    ({ a, b, w }) => `${name(a)} / ${name(b)}: ${fl.math.exp(w.diff).toPrecision(3)} (${fl.math.exp(w.lo).toPrecision(3)}–${fl.math.exp(w.hi).toPrecision(3)})`,
  );
  return { pass: pairs.every(({ w }) => w.lo > 0), measured: `geometric means ${lengths.join('; ')}; ratios ${ratios.join('; ')}` };
}

/** k orthonormal teacher rows of norm vNorm (the first rows of a Haar orthogonal matrix). */
function teachers(fl: Engine, k: number, d: number, vNorm: number, seed: number, stream: number = STREAM.teachers): Matrix {
  return fl.scope(() => {
    const Q = fl.randomOrthogonal(d, { seed, stream });
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
    doc: 'step cap of the phase-length runs (⌈m/4⌉, m, 4m students at k teachers; 2k teachers at m; each stops when fitted); 0 skips them',
    quick: 10000,
    paper: 20000,
    min: 0,
    max: 10000000,
  }),
  phaseSeeds: int({
    doc: 'independent draws (teachers and students) per phase-length configuration; the claims compare their means',
    quick: 10,
    paper: 20,
    min: 2,
    max: 1000,
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
    "A student f(x) = Σ_i relu(w_iᵀx) with m neurons (output weights fixed at 1) learns k orthogonal ReLU teachers of equal norm by population gradient descent — the exact gradient of the expected squared loss over Gaussian inputs, which has a closed form for ReLU — from a small random initialisation. Zhu et al. describe three phases: each student turns towards its nearest teacher, the students of each teacher grow until together they match it, and a slow local convergence in which the loss decays like T⁻³; at the end every student's norm is within a factor 4 of its share ‖v‖/m_l of its teacher. Xu & Du's earlier result is the one-teacher case: a single student converges linearly, two students only at the rate T⁻³. The experiment checks the rate, the grouping and the balance, Xu & Du's comparison, and how the length of the first two phases changes with m and k: one run's length varies by a factor 2–3 between seeds, so each configuration is run on several independent draws and their mean log lengths are compared.",
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
      "Statistical: one draw's phase length varies by a factor 2–3 between seeds, so the claim compares mean log lengths over phaseSeeds draws; at the defaults (k = 2, 10 draws) an unlucky set of draws leaves a ratio's interval reaching 1 on about 1 % of seeds. The effect of m is strong at k = 2, weaker at k = 4 and absent at k = 8 (d = 20: measured, docs/science.md §5), fewer than k students (⌈m/4⌉ < k) cannot fit k teachers, and m-values closer than a factor 4 need many more draws.",
    'phases-lengthen-with-k': 'A statistical comparison of phaseSeeds draws per k; it also fails if any draw does not reach the tolerance within phaseSteps.',
  },
  params,
  smoke: { k: 2, m: 4, d: 4, steps: 300, phaseSteps: 200, phaseSeeds: 2 },
  constraints: [
    (p) => (p.d < p.k ? `d=${p.d} < k=${p.k}: the k teachers are orthogonal directions in R^d, so d must be ≥ k; raise d or lower k` : undefined),
    (p) => {
      // population GD diverges once η·(students) passes about 6 (measured for k = 2…8, d = 4…20); the
      // phase-length runs use 4m students
      const { eta, m } = p,
        widest = p.phaseSteps > 0 ? 4 * m : m;
      return eta * widest > 5
        ? `eta=${eta}, m=${m}${widest > m ? ` (the phase-length runs use 4m = ${widest} students)` : ''}: η·students = ${(eta * widest).toPrecision(3)} > 5, gradient descent diverges; lower eta or m${widest > m ? ', or set phaseSteps=0' : ''}`
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
      // Phase lengths vs m and k (Zhu et al.: more students shorten phases 1–2, more teachers
      // lengthen them). One draw's length varies by a factor 2–3 between seeds (a coefficient of
      // variation ≈ 0.5, right-skewed), so each configuration gets phaseSeeds independent draws and
      // the claims compare mean log lengths with Welch intervals; the m-configurations are a factor
      // 4 apart, where 10 draws resolve the difference (at a factor 2 it takes ≈ 65).
      const phases: PhaseSample[] = [];
      if (p.phaseSteps > 0) {
        const q = { sigma0: p.sigma0, eta, vNorm, tol: p.fitTolerance, T: p.phaseSteps };
        const configs = [
          [k, Math.ceil(m / 4)],
          [k, m],
          [k, 4 * m],
          [2 * k, m],
        ] as const;
        configs.forEach(([kk, mm], c) => {
          ctx.progress(0.9 + (0.08 * c) / configs.length, `phase lengths k = ${kk}, m = ${mm} (${p.phaseSeeds} draws)`);
          const lengths = Array.from({ length: p.phaseSeeds }, (_, j) => {
            const stream = STREAM.phases + 2 * (configs.length * j + c);
            return fitTime(fl, kk, mm, Math.max(d, kk), q, seed, { teachers: stream, students: stream + 1 });
          });
          phases.push(phaseSample(fl, kk, mm, lengths));
        });
      }
      const byM = phases.slice(0, 3),
        byK = phases.length ? [phases[1]!, phases[3]!] : [];
      const shorten = orderedClaim(fl, byM),
        lengthen = orderedClaim(fl, [...byK].reverse());
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
          // geometric mean over the phaseSeeds draws (absent if a draw did not reach the tolerance within phaseSteps)
          ...Object.fromEntries(phases.filter((r) => Number.isFinite(r.geoMean)).map((r) => [`fitSteps_k${r.k}_m${r.m}`, r.geoMean])),
        },
        series: {
          loss: curve,
          reference: reference.map((r) => ({ ...r, run: 'T⁻³ reference' })),
          maxAngle: angles,
          residuals,
          balance: balance.map((b, i) => ({ student: i, ratio: b, teacher: `v${geo.group[i]! + 1}` })),
          xuDu,
          // one row per configuration (the k-configuration at m appears for both comparisons), the
          // geometric mean over the draws and its 95 % interval
          phaseLengths: [...byM.map((r) => ({ r, vary: 'm' })), ...byK.map((r) => ({ r, vary: 'k' }))]
            .filter(({ r }) => Number.isFinite(r.geoMean))
            .map(({ r, vary }) => ({
              k: r.k,
              m: r.m,
              vary,
              steps: r.geoMean,
              stepsLo: r.lo,
              stepsHi: r.hi,
              draws: r.lengths.length,
              label: vary === 'm' ? `m varies (k = ${k})` : `k varies (m = ${m})`,
              x: vary === 'm' ? r.m : r.k,
            })),
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
          ...(phases.length
            ? [
                {
                  id: 'phases-shorten-with-m',
                  statement: `more students shorten phases 1–2: the mean log number of steps until every |H_l| ≤ ${p.fitTolerance}·‖v‖ falls from m = ${byM.map((r) => r.m).join(' to ')} at k = ${k} (${p.phaseSeeds} independent draws each)`,
                  predicted: 'each ratio of geometric means > 1',
                  measured: shorten.measured,
                  tolerance: '95 % Welch interval of each ratio above 1',
                  pass: shorten.pass,
                },
                {
                  id: 'phases-lengthen-with-k',
                  statement: `more teachers lengthen phases 1–2: the mean log number of steps grows from k = ${k} to ${2 * k} at m = ${m} (${p.phaseSeeds} independent draws each)`,
                  predicted: 'ratio of geometric means > 1',
                  measured: lengthen.measured,
                  tolerance: '95 % Welch interval of the ratio above 1',
                  pass: lengthen.pass,
                },
              ]
            : []),
        ],
        plots: zhuBalancePlots({ k, m, fitTolerance: p.fitTolerance, phaseSeeds: p.phaseSeeds, phaseLengths: phases.length > 0 }),
      };
    });
  },
});
