// createEngine's options: validation and the GEMM blocking they resolve to.

import { ArgumentError } from './errors.js';
import type { GemmConfig } from './core.js';
import type { EngineOptions, GemmBlocking } from './types.js';
import { describeValue } from './validate.js';
import type { DType } from './matrix.js';
import { checkBoolean, checkOptions } from './options.js';
import { checkThreads } from './threads.js';
import type { Kernels } from './wasm.js';
import { DEFAULT_BLOCKING } from './config.js';

const ENGINE_OPTIONS = ['wasm', 'checkFinite', 'blocking', 'threads', 'grain'] as const;

/** Validates createEngine's options before any work (the wasm source is checked when loading). */
export function checkEngineOptions(options: EngineOptions | undefined): EngineOptions {
  const o = checkOptions('createEngine', options, ENGINE_OPTIONS);
  checkBoolean('createEngine', 'checkFinite', o.checkFinite, true);
  if (o.grain !== undefined && (typeof o.grain !== 'number' || !(o.grain >= 0) || !Number.isFinite(o.grain))) {
    throw new ArgumentError(`createEngine: grain must be a finite number ≥ 0, got ${describeValue(o.grain)}`);
  }
  if (o.threads !== undefined) checkThreads(o.threads, 'createEngine: threads');
  if (o.blocking !== undefined) {
    const blocking = checkOptions('createEngine', o.blocking, ['f64', 'f32'], 'blocking');
    for (const dtype of ['f64', 'f32'] as const) {
      const b = checkOptions('createEngine', blocking[dtype], ['mc', 'nc', 'kc'], `blocking.${dtype}`);
      for (const key of ['mc', 'nc', 'kc'] as const) if (b[key] !== undefined) checkBlock(dtype, key, b[key]);
    }
  }
  return o;
}

function checkBlock(dtype: DType, key: keyof GemmBlocking, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1 << 16) {
    throw new ArgumentError(`createEngine: blocking.${dtype}.${key} must be an integer in [1, 65536], got ${describeValue(v)}`);
  }
}

/** The GEMM blocking per dtype: defaults, overridden by the options, rounded to the register tile. */
export function resolveBlocking(kernels: Kernels, blocking: EngineOptions['blocking']): GemmConfig {
  const tile = (dtype: DType) =>
    dtype === 'f64'
      ? { mr: kernels.GEMM_F64_MR.value as number, nr: kernels.GEMM_F64_NR.value as number }
      : { mr: kernels.GEMM_F32_MR.value as number, nr: kernels.GEMM_F32_NR.value as number };
  const config = (dtype: DType) => {
    const { mr, nr } = tile(dtype);
    const requested: GemmBlocking = { ...DEFAULT_BLOCKING[dtype] };
    for (const key of ['mc', 'nc', 'kc'] as const) {
      const v = blocking?.[dtype]?.[key];
      if (v === undefined) continue;
      checkBlock(dtype, key, v);
      requested[key] = v;
    }
    return {
      mr,
      nr,
      mc: Math.ceil(requested.mc / mr) * mr,
      nc: Math.ceil(requested.nc / nr) * nr,
      kc: requested.kc,
    };
  };
  return { f64: config('f64'), f32: config('f32') };
}
