// Renders an experiment's Vega-Lite plots in the page (SVG, with hover), over the result's
// series. Loaded on demand: Vega is most of the page's weight and only needed once a
// result arrives.

import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { PlotSpec, SeriesRows } from '../experiments/types.js';

const views = new WeakMap<HTMLElement, vega.View>();

/** Replaces the contents of `container` with one figure per plot; resolves when all are drawn. */
export async function renderPlots(container: HTMLElement, plots: readonly PlotSpec[], series: Record<string, SeriesRows>): Promise<void> {
  for (const child of Array.from(container.children)) views.get(child as HTMLElement)?.finalize();
  container.replaceChildren();
  for (const plot of plots) {
    const figure = document.createElement('figure');
    figure.className = 'plot';
    container.append(figure);
    try {
      // The same spec defaults as the HTML reports (src/report.ts), so both look alike.
      const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 520, height: 260, title: plot.title, ...plot.spec };
      const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'svg', container: figure, hover: true });
      views.set(figure, view);
      for (const [name, rows] of Object.entries(series)) {
        try {
          view.data(name, rows);
        } catch {
          // datasets a plot does not use are not declared in its spec
        }
      }
      await view.runAsync();
    } catch (error) {
      figure.textContent = `plot "${plot.title}" could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
      figure.classList.add('error');
    }
  }
}
