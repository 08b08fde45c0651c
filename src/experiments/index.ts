// The experiment registry and the runner that turns an experiment into a result.

import type { Engine } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { baOneStep } from './ba-one-step.js';
import { huangLinear } from './huang-linear.js';
import { moniriSpikes } from './moniri-spikes.js';
import { zhuBalance } from './zhu-balance.js';
import { zhouGeLocal } from './zhou-ge-local.js';
import { twoStep } from './two-step.js';
import { resolveParams } from './params.js';
import type { Experiment, ExperimentResult, ParamValue, Preset } from './types.js';

export type {
  Experiment,
  ExperimentResult,
  ExperimentOutput,
  Claim,
  Constraint,
  ParamSpec,
  Params,
  ParamValue,
  Preset,
  PlotSpec,
  SeriesRows,
  RunContext,
} from './types.js';
export {
  constraintViolations,
  checkConstraints,
  resolveParams,
  helpText,
  validateGrid,
  gridPoints,
  MAX_GRID_POINTS,
  type Grid,
  type GridCheck,
} from './params.js';
export {
  defineExperiment,
  int,
  num,
  bool,
  oneOf,
  type ExperimentDefinition,
  type ParamsOf,
  type ParamsOfExperiment,
  type Schema,
  type Spec,
  type TypedExperiment,
} from './define.js';
export { absoluteClaim, relativeClaim, exactClaim, belowClaim, atMostClaim, atLeastClaim } from './claims.js';
/** The experiments with their parameter types (for typed grids: validateGrid(baOneStep, { d: [200, 400] })). */
export { baOneStep, moniriSpikes, twoStep, huangLinear, zhuBalance, zhouGeLocal };

export const EXPERIMENTS: readonly Experiment[] = [baOneStep, moniriSpikes, twoStep, huangLinear, zhuBalance, zhouGeLocal];

export function findExperiment(id: string): Experiment {
  const exp = EXPERIMENTS.find((e) => e.id === id);
  if (!exp) throw new ArgumentError(`unknown experiment '${id}'; experiments are ${EXPERIMENTS.map((e) => e.id).join(', ')}`);
  return exp;
}

import { VERSION } from '../core/version.js';
export { VERSION };

/** Runs an experiment with resolved parameters and returns its fingerprinted result. */
export function runExperiment(
  fl: Engine,
  exp: Experiment,
  options: { preset?: Preset; seed?: number; overrides?: Record<string, ParamValue | string>; progress?: (fraction: number, label: string) => void } = {},
): ExperimentResult {
  const preset = options.preset ?? 'quick';
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(`seed must be an integer in [0, 2^53), got ${seed}`);
  const params = resolveParams(exp, preset, options.overrides);
  const started = performance.now();
  const out = exp.run({ fl, params, seed, progress: options.progress ?? (() => {}) });
  const seconds = (performance.now() - started) / 1000;
  const assumptions = exp.params.filter((p) => p.assumption).map((p) => ({ name: p.name, value: params[p.name]!, note: p.assumption! }));
  const fingerprint = fl.fingerprint({
    id: exp.id,
    seed,
    params,
    metrics: out.metrics,
    series: out.series,
    claims: out.claims as unknown as Record<string, string | number | boolean>[],
  });
  return { id: exp.id, title: exp.title, paper: exp.paper, preset, seed, params, assumptions, ...out, fingerprint, seconds, version: VERSION };
}
