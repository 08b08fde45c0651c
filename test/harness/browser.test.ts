// The ESM build must load unmodified in a plain browser page (no bundler) and compute the
// same bytes as Node. Headless Chromium opens a page served from dist/ (test/engines.ts) and
// the page's fingerprints are read back.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../dist/index.js';
import { CHROMIUM, modulePage, runInChromium } from '../engines.js';

const haveChromium = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure, not a skip.
const runIt = haveChromium || process.env.CI ? it : it.skip;

// Runs in the page and in Node alike.
async function workload(fl: Awaited<ReturnType<typeof createEngine>>): Promise<string[]> {
  const A = fl.randn(67, 45, { seed: 20261122 });
  const B = fl.randn(33, 45, { seed: 20261122, stream: 1, dtype: 'f64' });
  const A32 = fl.astype(A, 'f32'),
    B32 = fl.astype(B, 'f32');
  return [
    fl.fingerprint(A, B),
    fl.fingerprint(fl.matmul(A, B, { transB: true })),
    fl.fingerprint(fl.matmul(A32, B32, { transB: true })),
    fl.fingerprint(fl.map(A, 'erf'), fl.map(A, 'tanh'), fl.map(A, 'softplus', { derivative: true })),
    fl.fingerprint([fl.dot(A, A), fl.norm(B)]),
  ];
}

const PAGE = modulePage(`import { createEngine } from './dist/index.js';`, `return (${workload.toString()})(await createEngine());`);

describe('plain browser page (Chromium)', () => {
  runIt('loads dist/ with <script type="module"> and reproduces Node\'s fingerprints', async () => {
    expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true);
    const got = await runInChromium<string[]>(PAGE, 45_000);
    const fl = await createEngine();
    expect(got).toEqual(await workload(fl));
    fl.dispose();
  });
});
