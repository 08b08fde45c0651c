// Fingerprints: SHA-256 over a canonical encoding of matrices, arrays and JSON-like values,
// hashed in wasm so every engine computes it alike.

import { ArgumentError } from './errors.js';
import type { EngineCore } from './core.js';
import type { FingerprintPart } from './types.js';
import { BYTES, Matrix, type DType } from './matrix.js';
import type { Ptr } from './wasm.js';
import { describeValue } from './validate.js';

/**
 * SHA-256 (hex) over the canonical bytes of the parts, hashed in wasm so every engine
 * computes it alike. Encoding (little-endian, each item tagged): a matrix or float array as
 * its kind, dtype and shape then its data with every NaN canonicalised; a number as its
 * f64 bytes (so −0 ≠ 0); a string as UTF-8; arrays and plain objects recursively (object
 * keys sorted). Matrices nested in arrays or objects are hashed by their data.
 */
export function fingerprint(core: EngineCore, parts: FingerprintPart[]): string {
  core.checkAlive();
  const ctxBytes = core.kernels.SHA256_CONTEXT_BYTES.value as number;
  const ctx = core.heap.alloc(ctxBytes + 32, 'fingerprint context');
  try {
    core.kernels.sha256_init(ctx);
    hashPart(core, ctx, parts, []);
    core.kernels.sha256_final(ctx, ctx + ctxBytes);
    const digest = new Uint8Array(core.memory.buffer, ctx + ctxBytes, 32);
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  } finally {
    core.heap.release(ctx);
  }
}

/** Hashes one part; `path` holds the arrays and objects it is nested in (to refuse cycles). */
function hashPart(core: EngineCore, ctx: Ptr, part: unknown, path: unknown[]): void {
  if (part !== null && typeof part === 'object' && !ArrayBuffer.isView(part) && !(part instanceof Matrix)) {
    if (path.includes(part)) throw new ArgumentError('fingerprint: the input contains a cycle (an array or object inside itself)');
    if (path.length >= MAX_FINGERPRINT_DEPTH) throw new ArgumentError(`fingerprint: the input is nested more than ${MAX_FINGERPRINT_DEPTH} levels deep`);
  }
  if (part instanceof Matrix) {
    core.checkMatrix(part, 'fingerprint');
    hashBytes(core, ctx, encodeHeader('M', part.dtype, part.rows, part.cols));
    hashFloats(core, ctx, part.ptr, part.size, part.dtype);
  } else if (part instanceof Float64Array || part instanceof Float32Array) {
    const dtype: DType = part instanceof Float64Array ? 'f64' : 'f32';
    hashBytes(core, ctx, encodeHeader('A', dtype, part.length, 1));
    const ptr = core.heap.alloc(part.byteLength, 'fingerprint data');
    try {
      new Uint8Array(core.memory.buffer, ptr, part.byteLength).set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      hashFloats(core, ctx, ptr, part.length, dtype);
    } finally {
      core.heap.release(ptr);
    }
  } else if (typeof part === 'string') {
    hashBytes(core, ctx, encodeText('S', part));
  } else if (typeof part === 'number') {
    const out = new Uint8Array(9);
    out[0] = 'N'.charCodeAt(0);
    new DataView(out.buffer).setFloat64(1, Number.isNaN(part) ? NaN : part, true);
    hashBytes(core, ctx, out);
  } else if (typeof part === 'boolean' || part === null) {
    hashBytes(core, ctx, Uint8Array.of('B'.charCodeAt(0), part === null ? 2 : part ? 1 : 0));
  } else if (Array.isArray(part)) {
    hashBytes(core, ctx, encodeCount('L', part.length));
    path.push(part);
    for (const item of part) hashPart(core, ctx, item, path);
    path.pop();
  } else if (typeof part === 'object' && part !== null && Object.getPrototypeOf(part) === Object.prototype) {
    const keys = Object.keys(part)
      .filter((k) => (part as Record<string, unknown>)[k] !== undefined)
      .sort();
    hashBytes(core, ctx, encodeCount('O', keys.length));
    path.push(part);
    for (const key of keys) {
      hashBytes(core, ctx, encodeText('S', key));
      hashPart(core, ctx, (part as Record<string, unknown>)[key], path);
    }
    path.pop();
  } else {
    throw new ArgumentError(
      `fingerprint: cannot hash ${describeValue(part)}; use matrices, Float64/Float32Arrays, strings, numbers, booleans, null, arrays and plain objects`,
    );
  }
}

function hashFloats(core: EngineCore, ctx: Ptr, ptr: Ptr, count: number, dtype: DType): void {
  const bytes = count * BYTES[dtype];
  if (core.family('count_nonfinite', dtype)(count, ptr) === 0) {
    core.kernels.sha256_update(ctx, ptr, bytes);
    return;
  }
  const tmp = core.heap.alloc(bytes, 'fingerprint data');
  try {
    core.family('canonicalize_nan', dtype)(count, ptr, tmp);
    core.kernels.sha256_update(ctx, tmp, bytes);
  } finally {
    core.heap.release(tmp);
  }
}

function hashBytes(core: EngineCore, ctx: Ptr, bytes: Uint8Array): void {
  const ptr = core.heap.alloc(bytes.length, 'fingerprint data');
  try {
    new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
    core.kernels.sha256_update(ctx, ptr, bytes.length);
  } finally {
    core.heap.release(ptr);
  }
}

/** Arrays and objects nested deeper than this are refused (instead of a stack overflow). */
const MAX_FINGERPRINT_DEPTH = 1000;

const textEncoder = new TextEncoder();

/** Does the string hold a lone (unpaired) surrogate, which UTF-8 cannot encode? */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * A string as tag, byte length and UTF-8. UTF-8 would turn every lone surrogate into
 * U+FFFD (so '\uD800' and '\uDC00' would collide): such strings are hashed as tag 'U',
 * code-unit count and their UTF-16 code units (little-endian) instead. Well-formed strings
 * keep their encoding, so their fingerprints do not change.
 */
function encodeText(tag: string, text: string): Uint8Array {
  if (hasLoneSurrogate(text)) {
    const out = new Uint8Array(1 + 8 + 2 * text.length);
    const view = new DataView(out.buffer);
    out[0] = 'U'.charCodeAt(0);
    view.setBigUint64(1, BigInt(text.length), true);
    for (let i = 0; i < text.length; i++) view.setUint16(9 + 2 * i, text.charCodeAt(i), true);
    return out;
  }
  const body = textEncoder.encode(text);
  const out = new Uint8Array(1 + 8 + body.length);
  out[0] = tag.charCodeAt(0);
  new DataView(out.buffer).setBigUint64(1, BigInt(body.length), true);
  out.set(body, 9);
  return out;
}

function encodeHeader(tag: string, dtype: DType, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(1 + 1 + 8 + 8);
  out[0] = tag.charCodeAt(0);
  out[1] = dtype === 'f64' ? 8 : 4;
  const view = new DataView(out.buffer);
  view.setBigUint64(2, BigInt(rows), true);
  view.setBigUint64(10, BigInt(cols), true);
  return out;
}

function encodeCount(tag: string, count: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = tag.charCodeAt(0);
  new DataView(out.buffer).setBigUint64(1, BigInt(count), true);
  return out;
}
