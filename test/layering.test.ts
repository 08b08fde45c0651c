// The layers, checked mechanically: every import in src/**/*.ts and assembly/**/*.ts must go
// down (or sideways within one layer), never up. TS: core ← ops ← linalg ← engine façade ←
// net ← experiments ← index ← harness ← {cli, web} (cli and web do not import each other).
// assembly: base ← parallel ← blas ← {math, random} ← {lapack, nn}; the job registry
// (parallel/tasks.ts) and the ABI (index.ts) may import every domain (review §5.4). Known upward imports sit in ALLOWED, which must shrink:
// an entry that no longer occurs fails the test too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Layer {
  name: string;
  rank: number;
  /** Files that may import any layer (a registry or an ABI surface that names every domain). */
  registry?: boolean;
}

/**
 * Layer of each file: the first pattern that matches wins. `dir/**` is a folder, a plain path
 * one file placed apart from its folder's layer.
 */
const TS_LAYERS: [pattern: string, layer: Layer][] = [
  // The Engine class delegates to ops and linalg, and net uses it: the façade sits between.
  ['src/core/engine.ts', { name: 'engine', rank: 3 }],
  ['src/index.ts', { name: 'index', rank: 6 }],
  ['src/core/**', { name: 'core', rank: 0 }],
  ['src/ops/**', { name: 'ops', rank: 1 }],
  ['src/linalg/**', { name: 'linalg', rank: 2 }],
  ['src/net/**', { name: 'net', rank: 4 }],
  ['src/experiments/**', { name: 'experiments', rank: 5 }],
  // The HTML rendering of an ExperimentResult, shared by the CLI's report and the web page.
  ['src/experiments/report-html.ts', { name: 'experiments', rank: 5 }],
  ['src/harness/**', { name: 'harness', rank: 7 }],
  ['src/cli/**', { name: 'cli', rank: 8 }],
  ['src/web/**', { name: 'web', rank: 8 }],
];

const AS_LAYERS: [pattern: string, layer: Layer][] = [
  ['assembly/index.ts', { name: 'abi-exports', rank: 9, registry: true }],
  ['assembly/parallel/tasks.ts', { name: 'parallel', rank: 1, registry: true }],
  ['assembly/abi.ts', { name: 'base', rank: 0 }],
  ['assembly/config.ts', { name: 'base', rank: 0 }],
  ['assembly/hash/**', { name: 'base', rank: 0 }],
  ['assembly/parallel/**', { name: 'parallel', rank: 1 }],
  ['assembly/blas/**', { name: 'blas', rank: 2 }],
  ['assembly/ref/**', { name: 'blas', rank: 2 }],
  // Data-movement kernels that replace TS loops over matrix data (QR's R, block copies, …).
  ['assembly/ops/**', { name: 'blas', rank: 2 }],
  // Elementwise activations (the map kernels) and the scalar functions they use.
  ['assembly/math/**', { name: 'math', rank: 3 }],
  ['assembly/random/**', { name: 'random', rank: 3 }],
  ['assembly/lapack/**', { name: 'lapack', rank: 4 }],
  ['assembly/nn/**', { name: 'nn', rank: 4 }],
];

/**
 * Known upward imports, `from -> to` (repository paths). Each one is debt: fix the import, then
 * delete its line. Never add one to make the test pass.
 */
const ALLOWED = new Set<string>([]);

function matches(pattern: string, file: string): boolean {
  return pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern;
}

function layerOf(map: [string, Layer][], file: string): Layer | undefined {
  return map.find(([pattern]) => matches(pattern, file))?.[1];
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => posix.join(dir, f.split('\\').join('/')))
    .sort();
}

/** Relative import specifiers of a file: static imports and re-exports, `import()` and `typeof import()`. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** The repository file a specifier names: `.js` → `.ts` (TS), no extension → `.ts` (AssemblyScript). */
function resolveSpecifier(from: string, spec: string): string {
  const target = posix.normalize(posix.join(posix.dirname(from), spec.split('?')[0]!));
  if (target.endsWith('.js')) return `${target.slice(0, -3)}.ts`;
  return /\.[a-z]+$/.test(target) ? target : `${target}.ts`;
}

interface Edge {
  from: string;
  to: string;
  why: string;
}

/** Every import that goes up a layer (or across to a different layer of the same rank). */
function upwardImports(dir: string, map: [string, Layer][]): { edges: Edge[]; unknown: string[] } {
  const edges: Edge[] = [];
  const unknown: string[] = [];
  for (const file of sources(dir)) {
    const from = layerOf(map, file);
    if (!from) {
      unknown.push(file);
      continue;
    }
    for (const spec of importsOf(file)) {
      const to = resolveSpecifier(file, spec);
      if (!to.startsWith(`${dir}/`)) continue; // built artefacts (dist/featurelab.wasm?url) and packages
      const target = layerOf(map, to);
      if (!target) {
        unknown.push(to);
        continue;
      }
      const ok = from.registry || target.name === from.name || target.rank < from.rank;
      if (!ok) edges.push({ from: file, to, why: `${from.name} (rank ${from.rank}) imports ${target.name} (rank ${target.rank})` });
    }
  }
  return { edges, unknown: [...new Set(unknown)] };
}

describe('layering', () => {
  const checks = [
    { dir: 'src', map: TS_LAYERS },
    { dir: 'assembly', map: AS_LAYERS },
  ];

  it('the import parser sees static, type-only, re-export and dynamic imports', () => {
    // Guards the checks below against a parser that silently finds nothing.
    const sample = [
      `import { a } from './a.js';`,
      `import type { B } from '../b.js';`,
      `export * from './c.js';`,
      `const d = await import('./d.js');`,
      `type E = typeof import('./e.js');`,
    ].join('\n');
    const specs = ts.preProcessFile(sample, true, true).importedFiles.map((f) => f.fileName);
    expect(specs.sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js']);
    expect(importsOf('src/index.ts').length).toBeGreaterThan(5);
    expect(importsOf('assembly/index.ts').length).toBeGreaterThan(5);
  });

  for (const { dir, map } of checks) {
    it(`every file of ${dir}/ has a layer (new folders and files go into the map)`, () => {
      expect(upwardImports(dir, map).unknown).toEqual([]);
    });

    it(`${dir}/ imports only downward, apart from the listed known exceptions`, () => {
      const found = upwardImports(dir, map).edges;
      const unexpected = found.filter((e) => !ALLOWED.has(`${e.from} -> ${e.to}`)).map((e) => `${e.from} -> ${e.to}: ${e.why}`);
      expect(unexpected, 'upward imports (move the code to its layer; do not extend ALLOWED)').toEqual([]);
    });
  }

  it('every known exception still occurs (fixed ones must be deleted from ALLOWED)', () => {
    const found = new Set(checks.flatMap(({ dir, map }) => upwardImports(dir, map).edges.map((e) => `${e.from} -> ${e.to}`)));
    expect([...ALLOWED].filter((e) => !found.has(e))).toEqual([]);
  });
});
