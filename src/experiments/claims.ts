// Claim helpers: the pass rule and the tolerance text of a claim come from one place, so the
// text always says what the rule checks. Claims are fingerprinted: each helper emits exactly
// the strings and the comparison the experiments wrote by hand before (the goldens hold them).

import type { Claim } from './types.js';

interface Base {
  id: string;
  statement: string;
}

interface Compared extends Base {
  predicted: number;
  measured: number;
}

/** |measured − predicted| ≤ tol, stated as `absolute <tol>` unless `tolerance` says it otherwise ('± 0.3'). */
export function absoluteClaim(c: Compared & { tol: number; tolerance?: string }): Claim {
  return make(c, c.predicted, c.measured, c.tolerance ?? `absolute ${c.tol}`, Math.abs(c.measured - c.predicted) <= c.tol);
}

/** |measured − predicted| ≤ tol·|predicted|, stated as `relative <tol>` unless `tolerance` says it otherwise ('relative 10%'). */
export function relativeClaim(c: Compared & { tol: number; tolerance?: string }): Claim {
  return make(c, c.predicted, c.measured, c.tolerance ?? `relative ${c.tol}`, Math.abs(c.measured - c.predicted) <= c.tol * Math.abs(c.predicted));
}

/** measured === predicted (counts). */
export function exactClaim(c: Compared & { tolerance?: string }): Claim {
  return make(c, c.predicted, c.measured, c.tolerance ?? 'exact', c.measured === c.predicted);
}

interface Bounded extends Base {
  measured: number;
  bound: number;
  tolerance: string;
  /** What the claim predicts, as shown; default `< bound` or `≥ bound` with 4 significant digits. */
  predicted?: number | string;
}

/** measured < bound. */
export function belowClaim(c: Bounded): Claim {
  return make(c, c.predicted ?? `< ${c.bound.toPrecision(4)}`, c.measured, c.tolerance, c.measured < c.bound);
}

/** measured ≤ bound. */
export function atMostClaim(c: Bounded): Claim {
  return make(c, c.predicted ?? `≤ ${c.bound.toPrecision(4)}`, c.measured, c.tolerance, c.measured <= c.bound);
}

/** measured ≥ bound. */
export function atLeastClaim(c: Bounded): Claim {
  return make(c, c.predicted ?? `≥ ${c.bound.toPrecision(4)}`, c.measured, c.tolerance, c.measured >= c.bound);
}

/** The fields in the order every claim has always had them (the JSON output shows it). */
function make(c: Base, predicted: number | string, measured: number | string, tolerance: string, pass: boolean): Claim {
  return { id: c.id, statement: c.statement, predicted, measured, tolerance, pass };
}
