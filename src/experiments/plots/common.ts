// Shared pieces of the experiments' figures (Vega-Lite specs): one look for every plot, in
// the HTML reports and the web page alike, and encoding helpers that always carry a human
// axis title (a missing title makes Vega-Lite print the raw field name, "Count of Records",
// or a comma-joined list of the layers' field names).

import type { PlotSpec } from '../types.js';

type Spec = Record<string, unknown>;

/** Legends, headers and titles are never cut short ("k = 3 (c_3 = 0: noise floor)" is one label). */
export const FIGURE_CONFIG: Spec = {
  legend: { labelLimit: 0, titleLimit: 0 },
  axis: { titleLimit: 0 },
  header: { labelLimit: 0, titleLimit: 0 },
  title: { limit: 0 },
};

/** Longest title line: about the width of a plot at the title's font size. */
const TITLE_LINE = 80;

/** Splits a title at spaces into lines of at most TITLE_LINE characters (a long word keeps its own line). */
export function titleLines(title: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(' ')) {
    if (line && line.length + 1 + word.length > TITLE_LINE) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A plot whose spec carries the shared configuration, its title wrapped instead of widening the figure. */
export function figure(title: string, spec: Spec): PlotSpec {
  return { title, spec: { title: { text: titleLines(title) }, ...spec, config: FIGURE_CONFIG } };
}

/** A quantitative channel with its axis or legend title. */
export function quant(field: string, title: string | null, extra: Spec = {}): Spec {
  return { field, type: 'quantitative', title, ...extra };
}

/** A quantitative channel on a log scale. */
export function logQuant(field: string, title: string | null, extra: Spec = {}): Spec {
  return quant(field, title, { scale: { type: 'log' }, ...extra });
}

/** A count (outliers, students, steps of an integer parameter): integer ticks only. */
export function integer(field: string, title: string | null, extra: Spec = {}): Spec {
  return quant(field, title, { axis: { format: 'd', tickMinStep: 1 }, ...extra });
}

/** A categorical channel (colour, facet, ordinal axis) with its title. */
export function nominal(field: string, title: string | null, extra: Spec = {}): Spec {
  return { field, type: 'nominal', title, ...extra };
}

export function ordinal(field: string, title: string | null, extra: Spec = {}): Spec {
  return { field, type: 'ordinal', title, ...extra };
}

/** Dashed dark red: the colour of every theory threshold or reference drawn over a measurement. */
export const THEORY = '#b00020';
