// Scopes: matrices created inside scope() are disposed when it returns, except those returned.

import { ArgumentError } from './errors.js';
import type { EngineCore } from './core.js';
import { Matrix } from './matrix.js';
import { describeValue } from './validate.js';

/**
 * Runs `fn` and disposes every matrix created inside it, except those it returns (a
 * matrix, or matrices inside returned arrays and plain objects), which move to the
 * enclosing scope. `fn` must be synchronous.
 */
export function scope<T>(core: EngineCore, fn: () => T): T {
  core.checkAlive();
  if (typeof fn !== 'function') throw new ArgumentError(`scope: fn must be a function, got ${describeValue(fn)}`);
  const created = new Set<Matrix>();
  core.scopes.push(created);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    core.scopes.pop();
    for (const m of created) m.dispose();
    throw error;
  }
  core.scopes.pop();
  if (result instanceof Promise) {
    for (const m of created) m.dispose();
    throw new ArgumentError('scope: the callback returned a Promise; scope() only supports synchronous callbacks');
  }
  const kept = new Set<Matrix>();
  collectMatrices(result, kept);
  const parent = core.scopes[core.scopes.length - 1];
  for (const m of created) {
    if (kept.has(m)) parent?.add(m);
    else m.dispose();
  }
  return result;
}

/** Removes a matrix from every enclosing scope, so that no scope() disposes it. */
export function keep<T extends Matrix>(core: EngineCore, m: T): T {
  core.checkMatrix(m, 'keep');
  for (const s of core.scopes) s.delete(m);
  return m;
}

function collectMatrices(value: unknown, into: Set<Matrix>, seen = new Set<unknown>()): void {
  if (value instanceof Matrix) {
    into.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const v of value) collectMatrices(v, into, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectMatrices(v, into, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectMatrices(v, into, seen);
  }
}
