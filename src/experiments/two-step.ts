// two-step — Moniri & Hassani (2026): two gradient steps on the first layer in linear width;
// the second step adds ⌊α2/(½ − α1)⌋ outliers, and reusing the first batch lets the second
// step learn directions of information exponent > 1. docs/science.md §3.

import type { Engine } from '../core/engine.js';
import type { Matrix } from '../core/matrix.js';
import * as network from '../ops/network.js';
import { gaussianInputs, randomUnitVector } from '../net/data.js';
import { applyFunction, columnStack } from '../net/functions.js';
import { alignments } from '../net/measure.js';
import { createNetwork, powerStep } from '../net/model.js';
import {
  coefficientVanishes,
  countNonvanishing,
  dTransformThreshold,
  gaussHermite,
  hermiteCoefficients,
  predictedTwoStepOutliers,
  type Quadrature,
} from '../net/theory.js';
import type { Claim, SeriesRows } from './types.js';
import { bool, defineExperiment, int, num, oneOf, type ParamsOf } from './define.js';
import { atLeastClaim, belowClaim, relativeClaim } from './claims.js';
import { twoStepPlots } from './plots/two-step.js';

/** Left singular vectors of W2 whose span is compared with β*. */
const TOP_VECTORS = 3;
/** Singular triplets of W2 computed for the count (at most TOP_COUNT − 1 outliers can be told from the bulk). */
const TOP_COUNT = 5;
/** Left factors u_0 … u_{TERMS−1} of the terms step 2 adds (projected out for W2's own bulk edge). */
const TERMS = 4;
/** An outlier belongs to step 1's spike when its left vector has at least this much of its norm² in span(b, u_0). */
const STEP1_SHARE = 0.5;
/** A cell is marginal (drawn, not judged) when a term's predicted strength is within this relative band of the threshold: the tolerance of the strength claim. */
const MARGINAL_BAND = 0.1;
/** Perturbative window of the expansion (docs/science.md §3): η_i/√N ≲ 0.6. */
const WINDOW = 0.6;
/** Reuse must raise ‖P_top3 β*‖² by this factor over fresh batches for ie2tanh. */
const REUSE_GAIN = 10;
/**
 * Below the paper size, fresh batches already carry some β* for an IE-2 target through step 1's
 * second-order term (∝ η1/√N): seed 0 gave ‖P_top3 β*‖² = 0.037 fresh at N = 600 vs 0.008 at
 * N = 2000. There the reuse claim asks only for this factor.
 */
const REUSE_GAIN_SMALL = 2;
/** The main cell's count is claimed only this far from the line α1 + α2 = ½ (boundary cells are drawn, not claimed). */
const BOUNDARY_DISTANCE = 0.05;
/** The size at which c = 2.5 was calibrated and the cells of the count claims were measured (docs/science.md §3). */
const PAPER_SIZE = 2000;

/** The (α1, α2) grid of the phase diagram, and the cells whose added count is claimed (docs/science.md §3). */
const GRID1 = [0.1, 0.15, 0.2, 0.25, 0.3];
const GRID2 = [0.2, 0.25, 0.3];
const NONE_CELLS: [number, number][] = [
  [0.1, 0.2],
  [0.2, 0.2],
  [0.15, 0.25],
];
const ONE_CELLS: [number, number][] = [
  [0.25, 0.3],
  [0.3, 0.25],
  [0.3, 0.3],
];

/** RNG streams (inputs use stream, their label noise stream + 1; the network stream and stream + 1). */
const STREAM = { beta: 0, batch1: 2, batch2: 4, network: 10 } as const;

const params = {
  d: int({ doc: 'input dimension', quick: 600, paper: 2000, min: 2, max: 20000 }),
  n: int({ doc: 'samples per batch', quick: 600, paper: 2000, min: 2, max: 20000 }),
  N: int({ doc: 'hidden width', quick: 600, paper: 2000, min: 2, max: 20000 }),
  alpha1: num({ doc: 'first step exponent α1 of the main cell (η1 = c·N^α1)', quick: 0.25, paper: 0.25, min: 0, max: 0.499 }),
  alpha2: num({ doc: 'second step exponent α2 of the main cell (η2 = c·N^α2)', quick: 0.3, paper: 0.3, min: 0, max: 0.499 }),
  c: num({
    doc: 'step-size constant of η_i = c·N^α_i',
    quick: 2.5,
    paper: 2.5,
    min: 1e-9,
    max: 1e6,
    assumption:
      'the paper fixes only the exponents; c = 2.5 puts the finite-N threshold of the first added outlier on the asymptotic line α1 + α2 = ½ at N = 2000 (with c = 1 nothing is added at these sizes), with the √N update scaling of docs/science.md §1',
  }),
  activation: oneOf(['relu', 'softplus', 'tanh', 'erf', 'sigmoid'], {
    doc: 'student activation σ: the k-th added outlier comes from σ^{(k+1)}, so it needs c_{k+1}(σ) ≠ 0 (tanh has c2 = 0: no first added outlier)',
    quick: 'relu',
    paper: 'relu',
    assumption: 'the abstract names no activation; relu has c2 ≠ 0',
  }),
  noise: num({ doc: 'label noise σ_ε', quick: 0.1, paper: 0.1, min: 0, max: 100 }),
  margin: num({
    doc: "relative margin above W2's own bulk edge for an outlier",
    quick: 0.05,
    paper: 0.05,
    min: 0,
    max: 10,
    assumption: "gap criterion: an outlier exceeds the top singular value of W2's bulk (W2 with the left directions b, u_0 … u_3 projected out) by 5 %",
  }),
  phase: bool({
    doc: 'also map the (α1, α2) grid α1 ∈ {0.1, 0.15, 0.2, 0.25, 0.3} × α2 ∈ {0.2, 0.25, 0.3} (the per-cell count claims need it)',
    quick: true,
    paper: true,
  }),
};
type Params = ParamsOf<typeof params>;

type Link = 'tanh' | 'ie2tanh' | 'he2';
const LINK_LABEL: Record<Link, string> = { tanh: 'tanh (IE 1)', ie2tanh: 'ie2tanh (IE 2, GE 1)', he2: 'He_2/√2 (IE 2, GE 2)' };

/** ie2tanh: y = (tanh(2(z + 1)) − A·tanh(z) − mean)/sd with A chosen so that c1 = 0. */
export interface Ie2Tanh {
  A: number;
  mean: number;
  sd: number;
}

/**
 * The constants of ie2tanh (docs/science.md §3: a bounded target of information exponent 2 and
 * generative exponent 1), by Gauss–Hermite quadrature: A = E[z·tanh(2(z+1))]/E[z·tanh z], then
 * centred and scaled to unit variance. tanh is the engine's (bit-identical everywhere).
 */
export function ie2tanhConstants(fl: Engine, quad: Quadrature): Ie2Tanh {
  const { nodes, weights } = quad;
  const t2 = Array.from(nodes, (z) => fl.math.tanh(2 * (z + 1)));
  const t1 = Array.from(nodes, (z) => fl.math.tanh(z));
  let zt2 = 0,
    zt1 = 0;
  nodes.forEach((z, i) => {
    zt2 += weights[i]! * z * t2[i]!;
    zt1 += weights[i]! * z * t1[i]!;
  });
  const A = zt2 / zt1;
  let m1 = 0,
    m2 = 0;
  nodes.forEach((_, i) => {
    const g = t2[i]! - A * t1[i]!;
    m1 += weights[i]! * g;
    m2 += weights[i]! * g * g;
  });
  return { A, mean: m1, sd: Math.sqrt(m2 - m1 * m1) };
}

/** ie2tanh(z) elementwise in wasm. */
function ie2tanhValues(fl: Engine, z: Matrix, k: Ie2Tanh): Matrix {
  return fl.scope(() => {
    const shifted = fl.axpy(2, fl.full(z.rows, 1, 1), fl.scale(z, 2)); // 2(z + 1)
    const g = fl.axpy(-k.A, fl.map(z, 'tanh'), fl.map(shifted, 'tanh'));
    return fl.scale(fl.axpy(-k.mean, fl.full(z.rows, 1, 1), g), 1 / k.sd);
  });
}

/** Labels y = σ*(X·β*) + noise·ε, ε from `noiseStream` (as sampleBatch draws them). */
function labels(fl: Engine, link: Link, X: Matrix, beta: Matrix, ie2: Ie2Tanh, noise: number, seed: number, noiseStream: number): Matrix {
  return fl.scope(() => {
    const z = fl.gemv(X, beta);
    const clean = link === 'tanh' ? fl.map(z, 'tanh') : link === 'he2' ? applyFunction(fl, { hermiteNormalized: 2 }, z) : ie2tanhValues(fl, z, ie2);
    return noise > 0 ? fl.axpy(noise, fl.randn(X.rows, 1, { seed, stream: noiseStream }), clean) : clean;
  });
}

interface Cell {
  alpha1: number;
  alpha2: number;
}

/** What one (target, batch, cell) run measured; the count fields only for counted runs. */
interface CellResult extends Cell {
  alignment: number;
  count?: CountResult;
}

interface CountResult {
  added: number;
  total: number;
  /** W2's own bulk edge: the top singular value of (I − QQᵀ)W2, Q a basis of [b, u_0 … u_3]. */
  edge: number;
  /** Top singular values of W2. */
  top: number[];
  /** ‖P_{span(b, u_0)} v_i‖² of the top left vectors. */
  step1Share: number[];
  /** T_1 along û_1 ⊗ â^{∘2}: measured, leading order, and with the next orders of the expansion. */
  strength1: number;
  strength1Leading: number;
  strength1Predicted: number;
  /** Leading-order strengths θ_k of T_k, k = 1 … TERMS − 1 (θ_1 with the next orders). */
  theta: number[];
}

/** The per-seed draws every run shares: inputs, W0 and the forward pass at W0. */
interface Shared {
  X1: Matrix;
  X2: Matrix;
  beta: Matrix;
  W0: Matrix;
  a: Matrix;
  Z1: Matrix;
  Z2: Matrix;
  f0: Matrix;
}

/**
 * Two steps W1 = W0 + η1·G0, W2 = W1 + η2·G1 with G = (1/n)·Xᵀ[σ′(XW) ⊙ (y − f)·aᵀ] — the
 * update of oneStep (η·√N times the gradient of (1/2n)‖y − f‖² at s = 1/√N) — for one target
 * and second batch over a set of cells. G0 does not depend on α, and G1 only on α1, so one
 * gradient serves every α2: X2·W1 = X2·W0 + η1·(X2·G0).
 */
function runTarget(
  fl: Engine,
  p: Params,
  seed: number,
  sh: Shared,
  link: Link,
  reuse: boolean,
  cells: Cell[],
  counted: boolean,
  coefficients: Float64Array,
  ie2: Ie2Tanh,
  onCell: () => void,
): CellResult[] {
  const { n, N, noise, activation } = p;
  const scaleOut = 1 / Math.sqrt(N);
  return fl.scope(() => {
    const y1 = labels(fl, link, sh.X1, sh.beta, ie2, noise, seed, STREAM.batch1 + 1);
    const y2 = reuse ? y1 : labels(fl, link, sh.X2, sh.beta, ie2, noise, seed, STREAM.batch2 + 1);
    const X2 = reuse ? sh.X1 : sh.X2;
    const Z2 = reuse ? sh.Z1 : sh.Z2;
    const r1 = fl.axpy(-1, sh.f0, fl.copy(y1));
    const b = fl.gemv(sh.X1, r1, { trans: true, alpha: 1 / n }); // left factor of W1 − W0
    const G0 = gradientStep(fl, activation, sh.X1, sh.Z1, r1, sh.a, n);
    const P = fl.matmul(X2, G0); // X2·(W1 − W0)/η1
    const z2 = fl.gemv(X2, b);
    const results: CellResult[] = [];
    for (const alpha1 of [...new Set(cells.map((c) => c.alpha1))]) {
      results.push(
        ...fl.scope(() => {
          const eta1 = powerStep(fl, p.c, N, alpha1);
          const Zb = fl.axpy(eta1, P, fl.copy(Z2)); // X2·W1
          const f1 = fl.gemv(applyFunction(fl, activation, Zb), sh.a, { alpha: scaleOut });
          const r2 = fl.axpy(-1, f1, fl.copy(y2));
          const G1 = gradientStep(fl, activation, X2, Zb, r2, sh.a, n);
          const W1 = fl.axpy(eta1, G0, fl.copy(sh.W0));
          // u_k = X2ᵀ[(y2 − f1) ⊙ (X2·b)^{∘k}]/n and a^{∘(k+1)}, k = 0 … TERMS − 1
          const u: Matrix[] = [];
          const aPow: Matrix[] = [];
          for (let k = 0, weighted = r2, ak = sh.a; k < TERMS; k++, weighted = fl.hadamard(weighted, z2), ak = fl.hadamard(ak, sh.a)) {
            u.push(fl.gemv(X2, weighted, { trans: true, alpha: 1 / n }));
            aPow.push(ak);
          }
          const out: CellResult[] = [];
          for (const cell of cells.filter((c) => c.alpha1 === alpha1)) {
            out.push(
              fl.scope(() => {
                const eta2 = powerStep(fl, p.c, N, cell.alpha2);
                const W2 = fl.axpy(eta2, G1, fl.copy(W1));
                const top = fl.svdTop(W2, counted ? TOP_COUNT : TOP_VECTORS, lanczos(W2));
                const align = alignments(fl, top.U, sh.beta);
                let alignment = 0;
                for (let i = 0; i < TOP_VECTORS; i++) alignment += align[i]!;
                const result: CellResult = { ...cell, alignment };
                if (counted) result.count = countOutliers(fl, p, W2, G1, top, b, u, aPow, eta1, eta2, coefficients);
                onCell();
                return result;
              }),
            );
          }
          return out;
        }),
      );
    }
    return results;
  });
}

/** Lanczos settings for the top of a d×N matrix: the outliers converge fast, the bulk edge slowly. */
const lanczos = (M: Matrix) => ({ tol: 1e-6, maxIterations: Math.min(400, M.rows, M.cols) });

/** (1/n)·Xᵀ[σ′(Z) ⊙ r·aᵀ], Z = X·W, r = y − f: the step direction G (W ← W + η·G is oneStep's update). */
export function gradientStep(fl: Engine, activation: Params['activation'], X: Matrix, Z: Matrix, r: Matrix, a: Matrix, n: number): Matrix {
  return fl.scope(() => {
    const M = applyFunction(fl, activation, Z, true);
    network.scaleRowsCols(fl.core, 'two-step', M, r, a, M);
    return fl.matmul(X, M, { transA: true, alpha: 1 / n });
  });
}

/**
 * Outliers of W2 against its own bulk edge, split into step 1's (left vector mostly in
 * span(b, u_0)) and those step 2 added; the k = 1 term's strength, measured and predicted.
 */
function countOutliers(
  fl: Engine,
  p: Params,
  W2: Matrix,
  G1: Matrix,
  top: { values: Float64Array; U: Matrix },
  b: Matrix,
  u: Matrix[],
  aPow: Matrix[],
  eta1: number,
  eta2: number,
  coefficients: Float64Array,
): CountResult {
  const stackAll = columnStack(fl, [b, ...u]);
  const stack1 = columnStack(fl, [b, u[0]!]);
  try {
    const Q = fl.qr(stackAll).Q;
    const Q1 = fl.qr(stack1).Q;
    // bulk edge of W2 itself: its top singular value with the spike directions projected out
    const bulk = fl.axpy(-1, fl.matmul(Q, fl.matmul(Q, W2, { transA: true })), fl.copy(W2));
    const edge = fl.svdTop(bulk, 1, lanczos(bulk)).values[0]!;
    const threshold = edge * (1 + p.margin);
    const proj = fl.matmul(Q1, top.U, { transA: true }); // 2×k
    const step1Share = Array.from({ length: top.U.cols }, (_, i) => {
      const c0 = proj.get(0, i),
        c1 = proj.get(1, i);
      return c0 * c0 + c1 * c1;
    });
    let total = 0,
      added = 0;
    top.values.forEach((s, i) => {
      if (s > threshold) {
        total++;
        if (step1Share[i]! < STEP1_SHARE) added++;
      }
    });
    // T_1 along the unit directions û_1 ⊗ â^{∘2}: measured on η2·G1 = W2 − W1, predicted by the
    // expansion Σ_m T_m, T_m = η2·(m+1)·c_{m+1}·(η1·c1)^m·u_m·(a^{∘(m+1)})ᵀ, each projected on
    // the same directions (m = 1 is the leading order, m ≠ 1 the next orders)
    const c1 = coefficients[1]!;
    const uHat = fl.scale(u[1]!, 1 / fl.norm(u[1]!));
    const aHat = fl.scale(aPow[1]!, 1 / fl.norm(aPow[1]!));
    const termAlong = (m: number) => eta2 * (m + 1) * coefficients[m + 1]! * fl.math.pow(eta1 * c1, m) * fl.dot(uHat, u[m]!) * fl.dot(aHat, aPow[m]!);
    const strength1 = eta2 * fl.dot(uHat, fl.gemv(G1, aHat));
    const strength1Leading = termAlong(1);
    let strength1Predicted = 0;
    for (let m = 0; m < TERMS; m++) strength1Predicted += termAlong(m);
    const theta = [];
    for (let k = 1; k < TERMS; k++) theta.push(k === 1 ? Math.abs(strength1Predicted) : Math.abs(termAlongOwn(fl, k, u, aPow, eta1, eta2, coefficients)));
    return {
      added,
      total,
      edge,
      top: Array.from(top.values),
      step1Share,
      strength1,
      strength1Leading,
      strength1Predicted,
      theta,
    };
  } finally {
    stackAll.dispose();
    stack1.dispose();
  }
}

/** Leading-order strength of T_k along its own unit directions: η2·(k+1)·c_{k+1}·(η1·c1)^k·‖u_k‖·‖a^{∘(k+1)}‖. */
function termAlongOwn(fl: Engine, k: number, u: Matrix[], aPow: Matrix[], eta1: number, eta2: number, coefficients: Float64Array): number {
  return eta2 * (k + 1) * coefficients[k + 1]! * fl.math.pow(eta1 * coefficients[1]!, k) * fl.norm(u[k]!) * fl.norm(aPow[k]!);
}

/** Added outliers predicted at finite N: terms k ≥ 1 with c_{k+1} ≠ 0 whose strength clears the BBP threshold; marginal if one is within the band. */
function finitePrediction(theta: number[], thetaC: number, coefficients: Float64Array): { count: number; marginal: boolean; thetaC: number } {
  let count = 0,
    marginal = false;
  theta.forEach((t, i) => {
    const k = i + 1;
    if (coefficientVanishes(coefficients, k + 1)) return;
    if (t > thetaC) count++;
    if (Math.abs(t / thetaC - 1) < MARGINAL_BAND) marginal = true;
  });
  return { count, marginal, thetaC };
}

const sameCell = (c: Cell, [x, y]: [number, number]) => Math.abs(c.alpha1 - x) < 1e-9 && Math.abs(c.alpha2 - y) < 1e-9;

export const twoStep = defineExperiment({
  id: 'two-step',
  title: 'Two gradient steps: step 2 adds ⌊α2/(½ − α1)⌋ outliers; a reused batch learns an IE-2 direction',
  paper: 'Moniri & Hassani, "Feature Learning in Linear-Width Two-Layer Networks: Two vs. One Step of Gradient Descent", 2026',
  summary:
    "Two steps on W with η1 = c·N^α1, η2 = c·N^α2 in linear width: counts the outliers step 2 adds to W2 (against W2's own bulk edge, left vectors away from step 1's spike) against ⌊α2/(½ − α1)⌋ and against a finite-N prediction from the strengths of the terms T_k step 2 adds, over an (α1, α2) grid; compares fresh and reused second batches for tanh (IE 1), ie2tanh (IE 2, generative exponent 1) and He_2/√2 (generative exponent 2, the control).",
  about:
    "Two full-batch gradient steps on the first layer of a two-layer network whose sizes n, d and N grow in proportion, with steps η1 = c·N^α1 and η2 = c·N^α2. The first step leaves a spike along b = Xᵀ(y − f0)/n; the second adds rank-one terms T_k, the k-th built from (X2·b)^{∘k} and a^{∘(k+1)}, of size growing like N^{α2 + kα1 − k/2} against a bulk of order one. T_0 shares its right vector a with step 1's spike and merges with it, so the outliers the second step adds are k = 1 … ⌊α2/(½ − α1)⌋: Moniri & Hassani's count read as the number of outliers added (our reading). The experiment counts them against W2's own bulk edge, compares them cell by cell with the paper's count and with a finite-N prediction (the strength of T_1, with the next orders of the expansion, against the BBP threshold of the bulk), and shows the paper's second result: reusing the first batch lets the second step find β* for a bounded target of information exponent 2 whose square has a linear part (ie2tanh), not for He_2/√2, and it hurts for tanh, which fresh batches already learn.",
  failureNotes: {
    'added-one-above':
      'Fails on 4 of 10 seeds at N = 2000 (paper preset): the cell (0.30, 0.25) sits on the finite-N threshold at this size and c = 2.5 — T_1 ≈ 1.43 against a BBP threshold ≈ 1.39 (seed 0), 3 % above it, inside the 10 % band where the finite-N prediction marks a cell marginal — so whether its outlier clears the bulk edge + 5 % varies between seeds. (0.25, 0.30) and (0.30, 0.30) are well above it (T_1/threshold ≈ 1.2 and 1.4); on seed 4, a failing seed, T_1 = 1.36 against 1.40 at (0.30, 0.25), and no outlier. The paper count is asymptotic; the 3-seed numpy study that named the cell could not see a 60 % rate. The finite-prediction claim, which leaves such cells unjudged, holds on every seed.',
    'finite-prediction':
      'Cells within 10 % of the threshold are not judged; a mismatch elsewhere means the strength or the bulk threshold is off (e.g. outside the perturbative window η_i/√N ≲ 0.6).',
    'term-strength-1': 'The neglected orders (m ≥ 4 of the expansion and the fluctuation of σ^{(m)}(XW0) around its mean) grow with the step sizes.',
    'reuse-learns-ie2':
      'With reuse the self-term of (X1·b) gives u_1 a part along E[z·y²]·β*; at small d/n or small steps it is weaker than the noise of the top-3 span.',
    'fresh-beats-reuse-ie1': 'Reuse adds the self-term noise to an IE-1 direction that fresh batches already learn.',
    'reuse-no-help-he2':
      'He_2/√2 has generative exponent 2: no power of y has a linear part, so no term points at β*; a failure would mean alignment by chance or by the unbounded labels.',
  },
  params,
  smoke: { d: 60, n: 60, N: 60, phase: false },
  constraints: [
    (p) => {
      // peak wasm memory: W0, W1, W2, G0, G1, the projected W2 (d×N), the batches (n×d), four n×N
      // matrices (X·W0 twice, X2·G0, σ′); 2× for workspace, 8 bytes each
      const { d, n, N } = p;
      const gib = (16 * (6 * N * d + 2 * n * d + 5 * n * N)) / 2 ** 30;
      return gib > 4 ? `d=${d}, n=${n}, N=${N} need about ${gib.toFixed(1)} GiB of memory, more than the 4 GiB of a wasm32 engine; lower d, N or n` : undefined;
    },
    (p) =>
      Math.min(p.d, p.N) < TOP_COUNT
        ? `d=${p.d}, N=${p.N}: the count reads the top ${TOP_COUNT} singular values of W2 (d×N); raise d and N to ≥ ${TOP_COUNT}`
        : undefined,
  ],
  run(ctx) {
    const { fl, params: p, seed } = ctx;
    const { d, n, N } = p;
    const quad = gaussHermite(fl, 150);
    const coefficients = hermiteCoefficients(fl, quad, p.activation, 12);
    const ie2 = ie2tanhConstants(fl, quad);
    // the paper's count, restricted to the terms k with c_{k+1}(σ) ≠ 0
    const predictedAdded = (c: Cell) => countNonvanishing(coefficients, 2, predictedTwoStepOutliers(c.alpha1, c.alpha2) + 1);
    const main: Cell = { alpha1: p.alpha1, alpha2: p.alpha2 };
    const grid: Cell[] = p.phase ? GRID1.flatMap((alpha1) => GRID2.map((alpha2) => ({ alpha1, alpha2 }))) : [];
    const cells = grid.some((c) => sameCell(c, [main.alpha1, main.alpha2])) ? grid : [...grid, main];
    const totalCells = 3 * cells.length + 3;
    let done = 0;
    const tick = () => ctx.progress(0.1 + (0.85 * ++done) / totalCells, `two steps ${done}/${totalCells}`);
    return fl.scope(() => {
      const X1 = gaussianInputs(fl, n, d, { seed, stream: STREAM.batch1 });
      const X2 = gaussianInputs(fl, n, d, { seed, stream: STREAM.batch2 });
      const beta = randomUnitVector(fl, d, { seed, stream: STREAM.beta });
      const net = createNetwork(fl, d, N, p.activation, { kind: 'mean-field' }, { seed, stream: STREAM.network });
      const Z1 = fl.matmul(X1, net.W);
      const f0 = fl.gemv(applyFunction(fl, p.activation, Z1), net.a, { alpha: 1 / Math.sqrt(N) });
      const sh: Shared = { X1, X2, beta, W0: net.W, a: net.a, Z1, Z2: fl.matmul(X2, net.W), f0 };
      ctx.progress(0.05, 'bulk of W0');
      // the BBP threshold of the bulk, from W0's empirical singular values at its edge + margin
      const s0 = fl.svdvals(net.W);
      const edge0 = s0[0]!;
      const thetaC = dTransformThreshold(s0, d, N, edge0 * (1 + p.margin));
      const run = (link: Link, reuse: boolean, on: Cell[], counted: boolean) => runTarget(fl, p, seed, sh, link, reuse, on, counted, coefficients, ie2, tick);
      const tanhFresh = run('tanh', false, cells, true);
      const ie2Fresh = run('ie2tanh', false, cells, false);
      const ie2Reuse = run('ie2tanh', true, cells, false);
      const [tanhReuse] = run('tanh', true, [main], false);
      const [he2Fresh] = run('he2', false, [main], false);
      const [he2Reuse] = run('he2', true, [main], false);
      const at = (rs: CellResult[], c: [number, number]) => rs.find((r) => sameCell(r, c))!;
      const mainKey: [number, number] = [main.alpha1, main.alpha2];
      const m = at(tanhFresh, mainKey);
      const mc = m.count!;
      // W2's bulk is W0's, widened by the steps (its own edge moves up to ~5 % at α = 0.3): the
      // D-transform of W0's spectrum scaled by λ = edge(W2 bulk)/edge(W0) has the threshold λ·θ_c
      const finiteAt = (count: CountResult) => finitePrediction(count.theta, (thetaC * count.edge) / edge0, coefficients);
      const mainFinite = finiteAt(mc);
      const eta = (alpha: number) => powerStep(fl, p.c, N, alpha) / Math.sqrt(N);

      const phase = grid.map((cell) => {
        const r = at(tanhFresh, [cell.alpha1, cell.alpha2]);
        const fin = finiteAt(r.count!);
        const claimed = NONE_CELLS.some((c) => sameCell(cell, c)) || ONE_CELLS.some((c) => sameCell(cell, c));
        return {
          alpha1: cell.alpha1,
          alpha2: cell.alpha2,
          predicted: predictedAdded(cell),
          predictedFinite: fin.count,
          measured: r.count!.added,
          total: r.count!.total,
          // flags as 0/1 (series hold numbers and strings)
          marginal: fin.marginal ? 1 : 0,
          claimed: claimed ? 1 : 0,
          inWindow: eta(cell.alpha1) <= WINDOW && eta(cell.alpha2) <= WINDOW ? 1 : 0,
          theta1: r.count!.theta[0]!,
          thetaC: fin.thetaC,
          edge: r.count!.edge,
          fresh: at(ie2Fresh, [cell.alpha1, cell.alpha2]).alignment,
          reused: at(ie2Reuse, [cell.alpha1, cell.alpha2]).alignment,
        };
      });

      const mainIe2Fresh = at(ie2Fresh, mainKey).alignment,
        mainIe2Reuse = at(ie2Reuse, mainKey).alignment;
      // the paper's count at the named cells is claimed at the size where the cells were measured;
      // below it the finite-N threshold moves above the line α1 + α2 = ½ (by O(1/ln N)) and only
      // the finite-N prediction is claimed
      const atPaperSize = Math.min(d, n, N) >= PAPER_SIZE;
      const claims: Claim[] = [];
      if (atPaperSize && Math.abs(main.alpha1 + main.alpha2 - 0.5) >= BOUNDARY_DISTANCE - 1e-9) {
        claims.push({
          id: 'outliers-added',
          statement: `at the main cell (α1, α2) = (${main.alpha1}, ${main.alpha2}) step 2 adds ⌊α2/(½ − α1)⌋ outliers (terms k ≥ 1 with c_{k+1}(${p.activation}) ≠ 0) to W2, counted against W2's own bulk edge`,
          predicted: predictedAdded(main),
          measured: mc.added,
          tolerance: 'exact',
          pass: mc.added === predictedAdded(main),
        });
      }
      if (p.phase && atPaperSize) {
        const cellList = (cs: [number, number][]) => cs.map(([x, y]) => `(${x}, ${y})`).join(', ');
        const countsAt = (cs: [number, number][]) => cs.map((c) => at(tanhFresh, c).count!.added);
        const none = countsAt(NONE_CELLS),
          one = countsAt(ONE_CELLS);
        claims.push(
          {
            id: 'added-none-below',
            statement: `step 2 adds no outlier at ${cellList(NONE_CELLS)} (α1 + α2 < ½)`,
            predicted: '0, 0, 0',
            measured: none.join(', '),
            tolerance: 'exact, every cell',
            pass: none.every((v) => v === 0),
          },
          {
            id: 'added-one-above',
            statement: `step 2 adds one outlier at ${cellList(ONE_CELLS)} (α1 + α2 > ½; T_1 needs c2(${p.activation}) ≠ 0)`,
            predicted: ONE_CELLS.map((c) => predictedAdded({ alpha1: c[0], alpha2: c[1] })).join(', '),
            measured: one.join(', '),
            tolerance: 'exact, every cell',
            pass: ONE_CELLS.every((c, i) => one[i] === predictedAdded({ alpha1: c[0], alpha2: c[1] })),
          },
        );
      }
      {
        const rows = phase.length ? phase : [{ ...main, predictedFinite: mainFinite.count, measured: mc.added, marginal: mainFinite.marginal ? 1 : 0 }];
        const judged = rows.filter((r) => !r.marginal);
        const matches = judged.filter((r) => r.predictedFinite === r.measured).length;
        claims.push({
          id: 'finite-prediction',
          statement: `in every ${phase.length ? 'grid cell' : 'cell'} the added count equals the finite-N prediction: the terms T_k (T_1 with the next orders) whose strength exceeds the BBP threshold of W2's bulk at its edge + ${p.margin * 100} % (the D-transform of W0's singular values, ${thetaC.toPrecision(3)}, scaled by the ratio of W2's own bulk edge to W0's)`,
          predicted: `${judged.length} of ${judged.length} judged cells`,
          measured: `${matches} (${rows.length - judged.length} marginal cells not judged)`,
          tolerance: `exact; cells with a strength within ${MARGINAL_BAND * 100} % of the threshold are not judged`,
          pass: matches === judged.length,
        });
      }
      const gain = atPaperSize ? REUSE_GAIN : REUSE_GAIN_SMALL;
      claims.push(
        relativeClaim({
          id: 'term-strength-1',
          statement:
            'the k = 1 term step 2 adds (W2 − W1 along û_1 ⊗ â^{∘2}) has the size the expansion gives: η2·2c2·(η1c1)·‖u_1‖·‖a^{∘2}‖ at leading order plus the terms m = 0, 2, 3 projected on the same directions',
          predicted: mc.strength1Predicted,
          measured: mc.strength1,
          tol: 0.1,
          tolerance: 'relative 10%',
        }),
        atLeastClaim({
          id: 'reuse-learns-ie2',
          statement: `for ie2tanh (information exponent 2, generative exponent 1) reusing the first batch raises ‖P_top3 β*‖² at least ${gain}-fold over a fresh second batch${atPaperSize ? '' : ` (${REUSE_GAIN}-fold from N = ${PAPER_SIZE}; below it step 1's second-order term already gives fresh batches some β*)`}`,
          predicted: `≥ ${gain} × ${mainIe2Fresh.toPrecision(3)} (fresh)`,
          measured: mainIe2Reuse,
          bound: gain * mainIe2Fresh,
          tolerance: `ratio ≥ ${gain}`,
        }),
        belowClaim({
          id: 'fresh-beats-reuse-ie1',
          statement: 'for tanh (information exponent 1) a fresh second batch aligns W2 better with β* than reusing the first: ‖P_top3 β*‖² reused < fresh',
          predicted: `< ${m.alignment.toPrecision(3)} (fresh)`,
          measured: tanhReuse!.alignment,
          bound: m.alignment,
          tolerance: 'strict',
        }),
        belowClaim({
          id: 'reuse-no-help-he2',
          statement: `control: for He_2/√2 (generative exponent 2) reuse does not give the gain it gives ie2tanh: ‖P_top3 β*‖² reused < ${gain} × fresh`,
          predicted: `< ${gain} × ${he2Fresh!.alignment.toPrecision(3)} (fresh)`,
          measured: he2Reuse!.alignment,
          bound: gain * he2Fresh!.alignment,
          tolerance: `ratio < ${gain}`,
        }),
      );
      return {
        metrics: {
          outliers: mc.added,
          outliersTotal: mc.total,
          predictedOutliers: predictedAdded(main),
          predictedOutliersFinite: mainFinite.count,
          bulkEdge: mc.edge,
          bulkEdgeW0: edge0,
          thresholdBBP: mainFinite.thetaC,
          thresholdBBPW0: thetaC,
          termStrength1: mc.strength1,
          termStrength1Predicted: mc.strength1Predicted,
          termStrength1Leading: mc.strength1Leading,
          alignmentTanhFresh: m.alignment,
          alignmentTanhReuse: tanhReuse!.alignment,
          alignmentIe2tanhFresh: mainIe2Fresh,
          alignmentIe2tanhReuse: mainIe2Reuse,
          alignmentHe2Fresh: he2Fresh!.alignment,
          alignmentHe2Reuse: he2Reuse!.alignment,
          ...(p.phase
            ? {
                cellsMatchingFinite: phase.filter((r) => !r.marginal && r.predictedFinite === r.measured).length,
                cellsMarginal: phase.filter((r) => r.marginal).length,
              }
            : {}),
        },
        series: {
          top: mc.top.map((s, i) => ({ index: i + 1, s, edge: mc.edge * (1 + p.margin), step1Share: mc.step1Share[i]! })),
          alignment: (
            [
              ['tanh', m.alignment, tanhReuse!.alignment],
              ['ie2tanh', mainIe2Fresh, mainIe2Reuse],
              ['he2', he2Fresh!.alignment, he2Reuse!.alignment],
            ] satisfies [Link, number, number][]
          ).flatMap(([link, fresh, reused]) => [
            { target: LINK_LABEL[link], batch: 'fresh', alignment: fresh },
            { target: LINK_LABEL[link], batch: 'reused', alignment: reused },
          ]),
          phase: phase as SeriesRows,
        },
        claims,
        plots: twoStepPlots({
          phase: phase.length > 0,
          maxCount: Math.max(1, ...phase.flatMap((r): number[] => [r.predicted, r.predictedFinite, r.measured])),
        }),
      };
    });
  },
});
