// Kernels of the two-layer network layer (src/net/): the fused backpropagation product,
// kernel centring, angles between neurons, and the exact population gradient of ReLU and
// absolute-value teacher–student models.

import { ELEMENTWISE_COST, POLYVAL_COEF_COST } from '../config';
import { argF, argI, argU, rangeStart, rangeTasks, runJob, setF, setI, setU } from '../parallel/pool';
import { JOB_NET } from '../parallel/tasks';

// ---------------------------------------------------------------------------------------
// Backpropagation through the hidden layer: out_ij := m_ij·r_i·c_j (n×N), i.e.
// σ′(XW) ⊙ (r·cᵀ) without forming the outer product. out may be m.
function rank1HadamardSerial(n: i32, N: i32, m: usize, r: usize, c: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const ri = f64x2.splat(load<f64>(r + (<usize>i << 3)));
    const row = (<usize>i * <usize>N) << 3;
    let j = 0;
    for (; j + 2 <= N; j += 2) {
      const o = <usize>j << 3;
      v128.store(out + row + o, f64x2.mul(f64x2.mul(v128.load(m + row + o), ri), v128.load(c + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 3;
      store<f64>(out + row + o, load<f64>(m + row + o) * f64x2.extract_lane(ri, 0) * load<f64>(c + o));
    }
  }
}

// Double centring of an n×n kernel: out := H·K·H, H = I − 11ᵀ/n (row and column means
// removed, grand mean added back). work: n doubles. out may be k.
export function center_kernel_f64(n: i32, k: usize, out: usize, work: usize): void {
  let grand: f64 = 0;
  for (let i = 0; i < n; i++) {
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += load<f64>(k + ((<usize>i * <usize>n + j) << 3));
    store<f64>(work + (<usize>i << 3), s / <f64>n);
    grand += s;
  }
  grand /= <f64>n * <f64>n;
  for (let i = 0; i < n; i++) {
    const ri = load<f64>(work + (<usize>i << 3));
    for (let j = 0; j < n; j++) {
      const at = (<usize>i * <usize>n + j) << 3;
      // K symmetric: the mean of column j equals the mean of row j
      store<f64>(out + at, load<f64>(k + at) - ri - load<f64>(work + (<usize>j << 3)) + grand);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Angles. θ(a, b) = atan2(√max(0, ‖a‖²‖b‖² − (a·b)²), a·b): accurate for tiny angles, where
// acos(a·b/‖a‖‖b‖) loses everything (late training reaches ~1e-4 rad).

@inline function rowAt(p: usize, i: i32, d: i32): usize {
  return p + ((<usize>i * <usize>d) << 3);
}

@inline function dotRows(d: i32, a: usize, b: usize): f64 {
  let s: f64 = 0;
  for (let t = 0; t < d; t++) s += load<f64>(a + (<usize>t << 3)) * load<f64>(b + (<usize>t << 3));
  return s;
}

@inline function angleFrom(na2: f64, nb2: f64, ab: f64): f64 {
  return Math.atan2(Math.sqrt(max(0.0, na2 * nb2 - ab * ab)), ab);
}

// out (m×k) := angles between the rows of A (m×d) and of B (k×d).
export function row_angles_f64(m: i32, k: i32, d: i32, a: usize, b: usize, out: usize): void {
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * <usize>d) << 3);
    const na2 = dotRows(d, ai, ai);
    for (let l = 0; l < k; l++) {
      const bl = b + ((<usize>l * <usize>d) << 3);
      store<f64>(out + ((<usize>i * <usize>k + l) << 3), angleFrom(na2, dotRows(d, bl, bl), dotRows(d, ai, bl)));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Population (infinite-data) teacher–student models with x ~ N(0, I_d).
//
// ReLU (Xu & Du 2023; Zhu et al. 2025): f(x) = Σ_i relu(w_iᵀx), f*(x) = Σ_l relu(v_lᵀx),
//   Υ(w, u) = E[relu(wᵀx)·relu(uᵀx)] = ‖w‖‖u‖(sin θ + (π − θ)cos θ)/(2π),
//   ∇_{w_i} L = ½w_i + Σ_{j≠i} g(w_i, w_j) − Σ_l g(w_i, v_l),
//   g(w, u) = (‖u‖ sin θ·w/‖w‖ + (π − θ)·u)/(2π).
// see: Xu & Du, "Over-parameterization exponentially slows down gradient descent for
//      learning a single neuron", COLT 2023, App. B (the closed forms).
// The loss uses the stable form L = ¼‖Σw_i − Σv_l‖² + (1/2π)[Σ_{i<j} ψ_ij‖w_i‖‖w_j‖ +
// Σ_{l<q} ψ_lq‖v_l‖‖v_q‖ − Σ_{i,l} ψ_il‖w_i‖‖v_l‖], ψ(θ) = sin θ − θ cos θ, which keeps its
// accuracy when L ~ 1e-12 and the angles ~1e-4 (series θ³/3 − θ⁵/30 + θ⁷/840 below 1e-2).

const PI: f64 = 3.141592653589793;
const INV_2PI: f64 = 0.15915494309189535;

@inline function psi(theta: f64): f64 {
  if (theta < 1e-2) {
    const t2 = theta * theta;
    return theta * t2 * (1.0 / 3.0 - t2 * (1.0 / 30.0 - t2 / 840.0));
  }
  return Math.sin(theta) - theta * Math.cos(theta);
}

/**
 * Gradient of the ReLU population loss with respect to every student row into grad (m×d);
 * returns the loss. w: m×d students, v: k×d teachers; norms: m + k doubles of workspace.
 */
export function relu_population_grad(m: i32, k: i32, d: i32, w: usize, v: usize, grad: usize, norms: usize): f64 {
  for (let i = 0; i < m; i++) store<f64>(norms + (<usize>i << 3), Math.sqrt(dotRows(d, rowAt(w, i, d), rowAt(w, i, d))));
  for (let l = 0; l < k; l++) store<f64>(norms + (<usize>(m + l) << 3), Math.sqrt(dotRows(d, rowAt(v, l, d), rowAt(v, l, d))));
  let cross: f64 = 0;
  for (let i = 0; i < m; i++) {
    const wi = rowAt(w, i, d), gi = rowAt(grad, i, d);
    const ni = load<f64>(norms + (<usize>i << 3));
    for (let t = 0; t < d; t++) store<f64>(gi + (<usize>t << 3), 0.5 * load<f64>(wi + (<usize>t << 3)));
    // g(w_i, u) = (‖u‖ sin θ·ŵ_i + (π − θ)·u)/(2π), added for students (j ≠ i), subtracted for teachers.
    for (let j = 0; j < m + k; j++) {
      if (j == i) continue;
      const teacher = j >= m;
      const u = teacher ? rowAt(v, j - m, d) : rowAt(w, j, d);
      const nu = load<f64>(norms + (<usize>j << 3));
      const ab = dotRows(d, wi, u);
      const theta = angleFrom(ni * ni, nu * nu, ab);
      const sign: f64 = teacher ? -1.0 : 1.0;
      const cw = ni > 0 ? sign * nu * Math.sin(theta) / ni * INV_2PI : 0.0;
      const cu = sign * (PI - theta) * INV_2PI;
      for (let t = 0; t < d; t++) {
        const o = <usize>t << 3;
        store<f64>(gi + o, load<f64>(gi + o) + cw * load<f64>(wi + o) + cu * load<f64>(u + o));
      }
      // ψ terms of the stable loss: student pairs once (i < j), student–teacher pairs.
      if (teacher) cross -= psi(theta) * ni * nu;
      else if (j > i) cross += psi(theta) * ni * nu;
    }
  }
  for (let l = 0; l < k; l++) {
    for (let q = l + 1; q < k; q++) {
      const nl = load<f64>(norms + (<usize>(m + l) << 3)), nq = load<f64>(norms + (<usize>(m + q) << 3));
      cross += psi(angleFrom(nl * nl, nq * nq, dotRows(d, rowAt(v, l, d), rowAt(v, q, d)))) * nl * nq;
    }
  }
  // ¼‖Σw_i − Σv_l‖²
  let sq: f64 = 0;
  for (let t = 0; t < d; t++) {
    let s: f64 = 0;
    for (let i = 0; i < m; i++) s += load<f64>(rowAt(w, i, d) + (<usize>t << 3));
    for (let l = 0; l < k; l++) s -= load<f64>(rowAt(v, l, d) + (<usize>t << 3));
    sq += s * s;
  }
  return 0.25 * sq + INV_2PI * cross;
}

/** `steps` population GD steps W −= η·∇L in place; returns the loss before the last step. */
export function relu_population_gd(m: i32, k: i32, d: i32, w: usize, v: usize, eta: f64, steps: i32, grad: usize, norms: usize): f64 {
  let loss: f64 = 0;
  for (let s = 0; s < steps; s++) {
    loss = relu_population_grad(m, k, d, w, v, grad, norms);
    const len = m * d;
    for (let t = 0; t < len; t++) {
      const o = <usize>t << 3;
      store<f64>(w + o, load<f64>(w + o) - eta * load<f64>(grad + o));
    }
  }
  return loss;
}

// Absolute value (Zhou, Ge & Jin 2021; Zhou & Ge 2024): f(x) = Σ_j a_j|w_jᵀx|,
// f*(x) = Σ_i a*_i|w*_iᵀx|, with
//   E[|wᵀx||uᵀx|] = ‖w‖‖u‖·h(θ), h(θ) = (2/π)(sin θ + (π/2 − θ)cos θ) (symmetric in θ ↔ π − θ),
//   ∇_w E[|wᵀx||uᵀx|] = ‖u‖·h(θ)·ŵ + (2/π)(π/2 − θ)‖u‖·(û − cos θ·ŵ),
// and L = ½E(f − f*)² + (λ/2)(Σa_j² + Σ‖w_j‖²).
const TWO_OVER_PI: f64 = 0.6366197723675814;

@inline function absKernel(theta: f64): f64 {
  return TWO_OVER_PI * (Math.sin(theta) + (0.5 * PI - theta) * Math.cos(theta));
}

/**
 * Gradients of the regularised absolute-value population loss into gw (m×d) and ga (m);
 * returns the loss. Students w (m×d), a (m); teachers ws (k×d), as (k). norms: m + k doubles.
 */
export function abs_population_grad(
  m: i32, k: i32, d: i32, w: usize, a: usize, ws: usize, as_: usize, lambda: f64,
  gw: usize, ga: usize, norms: usize,
): f64 {
  for (let i = 0; i < m; i++) store<f64>(norms + (<usize>i << 3), Math.sqrt(dotRows(d, rowAt(w, i, d), rowAt(w, i, d))));
  for (let l = 0; l < k; l++) store<f64>(norms + (<usize>(m + l) << 3), Math.sqrt(dotRows(d, rowAt(ws, l, d), rowAt(ws, l, d))));
  let loss: f64 = 0;
  for (let i = 0; i < m; i++) {
    const wi = rowAt(w, i, d), gi = rowAt(gw, i, d);
    const ni = load<f64>(norms + (<usize>i << 3));
    const ai = load<f64>(a + (<usize>i << 3));
    let gai: f64 = lambda * ai;
    for (let t = 0; t < d; t++) store<f64>(gi + (<usize>t << 3), lambda * load<f64>(wi + (<usize>t << 3)));
    for (let j = 0; j < m + k; j++) {
      const teacher = j >= m;
      const u = teacher ? rowAt(ws, j - m, d) : rowAt(w, j, d);
      const nu = load<f64>(norms + (<usize>j << 3));
      const coef = teacher ? -load<f64>(as_ + (<usize>(j - m) << 3)) : load<f64>(a + (<usize>j << 3));
      const theta = j == i ? 0.0 : angleFrom(ni * ni, nu * nu, dotRows(d, wi, u));
      const h = absKernel(theta);
      const kij = ni * nu * h;
      // L's data term ½ΣΣ c_i c_j K_ij: ∂/∂a_i = Σ_j c_j K_ij, ∂/∂w_i = a_i·Σ_j c_j ∇_{w_i}K_ij
      // (the diagonal term ½a_i²‖w_i‖² contributes a_i²·w_i).
      gai += coef * kij;
      if (teacher) loss += ai * coef * kij; // −a_i a*_l K
      else loss += 0.5 * ai * coef * kij;
      if (ni == 0) continue;
      if (j == i) {
        for (let t = 0; t < d; t++) {
          const o = <usize>t << 3;
          store<f64>(gi + o, load<f64>(gi + o) + ai * ai * load<f64>(wi + o));
        }
        continue;
      }
      const ct = Math.cos(theta);
      const cw = ai * coef * (nu * h - TWO_OVER_PI * (0.5 * PI - theta) * nu * ct) / ni;
      const cu = nu > 0 ? ai * coef * TWO_OVER_PI * (0.5 * PI - theta) : 0.0;
      for (let t = 0; t < d; t++) {
        const o = <usize>t << 3;
        store<f64>(gi + o, load<f64>(gi + o) + cw * load<f64>(wi + o) + cu * load<f64>(u + o));
      }
    }
    store<f64>(ga + (<usize>i << 3), gai);
    loss += 0.5 * lambda * (ai * ai + ni * ni);
  }
  // ½ΣΣ a*_l a*_q K(w*_l, w*_q)
  for (let l = 0; l < k; l++) {
    const nl = load<f64>(norms + (<usize>(m + l) << 3));
    for (let q = 0; q < k; q++) {
      const nq = load<f64>(norms + (<usize>(m + q) << 3));
      const theta = l == q ? 0.0 : angleFrom(nl * nl, nq * nq, dotRows(d, rowAt(ws, l, d), rowAt(ws, q, d)));
      loss += 0.5 * load<f64>(as_ + (<usize>l << 3)) * load<f64>(as_ + (<usize>q << 3)) * nl * nq * absKernel(theta);
    }
  }
  return loss;
}

// out[i] := Σ_k c_k·x[i]^k (Horner; c has ncoef entries, c_0 first).
function polyvalSerial(n: i32, x: usize, c: usize, ncoef: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    const xi = load<f64>(x + (<usize>i << 3));
    let acc: f64 = 0;
    for (let q = ncoef - 1; q >= 0; q--) acc = acc * xi + load<f64>(c + (<usize>q << 3));
    store<f64>(out + (<usize>i << 3), acc);
  }
}

// out[i] := 1 − h[i]²: tanh′ from already computed tanh values (saves re-evaluating tanh in
// the backward pass; bit-identical to map(tanh, derivative) since that computes 1 − t·t too).
function oneMinusSquareSerial(n: i32, h: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const t = load<f64>(h + (<usize>i << 3));
    store<f64>(out + (<usize>i << 3), 1.0 - t * t);
  }
}

// ---------------------------------------------------------------------------------------
// On the pool (parallel/pool.ts): the exported entry points.

// Network kernels: the fused backprop product by rows, tanh′ from tanh and the
// polynomial features by elements.
const N_OP = 0, N_ROWS = 1, N_COLS = 2, N_P0 = 3, N_P1 = 4, N_P2 = 5, N_P3 = 6, N_I = 7, N_TASKS = 8;
const NET_RANK1 = 0, NET_ONE_MINUS_SQUARE = 1, NET_POLYVAL = 2;

export function netTask(t: i32): void {
  const op = argI(N_OP), rows = argI(N_ROWS), cols = argI(N_COLS), tasks = argI(N_TASKS);
  const p0 = argU(N_P0), p1 = argU(N_P1), p2 = argU(N_P2), p3 = argU(N_P3);
  if (op == NET_RANK1) {
    const r0 = rangeStart(t, tasks, rows, 1), r1 = rangeStart(t + 1, tasks, rows, 1);
    if (r1 <= r0) return;
    const off = (<usize>r0 * <usize>cols) << 3;
    rank1HadamardSerial(r1 - r0, cols, p0 + off, p1 + (<usize>r0 << 3), p2, p3 + off);
  } else {
    const i0 = rangeStart(t, tasks, rows, 64), i1 = rangeStart(t + 1, tasks, rows, 64);
    if (i1 <= i0) return;
    const off = <usize>i0 << 3;
    if (op == NET_ONE_MINUS_SQUARE) oneMinusSquareSerial(i1 - i0, p0 + off, p1 + off);
    else polyvalSerial(i1 - i0, p0 + off, p1, argI(N_I), p2 + off);
  }
}

function netJob(op: i32, rows: i32, cols: i32, tasks: i32, p0: usize, p1: usize, p2: usize, p3: usize, i: i32): void {
  setI(N_OP, op); setI(N_ROWS, rows); setI(N_COLS, cols); setI(N_TASKS, tasks);
  setU(N_P0, p0); setU(N_P1, p1); setU(N_P2, p2); setU(N_P3, p3); setI(N_I, i);
  runJob(JOB_NET, tasks, 0);
}

/** out_ij := m_ij·r_i·c_j (n×N), by rows. */
export function rank1_hadamard_f64(n: i32, N: i32, m: usize, r: usize, c: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST * <f64>N);
  if (tasks <= 1) rank1HadamardSerial(n, N, m, r, c, out);
  else netJob(NET_RANK1, n, N, tasks, m, r, c, out, 0);
}

/** out[i] := 1 − h[i]². */
export function one_minus_square_f64(n: i32, h: usize, out: usize): void {
  const tasks = rangeTasks(n, ELEMENTWISE_COST);
  if (tasks <= 1) oneMinusSquareSerial(n, h, out);
  else netJob(NET_ONE_MINUS_SQUARE, n, 0, tasks, h, out, 0, 0, 0);
}

/** out[i] := Σ_k c_k·x[i]^k. */
export function polyval_f64(n: i32, x: usize, c: usize, ncoef: i32, out: usize): void {
  const tasks = rangeTasks(n, POLYVAL_COEF_COST * <f64>ncoef);
  if (tasks <= 1) polyvalSerial(n, x, c, ncoef, out);
  else netJob(NET_POLYVAL, n, 0, tasks, x, c, out, 0, ncoef);
}
