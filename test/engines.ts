// Running the ESM build in other JavaScript engines: a local static server for dist/ that
// also serves one test page and collects what the page posts back, and launchers for
// Chromium (through playwright-core), Firefox (plain headless process, no driver) and Bun.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const FIREFOX = '/usr/bin/firefox-esr';
export const BUN = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
export const DIST = new URL('../dist/', import.meta.url);

/** What a page (or script) reports: a value, or the error it failed with. */
export interface PageResult<T> {
  ok?: T;
  error?: string;
}

export interface PageServer<T> {
  /** The page's address (http://127.0.0.1:port/). */
  readonly url: string;
  /** Settles with the first body POSTed to /result. */
  readonly result: Promise<PageResult<T>>;
  /** Paths requested but not found (named in failures: a missing build file shows here). */
  readonly notFound: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm', // WebAssembly.compileStreaming insists on this type
  '.html': 'text/html',
};

// Error text for a failed run. SpiderMonkey's and JavaScriptCore's stacks omit the message.
const DESCRIBE_ERROR = `function describeError(e) {
  if (!(e instanceof Error)) return String(e);
  const head = e.name + ': ' + e.message;
  return e.stack && e.stack.includes(head) ? e.stack : head + '\\n' + (e.stack || '');
}`;

/**
 * The test page: a module script that imports dist/ exactly as a user would (plain
 * `<script type="module">`, no bundler) and runs `body` (an async function body returning a
 * JSON-able value; it sees the imported names). The outcome, or the error it failed with, is
 * kept in globalThis.__featurelabResult and POSTed to /result. A classic script first
 * catches what the module cannot report itself (a failed import, a syntax error), so a
 * broken page fails at once instead of timing out.
 */
export function modulePage(imports: string, body: string): string {
  return `<!doctype html><meta charset="utf-8"><title>featurelab test page</title>
<script>
globalThis.__featurelabReport = (outcome) => {
  if (globalThis.__featurelabResult) return;
  globalThis.__featurelabResult = outcome;
  fetch('/result', { method: 'POST', body: JSON.stringify(outcome) });
};
// Capture phase: a script element's load error does not bubble.
addEventListener('error', (e) => __featurelabReport({
  error: e.error ? describeError(e.error) : e.message || 'a module script or one of its imports failed to load',
}), true);
${DESCRIBE_ERROR}
</script>
<script type="module">
${imports}
try { __featurelabReport({ ok: await (async () => { ${body} })() }); }
catch (e) { __featurelabReport({ error: describeError(e) }); }
</script>`;
}

export interface ServeOptions {
  /** Sent with every response (e.g. the COOP/COEP pair that makes the page cross-origin isolated). */
  headers?: Record<string, string>;
  /** Extra scripts served at their paths (e.g. a Web Worker's module: { '/worker.js': source }). */
  scripts?: Record<string, string>;
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Serves `page` at / and the build at /dist/…; the page's POST to /result settles `result`. */
export async function servePage<T>(page: string, options: ServeOptions = {}): Promise<PageServer<T>> {
  let settle!: (r: PageResult<T>) => void;
  const notFound: string[] = [];
  const result = new Promise<PageResult<T>>((resolve) => (settle = resolve));
  const server: Server = createServer((req, res) => {
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const script = options.scripts?.[url.pathname];
    if (script !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(script);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/result') {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (data += chunk));
      req.on('end', () => {
        res.end('ok');
        try {
          settle(JSON.parse(data) as PageResult<T>);
        } catch {
          settle({ error: `unparsable result: ${data.slice(0, 200)}` });
        }
      });
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // no 404 noise in the browser's console
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      return;
    }
    // Only regular files inside dist/ (URL parsing has already resolved any '..').
    const file = url.pathname.startsWith('/dist/') ? new URL(`.${url.pathname.slice('/dist'.length)}`, DIST) : null;
    if (file?.href.startsWith(DIST.href) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[extname(file.pathname)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(file));
    } else {
      notFound.push(url.pathname);
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    result,
    notFound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Unwraps a page result, turning a reported error into a thrown one that names the engine. */
function unwrap<T>(engine: string, r: PageResult<T>, notFound: readonly string[] = []): T {
  if (r.error !== undefined || r.ok === undefined) {
    const missing = notFound.length > 0 ? ` (not found: ${notFound.join(', ')})` : '';
    throw new Error(`${engine}: the page failed: ${r.error ?? 'no result'}${missing}`);
  }
  return r.ok;
}

/**
 * Opens the page in headless Chromium (Debian's build, driven by playwright-core) and reads
 * the page's outcome back from the page itself. Console errors and uncaught exceptions are
 * added to a failure's message.
 */
export async function runInChromium<T>(page: string, timeoutMs: number, serve: ServeOptions = {}): Promise<T> {
  const { chromium } = await import('playwright-core');
  const server = await servePage<T>(page, serve);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const log: string[] = [];
  try {
    const tab = await browser.newPage();
    tab.on('console', (m) => m.type() === 'error' && log.push(`console: ${m.text()}`));
    tab.on('pageerror', (e) => log.push(`page error: ${e.message}`));
    await tab.goto(server.url);
    const handle = await tab.waitForFunction(() => (globalThis as { __featurelabResult?: unknown }).__featurelabResult, undefined, {
      timeout: timeoutMs,
      polling: 100,
    });
    return unwrap('chromium', (await handle.jsonValue()) as PageResult<T>, server.notFound);
  } catch (error) {
    if (log.length > 0 && error instanceof Error) error.message += `\n${log.join('\n')}`;
    throw error;
  } finally {
    await browser.close();
    await server.close();
  }
}

// Firefox without a driver: a throw-away profile whose prefs silence first-run pages,
// telemetry, updates and other background traffic, so the only page is ours.
const FIREFOX_PREFS: Record<string, boolean | string | number> = {
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.aboutwelcome.enabled': false,
  'browser.tabs.warnOnClose': false,
  'startup.homepage_welcome_url': '',
  'startup.homepage_welcome_url.additional': '',
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.enabled': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'extensions.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.sessionstore.resume_from_crash': false,
  'toolkit.startup.max_resumed_crashes': -1,
};

/**
 * Opens the page in headless Firefox ESR (a fresh profile, no remote protocol) and waits for
 * the page to POST its outcome; the browser's whole process group is killed afterwards.
 */
export async function runInFirefox<T>(page: string, timeoutMs: number, serve: ServeOptions = {}): Promise<T> {
  const server = await servePage<T>(page, serve);
  const profile = mkdtempSync(join(tmpdir(), 'featurelab-firefox-'));
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(FIREFOX_PREFS)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  );
  let stderr = '';
  // Own process group (detached), so the content processes Firefox starts die with it.
  const browser: ChildProcess = spawn(FIREFOX, ['--headless', '--profile', profile, '--no-remote', '--new-instance', server.url], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOZ_HEADLESS: '1', MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  browser.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<never>((_, reject) =>
    browser.once('exit', (code, signal) => reject(new Error(`firefox exited early (${signal ?? code}):\n${stderr}`))),
  );
  try {
    return unwrap('firefox', await withTimeout(Promise.race([server.result, exited]), timeoutMs, 'firefox'), server.notFound);
  } catch (error) {
    if (error instanceof Error && !error.message.includes(stderr)) error.message += `\nfirefox stderr (tail):\n${stderr}`;
    throw error;
  } finally {
    exited.catch(() => {});
    killGroup(browser);
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Runs `body` (an async function body, as for modulePage) as an ES module under Bun, with
 * `imports` resolved against dist/ (write them as './dist/…'), and returns the value it
 * produced (printed as JSON on stdout).
 */
export async function runInBun<T>(imports: string, body: string, timeoutMs: number): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'featurelab-bun-'));
  const script = join(dir, 'run.mjs');
  const distUrl = pathToFileURL(fileURLToPath(DIST)).href;
  writeFileSync(
    script,
    `${imports.replaceAll("'./dist/", `'${distUrl}`)}
${DESCRIBE_ERROR}
let outcome;
try { outcome = { ok: await (async () => { ${body} })() }; }
catch (e) { outcome = { error: describeError(e) }; }
process.stdout.write(JSON.stringify(outcome));
`,
  );
  const child = spawn(BUN, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<PageResult<T>>((resolve, reject) =>
    child.once('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as PageResult<T>);
      } catch {
        reject(new Error(`bun exited with ${code} without a result:\n${stderr.slice(-4000)}`));
      }
    }),
  );
  try {
    return unwrap('bun', await withTimeout(done, timeoutMs, 'bun'));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
