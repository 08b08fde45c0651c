// Every error featurelab throws is a FeaturelabError; the subclasses say what kind of
// problem it is, and the message names the values involved.

export class FeaturelabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Incompatible or invalid shapes (the message names the shapes). */
export class ShapeError extends FeaturelabError {}

/** Mixed or unsupported element types. */
export class DTypeError extends FeaturelabError {}

/** An argument outside its allowed range or of the wrong kind. */
export class ArgumentError extends FeaturelabError {}

/** A matrix (or engine) used after dispose(). */
export class DisposedError extends FeaturelabError {}

/** A request beyond what wasm32 linear memory can hold. */
export class MemoryLimitError extends FeaturelabError {}

/** NaN or ±Infinity where finite values are required. */
export class NonFiniteError extends FeaturelabError {}

/** An iterative algorithm (QL iteration, secular equation, Lanczos) did not converge. */
export class ConvergenceError extends FeaturelabError {}

/** A matrix that must be symmetric positive definite is not (Cholesky met a non-positive pivot). */
export class NotPositiveDefiniteError extends FeaturelabError {}

/** A worker thread of the engine's pool failed (to start, or while running a task). */
export class WorkerError extends FeaturelabError {}

/**
 * A broken internal invariant (a bug in featurelab, not in the caller's input): the message
 * names the public function that met it.
 */
export class InternalError extends FeaturelabError {}

/** Training diverged: the loss or the weights became non-finite. */
export class DivergenceError extends FeaturelabError {}
