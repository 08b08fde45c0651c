// The boundary between the wasm module and the TS layer: every export is declared in
// `Kernels` with its kind and every `Kernels` member is exported, and the facts defined in
// assembly/ (ABI version, MAX_THREADS, status and activation codes) and package.json (the
// version) reach the TS side unchanged.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activationCode, ACTIVATION_NAMES } from '../../dist/core/activations.js';
import { WASM_CONSTANTS } from '../../dist/core/abi-constants.js';
import { KERNEL_EXPORTS } from '../../dist/core/kernel-exports.js';
import { VERSION as CORE_VERSION } from '../../dist/core/version.js';
import { VERSION } from '../../dist/experiments/index.js';
import { MAX_THREADS } from '../../dist/core/threads.js';
import { ABI_VERSION } from '../../dist/core/wasm.js';
import { abiConstantsSource, abiGlobals, versionSource } from '../../scripts/generate-constants.mjs';

const root = new URL('../../', import.meta.url);
const bytes = readFileSync(new URL('dist/featurelab.wasm', root));
const module = new WebAssembly.Module(bytes);
const globals = new Map<string, number>(abiGlobals(bytes));

describe('module exports against Kernels', () => {
  const exported = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));

  it('every Kernels member is exported with its kind', () => {
    const wrong = Object.entries(KERNEL_EXPORTS).filter(([name, kind]) => exported.get(name) !== kind);
    expect(wrong.map(([name, kind]) => `${name}: Kernels says ${kind}, module has ${exported.get(name) ?? 'nothing'}`)).toEqual([]);
  });

  it('every export of the module is declared in Kernels', () => {
    const undeclared = [...exported.keys()].filter((name) => !Object.hasOwn(KERNEL_EXPORTS, name));
    expect(undeclared).toEqual([]);
  });
});

describe('every export defined once in assembly/', () => {
  const sources = (readdirSync(new URL('assembly/', root), { recursive: true }) as string[])
    .filter((path) => path.endsWith('.ts'))
    .map((path) => ({ path, text: readFileSync(new URL(`assembly/${path}`, root), 'utf8') }));

  it('each exported function has exactly one definition under its name', () => {
    const defined = new Map<string, string[]>();
    for (const { path, text } of sources) {
      for (const m of text.matchAll(/^(?:export )?function (\w+)/gm)) defined.set(m[1]!, [...(defined.get(m[1]!) ?? []), path]);
    }
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    const wrong = functions.filter((name) => defined.get(name)?.length !== 1).map((name) => `${name}: ${defined.get(name)?.join(', ') ?? 'not found'}`);
    expect(wrong).toEqual([]);
  });

  it('no import renames a function (`x as y`)', () => {
    const aliased = sources.flatMap(({ path, text }) =>
      [...text.matchAll(/^import \{([^}]*)\}/gm)].flatMap((m) => (/\bas\b/.test(m[1]!) ? [`${path}: ${m[0]}`] : [])),
    );
    expect(aliased).toEqual([]);
  });
});

describe('one source of truth across the boundary', () => {
  it('src/core/abi-constants.ts is what scripts/generate-constants.mjs writes for the built module', () => {
    const committed = readFileSync(new URL('src/core/abi-constants.ts', root), 'utf8');
    // On failure: node scripts/generate-constants.mjs (after npm run build:wasm).
    expect(committed).toBe(abiConstantsSource(bytes));
    expect(Object.entries(WASM_CONSTANTS)).toEqual([...globals]);
  });

  it('the ABI version, MAX_THREADS and the status codes are the module globals', () => {
    expect(ABI_VERSION).toBe(globals.get('ABI_VERSION'));
    expect(MAX_THREADS).toBe(globals.get('MAX_THREADS'));
    for (const status of ['STATUS_OK', 'STATUS_NO_CONVERGENCE', 'STATUS_NOT_POSITIVE_DEFINITE']) {
      expect(globals.has(status), status).toBe(true);
    }
  });

  it('every activation name maps to the module code of the same name', () => {
    for (const name of ACTIVATION_NAMES) {
      expect(activationCode(name).code, name).toBe(globals.get(`ACT_${name.toUpperCase()}`));
    }
    expect(activationCode({ hermite: 3 })).toEqual({ code: globals.get('ACT_HERMITE'), param: 3 });
  });

  it('the version is package.json’s', () => {
    const pkgText = readFileSync(new URL('package.json', root), 'utf8');
    expect(readFileSync(new URL('src/core/version.ts', root), 'utf8')).toBe(versionSource(pkgText));
    expect(CORE_VERSION).toBe(JSON.parse(pkgText).version);
    expect(VERSION).toBe(CORE_VERSION);
  });
});
