// Resolving and validating experiment parameters: presets, key=value overrides, and
// messages that name the key and what is allowed.

import { ArgumentError } from '../core/errors.js';
import type { TypedExperiment } from './define.js';
import type { Experiment, ParamSpec, ParamValue, Params, Preset } from './types.js';

export function describeAllowed(spec: ParamSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values!.join(', ')}`;
    default: {
      const kind = spec.type === 'int' ? 'an integer' : 'a number';
      const lo = spec.min !== undefined ? `≥ ${spec.min}` : '';
      const hi = spec.max !== undefined ? `≤ ${spec.max}` : '';
      return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
    }
  }
}

/** A decimal integer (optional sign). */
export const INT_PATTERN = /^[+-]?[0-9]+$/;
/** A decimal number with an optional exponent: 0.001, -2.5, 1e-3, .5 */
export const NUMBER_PATTERN = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Parses a CLI string for the parameter, or throws naming the key and what is allowed. */
export function parseValue(spec: ParamSpec, raw: string, id: string): ParamValue {
  const bad = () => new ArgumentError(`${id}: ${spec.name}=${raw} is not allowed: ${spec.name} must be ${describeAllowed(spec)}`);
  switch (spec.type) {
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw bad();
    case 'enum':
      if (!spec.values!.includes(raw)) throw bad();
      return raw;
    default: {
      // plain decimal only: no hex, no spaces, no Infinity; an exponent only for numbers
      if (!(spec.type === 'int' ? INT_PATTERN : NUMBER_PATTERN).test(raw)) throw bad();
      const v = Number(raw);
      if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isSafeInteger(v))) throw bad();
      return checkRange(spec, v, id);
    }
  }
}

function checkRange(spec: ParamSpec, v: number, id: string): number {
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    throw new ArgumentError(`${id}: ${spec.name}=${v} is out of range: ${spec.name} must be ${describeAllowed(spec)}`);
  }
  return v;
}

/** Every cross-parameter rule the parameters break, as messages (empty when all hold). */
export function constraintViolations(exp: Experiment, params: Params): string[] {
  const out: string[] = [];
  for (const rule of exp.constraints ?? []) {
    const message = rule(params);
    if (message !== undefined) out.push(message);
  }
  return out;
}

/** Throws an ArgumentError listing every broken cross-parameter rule. */
export function checkConstraints(exp: Experiment, params: Params): void {
  const broken = constraintViolations(exp, params);
  if (broken.length) throw new ArgumentError(`${exp.id}: ${broken.join('; ')}`);
}

/** Preset defaults overridden by `overrides` (already typed or raw strings from the CLI). */
export function resolveParams(exp: Experiment, preset: Preset, overrides: Record<string, ParamValue | string> = {}): Params {
  if (preset !== 'quick' && preset !== 'paper') throw new ArgumentError(`preset must be quick or paper, got ${String(preset)}`);
  const out: Params = {};
  for (const spec of exp.params) out[spec.name] = spec[preset];
  for (const [key, value] of Object.entries(overrides)) out[key] = checkValue(specOf(exp, key), value, exp.id);
  checkConstraints(exp, out);
  return out;
}

function specOf(exp: Experiment, key: string): ParamSpec {
  const spec = exp.params.find((p) => p.name === key);
  if (!spec) {
    throw new ArgumentError(
      `${exp.id}: unknown parameter '${key}'; parameters are ${exp.params.map((p) => p.name).join(', ')} (featurelab run ${exp.id} --help)`,
    );
  }
  return spec;
}

/** A typed value, or a raw CLI string, checked against its spec (an enum takes either). */
function checkValue(spec: ParamSpec, value: ParamValue, id: string): ParamValue {
  const key = spec.name;
  if (typeof value === 'string' && spec.type !== 'enum') return parseValue(spec, value, id);
  if (spec.type === 'enum') return parseValue(spec, String(value), id);
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') throw new ArgumentError(`${id}: ${key} must be true or false, got ${String(value)}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || (spec.type === 'int' && !Number.isInteger(value))) {
    throw new ArgumentError(`${id}: ${key} must be ${describeAllowed(spec)}, got ${String(value)}`);
  }
  return checkRange(spec, value, id);
}

/**
 * Values to sweep, per parameter. For a TypedExperiment (the built-in ones) the keys and the
 * values are checked by the compiler against the schema: `{ d: [100, 200], activation:
 * ['tanh', 'erf'] }`; an untyped Experiment takes any ParamValue (strings are parsed as on
 * the command line).
 */
export type Grid<P = Params> = { readonly [K in keyof P]?: readonly P[K][] };

export interface GridCheck<P = Params> {
  /** Unknown parameters, empty value lists and values their spec does not allow; when any, no point is built. */
  errors: string[];
  /** The points that satisfy every constraint, in order (the grid key first in the schema varies slowest). */
  points: P[];
  /** The points that break a constraint, with every message. */
  rejected: { point: P; violations: string[] }[];
}

/** Most points a grid may have (a sweep of more would not finish; building them would exhaust memory). */
export const MAX_GRID_POINTS = 1_000_000;

/**
 * Checks a sweep's grid before any work: each gridded key must be a parameter with a
 * non-empty list of values its spec allows; then every point (the preset's defaults, one
 * value per gridded key) is checked against the experiment's constraints.
 */
export function validateGrid<P = Params>(exp: TypedExperiment<P>, grid: NoInfer<Grid<P>>, preset: Preset = 'quick'): GridCheck<P> {
  const base = resolveParams(exp, preset);
  const errors: string[] = [];
  const axes: { key: string; values: ParamValue[] }[] = [];
  if (typeof grid !== 'object' || grid === null || Array.isArray(grid)) {
    throw new ArgumentError(`validateGrid: grid must be an object of parameter → values, got ${Array.isArray(grid) ? 'an array' : String(grid)}`);
  }
  const entries: [string, unknown][] = Object.entries(grid);
  for (const [key, values] of entries) {
    if (!exp.params.some((p) => p.name === key)) {
      errors.push(`${exp.id}: unknown parameter '${key}' in the grid; parameters are ${exp.params.map((p) => p.name).join(', ')}`);
    } else if (!Array.isArray(values) || values.length === 0) {
      errors.push(`${exp.id}: grid ${key} must be a non-empty array of values, got ${Array.isArray(values) ? '[]' : String(values)}`);
    }
  }
  // schema order, so the enumeration does not depend on how the grid object was written
  for (const spec of exp.params) {
    const values: unknown = (grid as Record<string, unknown>)[spec.name];
    if (!Array.isArray(values) || values.length === 0) continue;
    const checked: ParamValue[] = [];
    for (const value of values) {
      try {
        checked.push(checkValue(spec, value, exp.id));
      } catch (error) {
        if (!(error instanceof ArgumentError)) throw error;
        errors.push(error.message);
      }
    }
    axes.push({ key: spec.name, values: checked });
  }
  const size = axes.reduce((n, axis) => n * axis.values.length, 1);
  if (errors.length === 0 && size > MAX_GRID_POINTS) {
    errors.push(`${exp.id}: the grid has ${size} points (${axes.map((a) => `${a.key}: ${a.values.length}`).join(' × ')}), more than ${MAX_GRID_POINTS}`);
  }
  const check: GridCheck<P> = { errors, points: [], rejected: [] };
  if (errors.length) return check;
  // Every value has passed its spec and every other key holds a preset default: a P.
  const asPoint = (p: Params) => p as P;
  for (let i = 0; i < size; i++) {
    const point: Params = { ...base };
    // mixed radix, last axis fastest
    for (let a = axes.length - 1, rest = i; a >= 0; a--) {
      const axis = axes[a]!;
      point[axis.key] = axis.values[rest % axis.values.length]!;
      rest = Math.floor(rest / axis.values.length);
    }
    const violations = constraintViolations(exp, point);
    if (violations.length) check.rejected.push({ point: asPoint(point), violations });
    else check.points.push(asPoint(point));
  }
  return check;
}

/** The points of a grid (see validateGrid); throws an ArgumentError naming every bad value and every point that breaks a constraint. */
export function gridPoints<P = Params>(exp: TypedExperiment<P>, grid: NoInfer<Grid<P>>, preset: Preset = 'quick'): P[] {
  const { errors, points, rejected } = validateGrid<P>(exp, grid, preset);
  const problems = errors.concat(rejected.map((r) => r.violations.join('; ')));
  if (problems.length) {
    const shown = problems.slice(0, 10).join('\n  ');
    throw new ArgumentError(
      `gridPoints: ${problems.length} problem(s) in the grid of ${exp.id}:\n  ${shown}${problems.length > 10 ? `\n  … and ${problems.length - 10} more` : ''}`,
    );
  }
  return points;
}

/** `featurelab run <id> --help`: every parameter with its defaults and meaning. */
export function helpText(exp: Experiment): string {
  const lines = [
    `${exp.id} — ${exp.title}`,
    `  ${exp.paper}`,
    `  Model, formulas, assumptions and sources: docs/science.md#${exp.id} (shipped in the package)`,
    '',
    `  ${exp.summary}`,
    '',
    'Parameters (key=value; defaults quick / paper):',
  ];
  const width = Math.max(...exp.params.map((p) => p.name.length));
  for (const p of exp.params) {
    lines.push(`  ${p.name.padEnd(width)}  ${String(p.quick)} / ${String(p.paper)}  (${describeAllowed(p)})`);
    lines.push(`  ${' '.repeat(width)}  ${p.doc}${p.assumption ? ` [assumed: ${p.assumption}]` : ''}`);
  }
  return lines.join('\n');
}
