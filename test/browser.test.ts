// The ESM build must load unmodified in a plain browser page (no bundler) and compute the
// same bytes as Node. Headless Chromium opens a page served from dist/ that posts its
// fingerprints back to this test's server.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../dist/index.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure, not a skip.
const runIt = haveChromium || process.env.CI ? it : it.skip;

// Runs in the page and in Node alike.
async function workload(fl: Awaited<ReturnType<typeof createEngine>>): Promise<string[]> {
  const A = fl.randn(67, 45, { seed: 20261122 });
  const B = fl.randn(33, 45, { seed: 20261122, stream: 1, dtype: 'f64' });
  const A32 = fl.astype(A, 'f32'), B32 = fl.astype(B, 'f32');
  return [
    fl.fingerprint(A, B),
    fl.fingerprint(fl.matmul(A, B, { transB: true })),
    fl.fingerprint(fl.matmul(A32, B32, { transB: true })),
    fl.fingerprint(fl.map(A, 'erf'), fl.map(A, 'tanh'), fl.map(A, 'softplus', { derivative: true })),
    fl.fingerprint([fl.dot(A, A), fl.norm(B)]),
  ];
}

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { createEngine } from './dist/index.js';
const workload = ${workload.toString()};
let body;
try { body = JSON.stringify({ ok: await workload(await createEngine()) }); }
catch (e) { body = JSON.stringify({ error: String(e && e.stack || e) }); }
await fetch('/result', { method: 'POST', body });
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

describe('plain browser page (Chromium)', () => {
  runIt('loads dist/ with <script type="module"> and reproduces Node\'s fingerprints', async () => {
    expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true);
    const dist = new URL('../dist/', import.meta.url);
    let resolveResult!: (v: { ok?: string[]; error?: string }) => void;
    const result = new Promise<{ ok?: string[]; error?: string }>((r) => (resolveResult = r));
    const server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/result') {
        let data = '';
        req.on('data', (c) => (data += c));
        req.on('end', () => {
          res.end('ok');
          resolveResult(JSON.parse(data));
        });
        return;
      }
      const path = req.url === '/' ? null : req.url!.replace(/^\/dist\//, '');
      if (path === null) {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      } else if (!path.includes('..') && existsSync(new URL(path, dist))) {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(readFileSync(new URL(path, dist)));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const browser = spawn(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'featurelab-chromium-'))}`,
      `http://127.0.0.1:${port}/`,
    ], { stdio: 'ignore' });
    try {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no result from Chromium within 45 s')), 45_000));
      const got = await Promise.race([result, timeout]);
      expect(got.error).toBeUndefined();
      const fl = await createEngine();
      expect(got.ok).toEqual(await workload(fl));
      fl.dispose();
    } finally {
      browser.kill('SIGKILL');
      server.close();
    }
  });
});
