// The page's state in the URL fragment, so a link reproduces a run:
//
//   #<experiment id>?preset=quick|paper&seed=S&<param>=<value>…[&run=1]
//   #bench?suite=quick|full[&run=1]
//
// Only parameters that differ from the preset appear; `run=1` makes the page run on load.
// The fragment (not the query string) keeps the page a plain static file: any server,
// any sub-path, no reload when it changes.

export const BENCH_VIEW = 'bench';
/** Keys of the fragment that are not experiment parameters. */
export const RESERVED_KEYS: readonly string[] = ['preset', 'seed', 'run', 'suite'];

export interface ExperimentState {
  view: 'experiment';
  /** Experiment id; '' when the fragment names none (the page picks the first). */
  id: string;
  preset: string;
  /** As written in the URL; validated by the page. */
  seed: string;
  /** Parameter overrides in URL order, raw strings as for `featurelab run id key=value`. */
  overrides: [string, string][];
  run: boolean;
}

export interface BenchState {
  view: 'bench';
  suite: string;
  run: boolean;
}

export type PageState = ExperimentState | BenchState;

const isTrue = (v: string | null): boolean => v !== null && v !== '0' && v !== 'false';

/** Parses `location.hash` (with or without the leading '#'). Never throws: the page validates. */
export function parseHash(hash: string): PageState {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = body.indexOf('?');
  let head = q < 0 ? body : body.slice(0, q);
  try {
    head = decodeURIComponent(head);
  } catch {
    // keep the raw text: the page reports it as an unknown experiment
  }
  const query = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  if (head === BENCH_VIEW) return { view: 'bench', suite: query.get('suite') ?? 'full', run: isTrue(query.get('run')) };
  const overrides: [string, string][] = [];
  for (const [key, value] of query) if (!RESERVED_KEYS.includes(key)) overrides.push([key, value]);
  return { view: 'experiment', id: head, preset: query.get('preset') ?? 'quick', seed: query.get('seed') ?? '0', overrides, run: isTrue(query.get('run')) };
}

/** The fragment for a state (with the leading '#'). */
export function formatHash(state: PageState): string {
  const query = new URLSearchParams();
  if (state.view === 'bench') {
    query.set('suite', state.suite);
    if (state.run) query.set('run', '1');
    return `#${BENCH_VIEW}?${query}`;
  }
  query.set('preset', state.preset);
  query.set('seed', state.seed);
  for (const [key, value] of state.overrides) query.append(key, value);
  if (state.run) query.set('run', '1');
  return `#${encodeURIComponent(state.id)}?${query}`;
}
