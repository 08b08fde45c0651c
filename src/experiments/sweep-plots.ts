// The plots of a sweep report (docs/sweeps.md, "The report page"): a SweepView over a sweep's
// summary becomes tidy rows and a Vega-Lite spec. Pure, and free of vega: the CLI checks a
// view (an unknown field is an ArgumentError) before it writes anything, and the page can
// draw the same plots; src/experiments/sweep-html.ts renders them.

import { ArgumentError } from '../core/errors.js';
import type { KeptRow, SweepGroup, SweepPlan, SweepSummary } from './sweep.js';
import type { SweepPage, SweepView } from './sweep-view.js';
import type { Params, PlotSpec, SeriesRows } from './types.js';

/** The name of the dataset every sweep plot's spec reads (`data: { name: SWEEP_DATA }`). */
export const SWEEP_DATA = 'sweep';
/** At most this many default plots: a page of readable plots, the rest listed by name. */
export const MAX_DEFAULT_PLOTS = 12;
/** The default claims plot draws lines (with Wilson bands) up to this many, else a claims × grid points heatmap. */
export const MAX_CLAIM_LINES = 6;

const T_BAND = 'band: 95 % Student-t interval of the mean over seeds';
const WILSON_BAND = 'band: 95 % Wilson score interval of the pass rate';
const MEASURE_SUFFIXES = ['_mean', '_sd', '_lo', '_hi', '_n'];

export interface SweepPlot {
  view: SweepView;
  /** Vega-Lite; its data is `{ name: SWEEP_DATA }`. */
  plot: PlotSpec;
  /** The tidy rows the spec draws (also what a reader could tabulate). */
  rows: SeriesRows;
}

/** Where a view's rows come from, and which names each axis may take. */
interface Fields {
  params: string[];
  swept: string[];
  metrics: string[];
  claims: string[];
  derived: string[];
  series?: { name: string; coords: string[]; measures: string[] };
}

/** A place to read values at: a grid point, and for a series source one of its averaged rows. */
interface At {
  group: SweepGroup;
  row?: KeptRow;
}

interface Measure {
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Grid keys with at least two values: the parameters a sweep varies. */
export function sweptParams(plan: Pick<SweepPlan, 'grid'>): string[] {
  return Object.entries(plan.grid)
    .filter(([, vs]) => unique(vs).length >= 2)
    .map(([k]) => k);
}

/** A kept series' columns: measurements are the c with a `c_mean` column, coordinates the rest. */
function seriesColumns(summary: SweepSummary, name: string): { coords: string[]; measures: string[] } {
  const columns = unique(summary.groups.flatMap((g) => (g.series?.[name] ?? []).flatMap((r) => Object.keys(r))));
  const measures = columns.filter((c) => c.endsWith('_mean')).map((c) => c.slice(0, -'_mean'.length));
  const taken = new Set(measures.flatMap((m) => MEASURE_SUFFIXES.map((s) => m + s)));
  return { coords: columns.filter((c) => !taken.has(c)), measures };
}

function fieldsOf(plan: SweepPlan, summary: SweepSummary, view: SweepView): Fields {
  const swept = sweptParams(plan);
  const all = unique(summary.groups.flatMap((g) => Object.keys(g.params)));
  const source = view.source ?? 'metrics';
  const fields: Fields = {
    params: [...swept, ...all.filter((p) => !swept.includes(p))],
    swept,
    metrics: unique(summary.groups.flatMap((g) => Object.keys(g.metrics))),
    claims: unique(summary.groups.flatMap((g) => Object.keys(g.claims))),
    derived: Object.keys(view.derived ?? {}),
  };
  if (source !== 'metrics' && source !== 'claims') {
    const kept = Object.keys(plan.series ?? {});
    if (!kept.includes(source)) {
      throw new ArgumentError(
        `sweep report: view '${view.title}': source '${source}' is not metrics, claims or a series kept by the plan (${kept.length ? `kept: ${kept.join(', ')}` : 'the plan keeps no series; plan with --series NAME'})`,
      );
    }
    fields.series = { name: source, ...seriesColumns(summary, source) };
  }
  return fields;
}

type Role = 'x' | 'color' | 'y' | 'theory';

function unknownField(view: SweepView, f: Fields, role: Role, name: string): ArgumentError {
  const list = (what: string, xs: string[]) => (xs.length ? [`${what}: ${xs.join(', ')}`] : []);
  const fixed = f.params.filter((p) => !f.swept.includes(p));
  const available = [
    ...list('swept parameters', f.swept),
    ...list('other parameters', fixed),
    ...list('derived', f.derived),
    ...(role === 'x' || role === 'theory' || (view.source ?? 'metrics') === 'metrics' ? list('metrics', f.metrics) : []),
    ...(view.source === 'claims' && role === 'y' ? list('claims', f.claims) : []),
    ...(f.series ? list(`series ${f.series.name} coordinates`, f.series.coords) : []),
    ...(f.series && role !== 'color' ? list(`series ${f.series.name} measurements`, f.series.measures) : []),
  ];
  return new ArgumentError(`sweep report: view '${view.title}': ${role} field '${name}' is not a field of this sweep; available: ${available.join('; ')}`);
}

function derivedValue(view: SweepView, name: string, params: Params): number {
  const v = view.derived![name]!.of(params);
  if (!isNum(v))
    throw new ArgumentError(
      `sweep report: view '${view.title}': derived field '${name}' is ${String(v)} at ${JSON.stringify(params)}; it must be a finite number`,
    );
  return v;
}

/** An x or colour value: a parameter, a derived field, a metric's mean, or a series coordinate. */
function valueGetter(view: SweepView, f: Fields, role: 'x' | 'color', name: string): (at: At) => number | string | null {
  if (f.derived.includes(name)) return (at) => derivedValue(view, name, at.group.params);
  if (f.series?.coords.includes(name)) return (at) => at.row?.[name] ?? null;
  if (f.params.includes(name)) {
    return (at) => {
      const v = at.group.params[name];
      return v === undefined ? null : typeof v === 'boolean' ? String(v) : v;
    };
  }
  if (role === 'x' && f.metrics.includes(name)) return (at) => at.group.metrics[name]?.mean ?? null;
  throw unknownField(view, f, role, name);
}

/** A measured quantity (y) or a theory: its mean and, for measurements, the band. */
function measureGetter(view: SweepView, f: Fields, role: 'y' | 'theory', name: string): (at: At) => Measure | null {
  const source = view.source ?? 'metrics';
  if (f.derived.includes(name)) return (at) => ({ mean: derivedValue(view, name, at.group.params), lo: null, hi: null, n: at.group.seeds });
  if (source === 'claims' && f.claims.includes(name)) {
    return (at) => {
      const c = at.group.claims[name];
      return c ? { mean: c.rate, lo: c.wilsonLo, hi: c.wilsonHi, n: c.n } : null;
    };
  }
  if (f.series?.measures.includes(name)) {
    const num = (r: KeptRow | undefined, k: string) => (isNum(r?.[k]) ? (r![k] as number) : null);
    return (at) => ({ mean: num(at.row, `${name}_mean`), lo: num(at.row, `${name}_lo`), hi: num(at.row, `${name}_hi`), n: num(at.row, `${name}_n`) ?? 0 });
  }
  if (f.metrics.includes(name) && (source === 'metrics' || role === 'theory')) {
    return (at) => {
      const m = at.group.metrics[name];
      return m ? { mean: m.mean, lo: m.ciLo, hi: m.ciHi, n: m.n } : null;
    };
  }
  throw unknownField(view, f, role, name);
}

function placesOf(summary: SweepSummary, f: Fields): At[] {
  if (!f.series) return summary.groups.map((group) => ({ group }));
  const name = f.series.name;
  return summary.groups.flatMap((group) => (group.series?.[name] ?? []).map((row) => ({ group, row })));
}

/** A number short enough for a legend or a cell: 3 significant digits. */
export function shortNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(3)));
}

const show = (v: unknown): string => (typeof v === 'number' ? shortNumber(v) : String(v));

/**
 * The parameters (then series coordinates) that split lines beyond the colour: added one at a
 * time, in order, while some line would still hold two points at one x. A third swept
 * parameter thus gets its own lines instead of a zigzag; x = n/d with n swept splits nothing.
 */
function splitKeys(
  places: At[],
  x: (at: At) => unknown,
  color: ((at: At) => unknown) | undefined,
  candidates: string[],
  value: (k: string, at: At) => unknown,
): string[] {
  const chosen: string[] = [];
  const clashes = () => {
    const seen = new Set<string>();
    for (const at of places) {
      const k = JSON.stringify([x(at), color?.(at) ?? null, ...chosen.map((c) => value(c, at) ?? null)]);
      if (seen.has(k)) return true;
      seen.add(k);
    }
    return false;
  };
  for (const c of candidates) {
    if (!clashes()) break;
    chosen.push(c);
  }
  return chosen;
}

function checkView(view: SweepView): void {
  const kind = view.kind ?? 'line';
  if (kind !== 'line' && kind !== 'heatmap') throw new ArgumentError(`sweep report: view '${view.title}': kind must be line or heatmap, got '${String(kind)}'`);
  if (typeof view.x !== 'string' || view.x === '') throw new ArgumentError(`sweep report: view '${view.title}': x must name a field`);
  if (!Array.isArray(view.y)) throw new ArgumentError(`sweep report: view '${view.title}': y must be a list of fields`);
  for (const [axis, s] of Object.entries(view.scale ?? {})) {
    if (s !== 'linear' && s !== 'log') throw new ArgumentError(`sweep report: view '${view.title}': scale.${axis} must be linear or log, got '${String(s)}'`);
  }
}

/** The view's y fields: for claims an empty list means every claim. */
function yFields(view: SweepView, f: Fields): string[] {
  if (view.y.length) return view.y;
  if ((view.source ?? 'metrics') === 'claims') return f.claims;
  throw new ArgumentError(
    `sweep report: view '${view.title}': y needs at least one field; ${f.series ? `measurements of ${f.series.name}: ${f.series.measures.join(', ')}` : `metrics: ${f.metrics.join(', ')}`}`,
  );
}

/** Builds one plot: tidy rows and its Vega-Lite spec. Unknown fields are ArgumentErrors that list the available ones. */
export function sweepPlot(plan: SweepPlan, summary: SweepSummary, view: SweepView): SweepPlot {
  checkView(view);
  const f = fieldsOf(plan, summary, view);
  const x = valueGetter(view, f, 'x', view.x);
  const color = view.color === undefined ? undefined : valueGetter(view, f, 'color', view.color);
  const ys = yFields(view, f).map((name) => ({ name, get: measureGetter(view, f, 'y', name) }));
  const theories = (view.theory ?? []).map((name) => ({ name, get: measureGetter(view, f, 'theory', name) }));
  const places = placesOf(summary, f);
  return (view.kind ?? 'line') === 'heatmap' ? heatmap(view, f, places, x, color, ys, theories) : lines(view, f, places, x, color, ys, theories);
}

type Getter = { name: string; get: (at: At) => Measure | null };

function lines(
  view: SweepView,
  f: Fields,
  places: At[],
  x: (at: At) => number | string | null,
  color: ((at: At) => number | string | null) | undefined,
  ys: Getter[],
  theories: Getter[],
): SweepPlot {
  const logX = view.scale?.x === 'log';
  const logY = view.scale?.y === 'log';
  const numericX = places.every((at) => x(at) === null || typeof x(at) === 'number');
  if (logX && !numericX) throw new ArgumentError(`sweep report: view '${view.title}': a log x scale needs a numeric x, and '${view.x}' holds text`);
  const used = new Set([view.x, view.color]);
  const candidates = [...f.swept, ...(f.series?.coords ?? [])].filter((k) => !used.has(k));
  const value = (k: string, at: At) => (f.series?.coords.includes(k) ? at.row?.[k] : at.group.params[k]);
  const extras = splitKeys(places, x, color, candidates, value);
  const rows: SeriesRows = [];
  const lineOf = (quantity: string | null, at: At) =>
    [quantity, ...(view.color !== undefined ? [`${view.color}=${show(color!(at))}`] : []), ...extras.map((k) => `${k}=${show(value(k, at))}`)]
      .filter((s) => s !== null)
      .join(', ');
  // one y with a colour: the line is named by its colour value and its theory shares that colour
  const named = ys.length > 1 || (view.color === undefined && extras.length === 0);
  const push = (kind: 'measured' | 'theory', q: Getter, at: At, line: string) => {
    const xv = x(at);
    const m = q.get(at);
    if (xv === null || !m || !isNum(m.mean)) return;
    if ((logX && !((xv as number) > 0)) || (logY && !(m.mean > 0))) return; // nothing to draw on a log axis
    const row: SeriesRows[number] = { x: xv, line, quantity: q.name, kind, mean: m.mean, n: m.n };
    if (kind === 'measured' && isNum(m.lo) && isNum(m.hi) && !(logY && m.lo <= 0)) Object.assign(row, { lo: m.lo, hi: m.hi });
    rows.push(row);
  };
  for (const q of ys) for (const at of places) push('measured', q, at, lineOf(named ? q.name : null, at));
  for (const q of theories) for (const at of places) push('theory', q, at, lineOf(named || ys.length !== 1 ? q.name : null, at));
  const isClaims = (view.source ?? 'metrics') === 'claims';
  const yTitle = isClaims ? 'pass rate' : ys.map((q) => q.name).join(', ');
  const scale = (log: boolean, zero: boolean) => (log ? { type: 'log' } : { zero });
  const xEnc = { field: 'x', type: numericX ? 'quantitative' : 'ordinal', title: view.x, ...(numericX ? { scale: scale(logX, false) } : {}) };
  const yScale = isClaims ? { domain: [0, 1] } : scale(logY, false);
  const legend = [...(named ? ['quantity'] : []), ...(view.color !== undefined ? [view.color] : []), ...extras].join(', ');
  const colorEnc = { field: 'line', type: 'nominal', title: legend, scale: { domain: unique(rows.map((r) => r.line as string)) }, legend: { labelLimit: 320 } };
  const measured = "datum.kind === 'measured'";
  const layer: Record<string, unknown>[] = [
    {
      transform: [{ filter: `${measured} && isValid(datum.lo) && isValid(datum.hi)` }],
      mark: { type: 'errorband', opacity: 0.2 },
      encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: yScale }, y2: { field: 'hi' }, color: colorEnc },
    },
    {
      transform: [{ filter: measured }],
      mark: { type: 'line', point: true },
      encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale }, color: colorEnc },
    },
  ];
  if (theories.length) {
    layer.push({
      transform: [{ filter: "datum.kind === 'theory'" }],
      mark: { type: 'line', strokeDash: [6, 4] },
      encoding: {
        x: xEnc,
        y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale },
        color: colorEnc,
        detail: { field: 'quantity', type: 'nominal' },
      },
    });
  }
  const subtitle = [isClaims ? WILSON_BAND : T_BAND, ...(theories.length ? [`dashed: ${theories.map((t) => t.name).join(', ')} (theory)`] : [])];
  return {
    view,
    plot: { title: view.title, spec: { title: { text: view.title, subtitle }, data: { name: SWEEP_DATA }, layer } },
    rows,
  };
}

function heatmap(
  view: SweepView,
  f: Fields,
  places: At[],
  x: (at: At) => number | string | null,
  color: ((at: At) => number | string | null) | undefined,
  ys: Getter[],
  theories: Getter[],
): SweepPlot {
  if (!color && (view.source ?? 'metrics') === 'claims') return claimsGrid(view, f, places, x, ys);
  if (!color) throw new ArgumentError(`sweep report: view '${view.title}': a heatmap needs a color field (its vertical axis)`);
  const [y] = ys;
  if (!y) throw new ArgumentError(`sweep report: view '${view.title}': a heatmap needs a y field (its cells' colour)`);
  const theory = theories[0];
  const rows: SeriesRows = [];
  const cells = new Set<string>();
  for (const at of places) {
    const xv = x(at);
    const cv = color(at);
    const m = y.get(at);
    if (xv === null || cv === null) continue;
    const cell = JSON.stringify([xv, cv]);
    if (cells.has(cell)) {
      const varying = f.swept.filter((k) => k !== view.x && k !== view.color);
      throw new ArgumentError(
        `sweep report: view '${view.title}': two grid points fall in the cell ${view.x}=${show(xv)}, ${view.color}=${show(cv)}${varying.length ? ` (the sweep also varies ${varying.join(', ')})` : ''}; a heatmap needs one point per cell`,
      );
    }
    cells.add(cell);
    if (!m || !isNum(m.mean)) continue;
    const t = theory?.get(at)?.mean;
    rows.push({ x: xv, c: cv, mean: m.mean, n: m.n, label: isNum(t) ? `${shortNumber(m.mean)} (${shortNumber(t)})` : shortNumber(m.mean) });
  }
  const means = rows.map((r) => r.mean as number);
  const mid = means.length ? (Math.min(...means) + Math.max(...means)) / 2 : 0;
  const xEnc = { field: 'x', type: 'ordinal', title: view.x, sort: 'ascending' };
  const yEnc = { field: 'c', type: 'ordinal', title: view.color, sort: 'descending' };
  const subtitle = [`cell: mean of ${y.name} over seeds${theory ? `, in brackets ${theory.name} (theory)` : ''}`];
  return {
    view,
    plot: {
      title: view.title,
      spec: {
        title: { text: view.title, subtitle },
        data: { name: SWEEP_DATA },
        layer: [
          { mark: 'rect', encoding: { x: xEnc, y: yEnc, color: { field: 'mean', type: 'quantitative', title: y.name, scale: { scheme: 'blues' } } } },
          {
            mark: { type: 'text', fontSize: 11 },
            encoding: { x: xEnc, y: yEnc, text: { field: 'label' }, color: { condition: { test: `datum.mean > ${mid}`, value: 'white' }, value: 'black' } },
          },
        ],
      },
    },
    rows,
  };
}

/**
 * Claims × grid points, each cell a claim's passes of its seeds coloured by the pass rate:
 * the heatmap of source 'claims' without a color field. Columns follow the plan's order,
 * labelled by x and by every other parameter that varies.
 */
function claimsGrid(view: SweepView, f: Fields, places: At[], x: (at: At) => number | string | null, ys: Getter[]): SweepPlot {
  const extras = splitKeys(
    places,
    x,
    undefined,
    f.swept.filter((k) => k !== view.x),
    (k, at) => at.group.params[k],
  );
  const rows: SeriesRows = [];
  for (const at of places) {
    const xv = x(at);
    if (xv === null) continue;
    const column = [show(xv), ...extras.map((k) => `${k}=${show(at.group.params[k])}`)].join(', ');
    for (const { name } of ys) {
      const c = at.group.claims[name];
      if (c && c.n > 0) rows.push({ x: column, c: name, mean: c.rate, n: c.n, label: `${c.passes}/${c.n}` });
    }
  }
  const xEnc = { field: 'x', type: 'ordinal', title: [view.x, ...extras].join(', '), sort: unique(rows.map((r) => r.x)), axis: { labelAngle: -40 } };
  const yEnc = { field: 'c', type: 'ordinal', title: 'claim', sort: ys.map((q) => q.name) };
  return {
    view,
    plot: {
      title: view.title,
      spec: {
        title: { text: view.title, subtitle: ['cell: seeds where the claim passes, of all seeds; colour: pass rate (the tables give Wilson intervals)'] },
        data: { name: SWEEP_DATA },
        layer: [
          {
            mark: 'rect',
            encoding: {
              x: xEnc,
              y: yEnc,
              color: { field: 'mean', type: 'quantitative', title: 'pass rate', scale: { domain: [0, 1], scheme: 'redyellowgreen' } },
            },
          },
          { mark: { type: 'text', fontSize: 11 }, encoding: { x: xEnc, y: yEnc, text: { field: 'label' } } },
        ],
      },
    },
    rows,
  };
}

/** The theory beside a measured quantity, by the naming convention: `<m>Predicted`, else `predicted<M>`. */
export function theoryPartner(name: string, names: readonly string[]): string | undefined {
  const candidates = [`${name}Predicted`, `predicted${name.charAt(0).toUpperCase()}${name.slice(1)}`];
  return candidates.find((c) => names.includes(c));
}

/**
 * The plots drawn when a page names none: the claims' pass rates, each kept series'
 * measurements against its first numeric coordinate (one line per value of the first swept
 * parameter), then each metric against the first numeric swept parameter (colour: the next
 * swept parameter), its theory dashed beside it. Metrics that are a theory of another, and
 * metrics equal at every grid point, get no plot of their own. At most MAX_DEFAULT_PLOTS;
 * `omitted` names the rest.
 */
export function defaultViews(plan: SweepPlan, summary: SweepSummary): { views: SweepView[]; omitted: string[] } {
  const swept = sweptParams(plan);
  const xParam = swept.find((k) => plan.grid[k]!.every((v) => typeof v === 'number'));
  const colorParam = swept.find((k) => k !== xParam);
  const views: SweepView[] = [];
  const omitted: string[] = [];
  const constant: string[] = [];
  const empty: string[] = [];
  const claims = unique(summary.groups.flatMap((g) => Object.keys(g.claims)));
  if (xParam && claims.length) {
    // a few lines with their Wilson bands read well; more read better as a grid of cells
    const combos = unique(summary.groups.map((g) => JSON.stringify(swept.filter((k) => k !== xParam).map((k) => g.params[k])))).length;
    const kind = claims.length * combos <= MAX_CLAIM_LINES ? 'line' : 'heatmap';
    views.push({
      title: `Claims: pass rate vs ${xParam}`,
      source: 'claims',
      x: xParam,
      y: claims,
      kind,
      caption: 'Each claim’s pass rate over seeds at each grid point.',
    });
  }
  for (const name of Object.keys(plan.series ?? {})) {
    const rows = summary.groups.flatMap((g) => g.series?.[name] ?? []);
    const { coords, measures } = seriesColumns(summary, name);
    const xCoord = coords.find((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
    if (!xCoord) {
      if (measures.length) omitted.push(`series ${name} (no numeric coordinate)`);
      continue;
    }
    const own = measures.filter((m) => !measures.some((other) => theoryPartner(other, measures) === m));
    for (const m of own) {
      const partner = theoryPartner(m, measures);
      views.push({
        title: `${name}: ${m} vs ${xCoord}`,
        source: name,
        x: xCoord,
        y: [m],
        ...(partner ? { theory: [partner] } : {}),
        ...(swept[0] ? { color: swept[0] } : {}),
      });
    }
  }
  if (xParam) {
    const metrics = unique(summary.groups.flatMap((g) => Object.keys(g.metrics)));
    const theories = new Set(metrics.map((m) => theoryPartner(m, metrics)).filter((t) => t !== undefined));
    for (const m of metrics) {
      if (theories.has(m)) continue;
      const means = summary.groups.map((g) => g.metrics[m]?.mean ?? null);
      if (means.every((v) => v === null)) {
        empty.push(m);
        continue;
      }
      if (means.every((v) => v === means[0])) {
        constant.push(m);
        continue;
      }
      const partner = theoryPartner(m, metrics);
      views.push({ title: `${m} vs ${xParam}`, x: xParam, y: [m], ...(partner ? { theory: [partner] } : {}), ...(colorParam ? { color: colorParam } : {}) });
    }
  }
  const beyond = views.slice(MAX_DEFAULT_PLOTS).map((v) => (v.source && v.source !== 'metrics' ? `${v.source}: ${v.y.join(', ')}` : v.y.join(', ')));
  if (beyond.length) omitted.push(`${beyond.join(', ')} (past the first ${MAX_DEFAULT_PLOTS} plots)`);
  if (constant.length) omitted.push(`${constant.join(', ')} (the same at every grid point)`);
  if (empty.length) omitted.push(`${empty.join(', ')} (no finite value)`);
  return { views: views.slice(0, MAX_DEFAULT_PLOTS), omitted };
}

/** Every plot of a page: its views, or the default set. Throws on the first bad view, before anything is drawn. */
export function pagePlots(plan: SweepPlan, summary: SweepSummary, page: SweepPage = {}): { plots: SweepPlot[]; omitted: string[] } {
  const { views, omitted } = page.views ? { views: page.views, omitted: [] } : defaultViews(plan, summary);
  return { plots: views.map((v) => sweepPlot(plan, summary, v)), omitted };
}

/** The options of `sweep report` (--x, --y, --color, --source, --kind) as one view; x defaults as in the default plots. */
export function viewFromOptions(
  plan: SweepPlan,
  summary: SweepSummary,
  o: { x?: string; y?: string; color?: string; source?: string; kind?: string },
): SweepView {
  const source = o.source ?? 'metrics';
  const y = (o.y ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let x = o.x;
  if (x === undefined) {
    const probe = { title: '--x', source, x: '', y };
    const f = fieldsOf(plan, summary, probe);
    const rows = summary.groups.flatMap((g) => (f.series ? (g.series?.[f.series.name] ?? []) : []));
    x = f.series
      ? f.series.coords.find((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'))
      : f.swept.find((k) => plan.grid[k]!.every((v) => typeof v === 'number'));
    if (x === undefined)
      throw new ArgumentError(`sweep report: give --x (no numeric ${f.series ? `coordinate of series ${f.series.name}` : 'swept parameter'} to default to)`);
  }
  const kind = o.kind ?? 'line';
  if (kind !== 'line' && kind !== 'heatmap') throw new ArgumentError(`sweep report: --kind must be line or heatmap, got '${kind}'`);
  const title = `${source === 'claims' && y.length === 0 ? 'claims' : y.join(', ')} vs ${x}${o.color ? ` by ${o.color}` : ''}`;
  return { title, ...(o.source ? { source } : {}), x, y, ...(o.color ? { color: o.color } : {}), kind };
}
