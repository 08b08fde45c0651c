// What a sweep report draws (docs/sweeps.md): a view names the quantity on each axis of one
// plot over a sweep's summary. `featurelab sweep report DIR --x … --y … --color …` builds one
// from the command line; a named figure (src/experiments/figures/) declares its own.

import type { Params, Preset, ParamValue } from './types.js';

/** A value computed from a grid point's parameters, e.g. ψ1 = n/d or log η / log n. */
export interface DerivedField {
  label: string;
  of(params: Params): number;
}

export interface SweepView {
  title: string;
  /**
   * Where the rows come from: 'metrics' (default; one row per grid point, each metric's mean
   * and 95 % t interval over seeds), 'claims' (pass rates with Wilson intervals), or the name
   * of a series kept by the plan (rows averaged over seeds, src/experiments/sweep.ts).
   */
  source?: string;
  /** A swept parameter, a metric, a series coordinate, or a key of `derived`. */
  x: string;
  /** Measured quantities, drawn as mean lines with a 95 % CI band (several: one colour each). */
  y: string[];
  /** A swept parameter or series coordinate: one line per value. */
  color?: string;
  /** Quantities drawn as dashed lines without a band: the experiment's theory beside the measurement. */
  theory?: string[];
  /** 'line' (default) or 'heatmap' (x × color cells coloured by y[0]'s mean; for phase diagrams). */
  kind?: 'line' | 'heatmap';
  scale?: { x?: 'linear' | 'log'; y?: 'linear' | 'log' };
  derived?: Record<string, DerivedField>;
  /** One line under the plot: what to look at. */
  caption?: string;
}

/** The page `sweep report` writes (DIR/report.html): a title, paragraphs of prose, the plots. */
export interface SweepPage {
  title?: string;
  /** Plain-text paragraphs (escaped when rendered): what the paper shows, what we measured. */
  intro?: string[];
  /** Without views the report draws a default set (docs/sweeps.md). */
  views?: SweepView[];
  /** The source under the title (default: the experiment's paper); a figure names its figure. */
  citation?: string;
  /**
   * The claims this page is about (default: all). A figure that shrinks the parts of the
   * experiment it does not draw lists the claims it keeps; the page says the rest are hidden.
   */
  claims?: readonly string[];
}

/** A paper's figure as a named sweep (`featurelab figure <name>`). */
export interface Figure {
  /** e.g. 'ba-fig3c' */
  name: string;
  experiment: string;
  title: string;
  /** Citation and figure number. */
  paper: string;
  /** What the paper's figure shows (prose for the report). */
  paperShows: string;
  presets: Record<Preset, { grid: Record<string, ParamValue[]>; seeds: number; series?: Record<string, string[] | null> }>;
  views: SweepView[];
}
