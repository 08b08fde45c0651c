// Matrix handles: a row-major f64 or f32 matrix living in wasm linear memory.

import { DisposedError, ArgumentError } from './errors.js';
import type { Ptr } from './wasm.js';

export type DType = 'f64' | 'f32';
export type TypedArrayFor<D extends DType> = D extends 'f64' ? Float64Array : Float32Array;

export const BYTES: Record<DType, number> = { f64: 8, f32: 4 };

/** What a Matrix needs from the engine that owns it (not exported by the package index). */
export interface MatrixOwner {
  readonly memory: WebAssembly.Memory;
  releaseMatrix(matrix: Matrix): void;
}

export class Matrix<D extends DType = DType> {
  #ptr: Ptr;
  #disposed = false;

  /** @internal Use the engine's constructors (fromArray, zeros, randn, …). */
  constructor(
    /** @internal */ readonly owner: MatrixOwner,
    ptr: Ptr,
    readonly rows: number,
    readonly cols: number,
    readonly dtype: D,
  ) {
    this.#ptr = ptr;
  }

  /** Number of elements, rows·cols. */
  get size(): number {
    return this.rows * this.cols;
  }

  /** Bytes of data. */
  get byteLength(): number {
    return this.size * BYTES[this.dtype];
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Shape as "rows×cols dtype", for messages. */
  describe(): string {
    return `${this.rows}×${this.cols} ${this.dtype}`;
  }

  /** @internal Byte offset of element (0, 0) in wasm memory; throws after dispose(). */
  get ptr(): Ptr {
    if (this.#disposed) throw new DisposedError(`matrix ${this.describe()} was used after dispose()`);
    return this.#ptr;
  }

  /** A copy of the data (row-major), as a Float64Array or Float32Array matching dtype. */
  toArray(): TypedArrayFor<D> {
    const view = this.view();
    return view.slice() as TypedArrayFor<D>;
  }

  /** Element (i, j). For whole matrices, toArray() is much faster. */
  get(i: number, j: number): number {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= this.rows || j >= this.cols) {
      throw new ArgumentError(`Matrix.get: index (${i}, ${j}) is outside the ${this.rows}×${this.cols} matrix`);
    }
    return this.view()[i * this.cols + j]!;
  }

  /**
   * @internal A live view of the data. Valid only until the next call that may grow wasm
   * memory (any allocation); never keep it.
   */
  view(): Float64Array | Float32Array {
    const ptr = this.ptr;
    const buffer = this.owner.memory.buffer;
    return this.dtype === 'f64' ? new Float64Array(buffer, ptr, this.size) : new Float32Array(buffer, ptr, this.size);
  }

  /** Frees the wasm memory. Idempotent; any later use throws a DisposedError. */
  dispose(): void {
    if (this.#disposed) return;
    this.owner.releaseMatrix(this);
    this.#disposed = true;
  }

  /** @internal Marks the handle dead without releasing (the engine freed everything). */
  invalidate(): void {
    this.#disposed = true;
  }
}
