// The sweep panel's plot (Vega-Lite, SVG): a metric's mean over seeds against the swept
// parameter, with its 95 % Student-t interval as a band (an error bar when the parameter is
// not numeric), as summarize() computes them. The view is kept and its data replaced as rows
// arrive. Loaded on demand, like plots.ts: Vega is most of the page's weight.

import * as vega from 'vega';
import { compile } from 'vega-lite';

export interface SweepPlotPoint {
  x: number | string;
  /** Seeds summarised at this point so far. */
  n: number;
  mean: number;
  ciLo: number | null;
  ciHi: number | null;
}

export interface SweepPlot {
  update(points: readonly SweepPlotPoint[]): Promise<void>;
  toSvg(): Promise<string>;
  finalize(): void;
}

function spec(param: string, metric: string, numeric: boolean): object {
  const x = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: param, scale: numeric ? { zero: false } : undefined };
  const withCi = { filter: 'isValid(datum.ciLo) && isValid(datum.ciHi)' };
  const tooltip = [
    { field: 'x', title: param },
    { field: 'n', title: 'seeds' },
    { field: 'mean', title: 'mean', format: '.6g' },
    { field: 'ciLo', title: '95 % CI low', format: '.6g' },
    { field: 'ciHi', title: '95 % CI high', format: '.6g' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${metric} against ${param}`, subtitle: 'mean over seeds, 95 % Student-t interval of the mean' },
    width: 520,
    height: 300,
    // lay out again on every update: the axis labels change with the data
    autosize: { type: 'pad', resize: true },
    data: { name: 'points' },
    encoding: { x },
    layer: [
      numeric
        ? {
            transform: [withCi],
            mark: { type: 'area', opacity: 0.25 },
            encoding: { y: { field: 'ciLo', type: 'quantitative', title: metric }, y2: { field: 'ciHi' } },
          }
        : { transform: [withCi], mark: { type: 'rule' }, encoding: { y: { field: 'ciLo', type: 'quantitative', title: metric }, y2: { field: 'ciHi' } } },
      {
        mark: { type: 'line', point: true },
        encoding: { y: { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } }, tooltip },
      },
    ],
  };
}

/** Draws an empty plot into `container` (replacing what is there); update() fills it. */
export async function createSweepPlot(container: HTMLElement, param: string, metric: string, numeric: boolean): Promise<SweepPlot> {
  container.replaceChildren();
  const view = new vega.View(vega.parse(compile(spec(param, metric, numeric) as never).spec), { renderer: 'svg', container, hover: true });
  await view.runAsync();
  return {
    async update(points) {
      view.data(
        'points',
        points.map((p) => ({ ...p })),
      );
      await view.runAsync();
    },
    toSvg: () => view.toSVG(),
    finalize: () => view.finalize(),
  };
}
