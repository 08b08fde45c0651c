// Issue 12: the one Ba pipeline (src/experiments/ba-pipeline.ts) that ba-one-step runs at three
// sizes and moniri-spikes starts from. It must be exactly the pipeline written out with the
// net functions: the same draws (streams), the same step, the same readout, bit for bit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createNetwork,
  evaluateTarget,
  features,
  gaussianInputs,
  meanSquaredError,
  oneStep,
  randomUnitVector,
  ridge,
  sampleBatch,
  type Engine,
} from '../../dist/index.js';
import { oneStepRisk, pipelineData, ridgeRisk } from '../../dist/experiments/ba-pipeline.js';

let fl: Engine;
beforeAll(async () => {
  fl = await createEngine({ threads: 1 });
});
afterAll(() => fl.dispose());

const seed = 7,
  d = 24,
  n = 40,
  N = 32,
  noise = 0.1,
  lambda = 1e-3,
  eta = 2;
const streams = { train: 12, fresh: 14, network: 16 };

describe('the Ba one-step pipeline', () => {
  it('oneStepRisk is data, network, one step, ridge on the fresh batch, test risk', () => {
    fl.scope(() => {
      const beta = randomUnitVector(fl, d, { seed, stream: 0 });
      const target = { kind: 'single-index', link: 'erf', beta } as const;
      const Xt = gaussianInputs(fl, 50, d, { seed, stream: 6 });
      const ft = evaluateTarget(fl, target, Xt);

      const train = sampleBatch(fl, target, n, d, { seed, stream: 12, noise });
      const fresh = sampleBatch(fl, target, n, d, { seed, stream: 14, noise });
      const net = createNetwork(fl, d, N, 'tanh', { kind: 'mean-field' }, { seed, stream: 16 });
      oneStep(fl, net, train, eta);
      const ahat = ridge(fl, features(fl, net, fresh.X), fresh.y, lambda);
      const byHand = meanSquaredError(fl, fl.matmul(features(fl, net, Xt), ahat), ft);

      const setup = { target, n, d, N, activation: 'tanh', noise, seed, streams } as const;
      const risk = oneStepRisk(fl, setup, eta, lambda, Xt, ft);
      expect(Number.isFinite(byHand)).toBe(true);
      expect(Object.is(risk, byHand)).toBe(true);
      // another step size is another risk: the step is not skipped
      expect(oneStepRisk(fl, setup, 0, lambda, Xt, ft)).not.toBe(byHand);
    });
  });

  it('pipelineData draws the batches and the network from the named streams (sphere when asked)', () => {
    fl.scope(() => {
      const beta = randomUnitVector(fl, d, { seed, stream: 0 });
      const target = { kind: 'single-index', link: 'tanh', beta } as const;
      for (const sphere of [undefined, false, true]) {
        const data = pipelineData(fl, { target, n, d, N, activation: 'relu', noise, sphere, seed, streams });
        const net = createNetwork(fl, d, N, 'relu', { kind: 'mean-field', sphere: sphere ?? false }, { seed, stream: 16 });
        expect(fl.fingerprint(data.net.W, data.net.a)).toBe(fl.fingerprint(net.W, net.a));
        const train = sampleBatch(fl, target, n, d, { seed, stream: 12, noise });
        const fresh = sampleBatch(fl, target, n, d, { seed, stream: 14, noise });
        expect(fl.fingerprint(data.train.X, data.train.y)).toBe(fl.fingerprint(train.X, train.y));
        expect(fl.fingerprint(data.fresh.X, data.fresh.y)).toBe(fl.fingerprint(fresh.X, fresh.y));
      }
    });
  });

  it('ridgeRisk of the network at W0 is the random-features risk', () => {
    fl.scope(() => {
      const beta = randomUnitVector(fl, d, { seed, stream: 0 });
      const target = { kind: 'single-index', link: 'tanh', beta } as const;
      const { fresh, net } = pipelineData(fl, { target, n, d, N, activation: 'tanh', noise, seed, streams });
      const Xt = gaussianInputs(fl, 30, d, { seed, stream: 6 });
      const ft = evaluateTarget(fl, target, Xt);
      const ahat = ridge(fl, features(fl, net, fresh.X), fresh.y, lambda);
      expect(Object.is(ridgeRisk(fl, net, fresh, lambda, Xt, ft), meanSquaredError(fl, fl.matmul(features(fl, net, Xt), ahat), ft))).toBe(true);
    });
  });
});
