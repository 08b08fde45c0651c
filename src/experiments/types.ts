// The shape of an experiment: a typed parameter schema with quick and paper presets, and a
// run that returns named metrics, plot series and claims (theory vs simulation).

import type { Engine } from '../core/engine.js';

export type ParamValue = number | boolean | string;

export interface ParamSpec {
  /** The paper's name for it (d, n, N, eta, alpha, …): the CLI key. */
  name: string;
  type: 'int' | 'number' | 'boolean' | 'enum';
  doc: string;
  /** Default at the quick preset (seconds) and at the paper preset (the paper's sizes). */
  quick: ParamValue;
  paper: ParamValue;
  min?: number;
  max?: number;
  /** Allowed values of an enum. */
  values?: readonly string[];
  /** Set when the value is a stand-in not fixed by the source: the report lists it as an assumption. */
  assumption?: string;
}

export type Params = Record<string, ParamValue>;
export type Preset = 'quick' | 'paper';

export interface Claim {
  id: string;
  statement: string;
  predicted: number | string;
  measured: number | string;
  tolerance: string;
  pass: boolean;
}

/** Tidy rows (one object per point) for plots and CSV. */
export type SeriesRows = Record<string, number | string>[];

/** A Vega-Lite specification whose data is `{ name: <series name> }`. */
export interface PlotSpec {
  title: string;
  spec: Record<string, unknown>;
}

export interface ExperimentOutput {
  metrics: Record<string, number>;
  series: Record<string, SeriesRows>;
  claims: Claim[];
  plots: PlotSpec[];
}

/** What a run gets; `P` is the typed parameters of a defineExperiment schema (ParamsOf). */
export interface RunContext<P = Params> {
  fl: Engine;
  params: P;
  seed: number;
  /** Progress in [0, 1] with a short label (shown on stderr by the CLI). */
  progress(fraction: number, label: string): void;
}

/**
 * A rule across parameters, checked before any work (CLI, web form, API): returns undefined
 * when the parameters satisfy it, else a message that names the user's parameters, their
 * values and what to change (e.g. "N=300 < d=1000: the spiked-matrix prediction needs N ≥ d;
 * raise N or lower d").
 */
export type Constraint<P = Params> = (p: P) => string | undefined;

export interface Experiment {
  id: string;
  title: string;
  /** Citation of the seed paper. */
  paper: string;
  summary: string;
  params: readonly ParamSpec[];
  /** Cross-parameter rules (single-parameter ranges live on each ParamSpec). */
  constraints?: readonly Constraint[];
  /**
   * Overrides of the quick preset that shrink the experiment to a smoke test of well under a
   * second: the conformance goldens and the CLI tests run at it (TINY_OVERRIDES of
   * featurelab/conformance). defineExperiment requires one.
   */
  smoke?: Readonly<Record<string, ParamValue>>;
  /** A paragraph for the report and the page: what the experiment is and what it tests. */
  about?: string;
  /**
   * Why a claim can fail, by claim id (what the README says of it): shown beside a failed
   * claim in the report and the page. Not part of the result's fingerprint.
   */
  failureNotes?: Readonly<Record<string, string>>;
  run(ctx: RunContext): ExperimentOutput;
}

export interface ExperimentResult {
  id: string;
  title: string;
  paper: string;
  preset: Preset;
  seed: number;
  /** Resolved parameters. */
  params: Params;
  /** Parameters that are assumptions, with why. */
  assumptions: { name: string; value: ParamValue; note: string }[];
  metrics: Record<string, number>;
  series: Record<string, SeriesRows>;
  claims: Claim[];
  plots: PlotSpec[];
  /** SHA-256 over the canonical bytes of id, seed, params, metrics, series and claims. */
  fingerprint: string;
  seconds: number;
  version: string;
}
