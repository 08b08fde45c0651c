// Renders an experiment's Vega-Lite plots in the page (SVG, with hover), over the result's
// series, each with SVG and PNG download buttons. Loaded on demand: Vega is most of the
// page's weight and only needed once a result arrives.

import * as vega from 'vega';
import { compile } from 'vega-lite';
import { plotSpec } from '../experiments/report-html.js';
import type { PlotSpec, SeriesRows } from '../experiments/types.js';
import { downloadBlob, downloadUrl } from './download.js';

const views = new WeakMap<HTMLElement, vega.View>();

/** A file-name-safe slug of a plot title: "Top singular values of W2…" → "top-singular-values-of-w2". */
export function slug(title: string, maxLength = 40): string {
  const s = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, maxLength).replace(/-+$/, '') || 'figure';
}

function downloadButtons(view: vega.View, fileStem: string): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'plot-downloads';
  const button = (format: 'svg' | 'png', title: string, save: () => Promise<void>) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `download-${format}`;
    b.textContent = format.toUpperCase();
    b.title = title;
    b.addEventListener('click', () => {
      save().catch((error: unknown) => {
        b.textContent = `${format.toUpperCase()} failed`;
        b.title = error instanceof Error ? error.message : String(error);
      });
    });
    return b;
  };
  bar.append(
    'Download ',
    button('svg', 'Save this figure as SVG (vector: for papers and slides)', async () => {
      downloadBlob(`${fileStem}.svg`, new Blob([await view.toSVG()], { type: 'image/svg+xml' }));
    }),
    ' ',
    button('png', 'Save this figure as PNG (2× resolution)', async () => {
      downloadUrl(`${fileStem}.png`, await view.toImageURL('png', 2));
    }),
  );
  return bar;
}

/**
 * Replaces the contents of `container` with one figure per plot; resolves when all are drawn.
 * `fileBase` names the downloads: `<fileBase>-fig<i>-<title slug>.svg|png`.
 */
export async function renderPlots(container: HTMLElement, plots: readonly PlotSpec[], series: Record<string, SeriesRows>, fileBase: string): Promise<void> {
  for (const child of Array.from(container.children)) views.get(child as HTMLElement)?.finalize();
  container.replaceChildren();
  for (const [index, plot] of plots.entries()) {
    const figure = document.createElement('figure');
    figure.className = 'plot';
    const canvas = document.createElement('div');
    figure.append(canvas);
    container.append(figure);
    try {
      // The same spec defaults as the HTML reports (src/report-html.ts), so both look alike.
      const view = new vega.View(vega.parse(compile(plotSpec(plot) as never).spec), { renderer: 'svg', container: canvas, hover: true });
      views.set(figure, view);
      for (const [name, rows] of Object.entries(series)) {
        try {
          view.data(name, rows);
        } catch {
          // datasets a plot does not use are not declared in its spec
        }
      }
      await view.runAsync();
      figure.append(downloadButtons(view, `${fileBase}-fig${index + 1}-${slug(plot.title)}`));
    } catch (error) {
      figure.textContent = `plot "${plot.title}" could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
      figure.classList.add('error');
    }
  }
}
