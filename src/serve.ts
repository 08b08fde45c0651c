// `featurelab serve`: a small static file server for the built web page (dist/web).
//
// It sends Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy so the page is
// cross-origin isolated (SharedArrayBuffer, hence wasm threads, need that), serves .wasm as
// application/wasm (WebAssembly.compileStreaming insists on it) and never serves a file
// outside its root.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FeaturelabError } from './errors.js';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Headers on every response: cross-origin isolation, and no MIME sniffing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

export interface ServeOptions {
  /** Directory to serve (the built page: dist/web). */
  root: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (this machine only). */
  host?: string;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** http://host:port/ */
  url: string;
  close(): Promise<void>;
}

/** Maps a request path to a file under root, or null when it would leave root. */
export function resolveRequestPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null; // malformed %-escape
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const target = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  const rel = relative(root, target);
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return target;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  let file = resolveRequestPath(root, req.url ?? '/');
  if (file === null) return send(res, 403, 'forbidden\n');
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file);
    }
    // A symbolic link inside root may still point outside it.
    const real = await realpath(file);
    if (real !== root && !real.startsWith(root + sep)) return send(res, 403, 'forbidden\n');
    if (!info.isFile()) return send(res, 404, 'not found\n');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // The page's file names carry content hashes except index.html: always revalidate.
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return send(res, 404, 'not found\n');
    return send(res, 500, 'internal error\n');
  }
}

/** Starts the static server; resolves once it is listening. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5173;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FeaturelabError(`port must be an integer in [0, 65535], got ${port}`);
  let root: string;
  try {
    root = await realpath(resolve(options.root));
    await stat(join(root, 'index.html'));
  } catch {
    throw new FeaturelabError(`no web page at ${resolve(options.root)} (index.html missing): run npm run build`);
  }
  const server = createServer((req, res) => {
    handle(root, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new FeaturelabError(`port ${port} on ${host} is already in use: choose another with --port`)
          : new FeaturelabError(`cannot listen on ${host}:${port}: ${error.message}`),
      );
    });
    server.listen(port, host, () => resolveListen());
  });
  const actualPort = (server.address() as { port: number }).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host;
  return {
    server,
    port: actualPort,
    url: `http://${shownHost}:${actualPort}/`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // keep-alive connections would hold close() open
      }),
  };
}
