import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../dist/index.js';
import { engine, expectGoldens } from '../helpers.js';

let fl: Engine;
beforeAll(async () => {
  fl = await engine();
});
afterAll(() => fl.dispose());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function wasmSha(bytes: Uint8Array): string {
  const k = fl.kernels;
  const ctxBytes = k.SHA256_CONTEXT_BYTES.value as number;
  const ctx = fl.allocBytes(ctxBytes + 32);
  const data = fl.allocBytes(bytes.length);
  new Uint8Array(fl.memory.buffer, data, bytes.length).set(bytes);
  k.sha256_init(ctx);
  // feed in uneven pieces to exercise the buffering
  let off = 0;
  for (const step of [1, 63, 2, 64, 130]) {
    const len = Math.min(step, bytes.length - off);
    k.sha256_update(ctx, data + off, len);
    off += len;
  }
  k.sha256_update(ctx, data + off, bytes.length - off);
  k.sha256_final(ctx, ctx + ctxBytes);
  const hex = Buffer.from(new Uint8Array(fl.memory.buffer, ctx + ctxBytes, 32)).toString('hex');
  fl.freeBytes(data);
  fl.freeBytes(ctx);
  return hex;
}

describe('SHA-256 in wasm', () => {
  it('matches node:crypto for lengths around the block boundaries', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 100_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255);
      expect(wasmSha(bytes), `length ${n}`).toBe(sha(bytes));
    }
    expect(wasmSha(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('fingerprints', () => {
  it('hash the documented canonical bytes of a matrix', () => {
    fl.scope(() => {
      const A = fl.randn(3, 5, { seed: 2 });
      const header = new Uint8Array(18);
      header[0] = 'M'.charCodeAt(0);
      header[1] = 8;
      new DataView(header.buffer).setBigUint64(2, 3n, true);
      new DataView(header.buffer).setBigUint64(10, 5n, true);
      const data = new Uint8Array(A.toArray().buffer);
      const list = new Uint8Array(9); // the parts form a list: 'L' + count (u64)
      list[0] = 'L'.charCodeAt(0);
      new DataView(list.buffer).setBigUint64(1, 1n, true);
      expect(fl.fingerprint(A)).toBe(sha(Buffer.concat([list, header, data])));
    });
  });

  it('canonicalise NaN payloads and separate shapes, dtypes, strings and parameters', () => {
    fl.scope(() => {
      const a = new Float64Array([1, NaN, 3]);
      const b = new Float64Array([1, NaN, 3]);
      new DataView(b.buffer).setBigUint64(8, 0xfff8_0000_dead_beefn, true); // another NaN
      expect(fl.fingerprint(a)).toBe(fl.fingerprint(b));
      const A = fl.fromArray(a, 1, 3, { allowNonFinite: true });
      const B = fl.fromArray(b, 3, 1, { allowNonFinite: true });
      expect(fl.fingerprint(A)).not.toBe(fl.fingerprint(B)); // same bytes, other shape
      expect(fl.fingerprint(A)).not.toBe(fl.fingerprint(fl.astype(A, 'f32')));
      expect(fl.fingerprint({ d: 10, n: 20 })).toBe(fl.fingerprint({ n: 20, d: 10 }));
      expect(fl.fingerprint({ d: 10 })).not.toBe(fl.fingerprint({ d: 11 }));
      expect(fl.fingerprint('ab', 'c')).not.toBe(fl.fingerprint('a', 'bc'));
      expect(fl.fingerprint(0)).not.toBe(fl.fingerprint(-0));
      expect(fl.fingerprint([A])).not.toBe(fl.fingerprint([fl.scale(fl.fromArray(new Float64Array([1, 2, 3]), 1, 3), 2)]));
      expect(fl.fingerprint({ r: A })).toBe(fl.fingerprint({ r: fl.copy(A) }));
      expect(() => fl.fingerprint(1n as never)).toThrow(/cannot hash 1/);
    });
  });

  it('strings with lone surrogates do not collide (UTF-8 would make them all U+FFFD); well-formed strings keep their UTF-8 encoding', () => {
    const tagged = (tag: string, body: Uint8Array, count = body.length) => {
      const head = new Uint8Array(9);
      head[0] = tag.charCodeAt(0);
      new DataView(head.buffer).setBigUint64(1, BigInt(count), true);
      return Buffer.concat([head, body]);
    };
    const list = (n: number) => tagged('L', new Uint8Array(0), n);
    const utf16 = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le'));
    // Well-formed: 'S', byte length, UTF-8 (as before; the goldens depend on it).
    for (const text of ['', 'abc', 'é', '😀', '\ufffd']) {
      expect(fl.fingerprint(text)).toBe(sha(Buffer.concat([list(1), tagged('S', new TextEncoder().encode(text))])));
    }
    // Lone surrogates: 'U', code-unit count, UTF-16LE code units.
    const lone = ['\ud800', '\udc00', '\udbff', 'a\ud800b', '\udc00\ud800', '😀\ud83d'];
    for (const text of lone) {
      expect(fl.fingerprint(text)).toBe(sha(Buffer.concat([list(1), tagged('U', utf16(text), text.length)])));
    }
    const all = [...lone, '\ufffd', 'a\ufffdb', '\ufffd\ufffd'].map((t) => fl.fingerprint(t));
    expect(new Set(all).size).toBe(all.length);
    // Also as object keys.
    expect(fl.fingerprint({ '\ud800': 1 })).not.toBe(fl.fingerprint({ '\udc00': 1 }));
  });
});

// Golden fingerprints of a fixed workload: any change of results anywhere in the kernels
// changes one of these. Regenerate deliberately with UPDATE_GOLDENS=1 npx vitest run
// test/core/fingerprint.test.ts, and say why in the commit.
describe('golden fingerprints', () => {
  const file = new URL('../goldens/core.json', import.meta.url);

  function workload(): Record<string, string> {
    return fl.scope(() => {
      const out: Record<string, string> = {};
      for (const dtype of ['f64', 'f32'] as const) {
        const A = fl.randn(67, 45, { seed: 20261122, dtype });
        const B = fl.randn(33, 45, { seed: 20261122, stream: 1, dtype });
        const U = fl.rand(10, 10, { seed: 7, dtype });
        out[`randn_${dtype}`] = fl.fingerprint(A, B);
        out[`rand_${dtype}`] = fl.fingerprint(U);
        out[`matmul_${dtype}`] = fl.fingerprint(fl.matmul(A, B, { transB: true }));
        const C = fl.randn(33, 67, { seed: 20261122, stream: 2, dtype });
        out[`matmul_tt_${dtype}`] = fl.fingerprint(fl.matmul(A, C, { transA: true, transB: true, alpha: 0.5 }));
        out[`tanh_${dtype}`] = fl.fingerprint(fl.map(A, 'tanh'));
        out[`erf_${dtype}`] = fl.fingerprint(fl.map(A, 'erf'), fl.map(A, 'erf', { derivative: true }));
        out[`softplus_relu_he3_${dtype}`] = fl.fingerprint(fl.map(A, 'softplus'), fl.map(A, 'relu'), fl.map(A, { hermite: 3 }));
        out[`reductions_${dtype}`] = fl.fingerprint([fl.dot(A, A), fl.sum(A), fl.norm(A), fl.norm(A, '1')], fl.sumRows(A), fl.sumCols(A));
      }
      return out;
    });
  }

  it('the fixed workload reproduces the committed fingerprints', () => {
    expectGoldens(file, workload(), (got, want) => expect(got).toEqual(want));
  });
});
