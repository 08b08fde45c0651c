// Validation of options objects and enum arguments, shared by every public function: an
// unknown or misspelt key, a wrong type or a value outside an enum is a clear ArgumentError
// naming the function and the argument, never silently ignored.

import { ArgumentError } from './errors.js';

/** A short, safe description of any value for error messages. */
export function describeArg(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  if (typeof v === 'function') return 'a function';
  return String(v);
}

/** Edit distance, to suggest the key a misspelt one meant (`blocksize` → `blockSize`). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all in `allowed`, and
 * returns it (or `{}`), typed. `fn` is the public function's name (`eigvalsh`), `what` the
 * argument's name (`options`).
 */
export function checkOptions<T extends object>(fn: string, options: T | undefined, allowed: readonly string[], what = 'options'): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`${fn}: ${what} must be an object or omitted, got ${describeArg(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const near = allowed.find((k) => k.toLowerCase() === key.toLowerCase() || distance(k, key) <= 2);
    const hint = near ? `; did you mean '${near}'?` : allowed.length ? `; allowed: ${allowed.join(', ')}` : '; it takes none';
    throw new ArgumentError(what === 'options' ? `${fn}: unknown option '${key}'${hint}` : `${fn}: unknown key '${key}' in ${what}${hint}`);
  }
  return options;
}

/** An optional boolean option: undefined gives `fallback`; anything but true/false throws. */
export function checkBoolean(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentError(`${fn}: ${name} must be true or false, got ${describeArg(v)}`);
  return v;
}

/** A value that must be one of `values` (an enum argument or option). */
export function checkEnum<V extends string>(fn: string, name: string, v: unknown, values: readonly V[]): V {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ArgumentError(`${fn}: ${name} must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${describeArg(v)}`);
  }
  return v as V;
}

/** A random seed: an integer in [0, 2^53) or a bigint in [0, 2^64); undefined gives 0 (null is refused). */
export function checkSeed(fn: string, v: unknown): number | bigint {
  if (v === undefined) return 0;
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw new ArgumentError(`${fn}: seed must be in [0, 2^64), got ${v}`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ArgumentError(`${fn}: seed must be an integer in [0, 2^53) or a bigint, got ${describeArg(v)}`);
  }
  return v;
}

/** An optional integer in [0, 2^53) (a stream, an offset); undefined gives `fallback`. */
export function checkIndex(fn: string, name: string, v: unknown, fallback = 0): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ArgumentError(`${fn}: ${name} must be an integer in [0, 2^53), got ${describeArg(v)}`);
  }
  return v;
}

/** An optional finite number; undefined gives `fallback`. */
export function checkNumber(fn: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${fn}: ${name} must be a finite number, got ${describeArg(v)}`);
  return v;
}
