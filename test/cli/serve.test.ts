// The static server behind `featurelab serve`: MIME types, cross-origin isolation headers,
// and no way out of its root.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequestPath, startServer, type RunningServer } from '../../dist/cli/serve.js';

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
    symlinkSync(join(base, 'no-such-file'), join(root, 'dangling.txt'));
    symlinkSync(base, join(root, 'outside-dir'));
    writeFileSync(join(root, '.env'), 'secret');
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'config'), 'secret');
    writeFileSync(join(root, 'assets', '.hidden.js'), 'secret');
    symlinkSync(join(root, '.env'), join(root, 'env-link.txt')); // a visible name for a dotfile
    symlinkSync(join(root, 'assets', 'a.js'), join(root, 'alias.js')); // inside root: fine
    mkdirSync(join(root, 'empty-dir'));
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
    expect((await get(server.port, '/', 'POST')).status).toBe(405);
    expect((await get(server.port, '/alias.js')).body.toString()).toBe('export {};'); // a link that stays inside
  });

  it('answers everything it will not serve with one uniform 404, so nothing leaks whether it exists', async () => {
    const missing = await get(server.port, '/missing.js');
    expect(missing.status).toBe(404);
    const refused = [
      '/link.txt', // a symlink out of root
      '/outside-dir/secret.txt', // through a linked directory out of root
      '/dangling.txt', // a symlink to nothing
      '/empty-dir/', // a directory without index.html
      '/empty-dir',
      '/.env', // dotfiles and dot-directories
      '/.git/config',
      '/.git/',
      '/assets/.hidden.js',
      '/%2eenv',
      '/env-link.txt', // a visible link to a dotfile
      '/../secret.txt', // out of root
      '/assets/../../secret.txt',
      '/a%00b',
    ];
    for (const path of refused) {
      const res = await get(server.port, path);
      expect([res.status, res.body.toString(), res.headers['content-type'], res.headers['content-length']], path).toEqual([
        404,
        missing.body.toString(),
        missing.headers['content-type'],
        missing.headers['content-length'],
      ]);
    }
  });

  it('a long path component is 404 and a very long URL 414, never 500', async () => {
    // Longer than any file name can be (255 bytes; é is two in UTF-8): it cannot exist.
    for (const path of [`/${'a'.repeat(300)}`, `/assets/${'b'.repeat(256)}.js`, `/${'%C3%A9'.repeat(200)}`]) {
      expect((await get(server.port, path)).status, path.slice(0, 20)).toBe(404);
    }
    for (const path of [`/${'c'.repeat(5000)}`, `/${'d/'.repeat(2500)}x`]) {
      expect((await get(server.port, path)).status, path.slice(0, 20)).toBe(414);
    }
  });

  it('a malformed %-escape is a bad request (400)', async () => {
    for (const path of ['/%E0%A4%A', '/%zz', '/assets/%', '/%C3%28']) {
      const res = await get(server.port, path);
      expect(res.status, path).toBe(400);
      expect(res.body.toString(), path).toMatch(/malformed %-escape/);
    }
  });

  it('resolveRequestPath keeps paths inside root and away from dotfiles', () => {
    expect(resolveRequestPath('/srv/web', '/a/b.js')).toBe('/srv/web/a/b.js');
    expect(resolveRequestPath('/srv/web', '/a/../b.js')).toBe('/srv/web/b.js');
    expect(resolveRequestPath('/srv/web', '/../web2/x')).toBeNull();
    expect(resolveRequestPath('/srv/web', '/.well-known/x')).toBeNull();
    expect(resolveRequestPath('/srv/web', '/a/.b/c')).toBeNull();
    expect(resolveRequestPath('/srv/web', '/%E0%A4%A')).toBe('bad-request');
  });

  it('says what to do when the page was not built, and when the port is taken', async () => {
    await expect(startServer({ root: join(base, 'nothing-here'), port: 0 })).rejects.toThrow(/index\.html missing\): run npm run build/);
    await expect(startServer({ root, port: server.port })).rejects.toThrow(
      new RegExp(`port ${server.port} on 127.0.0.1 is already in use: choose another with --port`),
    );
  });
});
