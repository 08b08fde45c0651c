// moniri-spikes — Moniri, Lee, Hassani & Dobriban (ICML 2024): one step with η = c·n^α puts
// ⌊1/(1 − 2α)⌋ spikes in the feature matrix, the k-th aligned with the degree-k Hermite
// feature, and the readout error falls in a staircase. shared/spec/science.md §2.

import type { Engine } from '../engine.js';
import { gaussianInputs, evaluateTarget, randomUnitVector, sampleBatch, type Target } from '../net/data.js';
import { createNetwork, features, oneStep, powerStep } from '../net/model.js';
import { meanSquaredError, ridge } from '../net/readout.js';
import { hermiteFeatures, predictedSpikes } from '../net/theory.js';
import type { Claim, Experiment, ExperimentOutput, ParamValue, RunContext, SeriesRows } from './types.js';

interface OneAlpha {
  alpha: number;
  eta: number;
  spikes: number;
  predicted: number;
  values: Float64Array;
  edge: number;
  hermite: number[];
  trainError: number;
  testError: number;
}

function runAlpha(fl: Engine, p: Record<string, ParamValue>, seed: number, alpha: number, withVectors: boolean): OneAlpha {
  const d = p.d as number, n = p.n as number, N = p.N as number;
  return fl.scope(() => {
    const beta = randomUnitVector(fl, d, { seed, stream: 0 });
    const target: Target = { kind: 'single-index', link: p.target as 'tanh', beta };
    const train = sampleBatch(fl, target, n, d, { seed, stream: 2, noise: p.noise as number });
    const net = createNetwork(fl, d, N, p.activation as 'tanh', { kind: 'mean-field', sphere: p.sphere as boolean }, { seed, stream: 10 });
    const eta = powerStep(fl, p.c as number, n, alpha);
    const fresh = sampleBatch(fl, target, n, d, { seed, stream: 4, noise: p.noise as number });
    // The bulk edge: the top singular value of F0 = σ(X̃·W0) on the same fresh inputs. The
    // step adds low-rank terms to F, so values of F above this edge by the margin are spikes.
    // (A Marchenko–Pastur fit does not describe the bulk of a non-linear feature matrix,
    // which mixes the linear part μ1·X̃W0 with a non-linear remainder.)
    const edge = fl.svdvals(features(fl, { ...net, scale: 1 }, fresh.X))[0]!;
    oneStep(fl, net, train, eta);
    // Feature matrix on fresh data: F = σ(X̃·W1) (n×N), its spectrum and outliers
    const F = features(fl, { ...net, scale: 1 }, fresh.X);
    const values = fl.svdvals(F);
    let outliers = 0;
    while (outliers < values.length && values[outliers]! > edge * (1 + (p.margin as number))) outliers++;
    const fit = { outliers, edge };
    const predicted = predictedSpikes(alpha);
    // Alignment of the k-th left singular vector with He_k(X̃b/‖b‖)/√k!, b = Xᵀy/n
    const hermite: number[] = [];
    if (withVectors) {
      const K = Math.min(Math.max(predicted, fit.outliers), 4);
      const top = fl.svdTop(F, K, { seed, stream: 50, maxIterations: Math.min(n, N, 200) });
      const b = fl.gemv(train.X, train.y, { trans: true, alpha: 1 / n });
      const H = hermiteFeatures(fl, fresh.X, b, K);
      // ⟨u_k, h_k⟩² / ‖h_k‖²: the diagonals of Uᵀ·H and Hᵀ·H
      const UH = fl.matmul(top.U, H, { transA: true }).toArray(), HH = fl.gram(H).toArray();
      for (let k = 0; k < K; k++) hermite.push((UH[k * K + k]! * UH[k * K + k]!) / HH[k * K + k]!);
    }
    // Ridge readout on the (scaled) features of the fresh batch; test on fresh noise-free points
    const Phi = features(fl, net, fresh.X);
    const ahat = ridge(fl, Phi, fresh.y, p.lambda as number);
    const trainError = meanSquaredError(fl, fl.matmul(Phi, ahat), fresh.y);
    const Xt = gaussianInputs(fl, p.nTest as number, d, { seed, stream: 6 });
    const testError = meanSquaredError(fl, fl.matmul(features(fl, net, Xt), ahat), evaluateTarget(fl, target, Xt));
    return { alpha, eta, spikes: fit.outliers, predicted, values: values.slice(0, 8), edge: fit.edge, hermite, trainError, testError };
  });
}

export const moniriSpikes: Experiment = {
  id: 'moniri-spikes',
  title: 'One step with η = c·n^α: ⌊1/(1 − 2α)⌋ spikes in the feature matrix',
  paper: 'Moniri, Lee, Hassani & Dobriban, "A Theory of Non-Linear Feature Learning with One Gradient Step in Two-Layer Neural Networks", ICML 2024',
  summary:
    'After one step W1 = W0 + η√N·G0 with η = c·n^α, the feature matrix F = σ(X̃W1) on fresh data has ⌊1/(1 − 2α)⌋ singular values outside its bulk; the k-th left singular vector aligns with He_k(X̃b/‖b‖); train and test error of the ridge readout fall in a staircase as α crosses (k − 1)/(2k).',
  params: [
    { name: 'd', type: 'int', doc: 'input dimension', quick: 1000, paper: 2000, min: 2, max: 20000 },
    { name: 'n', type: 'int', doc: 'samples per batch', quick: 1000, paper: 2000, min: 2, max: 20000 },
    { name: 'N', type: 'int', doc: 'hidden width', quick: 1000, paper: 2000, min: 2, max: 20000 },
    { name: 'alpha', type: 'number', doc: 'step-size exponent α (η = c·n^α)', quick: 0.3, paper: 0.3, min: 0, max: 0.499 },
    { name: 'c', type: 'number', doc: 'step-size constant c', quick: 1, paper: 1, min: 1e-9, max: 1e6, assumption: 'the papers fix only the exponent; c = 1' },
    { name: 'activation', type: 'enum', doc: 'student activation (needs c₁ ≠ 0)', quick: 'tanh', paper: 'tanh', values: ['tanh', 'erf', 'softplus', 'sigmoid', 'relu'] },
    { name: 'target', type: 'enum', doc: 'target link σ*', quick: 'tanh', paper: 'tanh', values: ['tanh', 'erf', 'softplus', 'sigmoid', 'relu'] },
    { name: 'sphere', type: 'boolean', doc: 'first-layer rows on the unit sphere instead of Gaussian', quick: false, paper: false, assumption: 'Gaussian vs sphere initialisation is a parameter (spec §2)' },
    { name: 'noise', type: 'number', doc: 'label noise σ_ε', quick: 0.1, paper: 0.1, min: 0, max: 100 },
    { name: 'lambda', type: 'number', doc: 'ridge penalty λ', quick: 1e-3, paper: 1e-3, min: 1e-12, max: 1e6 },
    { name: 'nTest', type: 'int', doc: 'fresh noise-free test points', quick: 1000, paper: 2000, min: 10, max: 100000 },
    { name: 'margin', type: 'number', doc: 'relative margin above the bulk edge (top singular value of F0 = σ(X̃W0)) for an outlier', quick: 0.05, paper: 0.05, min: 0, max: 10, assumption: 'gap criterion: outliers of F are values above the largest singular value of F0 on the same inputs by 5%' },
    { name: 'sweep', type: 'boolean', doc: 'also run α ∈ {0, 0.1, 0.2, 0.3, 0.4} for the staircase plot', quick: true, paper: true },
    { name: 'hermiteThreshold', type: 'number', doc: 'alignment ⟨u_k, h_k⟩² counted as aligned', quick: 0.5, paper: 0.5, min: 0, max: 1, assumption: 'the sources state alignment without a number; 0.5 is a clear majority' },
  ],
  run(ctx: RunContext): ExperimentOutput {
    const { fl, params: p, seed } = ctx;
    const alpha = p.alpha as number;
    ctx.progress(0.05, `α = ${alpha}`);
    const main = runAlpha(fl, p, seed, alpha, true);
    const sweep: OneAlpha[] = [];
    if (p.sweep) {
      const grid = [0, 0.1, 0.2, 0.3, 0.4];
      grid.forEach((a, i) => {
        ctx.progress(0.3 + (0.65 * i) / grid.length, `sweep α = ${a}`);
        sweep.push(a === alpha ? main : runAlpha(fl, p, seed, a, false));
      });
    }
    const spectrum: SeriesRows = Array.from(main.values, (s, i) => ({ index: i + 1, s, edge: main.edge }));
    const staircase: SeriesRows = sweep.flatMap((r) => [
      { alpha: r.alpha, logEtaOverLogN: fl.math.log(r.eta) / fl.math.log(p.n as number), error: r.trainError, kind: 'train' },
      { alpha: r.alpha, logEtaOverLogN: fl.math.log(r.eta) / fl.math.log(p.n as number), error: r.testError, kind: 'test' },
    ]);
    const counts: SeriesRows = sweep.flatMap((r) => [
      { alpha: r.alpha, spikes: r.spikes, kind: 'measured' },
      { alpha: r.alpha, spikes: r.predicted, kind: 'predicted ⌊1/(1−2α)⌋' },
    ]);
    const alignedK = main.hermite.slice(0, main.predicted);
    const threshold = p.hermiteThreshold as number;
    const claims: Claim[] = [
      {
        id: 'spike-count', statement: `F has ⌊1/(1 − 2α)⌋ outliers at α = ${alpha}`,
        predicted: main.predicted, measured: main.spikes, tolerance: 'exact', pass: main.spikes === main.predicted,
      },
      {
        id: 'hermite-alignment', statement: 'the k-th spike aligns with He_k(X̃b/‖b‖) for every predicted spike k',
        predicted: `> ${threshold}`, measured: alignedK.map((v) => v.toFixed(3)).join(', '), tolerance: '⟨u_k, h_k⟩²/‖h_k‖²', pass: alignedK.length > 0 && alignedK.every((v) => v > threshold),
      },
    ];
    if (sweep.length) {
      const matches = sweep.filter((r) => r.spikes === r.predicted).length;
      claims.push({
        id: 'spike-staircase', statement: 'the outlier count follows ⌊1/(1 − 2α)⌋ across the α sweep',
        predicted: sweep.map((r) => r.predicted).join(', '), measured: sweep.map((r) => r.spikes).join(', '), tolerance: 'exact at every α', pass: matches === sweep.length,
      });
      const before = sweep.find((r) => r.alpha === 0.2)!, after = sweep.find((r) => r.alpha === 0.3)!;
      claims.push({
        id: 'error-staircase', statement: 'the test error drops when α crosses 1/4 (the second spike appears)',
        predicted: `< ${before.testError.toPrecision(4)} (α = 0.2)`, measured: after.testError, tolerance: 'strict', pass: after.testError < before.testError,
      });
    }
    ctx.progress(0.98, 'report');
    return {
      metrics: {
        spikes: main.spikes, predictedSpikes: main.predicted, eta: main.eta, bulkEdge: main.edge, s1: main.values[0]!, s2: main.values[1] ?? NaN,
        trainError: main.trainError, testError: main.testError,
        ...Object.fromEntries(main.hermite.map((v, k) => [`hermiteAlignment${k + 1}`, v])),
      },
      series: { spectrum, staircase, counts, hermite: main.hermite.map((v, k) => ({ k: k + 1, alignment: v })) },
      claims,
      plots: [
        {
          title: `Top singular values of F at α = ${alpha} and the fitted bulk edge (dashed)`,
          spec: {
            data: { name: 'spectrum' },
            layer: [
              { mark: { type: 'point', filled: true }, encoding: { x: { field: 'index', type: 'ordinal' }, y: { field: 's', type: 'quantitative', scale: { type: 'log' }, title: 'singular value' } } },
              { mark: { type: 'rule', strokeDash: [4, 3], color: '#b00020' }, encoding: { y: { field: 'edge', type: 'quantitative' } } },
            ],
          },
        },
        { title: 'Outliers vs α: measured and ⌊1/(1 − 2α)⌋', spec: { data: { name: 'counts' }, mark: { type: 'line', point: true, interpolate: 'step-after' }, encoding: { x: { field: 'alpha', type: 'quantitative' }, y: { field: 'spikes', type: 'quantitative' }, color: { field: 'kind', type: 'nominal' } } } },
        { title: 'Ridge error vs log η / log n', spec: { data: { name: 'staircase' }, mark: { type: 'line', point: true }, encoding: { x: { field: 'logEtaOverLogN', type: 'quantitative' }, y: { field: 'error', type: 'quantitative' }, color: { field: 'kind', type: 'nominal' } } } },
        { title: 'Alignment of the k-th spike with He_k', spec: { data: { name: 'hermite' }, mark: 'bar', encoding: { x: { field: 'k', type: 'ordinal' }, y: { field: 'alignment', type: 'quantitative', scale: { domain: [0, 1] } } } } },
      ],
    };
  },
};

