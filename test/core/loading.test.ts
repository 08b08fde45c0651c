import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileModule, createEngine } from '../../dist/index.js';

const wasmUrl = new URL('../../dist/featurelab.wasm', import.meta.url);

async function fingerprintOf(options: Parameters<typeof createEngine>[0]) {
  const fl = await createEngine(options);
  const fp = fl.scope(() => fl.fingerprint(fl.matmul(fl.randn(20, 30, { seed: 5 }), fl.randn(30, 10, { seed: 6 }))));
  fl.dispose();
  return fp;
}

describe('loading the module', () => {
  it('from the default location, caller bytes, a compiled Module or a URL gives identical results', async () => {
    const bytes = readFileSync(wasmUrl);
    const fps = [
      await fingerprintOf({}),
      await fingerprintOf({ wasm: new Uint8Array(bytes) }),
      await fingerprintOf({ wasm: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }),
      await fingerprintOf({ wasm: await WebAssembly.compile(bytes) }),
      await fingerprintOf({ wasm: await compileModule(wasmUrl) }),
      await fingerprintOf({ wasm: wasmUrl }),
    ];
    expect(new Set(fps).size).toBe(1);
  });

  it('the module is SIMD without relaxed SIMD, imports a shared env.memory (wasm32 maximum) and the thread-failure hook', () => {
    const module = new WebAssembly.Module(readFileSync(wasmUrl));
    const imports = WebAssembly.Module.imports(module).sort((a, b) => a.name.localeCompare(b.name));
    expect(imports).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
      { module: 'env', name: 'thread_failure', kind: 'function' },
    ]);
    const wat = readFileSync(new URL('../../build/featurelab.wat', import.meta.url), 'utf8');
    expect(wat).toMatch(/\(import "env" "memory" \(memory \$0 \d+ 65536 shared\)\)/);
    expect(wat).toMatch(/f64x2\.mul/);
    expect(wat).not.toMatch(/relaxed|\.fma|\.qfma/);
  });

  it('the ESM build has no static Node-only imports (it must load in a plain browser page)', () => {
    // dist/cli/ is the Node-only command line, report writer and static server of
    // `featurelab serve`; index.js never imports it. dist/web/ is the page's bundle.
    const dist = new URL('../../dist/', import.meta.url);
    const index = readFileSync(new URL('index.js', dist), 'utf8');
    expect(index).not.toContain('/cli/');
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).map((f) => f.split('\\').join('/'));
    const library = files.filter((f) => f.endsWith('.js') && !f.startsWith('cli/') && !f.startsWith('web/'));
    expect(library.length).toBeGreaterThan(20);
    for (const file of library) {
      const text = readFileSync(new URL(file, dist), 'utf8');
      expect(text, file).not.toMatch(/^\s*import[^;]*from\s*['"]node:/m);
      expect(text, file).not.toMatch(/require\(/);
    }
  });

  it('has no data section: the static data sits in a custom section, written once by the engine', async () => {
    const bytes = readFileSync(wasmUrl);
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.customSections(module, 'featurelab.static-data')).toHaveLength(1);
    // Walk the sections: id 11 (data) must be absent, so instantiating a worker writes no memory.
    const ids: number[] = [];
    for (let pos = 8; pos < bytes.length; ) {
      ids.push(bytes[pos]!);
      let size = 0,
        shift = 0,
        byte: number;
      pos++;
      do {
        byte = bytes[pos++]!;
        size += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      pos += size;
    }
    expect(ids).not.toContain(11);
    // The tables it holds are in use: SHA-256 (K table) and Math (exp/log tables) are right.
    const fl = await createEngine({ threads: 1 });
    expect(fl.fingerprint('abc')).toMatch(/^[0-9a-f]{64}$/);
    expect(fl.math.exp(1)).toBe(2.718281828459045);
    expect(fl.math.log(10)).toBe(2.302585092994046);
    fl.dispose();
  });

  it('compileModule names itself and the source when it cannot load the module', async () => {
    await expect(compileModule(5 as never)).rejects.toThrow(/^compileModule: wasm must be the module's bytes .* got 5/);
    await expect(compileModule(new URL('./no-such.wasm', wasmUrl))).rejects.toThrow(/^compileModule: cannot read the wasm module from file:.*no-such\.wasm/);
    await expect(compileModule(new Uint8Array([0, 1]))).rejects.toThrow(/^compileModule: the wasm module from the given bytes does not compile/);
  });

  it('rejects bytes that are not the featurelab module', async () => {
    await expect(createEngine({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) })).rejects.toThrow(/not a featurelab module/);
    await expect(createEngine({ wasm: new Uint8Array([1, 2, 3]) })).rejects.toThrow();
  });
});
