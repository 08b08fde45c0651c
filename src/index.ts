// featurelab: deterministic WebAssembly numerics for two-layer network theory.
export { createEngine, Engine } from './core/engine.js';
export type {
  EngineOptions,
  FromArrayOptions,
  RandomOptions,
  MatmulOptions,
  GemmOptions,
  GemvOptions,
  MapOptions,
  NormKind,
  FingerprintPart,
  MemoryStats,
  GemmBlocking,
} from './core/engine.js';
export type { ThreadInfo } from './core/threads.js';
export { Matrix } from './core/matrix.js';
export type { DType } from './core/matrix.js';
export { ACTIVATION_NAMES, MAX_HERMITE_DEGREE } from './core/activations.js';
export type { Activation, ActivationName } from './core/activations.js';
export {
  FeaturelabError,
  ShapeError,
  DTypeError,
  ArgumentError,
  DisposedError,
  MemoryLimitError,
  NonFiniteError,
  ConvergenceError,
  NotPositiveDefiniteError,
  WorkerError,
  InternalError,
} from './core/errors.js';
export type { EigOptions, Eigh, EigSelection, TridiagonalEig, LanczosOptions, LanczosResult, SvdTop } from './linalg/index.js';
export { compileModule } from './core/wasm.js';
export type { WasmSource, Kernels, Ptr } from './core/wasm.js';

// Two-layer networks: data, models, training, readouts, measurements and theory (src/net/).
export { DetMath } from './core/detmath.js';
export { applyFunction, describeFunction, sqrtFactorial } from './net/functions.js';
export type { ScalarFunction } from './net/functions.js';
export { gaussianInputs, evaluateTarget, sampleBatch, randomUnitVector } from './net/data.js';
export type { Target, Batch, BatchOptions } from './net/data.js';
export {
  createNetwork,
  forward,
  loss,
  gradients,
  gdStep,
  oneStep,
  twoStep,
  trainOnline,
  powerStep,
  logSpacedSteps,
  trainFullBatch,
  studentsOf,
  features,
  checkNetwork,
  DivergenceError,
} from './net/model.js';
export type { TwoLayer, Parameterisation, Forward, Gradients, StepOptions } from './net/model.js';
export { ridge, meanSquaredError } from './net/readout.js';
export {
  spectrum,
  alignments,
  principalCosines,
  empiricalNTK,
  kernelAlignment,
  kernelDistance,
  centerKernel,
  cka,
  targetAlignment,
  relativeChange,
  teacherStudentGeometry,
  logCrossing,
} from './net/measure.js';
export type { Spectrum, TeacherStudentGeometry } from './net/measure.js';
export { reluPopulation, reluPopulationGD, absPopulation, absPopulationGD } from './net/population.js';
export {
  gaussHermite,
  expectation,
  hermiteCoefficients,
  hermiteSummary,
  marchenkoPastur,
  fitMarchenkoPastur,
  spikedPrediction,
  predictedSpikes,
  predictedTwoStepOutliers,
  huangStage1,
  huangStage2Step,
  huangHalfLossTime,
  huangScalarMap,
  reluNtkInfinite,
  hermiteFeatures,
} from './net/theory.js';
export type { Quadrature, HermiteSummary, MPFit, SpikePrediction, HuangStage1 } from './net/theory.js';

// The shapes of experiments and their results (the runner is `featurelab/experiments`, the
// HTML report of a result `featurelab/report`): type-only, so importing them loads nothing.
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
} from './experiments/types.js';
