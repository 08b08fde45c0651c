// Cross-engine conformance: the fingerprints of src/harness/conformance.ts's cases are committed as
// goldens and must be reproduced bit for bit by Node, Chromium, Firefox and Bun. A
// difference fails with the names of the cases and what each engine computed.
// UPDATE_GOLDENS=1 rewrites test/goldens/conformance.json from Node.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../dist/index.js';
import { CONFORMANCE_CASES, runConformance } from '../../dist/harness/conformance.js';
import { BUN, CHROMIUM, FIREFOX, modulePage, runInBun, runInChromium, runInFirefox } from '../engines.js';
import { expectGoldens } from '../helpers.js';

const GOLDENS = new URL('../goldens/conformance.json', import.meta.url);
// Cold browsers compile the wasm and run the experiments in tens of seconds at worst.
const ENGINE_TIMEOUT_MS = 90_000;

interface EngineRun {
  results: Record<string, string>;
  ms: number;
  agent: string;
}

// Runs in the page and under Bun alike (imports resolved against dist/).
const IMPORTS = `import { createEngine } from './dist/index.js';
import { runConformance } from './dist/harness/conformance.js';`;
const BODY = `
const fl = await createEngine();
const started = performance.now();
const results = runConformance(fl);
const ms = performance.now() - started;
fl.dispose();
return { results, ms, agent: navigator.userAgent };`;

/**
 * Fails naming every case on which `got` (from `engine`) differs from the goldens, with the
 * goldens' and Node's fingerprints beside it; missing and unexpected cases count as differences.
 */
function expectConformance(engine: string, got: Record<string, string>, golden: Record<string, string>, node?: Record<string, string>): void {
  const short = (v: string | undefined) => (v === undefined ? 'missing' : `${v.slice(0, 12)}…`);
  const names = [...new Set([...Object.keys(golden), ...Object.keys(got)])];
  const lines = names
    .filter((name) => got[name] !== golden[name])
    .map((name) => {
      const parts = [`golden=${short(golden[name])}`];
      if (node && engine !== 'node') parts.push(`node=${short(node[name])}`);
      parts.push(`${engine}=${short(got[name])}`);
      return `${name}: ${parts.join(' ')}`;
    });
  if (lines.length > 0) {
    throw new Error(`${engine} differs from the goldens on ${lines.length} of ${names.length} case(s):\n${lines.join('\n')}`);
  }
}

const readGoldens = (): Record<string, string> => JSON.parse(readFileSync(GOLDENS, 'utf8')) as Record<string, string>;

function report(engine: string, run: EngineRun, wallMs: number): void {
  console.log(
    `conformance: ${engine}: ${Object.keys(run.results).length} cases in ${(run.ms / 1000).toFixed(2)} s ` +
      `(${(wallMs / 1000).toFixed(1)} s with start-up) — ${run.agent}`,
  );
}

let fl: Engine;
let nodeResults: Record<string, string>;
beforeAll(async () => {
  fl = await createEngine();
});
afterAll(() => fl.dispose());

describe('conformance suite', () => {
  it('has unique case names and leaves no memory behind', () => {
    const names = CONFORMANCE_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const before = fl.memoryStats();
    runConformance(fl, { only: ['eigh-150', 'experiment-ba-one-step'] });
    expect(fl.memoryStats().liveMatrices).toBe(before.liveMatrices);
    expect(fl.memoryStats().bytesInUse).toBe(before.bytesInUse);
    expect(() => runConformance(fl, { only: ['no-such-case'] })).toThrow(/unknown case\(s\) no-such-case/);
  });

  it('Node reproduces the goldens', () => {
    const started = performance.now();
    nodeResults = runConformance(fl);
    report('node', { results: nodeResults, ms: performance.now() - started, agent: `Node ${process.version}` }, performance.now() - started);
    expectGoldens(GOLDENS, nodeResults, (got, golden) => expectConformance('node', got as Record<string, string>, golden as Record<string, string>));
  });

  it('a case gives the same fingerprint alone on a fresh engine (no dependence on run order or memory layout)', async () => {
    const fresh = await createEngine();
    try {
      const only = ['matmul-f64-130x67x130-TN', 'map-f32-erf-derivative', 'eigh-40', 'experiment-zhu-balance'];
      const alone = runConformance(fresh, { only });
      expect(Object.keys(alone).sort()).toEqual([...only].sort());
      for (const name of only) expect(alone[name], name).toBe(readGoldens()[name]);
    } finally {
      fresh.dispose();
    }
  });
});

// In CI (.ci/run sets CI=1 and installs the browsers) a missing engine is a failure; locally
// it is skipped.
const engines: { name: string; binary: string; install: string; run: () => Promise<EngineRun> }[] = [
  { name: 'chromium', binary: CHROMIUM, install: 'apt-get install chromium', run: () => runInChromium(modulePage(IMPORTS, BODY), ENGINE_TIMEOUT_MS) },
  { name: 'firefox', binary: FIREFOX, install: 'apt-get install firefox-esr', run: () => runInFirefox(modulePage(IMPORTS, BODY), ENGINE_TIMEOUT_MS) },
  { name: 'bun', binary: BUN, install: 'npm ci (the bun devDependency)', run: () => runInBun(IMPORTS, BODY, ENGINE_TIMEOUT_MS) },
];

describe('other engines reproduce the goldens bit for bit', () => {
  for (const engine of engines) {
    const present = existsSync(engine.binary);
    (present || process.env.CI ? it : it.skip)(
      engine.name,
      async () => {
        expect(present, `${engine.binary} is missing (${engine.install})`).toBe(true);
        const started = performance.now();
        const run = await engine.run();
        report(engine.name, run, performance.now() - started);
        expectConformance(engine.name, run.results, readGoldens(), nodeResults);
      },
      ENGINE_TIMEOUT_MS + 30_000,
    );
  }
});
