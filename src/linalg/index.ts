// Dense linear algebra lives in src/linalg/ (eig, factor, lanczos, svd); this path keeps the
// public types where importers expect them.

export type { EigOptions } from './common.js';
export type { Eigh, EigSelection, TridiagonalEig } from './eig.js';
export type { LanczosOptions, LanczosResult } from './lanczos.js';
export type { SvdTop } from './svd.js';
