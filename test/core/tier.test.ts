// Cold start (issue 15): in Node, the CLI (preferOptimisingTier, before createEngine) has V8
// compile featurelab's wasm functions with its optimising compiler (TurboFan) on their first
// call instead of its baseline tier (Liftoff), on the main thread and in the workers, unless
// FEATURELAB_BASELINE_TIER=1; the library alone never changes the process's V8 flags; the
// tiers compute the same bytes. V8's own trace (--trace-wasm-compilation-times, one line per
// compiled function naming the compiler) shows which tier ran, in a child process.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CHILD = `
import v8 from 'node:v8';
v8.setFlagsFromString('--trace-wasm-compilation-times');
const { createEngine } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
if (process.env.AS_CLI) await (await import(${JSON.stringify(new URL('../../dist/core/wasm.js', import.meta.url).href)})).preferOptimisingTier();
const fl = await createEngine({ threads: 2, grain: 0 });
const out = fl.scope(() => {
  const G = fl.randn(120, 120, { seed: 3 });
  const S = fl.matmul(G, G, { transB: true, alpha: 1 / 120 });
  const { values, vectors } = fl.eigh(S);
  return fl.fingerprint([values, vectors, fl.map(G, 'tanh')]);
});
fl.dispose();
// stderr: V8's trace goes to stdout from several threads and may interleave with a line there
process.stderr.write('fingerprint ' + out + '\\n');
`;

function runChild(env: Record<string, string>): { fingerprint: string; liftoff: number; turbofan: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  const fingerprint = /^fingerprint ([0-9a-f]{64})$/m.exec(r.stderr)?.[1];
  expect(fingerprint).toBeDefined();
  // Wrappers (JS↔wasm) are traced too; count only compiled wasm functions.
  const count = (tier: string) => r.stdout.split('\n').filter((line) => line.startsWith('Compiled function') && line.includes(`using ${tier}`)).length;
  return { fingerprint: fingerprint!, liftoff: count('Liftoff'), turbofan: count('TurboFan') };
}

describe.skipIf(typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined')('the optimising tier in Node', () => {
  it('compiles every function with TurboFan on first call, in the workers too, and computes the same bytes as the baseline tier', () => {
    const optimised = runChild({ AS_CLI: '1' });
    const baseline = runChild({ AS_CLI: '1', FEATURELAB_BASELINE_TIER: '1' });
    const library = runChild({});
    expect(optimised.turbofan).toBeGreaterThan(10);
    expect(optimised.liftoff).toBe(0);
    expect(baseline.liftoff).toBeGreaterThan(10);
    expect(library.liftoff).toBeGreaterThan(10); // createEngine alone leaves V8's tiers alone
    expect(optimised.fingerprint).toBe(baseline.fingerprint);
    expect(library.fingerprint).toBe(baseline.fingerprint);
  }, 120_000);
});
