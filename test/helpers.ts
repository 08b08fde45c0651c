// Shared test utilities: one engine per file, the fixture input generator (twin of
// test/fixtures/make_fixtures.py), raw-memory helpers and tolerance checks.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createEngine, type Engine } from '../dist/index.js';

export const EPS64 = 2 ** -52;
export const EPS32 = 2 ** -23;

export async function engine(options: Parameters<typeof createEngine>[0] = {}): Promise<Engine> {
  return createEngine(options);
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** lowbias32 integer hash, as in make_fixtures.py. */
function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Dyadic test value in [-1, 1) with 24 significant bits (exact in f32 and f64). */
export function testValue(seed: number, i: number): number {
  const h = mix32((Math.imul(seed, 0x9e3779b1) + i) >>> 0);
  return (h >>> 8) / 2 ** 23 - 1;
}

export function testArray(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = testValue(seed, i);
  return out;
}

/** Byte-wise equality of two float arrays (distinguishes −0 and NaN payloads). */
export function sameBytes(a: Float64Array | Float32Array, b: Float64Array | Float32Array): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** First index where |got − want| > tol(i), or -1. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number): number {
  if (got.length !== want.length) return 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!,
      w = want[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= tol(i))) return i;
  }
  return -1;
}

/** Allocates raw bytes in the engine's memory and returns a fresh view factory. */
export function rawF64(fl: Engine, n: number): { ptr: number; view: () => Float64Array; free: () => void } {
  const ptr = fl.allocBytes(n * 8);
  return { ptr, view: () => new Float64Array(fl.memory.buffer, ptr, n), free: () => fl.freeBytes(ptr) };
}
export function rawF32(fl: Engine, n: number): { ptr: number; view: () => Float32Array; free: () => void } {
  const ptr = fl.allocBytes(n * 4);
  return { ptr, view: () => new Float32Array(fl.memory.buffer, ptr, n), free: () => fl.freeBytes(ptr) };
}

/**
 * Compares `got` with the committed golden file. UPDATE_GOLDENS=1 rewrites it (a deliberate
 * change of results: say why in the commit); a missing file is written and the test fails,
 * so that a new golden is always committed on purpose.
 */
export function expectGoldens(file: URL, got: Record<string, string>, expectEqual: (a: unknown, b: unknown) => void): void {
  if (process.env.UPDATE_GOLDENS || !existsSync(file)) {
    writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
    if (!process.env.UPDATE_GOLDENS) throw new Error(`${file.pathname} was missing and has been written; commit it`);
  }
  expectEqual(got, JSON.parse(readFileSync(file, 'utf8')));
}
