// moniri-spikes — Moniri, Lee, Hassani & Dobriban (ICML 2024): one step with η = c·n^α puts
// ⌊1/(1 − 2α)⌋ spikes in the feature matrix, the k-th aligned with the degree-k Hermite
// feature, and the readout error falls in a staircase. docs/science.md §2.

import type { Engine } from '../core/engine.js';
import type { Matrix } from '../core/matrix.js';
import { gaussianInputs, evaluateTarget, randomUnitVector, type Batch, type Target } from '../net/data.js';
import { columnStack } from '../net/functions.js';
import { centerColumns, countAbove, logLogSlope } from '../net/measure.js';
import { features, forward, oneStep, powerStep, type TwoLayer } from '../net/model.js';
import { meanSquaredError, ridge } from '../net/readout.js';
import { coefficientVanishes, countNonvanishing, gaussHermite, hermiteCoefficients, hermiteFeatures, predictedSpikes, spikeStrength } from '../net/theory.js';
import type { Claim, ExperimentOutput, RunContext, SeriesRows } from './types.js';
import { bool, defineExperiment, int, num, oneOf, type ParamsOf } from './define.js';
import { absoluteClaim, belowClaim, exactClaim, relativeClaim } from './claims.js';
import { pipelineData } from './ba-pipeline.js';
import { moniriSpikesPlots } from './plots/moniri-spikes.js';

/** Degrees k whose spike strength is measured (the α grid never makes k ≥ 4 visible). */
const STRENGTH_DEGREES = 3;
/** Hermite coefficients computed (degrees above are assumed non-zero: no α in the sweep reaches them). */
const COEFFICIENT_DEGREES = 12;

/** RNG streams (sampleBatch and createNetwork also draw stream + 1). */
const STREAM = {
  beta: 0,
  /** The step's batch, the fresh batch of F and the readout, the network. */
  pipeline: { train: 2, fresh: 4, network: 10 },
  test: 6,
  svdTop: 50,
} as const;

const params = {
  d: int({ doc: 'input dimension', quick: 1000, paper: 2000, min: 2, max: 20000 }),
  n: int({ doc: 'samples per batch', quick: 1000, paper: 2000, min: 2, max: 20000 }),
  N: int({ doc: 'hidden width', quick: 1000, paper: 2000, min: 2, max: 20000 }),
  alpha: num({ doc: 'step-size exponent α (η = c·n^α)', quick: 0.3, paper: 0.3, min: 0, max: 0.499 }),
  c: num({ doc: 'step-size constant c', quick: 1, paper: 1, min: 1e-9, max: 1e6, assumption: 'the papers fix only the exponent; c = 1' }),
  activation: oneOf(['relu', 'softplus', 'tanh', 'erf', 'sigmoid'], {
    doc: 'student activation σ (needs c₁ ≠ 0; the k-th spike needs c_k ≠ 0: odd σ like tanh have no even spikes, relu and softplus no odd ones beyond the first)',
    quick: 'relu',
    paper: 'relu',
    assumption: 'the sources name no activation; relu has c1, c2 ≠ 0, so the second spike (α > 1/4) is predicted',
  }),
  target: oneOf(['tanh', 'erf', 'softplus', 'sigmoid', 'relu'], { doc: 'target link σ*', quick: 'tanh', paper: 'tanh' }),
  sphere: bool({
    doc: 'first-layer rows on the unit sphere instead of Gaussian',
    quick: false,
    paper: false,
    assumption: 'Gaussian vs sphere initialisation is a parameter (docs/science.md §2)',
  }),
  noise: num({ doc: 'label noise σ_ε', quick: 0.1, paper: 0.1, min: 0, max: 100 }),
  lambda: num({
    doc: 'ridge penalty λ of the readout',
    quick: 0.1,
    paper: 0.1,
    min: 1e-12,
    max: 1e6,
    assumption: 'chosen away from the interpolation peak at n = N (with λ = 1e-3 the readout interpolates and the test error exceeds E y²)',
  }),
  nTest: int({ doc: 'fresh noise-free test points', quick: 1000, paper: 2000, min: 10, max: 100000 }),
  margin: num({
    doc: 'relative margin above the bulk edge (top singular value of F0 = σ(X̃W0)) for an outlier',
    quick: 0.05,
    paper: 0.05,
    min: 0,
    max: 10,
    assumption: 'gap criterion: outliers of F are values above the largest singular value of F0 on the same inputs by 5%',
  }),
  ladder: bool({ doc: 'also run at n/4 and n/2 (d, N in proportion) to measure the growth exponents of the spike strengths', quick: true, paper: true }),
  sweep: bool({ doc: 'also run α ∈ {0, 0.1, 0.2, 0.3, 0.4} for the staircase plot', quick: true, paper: true }),
  hermiteThreshold: num({
    doc: 'alignment ⟨u_k, h_k⟩² counted as aligned',
    quick: 0.5,
    paper: 0.5,
    min: 0,
    max: 1,
    assumption: 'the sources state alignment without a number; 0.5 is a clear majority',
  }),
};
type Params = ParamsOf<typeof params>;

interface Strength {
  k: number;
  measured: number;
  predicted: number;
}

interface OneAlpha {
  alpha: number;
  n: number;
  eta: number;
  spikes: number;
  values: Float64Array;
  edge: number;
  hermite: number[];
  strengths: Strength[];
  trainError: number;
  testError: number;
}

/** Everything that does not depend on α, computed once per size and shared by the α runs. */
interface Setup {
  d: number;
  n: number;
  N: number;
  target: Target;
  train: Batch;
  fresh: Batch;
  /** The network at W0 (the runs step copies of W). */
  net: TwoLayer;
  /** b = Xᵀ(y − f0)/n: the direction of the (almost rank-one) gradient at W0, and ‖b‖. */
  bNorm: number;
  /** F0 = σ(X̃·W0) on the fresh inputs. */
  F0: Matrix;
  /** He_k(X̃b/‖b‖)/√k! and a^{∘k} (k = 1..K) as columns, with the diagonals of their Gram matrices. */
  H: Matrix;
  A: Matrix;
  HH: Float64Array;
  AA: Float64Array;
  /** Top singular value of the column-centred F0: the bulk edge. */
  edge: number;
}

/** The data, the network at W0 and the α-independent measurements, at d, n, N scaled by `size`. */
function prepare(fl: Engine, p: Params, seed: number, size: number): Setup {
  const d = Math.round(p.d * size),
    n = Math.round(p.n * size),
    N = Math.round(p.N * size);
  const beta = randomUnitVector(fl, d, { seed, stream: STREAM.beta });
  const target: Target = { kind: 'single-index', link: p.target, beta };
  const { train, fresh, net } = pipelineData(fl, {
    target,
    n,
    d,
    N,
    activation: p.activation,
    noise: p.noise,
    sphere: p.sphere,
    seed,
    streams: STREAM.pipeline,
  });
  const b = fl.scope(() => fl.keep(fl.gemv(train.X, fl.axpy(-1, forward(fl, net, train.X).f, fl.copy(train.y)), { trans: true, alpha: 1 / n })));
  const F0 = features(fl, { ...net, scale: 1 }, fresh.X);
  const H = hermiteFeatures(fl, fresh.X, b, STRENGTH_DEGREES);
  const A = fl.scope(() => {
    const powers = [net.a];
    for (let k = 2; k <= STRENGTH_DEGREES; k++) powers.push(fl.hadamard(powers[powers.length - 1]!, net.a));
    return fl.keep(columnStack(fl, powers));
  });
  // Outliers are singular values of the column-centred F above the top singular value of the
  // column-centred F0 on the same inputs (the bulk edge) by the margin. Centring removes the
  // constant He_0 term, a rank-one mean that is F's largest value when E σ ≠ 0. (A
  // Marchenko–Pastur fit does not describe this bulk: it mixes the linear part c1·X̃W0 with a
  // non-linear remainder.)
  const edge = fl.scope(() => fl.svdvals(centerColumns(fl, F0))[0]!);
  return {
    d,
    n,
    N,
    target,
    train,
    fresh,
    net,
    bNorm: fl.norm(b),
    F0,
    H,
    A,
    HH: fl.gram(H).toArray() as Float64Array,
    AA: fl.gram(A).toArray() as Float64Array,
    edge,
  };
}

/** One step with η = c·n^α from W0, the spike strengths, and (with `full`) outliers, alignments and the readout. */
function runAlpha(fl: Engine, p: Params, seed: number, alpha: number, coefficients: Float64Array, setup: Setup, full: boolean): OneAlpha {
  const { d, n, N, train, fresh, F0, H, A, HH, AA, edge } = setup,
    K = STRENGTH_DEGREES;
  return fl.scope(() => {
    const net = { ...setup.net, W: fl.copy(setup.net.W) };
    const eta = powerStep(fl, p.c, n, alpha);
    oneStep(fl, net, train, eta);
    // Feature matrix on fresh data: F = σ(X̃·W1) (n×N)
    const F = features(fl, { ...net, scale: 1 }, fresh.X);

    // Spike strengths: the change F − F0 along He_k(z)/‖·‖ ⊗ a^{∘k}/‖·‖, against the
    // leading-order prediction (theory.spikeStrength)
    const projected = fl.matmul(H, fl.matmul(fl.axpy(-1, F0, fl.copy(F)), A), { transA: true }).toArray();
    const strengths: Strength[] = [];
    for (let k = 1; k <= K; k++) {
      const hk = Math.sqrt(HH[(k - 1) * K + k - 1]!),
        ak = Math.sqrt(AA[(k - 1) * K + k - 1]!);
      strengths.push({
        k,
        measured: projected[(k - 1) * K + k - 1]! / (hk * ak),
        predicted: spikeStrength({
          k,
          ck: coefficients[k]!,
          c1: coefficients[1]!,
          eta,
          bNorm: setup.bNorm,
          n,
          aPowerNorm: ak,
          pow: (x, y) => fl.math.pow(x, y),
        }),
      });
    }
    if (!full) return { alpha, n, eta, spikes: NaN, values: new Float64Array(0), edge, hermite: [], strengths, trainError: NaN, testError: NaN };

    const Fc = centerColumns(fl, F);
    const values = fl.svdvals(Fc);
    const spikes = countAbove(values, edge * (1 + p.margin));
    // Alignment of the k-th outlier's left singular vector with He_k(X̃b/‖b‖)/√k!
    const hermite: number[] = [];
    const shown = Math.min(spikes, K);
    if (shown > 0) {
      const top = fl.svdTop(Fc, shown, { seed, stream: STREAM.svdTop, maxIterations: Math.min(n, N, 200) });
      const UH = fl.matmul(top.U, H, { transA: true }).toArray();
      for (let k = 0; k < shown; k++) hermite.push((UH[k * K + k]! * UH[k * K + k]!) / HH[k * K + k]!);
    }
    // Ridge readout on the (scaled) features of the fresh batch; test on fresh noise-free points
    const Phi = features(fl, net, fresh.X);
    const ahat = ridge(fl, Phi, fresh.y, p.lambda);
    const trainError = meanSquaredError(fl, fl.matmul(Phi, ahat), fresh.y);
    const Xt = gaussianInputs(fl, p.nTest, d, { seed, stream: STREAM.test });
    const testError = meanSquaredError(fl, fl.matmul(features(fl, net, Xt), ahat), evaluateTarget(fl, setup.target, Xt));
    return { alpha, n, eta, spikes, values: values.slice(0, 8), edge, hermite, strengths, trainError, testError };
  });
}

export const moniriSpikes = defineExperiment({
  id: 'moniri-spikes',
  title: 'One step with η = c·n^α: ⌊1/(1 − 2α)⌋ spikes in the feature matrix',
  paper: 'Moniri, Lee, Hassani & Dobriban, "A Theory of Non-Linear Feature Learning with One Gradient Step in Two-Layer Neural Networks", ICML 2024',
  summary:
    'After one step W1 = W0 + η√N·G0 with η = c·n^α, the feature matrix F = σ(X̃W1) on fresh data gains rank-one terms c_k(η·c1·‖b‖)^k·z^k(a^{∘k})ᵀ whose strength grows like n^{1+αk−k/2} against a bulk ≍ √n, so asymptotically ⌊1/(1 − 2α)⌋ of them (those with c_k ≠ 0) leave the bulk; the k-th left singular vector aligns with He_k(X̃b/‖b‖); train and test error of the ridge readout fall in a staircase as α crosses (k − 1)/(2k). The experiment measures the strengths against their leading-order value, their growth exponents over a size ladder, and the outliers actually visible at this n.',
  about:
    "The one-step pipeline of ba-one-step with a step η = c·n^α, looking at the feature matrix F = σ(X̃W1) on fresh inputs. Moniri et al. expand F around F0 = σ(X̃W0): the step adds rank-one terms, the k-th proportional to the Hermite coefficient c_k(σ) of the activation, whose size grows like n^{1 + αk − k/2} against a bulk of size √n. Asymptotically ⌊1/(1 − 2α)⌋ of them (those with c_k ≠ 0) leave the bulk as outliers, the k-th outlier's singular vector aligns with the degree-k Hermite feature He_k(X̃b/‖b‖), and the ridge readout's error falls in steps as α crosses (k − 1)/(2k). The experiment measures the size of each term against its leading-order value, its growth exponent over a ladder of sizes, and the outliers actually visible at this n.",
  failureNotes: {
    'spike-count':
      'The count is asymptotic. The second term is there and has its predicted size (8.95 vs 8.88 at n = 2000), but with c = 1 that size is about 0.09·c²·n^{2α} against a bulk edge of about 1.4·√n (62.5 at n = 2000): at α = 0.3 it would leave the bulk only for n ≳ 10^8, or at n = 2000 with c ≈ 3. The update and the step size follow the papers with c = 1 [assumed]; the constants, not the mechanism, decide what a finite run shows.',
    'spike-staircase':
      'For the same reason as spike-count: wherever a second outlier is predicted it needs n far beyond the simulated sizes at c = 1, so the measured staircase stays one step below the predicted one.',
    'growth-exponent-2':
      "At n/4 and n/2 the second term's projection is at the method's noise floor (the k = 3 projection, whose coefficient is 0 for relu, shows the floor at 2–7), so the slope fitted over the ladder (0.87 at the paper size) measures the floor, not the n^{2α} growth (0.6).",
    'growth-exponent-1': 'A slope over three sizes n/4 … n: corrections of relative order 1/√n can move it by more than ±0.1 at small n.',
    'error-staircase':
      'With an odd target such as tanh the He_2 direction carries no signal of the target, so the test error may stay flat across α = 1/4 within noise at other seeds or sizes; a target with a quadratic part shows the step more clearly.',
    'hermite-alignment':
      'Only visible outliers are compared; an outlier just above the bulk edge mixes with the bulk and its alignment with He_k drops below the threshold.',
    'spike-strength-1': 'Leading order only: where η/√N is not small (larger α or c) the next order changes the strength by 10–20 %.',
    'spike-strength-2':
      'Leading order only: where η/√N is not small (larger α or c) the next order changes the strength by 10–20 % (20 % below leading order at c = 3, α = 0.3).',
  },
  params,
  smoke: { d: 80, n: 80, N: 80, nTest: 50, sweep: false },
  constraints: [
    (p) => {
      // peak wasm memory, about twice the matrices alive at once (measured: 1.0–1.4×), 8 bytes each
      const { d, n, N, nTest: t } = p;
      const gib = (16 * (2 * n * d + 2 * d * N + 5 * n * N + Math.min(n, N) ** 2 + t * (d + N))) / 2 ** 30;
      return gib > 4
        ? `d=${d}, n=${n}, N=${N}, nTest=${t} need about ${gib.toFixed(1)} GiB of memory, more than the 4 GiB of a wasm32 engine; lower d, n, N or nTest`
        : undefined;
    },
  ],
  run(ctx) {
    return ctx.fl.scope(() => runMoniri(ctx));
  },
});

function runMoniri(ctx: RunContext<Params>): ExperimentOutput {
  const { fl, params: p, seed } = ctx;
  const alpha = p.alpha;
  const coefficients = hermiteCoefficients(fl, gaussHermite(fl, 150), p.activation, COEFFICIENT_DEGREES);
  // Spikes the theory predicts at α for this activation: k ≤ ⌊1/(1 − 2α)⌋ with c_k(σ) ≠ 0
  const predictedFor = (a: number) => countNonvanishing(coefficients, 1, predictedSpikes(a));
  ctx.progress(0.05, `α = ${alpha}`);
  const setup = prepare(fl, p, seed, 1);
  const main = runAlpha(fl, p, seed, alpha, coefficients, setup, true);
  const predicted = predictedFor(alpha);
  // Size ladder n/4, n/2, n (d and N in proportion) for the growth exponents of the strengths
  const ladder: OneAlpha[] = [];
  if (p.ladder) {
    [0.25, 0.5].forEach((size, i) => {
      ctx.progress(0.2 + 0.05 * i, `size ×${size}`);
      ladder.push(fl.scope(() => runAlpha(fl, p, seed, alpha, coefficients, prepare(fl, p, seed, size), false)));
    });
  }
  ladder.push(main);
  const sweep: OneAlpha[] = [];
  if (p.sweep) {
    const grid = [0, 0.1, 0.2, 0.3, 0.4];
    grid.forEach((a, i) => {
      ctx.progress(0.3 + (0.65 * i) / grid.length, `sweep α = ${a}`);
      sweep.push(a === alpha ? main : runAlpha(fl, p, seed, a, coefficients, setup, true));
    });
  }
  const spectrum: SeriesRows = Array.from(main.values, (s, i) => ({ index: i + 1, s, edge: main.edge }));
  const logN = fl.math.log(p.n);
  const staircase: SeriesRows = sweep.flatMap((r) => {
    const logEtaOverLogN = fl.math.log(r.eta) / logN;
    return [
      { alpha: r.alpha, logEtaOverLogN, error: r.trainError, kind: 'train' },
      { alpha: r.alpha, logEtaOverLogN, error: r.testError, kind: 'test' },
    ];
  });
  const counts: SeriesRows = sweep.flatMap((r) => [
    { alpha: r.alpha, spikes: r.spikes, kind: 'measured' },
    { alpha: r.alpha, spikes: predictedFor(r.alpha), kind: 'predicted (k ≤ ⌊1/(1−2α)⌋, c_k ≠ 0)' },
  ]);
  // A degree with c_k = 0 has no spike: its measured projection is the noise floor of the method
  const vanishing = (k: number) => coefficientVanishes(coefficients, k);
  const strengths: SeriesRows = ladder.flatMap((r) =>
    r.strengths.flatMap((s) => {
      const k = vanishing(s.k) ? `k = ${s.k} (c_${s.k} = 0: noise floor)` : `k = ${s.k}`;
      const measured = { n: r.n, k, strength: Math.abs(s.measured), kind: 'measured' };
      return vanishing(s.k) ? [measured] : [measured, { n: r.n, k, strength: Math.abs(s.predicted), kind: 'leading-order theory' }];
    }),
  );
  const bulk: SeriesRows = ladder.filter((r) => Number.isFinite(r.edge)).map((r) => ({ n: r.n, edge: r.edge }));

  const threshold = p.hermiteThreshold;
  const claims: Claim[] = [
    exactClaim({
      id: 'spike-count',
      statement: `F has one outlier per k ≤ ⌊1/(1 − 2α)⌋ with c_k(${p.activation}) ≠ 0 at α = ${alpha} (⌊1/(1 − 2α)⌋ = ${predictedSpikes(alpha)})`,
      predicted,
      measured: main.spikes,
    }),
    {
      id: 'hermite-alignment',
      statement: 'the k-th outlier of F aligns with He_k(X̃b/‖b‖) for every measured outlier k ≤ 3',
      predicted: `> ${threshold}`,
      measured: main.hermite.length ? main.hermite.map((v) => v.toFixed(3)).join(', ') : 'no outlier',
      tolerance: '⟨u_k, h_k⟩²/‖h_k‖²',
      pass: main.hermite.length > 0 && main.hermite.every((v) => v > threshold),
    },
  ];
  for (const st of main.strengths.slice(0, 2)) {
    if (vanishing(st.k)) continue;
    claims.push(
      relativeClaim({
        id: `spike-strength-${st.k}`,
        statement: `spike ${st.k}'s strength (F − F0 along He_${st.k}(z) ⊗ a^{∘${st.k}}) equals its leading-order value c_${st.k}·(η·c1·‖b‖)^${st.k}·√(${st.k}!·n)·‖a^{∘${st.k}}‖`,
        predicted: st.predicted,
        measured: st.measured,
        tol: 0.1,
        tolerance: 'relative 10%',
      }),
    );
  }
  const exponents: Record<string, number> = {};
  if (ladder.length > 1) {
    for (let k = 1; k <= 2; k++) {
      if (vanishing(k)) continue;
      const slope = logLogSlope(
        fl,
        ladder.map((r) => ({ x: r.n, y: r.strengths[k - 1]!.measured })),
      );
      const theory = 1 + alpha * k - k / 2;
      exponents[`growthExponent${k}`] = slope;
      claims.push(
        absoluteClaim({
          id: `growth-exponent-${k}`,
          statement: `spike ${k}'s strength grows like n^{1 + αk − k/2} (n = ${ladder.map((r) => r.n).join(', ')}, d and N in proportion)`,
          predicted: theory,
          measured: slope,
          tol: 0.1,
          tolerance: '±0.1 (finite-size slope)',
        }),
      );
    }
  }
  if (sweep.length) {
    const matches = sweep.filter((r) => r.spikes === predictedFor(r.alpha)).length;
    claims.push({
      id: 'spike-staircase',
      statement: 'the outlier count follows the predicted staircase across the α sweep',
      predicted: sweep.map((r) => predictedFor(r.alpha)).join(', '),
      measured: sweep.map((r) => r.spikes).join(', '),
      tolerance: 'exact at every α',
      pass: matches === sweep.length,
    });
    const before = sweep.find((r) => r.alpha === 0.2)!,
      after = sweep.find((r) => r.alpha === 0.3)!;
    claims.push(
      belowClaim({
        id: 'error-staircase',
        statement: 'the test error drops when α crosses 1/4 (the second spike appears)',
        predicted: `< ${before.testError.toPrecision(4)} (α = 0.2)`,
        measured: after.testError,
        bound: before.testError,
        tolerance: 'strict',
      }),
    );
  }
  ctx.progress(0.98, 'report');
  return {
    metrics: {
      spikes: main.spikes,
      predictedSpikes: predicted,
      spikeFormula: predictedSpikes(alpha),
      eta: main.eta,
      bulkEdge: main.edge,
      s1: main.values[0]!,
      s2: main.values[1] ?? NaN,
      trainError: main.trainError,
      testError: main.testError,
      ...Object.fromEntries(main.hermite.map((v, k) => [`hermiteAlignment${k + 1}`, v])),
      ...Object.fromEntries(
        main.strengths.flatMap((s) => [
          [`strength${s.k}`, s.measured],
          [`strength${s.k}Predicted`, s.predicted],
        ]),
      ),
      ...Object.fromEntries(Array.from(coefficients.slice(0, STRENGTH_DEGREES + 2), (v, k) => [`c${k}`, v])),
      ...exponents,
    },
    series: { spectrum, staircase, counts, strengths, bulk, hermite: main.hermite.map((v, k) => ({ k: k + 1, alignment: v })) },
    claims,
    plots: moniriSpikesPlots({ alpha, sweep: sweep.length > 0 }),
  };
}
