// What the experiment form says, without the DOM: each field parsed as the CLI parses it,
// whether it differs from the preset, and the experiment's cross-parameter rules. experiment-form.ts
// draws this; test/web/web-form.test.ts checks it with a stub experiment.

import { constraintViolations, parseValue } from '../experiments/params.js';
import type { Experiment, ParamValue, Params, Preset } from '../experiments/types.js';

export interface FieldCheck {
  name: string;
  /** As typed (trimmed). */
  raw: string;
  /** The parsed value, or undefined when the field is invalid. */
  value?: ParamValue;
  /** Why the field is invalid (the CLI's message without the experiment id). */
  error?: string;
  /** The preset's value, shown beside a field that differs from it. */
  preset: ParamValue;
  /** Invalid, or parsed to something other than the preset's value. */
  differs: boolean;
}

export interface FormCheck {
  fields: FieldCheck[];
  /** Broken cross-parameter rules; checked only once every field is valid. */
  violations: string[];
  /** Every field valid and no rule broken: the form may run. */
  runnable: boolean;
  /** Fields that differ from the preset, in schema order, as typed (for the URL and the run). */
  overrides: [string, string][];
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function checkForm(exp: Experiment, preset: Preset, raw: ReadonlyMap<string, string>): FormCheck {
  const fields: FieldCheck[] = [];
  const params: Params = {};
  for (const spec of exp.params) {
    const text = (raw.get(spec.name) ?? String(spec[preset])).trim();
    const field: FieldCheck = { name: spec.name, raw: text, preset: spec[preset], differs: true };
    try {
      field.value = parseValue(spec, text, exp.id);
      field.differs = field.value !== spec[preset];
      params[spec.name] = field.value;
    } catch (error) {
      field.error = messageOf(error).replace(`${exp.id}: `, '');
    }
    fields.push(field);
  }
  const allValid = fields.every((f) => f.error === undefined);
  let violations: string[] = [];
  if (allValid) {
    try {
      violations = constraintViolations(exp, params);
    } catch (error) {
      // a rule that throws is still a reason not to run, and says why
      violations = [messageOf(error)];
    }
  }
  return {
    fields,
    violations,
    runnable: allValid && violations.length === 0,
    overrides: fields.filter((f) => f.differs).map((f) => [f.name, f.raw]),
  };
}
