// Issue 12, experiments as small programs: defineExperiment (a typed schema erased to the
// runtime ParamSpec[] the CLI and the web form read), the smoke preset on each experiment
// (TINY_OVERRIDES derived from it), and the source rules (no parameter casts, named RNG streams).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../dist/core/errors.js';
import { EXPERIMENTS, bool, defineExperiment, int, num, oneOf, resolveParams } from '../../dist/experiments/index.js';
import { TINY_OVERRIDES } from '../../dist/harness/conformance.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const toySchema = {
  n: int({ doc: 'samples', quick: 4, paper: 8, min: 1, max: 100 }),
  rate: num({ doc: 'rate', quick: 0.5, paper: 0.25, min: 0, max: 1, assumption: 'a stand-in' }),
  link: oneOf(['a', 'b'], { doc: 'link', quick: 'a', paper: 'b' }),
  on: bool({ doc: 'switch', quick: true, paper: false }),
};

describe('defineExperiment', () => {
  const seen: unknown[] = [];
  const toy = defineExperiment({
    id: 'toy',
    title: 'Toy',
    paper: 'none',
    summary: 'a toy',
    params: toySchema,
    smoke: { n: 2 },
    constraints: [(p) => (p.n > 10 && p.link === 'b' ? `n=${p.n} with link=b: lower n` : undefined)],
    run(ctx) {
      seen.push(ctx.params);
      return { metrics: { n: ctx.params.n }, series: {}, claims: [], plots: [] };
    },
  });

  it('erases the schema to ParamSpec[] in schema order, the name first, assumption only when given', () => {
    expect(toy.params.map((p) => p.name)).toEqual(['n', 'rate', 'link', 'on']);
    expect(toy.params.map((p) => Object.keys(p))).toEqual([
      ['name', 'type', 'doc', 'quick', 'paper', 'min', 'max'],
      ['name', 'type', 'doc', 'quick', 'paper', 'min', 'max', 'assumption'],
      ['name', 'type', 'doc', 'quick', 'paper', 'values'],
      ['name', 'type', 'doc', 'quick', 'paper'],
    ]);
    expect(toy.params[2]).toEqual({ name: 'link', type: 'enum', doc: 'link', quick: 'a', paper: 'b', values: ['a', 'b'] });
    expect(toy.params.map((p) => p.type)).toEqual(['int', 'number', 'enum', 'boolean']);
    expect(toy.smoke).toEqual({ n: 2 });
  });

  it('runs the constraints and the run on the resolved parameters', () => {
    expect(() => resolveParams(toy, 'quick', { n: '20', link: 'b' })).toThrow(ArgumentError);
    expect(() => resolveParams(toy, 'quick', { n: '20', link: 'b' })).toThrow('toy: n=20 with link=b: lower n');
    const params = resolveParams(toy, 'paper', { n: 3 });
    toy.run({ fl: undefined as never, params, seed: 0, progress: () => {} });
    expect(seen.at(-1)).toEqual({ n: 3, rate: 0.25, link: 'b', on: false });
  });
});

describe('the smoke preset lives on each experiment', () => {
  it('every experiment has one, its values allowed by the schema and the constraints', () => {
    for (const exp of EXPERIMENTS) {
      expect(exp.smoke, exp.id).toBeDefined();
      expect(Object.keys(exp.smoke!).length, exp.id).toBeGreaterThan(0);
      expect(() => resolveParams(exp, 'quick', exp.smoke), exp.id).not.toThrow();
    }
  });

  it('TINY_OVERRIDES is derived from it, as command-line strings', () => {
    expect(Object.keys(TINY_OVERRIDES).sort()).toEqual(EXPERIMENTS.map((e) => e.id).sort());
    for (const exp of EXPERIMENTS) {
      expect(TINY_OVERRIDES[exp.id], exp.id).toEqual(Object.fromEntries(Object.entries(exp.smoke!).map(([k, v]) => [k, String(v)])));
      // the strings resolve to the same parameters as the typed values
      expect(resolveParams(exp, 'quick', TINY_OVERRIDES[exp.id])).toEqual(resolveParams(exp, 'quick', exp.smoke));
    }
  });

  it('the quick and paper presets pass their own specs', () => {
    for (const exp of EXPERIMENTS) {
      for (const preset of ['quick', 'paper'] as const) {
        const all = Object.fromEntries(exp.params.map((p) => [p.name, p[preset]]));
        expect(resolveParams(exp, preset, all), `${exp.id} ${preset}`).toEqual(all);
      }
    }
  });
});

describe('the experiments source', () => {
  const files = EXPERIMENTS.map((e) => [e.id, readFileSync(join(ROOT, 'src', 'experiments', `${e.id}.ts`), 'utf8')] as const);

  it('casts no parameter: the schema types them', () => {
    for (const [id, text] of files) {
      expect(text.match(/ as (number|string|boolean)\b|as '[a-z0-9]+'|as \(typeof [A-Z_]+\)\[number\]/g), id).toBeNull();
    }
  });

  it('names every RNG stream', () => {
    for (const [id, text] of files) expect(text.match(/stream: \d/g), id).toBeNull();
  });

  it('defines each experiment with defineExperiment and keeps its plots in plots/<id>.ts', () => {
    for (const [id, text] of files) {
      expect(text, id).toMatch(/= defineExperiment\(\{/);
      expect(text, id).toContain(`from './plots/${id}.js'`);
    }
  });
});

describe('the types', () => {
  it('type ctx.params, constraints, smoke presets and grids from the schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'featurelab-types-'));
    try {
      const lib = join(ROOT, 'dist', 'experiments', 'index.js');
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            lib: ['ES2022', 'DOM'],
            types: [],
            skipLibCheck: false,
          },
          files: ['consumer.ts'],
        }),
      );
      writeFileSync(
        join(dir, 'consumer.ts'),
        `
        import { baOneStep, findExperiment, validateGrid, gridPoints, defineExperiment, int, oneOf, bool, type ParamsOfExperiment } from ${JSON.stringify(lib)};

        validateGrid(baOneStep, { d: [100, 200], activation: ['tanh', 'erf'], noise: [0, 0.1] });
        // @ts-expect-error 'cosh' is not an activation of ba-one-step
        validateGrid(baOneStep, { activation: ['cosh'] });
        // @ts-expect-error d is a number
        validateGrid(baOneStep, { d: ['100'] });
        // @ts-expect-error ba-one-step has no parameter width
        validateGrid(baOneStep, { width: [1] });
        // an untyped experiment takes command-line strings
        validateGrid(findExperiment('ba-one-step'), { d: ['100'], width: ['1'] });

        const point = gridPoints(baOneStep, { d: [100] })[0]!;
        const d: number = point.d;
        const act: 'tanh' | 'erf' | 'relu' | 'softplus' | 'sigmoid' = point.activation;
        // @ts-expect-error activation is a union of names, not any string
        const wide: 'tanh' = point.activation;
        const psi: ParamsOfExperiment<typeof baOneStep>['psi1'] = 1;

        const params = {
          n: int({ doc: 'n', quick: 1, paper: 2, min: 1, max: 9 }),
          link: oneOf(['a', 'b'], { doc: 'link', quick: 'a', paper: 'b' }),
          on: bool({ doc: 'on', quick: true, paper: false }),
        };
        const base = { id: 'toy', title: 't', paper: 'p', summary: 's', params } as const;
        const toy = defineExperiment({
          ...base,
          smoke: { n: 1 },
          constraints: [(p) => (p.n > 5 && p.link === 'b' ? 'no' : undefined)],
          run(ctx) {
            const n: number = ctx.params.n;
            const link: 'a' | 'b' = ctx.params.link;
            const on: boolean = ctx.params.on;
            // @ts-expect-error link is 'a' | 'b'
            const other: 'c' = ctx.params.link;
            // @ts-expect-error the schema has no m
            ctx.params.m;
            return { metrics: { n, on: on ? 1 : 0, a: link === 'a' ? 1 : 0 }, series: {}, claims: [], plots: [] };
          },
        });
        // @ts-expect-error the smoke preset is typed by the schema
        defineExperiment({ ...base, smoke: { n: 'x' }, run: toy.run });
        // @ts-expect-error an enum's presets are among its values
        oneOf(['a', 'b'], { doc: '', quick: 'c', paper: 'a' });
        // @ts-expect-error a number spec has a range
        int({ doc: '', quick: 1, paper: 1 });
        export { d, act, wide, psi };
      `,
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
