// The public option and result types of the engine's methods.

import type { Matrix, DType } from './matrix.js';
import type { WasmSource } from './wasm.js';

/** Cache-blocking parameters of GEMM. They change speed only, never results. */
export interface GemmBlocking {
  /** Rows of op(A) packed per block (rounded up to the register tile). */
  mc: number;
  /** Columns of op(B) packed per block (rounded up to the register tile). */
  nc: number;
  /** Depth of a packed block. */
  kc: number;
}

export interface EngineOptions {
  /** The featurelab.wasm module: bytes, a compiled module or a URL. Default: the file beside this module. */
  wasm?: WasmSource;
  /**
   * Scan the results of operations that can overflow (matmul, gemm, gemv, axpy, scale,
   * hadamard, Hermite maps) and throw a NonFiniteError if they hold NaN or ±Infinity.
   * Costs one pass over each output. Default true.
   */
  checkFinite?: boolean;
  /** GEMM blocking per dtype (tuning only: results do not depend on it). */
  blocking?: Partial<Record<DType, Partial<GemmBlocking>>>;
  /**
   * Threads to compute on: the calling thread and threads − 1 workers sharing the engine's
   * memory (an integer in [1, 64]). Results are bit-identical for every value. Default: the
   * available cores, at most 16 (in Node and Bun the environment variable
   * FEATURELAB_THREADS overrides the default). Where threads cannot run — a browser page's
   * main thread, a page that is not cross-origin isolated — the engine uses one thread and
   * says why in `threadInfo` (and once on the console).
   */
  threads?: number;
  /**
   * Least work, in flops, of a task handed to a thread (tuning only: results do not depend
   * on it). Smaller splits smaller problems; 0 splits everything (the tests use it so
   * every parallel path runs on small inputs). Default 262144.
   */
  grain?: number;
}

export interface FromArrayOptions {
  /** Accept NaN/±Infinity in the data (rejected by default). */
  allowNonFinite?: boolean;
}

export interface RandomOptions {
  /** Seed: an integer in [0, 2^53) or a bigint in [0, 2^64). Default 0. */
  seed?: number | bigint;
  /** Independent stream under the same seed: an integer in [0, 2^53). Default 0. */
  stream?: number;
  /** Index of the first value drawn (row-major), for drawing a part of a larger sample. Default 0. */
  offset?: number;
  dtype?: DType;
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** Scale of the product. Default 1. */
  alpha?: number;
}

export interface GemmOptions extends MatmulOptions {
  /** Scale of the existing C. Default 0, in which case C is never read. */
  beta?: number;
}

export interface GemvOptions {
  /** Use Aᵀ. */
  trans?: boolean;
  alpha?: number;
  beta?: number;
  /** Accumulate into this vector (required when beta ≠ 0); otherwise a new one is returned. */
  y?: Matrix;
}

export interface MapOptions {
  /** Apply the derivative f′ instead of f. */
  derivative?: boolean;
  /** Write into this matrix (same shape and dtype; may be the input) instead of a new one. */
  out?: Matrix;
}

export type NormKind = 'fro' | 'max' | '1' | 'inf';

/** Things that can be fingerprinted: matrices, float arrays, strings and JSON-like values. */
export type FingerprintPart =
  | Matrix
  | Float64Array
  | Float32Array
  | string
  | number
  | boolean
  | null
  | readonly FingerprintPart[]
  | { readonly [key: string]: FingerprintPart };

export interface MemoryStats {
  /** Bytes held by live matrices and buffers. */
  bytesInUse: number;
  /** Live matrices owned by this engine. */
  liveMatrices: number;
  /** Current size of wasm linear memory. */
  memoryBytes: number;
  /** The most wasm32 memory can grow to. */
  limitBytes: number;
}
