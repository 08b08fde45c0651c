// Resolving and validating experiment parameters: presets, key=value overrides, and
// messages that name the key and what is allowed.

import { ArgumentError } from '../errors.js';
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
  for (const [key, value] of Object.entries(overrides)) {
    const spec = exp.params.find((p) => p.name === key);
    if (!spec) {
      throw new ArgumentError(`${exp.id}: unknown parameter '${key}'; parameters are ${exp.params.map((p) => p.name).join(', ')} (featurelab run ${exp.id} --help)`);
    }
    if (typeof value === 'string' && spec.type !== 'enum') out[key] = parseValue(spec, value, exp.id);
    else if (spec.type === 'enum') out[key] = parseValue(spec, String(value), exp.id);
    else if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw new ArgumentError(`${exp.id}: ${key} must be true or false, got ${String(value)}`);
      out[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || (spec.type === 'int' && !Number.isInteger(value))) {
        throw new ArgumentError(`${exp.id}: ${key} must be ${describeAllowed(spec)}, got ${String(value)}`);
      }
      out[key] = checkRange(spec, value, exp.id);
    }
  }
  checkConstraints(exp, out);
  return out;
}

/** `featurelab run <id> --help`: every parameter with its defaults and meaning. */
export function helpText(exp: Experiment): string {
  const lines = [`${exp.id} — ${exp.title}`, `  ${exp.paper}`, `  Model, formulas, assumptions and sources: docs/science.md#${exp.id} (shipped in the package)`, '', `  ${exp.summary}`, '', 'Parameters (key=value; defaults quick / paper):'];
  const width = Math.max(...exp.params.map((p) => p.name.length));
  for (const p of exp.params) {
    lines.push(`  ${p.name.padEnd(width)}  ${String(p.quick)} / ${String(p.paper)}  (${describeAllowed(p)})`);
    lines.push(`  ${' '.repeat(width)}  ${p.doc}${p.assumption ? ` [assumed: ${p.assumption}]` : ''}`);
  }
  return lines.join('\n');
}
