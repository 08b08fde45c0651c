// The published package as a user gets it: `npm pack`, install the tarball into an empty
// project without network and without the optional vega peers, then use it from the outside
// (ESM import, CommonJS require, every `exports` entry, the shipped files, the types).
// Needs a built dist/ (npm test builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../dist/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let tmp: string;
let app: string; // the consumer project
let installed: string; // app/node_modules/featurelab
let packedFiles: string[];

/** Runs an ES module script in the consumer project; returns its stdout parsed as JSON. */
function runModule(source: string, name = 'probe.mjs'): any {
  writeFileSync(join(app, name), source);
  const r = spawnSync(process.execPath, [name], { cwd: app, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'featurelab-package-'));
  const packed = JSON.parse(execFileSync(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' }));
  packedFiles = packed[0].files.map((f: { path: string }) => f.path);
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --offline: the package must install from the tarball alone (no runtime dependencies; the
  // vega peers are optional and not installed)
  execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', join(tmp, packed[0].filename)], {
    cwd: app,
    encoding: 'utf8',
  });
  installed = join(app, 'node_modules', 'featurelab');
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('installs with nothing but itself: no runtime dependencies, vega and vega-lite are optional peers', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependenciesMeta).toEqual({ vega: { optional: true }, 'vega-lite': { optional: true } });
    expect(existsSync(join(app, 'node_modules', 'vega'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'vega-lite'))).toBe(false);
    expect(pkg.repository.url).toContain('github.com/featurelab/featurelab');
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License[\s\S]*featurelab contributors/);
    expect(existsSync(join(installed, 'docs', 'science.md'))).toBe(true);
  });

  it('(a) import("featurelab") creates an engine and fingerprints like the repository build, without vega installed', async () => {
    const got = runModule(`
      import { createEngine } from 'featurelab';
      const fl = await createEngine({ threads: 1 });
      console.log(JSON.stringify({ fp: fl.fingerprint(fl.randn(5, 7, { seed: 3 })) }));
      fl.dispose();
    `);
    const fl = await createEngine({ threads: 1 });
    try {
      expect(got.fp).toBe(fl.fingerprint(fl.randn(5, 7, { seed: 3 })));
    } finally {
      fl.dispose();
    }
  });

  it('(a) importing the engine loads no vega module even when vega is installed; the report renders a run made through the API', () => {
    // Give the consumer vega and vega-lite (the repository's copies: no network), then record
    // every module URL Node resolves with a resolve hook.
    for (const name of ['vega', 'vega-lite']) symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    try {
      writeFileSync(
        join(app, 'hooks.mjs'),
        `
        import { appendFileSync } from 'node:fs';
        let log;
        export function initialize(data) { log = data.log; }
        export async function resolve(specifier, context, next) {
          const result = await next(specifier, context);
          appendFileSync(log, result.url + '\\n');
          return result;
        }
      `,
      );
      const log = join(app, 'resolved.log');
      const got = runModule(`
        import { register } from 'node:module';
        import { readFileSync, writeFileSync } from 'node:fs';
        const log = ${JSON.stringify(log)};
        writeFileSync(log, '');
        register('./hooks.mjs', import.meta.url, { data: { log } });
        const vegaLoaded = () => readFileSync(log, 'utf8').split('\\n').filter((u) => /\\/node_modules\\/vega/.test(u)).length;

        const { createEngine } = await import('featurelab');
        const { findExperiment, runExperiment } = await import('featurelab/experiments');
        const { TINY_OVERRIDES } = await import('featurelab/conformance');
        const fl = await createEngine({ threads: 1 });
        const result = runExperiment(fl, findExperiment('ba-one-step'), { overrides: TINY_OVERRIDES['ba-one-step'] });
        const afterEngine = vegaLoaded();
        const engineModules = readFileSync(log, 'utf8').split('\\n').filter(Boolean).length;

        const { renderReportHtml, toCsv } = await import('featurelab/report');
        const html = await renderReportHtml(result);
        console.log(JSON.stringify({ afterEngine, engineModules, afterReport: vegaLoaded(), fingerprint: result.fingerprint, html, csv: await toCsv(result.series.risks) }));
        fl.dispose();
      `);
      expect(got.engineModules).toBeGreaterThan(10); // the hook saw the engine's own modules
      expect(got.afterEngine).toBe(0);
      expect(got.afterReport).toBeGreaterThan(0); // …and would have seen vega
      expect(got.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(got.html).toContain(got.fingerprint);
      expect(got.html).toContain('<svg');
      expect(got.csv.split('\n')[0]).toBe('readout,risk');
    } finally {
      for (const name of ['vega', 'vega-lite']) rmSync(join(app, 'node_modules', name));
    }
  });

  it('(b) require("featurelab") fails with a message that says ESM-only and shows the dynamic import', () => {
    writeFileSync(
      join(app, 'probe.cjs'),
      `
      const out = {};
      for (const id of ['featurelab', 'featurelab/experiments', 'featurelab/report', 'featurelab/conformance']) {
        try { require(id); out[id] = 'loaded'; } catch (e) { out[id] = e.message; }
      }
      console.log(JSON.stringify(out));
    `,
    );
    const r = spawnSync(process.execPath, ['probe.cjs'], { cwd: app, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const message of Object.values(out) as string[]) {
      expect(message).toContain('featurelab is ESM-only');
      expect(message).toContain("await import('featurelab')");
    }
  });

  it('(c) every exports entry resolves to a shipped file, under every condition', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const entries = Object.entries(pkg.exports as Record<string, string | Record<string, string>>);
    expect(entries.map(([key]) => key)).toEqual(
      expect.arrayContaining(['.', './experiments', './report', './conformance', './featurelab.wasm', './package.json']),
    );
    // Every target of every condition exists in the installed package…
    for (const [key, target] of entries) {
      const targets = typeof target === 'string' ? { default: target } : target;
      for (const [condition, file] of Object.entries(targets)) {
        expect(existsSync(join(installed, file)), `${key} (${condition}) → ${file}`).toBe(true);
      }
    }
    // …and Node resolves each subpath through the exports map (import condition)
    const specifiers = entries.map(([key]) => (key === '.' ? 'featurelab' : `featurelab/${key.slice(2)}`));
    const got = runModule(`console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => import.meta.resolve(s))));`);
    expect(got.map((url: string) => existsSync(fileURLToPath(url)))).toEqual(specifiers.map(() => true));
  });

  it('(d) the tarball ships no source map, and no shipped module points at a missing one', () => {
    expect(packedFiles.filter((f) => f.endsWith('.map'))).toEqual([]);
    const dangling: string[] = [];
    for (const file of packedFiles.filter((f) => /\.(m?js|cjs)$/.test(f))) {
      // dist/web/ is the page bundle (Vite's own `sourcemap` setting); the library modules are checked here
      if (file.startsWith('dist/web/')) continue;
      const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, file), 'utf8'));
      if (match && !match[1]!.startsWith('data:') && !existsSync(resolve(dirname(join(installed, file)), match[1]!))) dangling.push(file);
    }
    expect(dangling).toEqual([]);
    expect(packedFiles.some((f) => f.startsWith('src/'))).toBe(false);
  });

  it('(e) the exported types compile in a TypeScript consumer', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(app, 'consumer.ts'),
      `
      import { createEngine, type Experiment, type ExperimentResult, type ExperimentOutput, type Claim, type Constraint,
               type ParamSpec, type Params, type ParamValue, type Preset, type PlotSpec, type SeriesRows, type RunContext } from 'featurelab';
      import { EXPERIMENTS, findExperiment, runExperiment } from 'featurelab/experiments';
      import { writeReport, writeIndex, renderReportHtml, renderIndexHtml, renderPlot, toCsv } from 'featurelab/report';

      const fl = await createEngine();
      const exp: Experiment = findExperiment('ba-one-step');
      const preset: Preset = 'quick';
      const result: ExperimentResult = runExperiment(fl, exp, { preset, seed: 1 });
      const claims: Claim[] = result.claims;
      const params: Params = result.params;
      const value: ParamValue | undefined = params['d'];
      const specs: readonly ParamSpec[] = EXPERIMENTS[0]!.params;
      const plot: PlotSpec | undefined = result.plots[0];
      const rows: SeriesRows | undefined = result.series['risks'];
      const rule: Constraint = (p: Params) => (p['d'] === 0 ? 'd must be positive' : undefined);
      const run: (ctx: RunContext) => ExperimentOutput = exp.run;
      const html: Promise<string> = renderReportHtml(result);
      const index: Promise<string> = renderIndexHtml([result]);
      const file: Promise<string> = writeReport(result, 'out');
      const indexFile: Promise<string> = writeIndex('out');
      const svg: Promise<string> | undefined = plot ? renderPlot(plot, result.series) : undefined;
      const csv: Promise<string> | undefined = rows ? toCsv(rows) : undefined;
      // The types are real, not any: a wrong shape must be rejected.
      // @ts-expect-error a Claim's pass is a boolean
      const bad: Claim = { id: 'x', statement: '', predicted: 1, measured: 1, tolerance: '', pass: 'yes' };
      export { claims, value, specs, rule, run, html, index, file, indexFile, svg, csv, bad };
    `,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('docs/science.md, the science the project cites', () => {
  const science = readFileSync(join(ROOT, 'docs', 'science.md'), 'utf8');
  const headings = [...science.matchAll(/^## (\d)\. (.*)$/gm)].map((m) => ({ number: Number(m[1]), title: m[2]! }));
  /** The text of section §n, from its heading to the next numbered one. */
  const section = (n: number) => science.slice(science.indexOf(`## ${n}. `), n < 7 ? science.indexOf(`## ${n + 1}. `) : science.indexOf('## References'));

  it('numbers the experiments §1–§6 in registry order (as the spec and the citations do) and §7 the measurements', async () => {
    const { EXPERIMENTS } = await import('../dist/experiments/index.js');
    expect(headings.map((h) => h.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    EXPERIMENTS.forEach((exp, i) => {
      expect(headings[i]!.title.startsWith(`\`${exp.id}\``), `§${i + 1} is ${exp.id}`).toBe(true);
      expect(science).toContain(`<a id="${exp.id}"></a>`);
    });
    expect(headings[6]!.title).toMatch(/^Measurements/);
  });

  it("each experiment's section names every parameter (the CLI keys) and every claim", async () => {
    const { EXPERIMENTS, runExperiment } = await import('../dist/experiments/index.js');
    const { TINY_OVERRIDES } = await import('../dist/harness/conformance.js');
    const fl = await createEngine({ threads: 1 });
    try {
      EXPERIMENTS.forEach((exp, i) => {
        const text = section(i + 1);
        expect(text).toContain('[assumed]');
        for (const p of exp.params) expect(text, `${exp.id}: parameter ${p.name}`).toContain(`\`${p.name}\``);
        for (const claim of runExperiment(fl, exp, { overrides: TINY_OVERRIDES[exp.id] }).claims) {
          // a numbered claim is named itself or by its family (spike-strength-k)
          const named = text.includes(`\`${claim.id}\``) || text.includes(`\`${claim.id.replace(/-\d+$/, '-k')}\``);
          expect(named, `${exp.id}: claim ${claim.id} (or its -k family) in docs/science.md`).toBe(true);
        }
      });
    } finally {
      fl.dispose();
    }
  });

  it('the README cites docs/science.md, never the internal spec, and every "docs/science.md §N" citation exists', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/shared\/spec|\bspec §|the spec's/);
    expect(readme).toContain('](docs/science.md');
    const citations = [...readme.matchAll(/docs\/science\.md §(\d)/g)].map((m) => Number(m[1]));
    for (const n of citations) expect(headings.map((h) => h.number)).toContain(n);
  });
});
