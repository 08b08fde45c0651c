// `featurelab serve`: a small static file server for the built web page (dist/web).
//
// It sends Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy so the page is
// cross-origin isolated (SharedArrayBuffer, hence wasm threads, need that), serves .wasm as
// application/wasm (WebAssembly.compileStreaming insists on it) and never serves a file
// outside its root, nor a dotfile (.git, .env) inside it. Anything it will not serve gets the
// same 404, so a probe cannot tell a missing file from a forbidden one.

import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FeaturelabError } from '../core/errors.js';

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

/** Longest request target served; a longer one gets 414 (URI Too Long). */
export const MAX_URL_LENGTH = 4096;
/** Longest path component any common file system allows (bytes); longer ones cannot exist. */
const MAX_NAME_BYTES = 255;

/**
 * Maps a request path to a file under root: the file, or 'bad-request' for a malformed
 * %-escape, or null when nothing there may be served (outside root, a dotfile or
 * dot-directory, a NUL or backslash, a name too long to exist).
 */
export function resolveRequestPath(root: string, urlPath: string): string | 'bad-request' | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return 'bad-request'; // malformed %-escape
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const target = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  const rel = relative(root, target);
  if (rel.startsWith('..') || isAbsolute(rel) || !servableRelativePath(rel)) return null;
  return target;
}

/** No component may be hidden (a dotfile or dot-directory: .git, .env) or too long to exist. */
function servableRelativePath(rel: string): boolean {
  return rel.split(sep).every((part) => !part.startsWith('.') && Buffer.byteLength(part) <= MAX_NAME_BYTES);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Opens the file a request names, or returns null when nothing there may be served. */
async function openServable(root: string, path: string): Promise<{ file: string; handle: FileHandle; size: number } | null> {
  let real: string;
  try {
    real = await realpath(path);
    if ((await stat(real)).isDirectory()) real = await realpath(join(real, 'index.html'));
  } catch {
    return null; // missing, a dangling link, a name too long, unreadable: all alike
  }
  // A symbolic link inside root may point outside it, or at a dotfile inside it.
  const rel = relative(root, real);
  if (real !== root && (rel.startsWith('..') || isAbsolute(rel) || !servableRelativePath(rel))) return null;
  let handle: FileHandle | undefined;
  try {
    handle = await open(real, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw new Error('not a regular file');
    return { file: real, handle, size: info.size };
  } catch {
    await handle?.close();
    return null;
  }
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  const url = req.url ?? '/';
  if (url.length > MAX_URL_LENGTH) return send(res, 414, 'URI too long\n');
  const path = resolveRequestPath(root, url);
  if (path === 'bad-request') return send(res, 400, 'bad request: malformed %-escape in the path\n');
  // One answer for everything not servable, so a probe learns nothing about what exists.
  const found = path === null ? null : await openServable(root, path);
  if (found === null) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': MIME_TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': found.size,
    // The page's file names carry content hashes except index.html: always revalidate.
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    await found.handle.close();
    return void res.end();
  }
  found.handle
    .createReadStream() // closes the handle when done
    .on('error', () => res.destroy())
    .pipe(res);
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
