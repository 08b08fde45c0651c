// Deterministic scalar math for theory formulas: every transcendental goes through the wasm
// module (AssemblyScript's own Math), because JavaScript's Math.exp/log/pow/sin/… may round
// differently in different engines. (+, −, ×, ÷ and √ are correctly rounded in JS already.)

import type { Kernels } from './wasm.js';

export class DetMath {
  constructor(private readonly k: Kernels) {}
  exp(x: number): number {
    return this.k.math_exp(x);
  }
  expm1(x: number): number {
    return this.k.math_expm1(x);
  }
  log(x: number): number {
    return this.k.math_log(x);
  }
  log1p(x: number): number {
    return this.k.math_log1p(x);
  }
  pow(x: number, y: number): number {
    return this.k.math_pow(x, y);
  }
  sin(x: number): number {
    return this.k.math_sin(x);
  }
  cos(x: number): number {
    return this.k.math_cos(x);
  }
  tanh(x: number): number {
    return this.k.math_tanh(x);
  }
  sinh(x: number): number {
    return this.k.math_sinh(x);
  }
  cosh(x: number): number {
    return this.k.math_cosh(x);
  }
  atan2(y: number, x: number): number {
    return this.k.math_atan2(y, x);
  }
  acos(x: number): number {
    return this.k.math_acos(x);
  }
  erf(x: number): number {
    return this.k.math_erf(x);
  }
}
