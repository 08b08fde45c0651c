// The Ba et al. one-step pipeline, once: a single-index teacher's data, a mean-field two-layer
// network, one step W1 = W0 + η√N·G0 on a training batch, a ridge readout of the features
// σ(XW)/√N on a fresh batch, and its test risk. ba-one-step runs it at several sizes and
// steps, moniri-spikes starts from its data and network; a benchmark can time it as is.

import type { Engine } from '../core/engine.js';
import type { Matrix } from '../core/matrix.js';
import type { ActivationName } from '../core/activations.js';
import { sampleBatch, type Batch, type Target } from '../net/data.js';
import { createNetwork, features, oneStep, type TwoLayer } from '../net/model.js';
import { meanSquaredError, ridge } from '../net/readout.js';

/** RNG streams of the pipeline's draws (sampleBatch and createNetwork also draw stream + 1). */
export interface PipelineStreams {
  train: number;
  fresh: number;
  network: number;
}

export interface PipelineSetup {
  target: Target;
  /** Samples per batch, input dimension, hidden width. */
  n: number;
  d: number;
  N: number;
  activation: ActivationName;
  /** Label noise σ_ε of both batches. */
  noise: number;
  /** First-layer rows on the unit sphere instead of Gaussian. */
  sphere?: boolean;
  seed: number;
  streams: PipelineStreams;
}

export interface PipelineData {
  /** The batch of the step, the fresh batch of the readout. */
  train: Batch;
  fresh: Batch;
  /** The network at W0 (the step moves its W in place). */
  net: TwoLayer;
}

/** The two batches and the network at initialisation. */
export function pipelineData(fl: Engine, s: PipelineSetup): PipelineData {
  const { seed, streams } = s;
  const train = sampleBatch(fl, s.target, s.n, s.d, { seed, stream: streams.train, noise: s.noise });
  const net = createNetwork(
    fl,
    s.d,
    s.N,
    s.activation,
    { kind: 'mean-field', ...(s.sphere !== undefined && { sphere: s.sphere }) },
    { seed, stream: streams.network },
  );
  const fresh = sampleBatch(fl, s.target, s.n, s.d, { seed, stream: streams.fresh, noise: s.noise });
  return { train, fresh, net };
}

/** Test risk of the ridge readout (penalty λ) fitted on `fit`: mean squared error against ft on Xt. */
export function ridgeRisk(fl: Engine, net: TwoLayer, fit: Batch, lambda: number, Xt: Matrix, ft: Matrix): number {
  const ahat = ridge(fl, features(fl, net, fit.X), fit.y, lambda);
  return meanSquaredError(fl, fl.matmul(features(fl, net, Xt), ahat), ft);
}

/** The whole pipeline in its own scope: data, one step of size η, the readout's test risk. */
export function oneStepRisk(fl: Engine, s: PipelineSetup, eta: number, lambda: number, Xt: Matrix, ft: Matrix): number {
  return fl.scope(() => {
    const { train, fresh, net } = pipelineData(fl, s);
    oneStep(fl, net, train, eta);
    return ridgeRisk(fl, net, fresh, lambda, Xt, ft);
  });
}
