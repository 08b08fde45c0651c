// Names of the elementwise maps, and their codes in assembly/math/activations.ts.

import { WASM_CONSTANTS } from './abi-constants.js';
import { ArgumentError } from './errors.js';
import { checkOptions, describeArg } from './options.js';

export const ACTIVATION_NAMES = ['identity', 'relu', 'abs', 'tanh', 'erf', 'softplus', 'sigmoid', 'square'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** An elementwise map: a name, or the probabilists' Hermite polynomial He_k. */
export type Activation = ActivationName | { hermite: number };

// The codes are the module's ACT_* globals (assembly/math/activations.ts).
const CODES = Object.fromEntries(ACTIVATION_NAMES.map((name) => [name, WASM_CONSTANTS[`ACT_${name.toUpperCase() as Uppercase<ActivationName>}`]])) as Record<
  ActivationName,
  number
>;
const HERMITE_CODE: number = WASM_CONSTANTS.ACT_HERMITE;

/** Whether a map code is a polynomial (Hermite, square): its values may overflow to ±∞ for finite input. */
export function isPolynomialCode(code: number): boolean {
  return code === HERMITE_CODE || code === WASM_CONSTANTS.ACT_SQUARE;
}
/** He_k for k beyond this overflows f64 already at moderate |x|; larger k is refused. */
export const MAX_HERMITE_DEGREE = 64;

/** The kernel code and parameter of an activation, or a clear error naming `fn`. */
export function activationCode(activation: Activation, fn = 'map'): { code: number; param: number } {
  if (typeof activation === 'string') {
    const code = Object.hasOwn(CODES, activation) ? CODES[activation as ActivationName] : undefined;
    if (code === undefined) {
      throw new ArgumentError(`${fn}: unknown activation '${activation}': expected one of ${ACTIVATION_NAMES.join(', ')} or { hermite: k }`);
    }
    return { code, param: 0 };
  }
  if (activation && typeof activation === 'object' && !Array.isArray(activation) && 'hermite' in activation) {
    checkOptions(fn, activation, ['hermite'], 'activation');
    const k = activation.hermite;
    if (!Number.isInteger(k) || k < 0 || k > MAX_HERMITE_DEGREE) {
      throw new ArgumentError(`${fn}: Hermite degree must be an integer in [0, ${MAX_HERMITE_DEGREE}], got ${describeArg(k)}`);
    }
    return { code: HERMITE_CODE, param: k };
  }
  throw new ArgumentError(`${fn}: activation must be a name or { hermite: k }, got ${describeArg(activation)}`);
}

export function activationLabel(activation: Activation): string {
  return typeof activation === 'string' ? activation : `He_${activation.hermite}`;
}
