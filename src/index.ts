// featurelab: deterministic WebAssembly numerics for two-layer network theory.
export { createEngine, Engine, canonicalJson } from './engine.js';
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
} from './engine.js';
export { Matrix } from './matrix.js';
export type { DType } from './matrix.js';
export { ACTIVATION_NAMES, MAX_HERMITE_DEGREE } from './activations.js';
export type { Activation, ActivationName } from './activations.js';
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
} from './errors.js';
export type { EigOptions, Eigh, EigSelection, TridiagonalEig, LanczosOptions, LanczosResult, SvdTop } from './linalg.js';
export { compileModule } from './wasm.js';
export type { WasmSource, Kernels, Ptr } from './wasm.js';
