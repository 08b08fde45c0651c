// The Ba et al. one-step pipeline as the benchmarks time it: the library's own pipeline
// (src/experiments/ba-pipeline.ts: data, network, one step W1 = W0 + η√N·G0, the ridge
// readout's test risk) plus all singular values of W1, at η = 4, λ = 1e-3, noise 0.1.
// bench/numpy_pipeline.py is the same computation in numpy.

import { evaluateTarget, gaussianInputs, oneStep, randomUnitVector } from '../dist/index.js';
import { pipelineData, ridgeRisk } from '../dist/experiments/ba-pipeline.js';

export const ETA = 4;
export const LAMBDA = 1e-3;
export const NOISE = 0.1;

/**
 * Floating-point operations of the pipeline's large kernels at (d, n, N), nTest test points, as
 * this design executes them: GEMM (the forward pass X·W0 and the gradient Xᵀ·M of the step,
 * the features of the fresh and test batches: 2·n·d·N each), the Gram matrices (ΦᵀΦ of the
 * ridge, W1·W1ᵀ of svdvals: gram_f64 computes one triangle, k·m² flops), the eigensolver's
 * tridiagonal reduction (4m³/3, m = min(d, N)) and Cholesky (N³/3). The pipeline's limit is
 * their sum at the measured GEMM f64 rate.
 */
export function pipelineFlops({ d, n, N, nTest = n }) {
  const m = Math.min(d, N);
  const gemm = 2 * n * d * N /* X·W0 */ + 2 * n * d * N /* Xᵀ·M */ + 2 * n * d * N /* fresh X·W1 */ + 2 * nTest * d * N; /* Xt·W1 */
  const gram = n * N * N /* ΦᵀΦ */ + m * m * Math.max(d, N); /* W1·W1ᵀ */
  return { gemm: gemm + gram, eig: (4 * m ** 3) / 3, cholesky: N ** 3 / 3 };
}

/** One run under `seed` on engine `fl`: { s1, risk, fingerprint } (fingerprint of every singular value and the risk). */
export function baPipeline(fl, { d, n, N }, seed) {
  return fl.scope(() => {
    const beta = randomUnitVector(fl, d, { seed, stream: 0 });
    const target = { kind: 'single-index', link: 'tanh', beta };
    const setup = { target, n, d, N, activation: 'tanh', noise: NOISE, seed, streams: { train: 2, fresh: 4, network: 10 } };
    const { train, fresh, net } = pipelineData(fl, setup);
    oneStep(fl, net, train, ETA);
    const s = fl.svdvals(net.W);
    const Xt = gaussianInputs(fl, n, d, { seed, stream: 6 });
    const risk = ridgeRisk(fl, net, fresh, LAMBDA, Xt, evaluateTarget(fl, target, Xt));
    return { s1: s[0], risk, fingerprint: fl.fingerprint([...s, risk]) };
  });
}
