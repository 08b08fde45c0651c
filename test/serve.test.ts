// The static server behind `featurelab serve`: MIME types, cross-origin isolation headers,
// and no way out of its root.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequestPath, startServer, type RunningServer } from '../dist/serve.js';

/** A raw GET (fetch would normalise '..' in the path before sending it). */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('featurelab serve (static server)', () => {
  const base = mkdtempSync(join(tmpdir(), 'featurelab-serve-'));
  const root = join(base, 'web');
  let server: RunningServer;

  beforeAll(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'assets', 'm.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(join(root, 'assets', 'a.js'), 'export {};');
    writeFileSync(join(root, 'assets', 'name with space.css'), 'body{}');
    writeFileSync(join(base, 'secret.txt'), 'secret');
    symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
    server = await startServer({ root, port: 0 });
  });
  afterAll(() => server.close());

  it('serves index.html for / with COOP/COEP and the right MIME types', async () => {
    const index = await get(server.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(index.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(index.body.toString()).toContain('<title>t</title>');
    expect((await get(server.port, '/assets/m.wasm')).headers['content-type']).toBe('application/wasm');
    expect((await get(server.port, '/assets/a.js?v=1')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.port, '/assets/name%20with%20space.css')).status).toBe(200);
    const head = await get(server.port, '/assets/m.wasm', 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '8', 0]);
  });

  it('never serves outside its root', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/a%00b']) {
      const res = await get(server.port, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body.toString(), path).not.toContain('secret');
    }
    expect((await get(server.port, '/link.txt')).status).toBe(403); // a symlink out of root
    expect((await get(server.port, '/missing.js')).status).toBe(404);
    expect((await get(server.port, '/', 'POST')).status).toBe(405);
  });

  it('resolveRequestPath keeps paths inside root', () => {
    expect(resolveRequestPath('/srv/web', '/a/b.js')).toBe('/srv/web/a/b.js');
    expect(resolveRequestPath('/srv/web', '/a/../b.js')).toBe('/srv/web/b.js');
    expect(resolveRequestPath('/srv/web', '/../web2/x')).toBeNull();
    expect(resolveRequestPath('/srv/web', '/%E0%A4%A')).toBeNull();
  });

  it('says what to do when the page was not built, and when the port is taken', async () => {
    await expect(startServer({ root: join(base, 'nothing-here'), port: 0 })).rejects.toThrow(/index\.html missing\): run npm run build/);
    await expect(startServer({ root, port: server.port })).rejects.toThrow(new RegExp(`port ${server.port} on 127.0.0.1 is already in use: choose another with --port`));
  });
});
