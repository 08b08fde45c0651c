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
 * Floating-point operations of the pipeline's large kernels at (d, n, N), nTest test points:
 * GEMM flops (the forward pass, the gradient, the features of the fresh and test batches,
 * the Gram matrix ΦᵀΦ), the eigensolver's (svdvals of the d×N W1 through the d×d Gram
 * matrix: 2·d²·N for W1·W1ᵀ, 4d³/3 for its tridiagonal reduction) and Cholesky's (N³/3).
 * What the pipeline's limit at our measured kernel rates is computed from.
 */
export function pipelineFlops({ d, n, N, nTest = n }) {
  const gemm = 2 * n * d * N /* X·W0 */ + 2 * n * d * N /* Xᵀ·M */ + 2 * n * d * N /* fresh X·W1 */ + 2 * n * N * N /* ΦᵀΦ */ + 2 * nTest * d * N; /* Xt·W1 */
  const m = Math.min(d, N);
  const gram = 2 * m * m * Math.max(d, N);
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
