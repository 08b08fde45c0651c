// Dense linear algebra lives in src/linalg/ (eig, factor, lanczos, svd); this path keeps the
// public types where importers expect them.

export type { EigOptions } from './linalg/common.js';
export type { Eigh, EigSelection, TridiagonalEig } from './linalg/eig.js';
export type { LanczosOptions, LanczosResult } from './linalg/lanczos.js';
export type { SvdTop } from './linalg/svd.js';
