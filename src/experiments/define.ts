// Typed experiment definitions. A schema built from int/num/bool/oneOf gives the run, the
// constraints and the smoke preset their parameter types (ctx.params.d: number,
// ctx.params.activation: 'tanh' | 'erf' | …), with no casts in the experiments.
// defineExperiment erases it to the runtime Experiment, whose ParamSpec[] (in schema order)
// the CLI, the web form and resolveParams read unchanged.

import type { Experiment, ExperimentOutput, ParamSpec, ParamValue, Params, RunContext } from './types.js';

/** One parameter's spec without its name (the schema key is the name), typed by its value. */
export interface Spec<T extends ParamValue> {
  readonly type: ParamSpec['type'];
  readonly doc: string;
  readonly quick: T;
  readonly paper: T;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly assumption?: string;
}

/** Parameter name → spec; the key order is the order of the CLI help and the web form. */
export type Schema = { readonly [name: string]: Spec<ParamValue> };

/** The parameters a run receives for a schema: `{ d: number; activation: 'tanh' | 'erf'; … }`. */
export type ParamsOf<S extends Schema> = { readonly [K in keyof S]: S[K]['quick'] };

interface Common {
  /** What it is, in the words of the CLI help. */
  doc: string;
  /** Set when the value is a stand-in not fixed by the source: the report lists it as an assumption. */
  assumption?: string;
}

interface Numeric extends Common {
  quick: number;
  paper: number;
  min: number;
  max: number;
}

/** `assumption` only when given, so a spec has exactly the keys of a hand-written ParamSpec. */
function withAssumption<S extends object>(spec: S, assumption: string | undefined): S {
  return assumption === undefined ? spec : { ...spec, assumption };
}

/** An integer in [min, max]. */
export function int({ doc, quick, paper, min, max, assumption }: Numeric): Spec<number> {
  return withAssumption({ type: 'int', doc, quick, paper, min, max }, assumption);
}

/** A finite number in [min, max]. */
export function num({ doc, quick, paper, min, max, assumption }: Numeric): Spec<number> {
  return withAssumption({ type: 'number', doc, quick, paper, min, max }, assumption);
}

export function bool({ doc, quick, paper, assumption }: Common & { quick: boolean; paper: boolean }): Spec<boolean> {
  return withAssumption({ type: 'boolean', doc, quick, paper }, assumption);
}

/** One of `values` (pass a literal array, or a constant `as const`, to type the value as their union). */
export function oneOf<const V extends readonly string[]>(
  values: V,
  { doc, quick, paper, assumption }: Common & { quick: V[number]; paper: V[number] },
): Spec<V[number]> {
  return withAssumption({ type: 'enum' as const, doc, quick, paper, values }, assumption);
}

/** An experiment written against its schema: every function sees typed parameters. */
export interface ExperimentDefinition<S extends Schema> extends Omit<Experiment, 'params' | 'constraints' | 'smoke' | 'run'> {
  params: S;
  /** Overrides of the quick preset for a smoke test well under a second (see Experiment.smoke). */
  smoke: { readonly [K in keyof S]?: S[K]['quick'] };
  constraints?: readonly ((p: ParamsOf<S>) => string | undefined)[];
  run(ctx: RunContext<ParamsOf<S>>): ExperimentOutput;
}

/** Type-only marker that carries an experiment's parameter type to runExperiment, validateGrid and gridPoints. */
declare const PARAMS: unique symbol;

/** A registered Experiment that remembers the type of its parameters (never set at run time). */
export interface TypedExperiment<P> extends Experiment {
  readonly [PARAMS]?: P;
}

/** The parameter type of an experiment: `ParamsOfExperiment<typeof baOneStep>['activation']`. */
export type ParamsOfExperiment<E> = E extends TypedExperiment<infer P> ? (unknown extends P ? Params : P) : Params;

export function defineExperiment<S extends Schema>(definition: ExperimentDefinition<S>): TypedExperiment<ParamsOf<S>> {
  const { params, smoke, constraints, run, ...about } = definition;
  // Every caller goes through resolveParams (or the web form's parseValue per field), which
  // checks each value against its spec: the runtime Params are ParamsOf<S>.
  const typed = (p: Params) => p as ParamsOf<S>;
  return {
    ...about,
    params: Object.entries(params).map(([name, spec]) => ({ name, ...spec })),
    smoke: Object.fromEntries(Object.entries(smoke).filter((entry): entry is [string, ParamValue] => entry[1] !== undefined)),
    ...(constraints && { constraints: constraints.map((rule) => (p: Params) => rule(typed(p))) }),
    run: (ctx) => run({ ...ctx, params: typed(ctx.params) }),
  };
}
