// Small argument checks shared by the engine's operations (messages name the public function).

import { ArgumentError, DTypeError } from './errors.js';
import { Matrix, type DType } from './matrix.js';

const TWO_32 = 2 ** 32;

/** A value as a message shows it: strings quoted, matrices by shape, objects by class. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v == null) return String(v);
  if (v instanceof Matrix) return `matrix ${v.describe()}`;
  return (v as object).constructor?.name ?? typeof v;
}

export function checkDType(dtype: DType | undefined, op: string): DType {
  if (dtype === undefined) return 'f64';
  if (dtype !== 'f64' && dtype !== 'f32') throw new DTypeError(`${op}: dtype must be 'f64' or 'f32', got ${describeValue(dtype)}`);
  return dtype;
}

export function checkScalar(v: number, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${what} must be a finite number, got ${describeValue(v)}`);
}

export function isVector(m: Matrix): boolean {
  return m.rows === 1 || m.cols === 1;
}

/** The low and high 32 bits of a seed validated by checkSeed. */
export function splitSeed(seed: number | bigint): [number, number] {
  if (typeof seed === 'bigint') return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  return [seed % TWO_32, Math.floor(seed / TWO_32)];
}
