// Per-element loops of the network layer's measurements that used to run in JS (src/net/):
// the infinite-width ReLU NTK from angles and inner products, and each student's nearest
// teacher. Serial, allocation-free; the host checks shapes (src/ops/network.ts).

const PI: f64 = 3.141592653589793; // = JS Math.PI, the constant the formulas used in TS

// x·2^e for an integer e, in steps of at most 2^±1000 whose factors are normal (the same
// steps as timesPow2 in src/net/check.ts, so the same bits).
@inline function pow2(e: i32): f64 {
  return reinterpret<f64>(<i64>(e + 1023) << 52);
}

@inline function timesPow2(x: f64, e: i32): f64 {
  while (e > 1000) { x *= pow2(1000); e -= 1000; }
  while (e < -1000) { x *= pow2(-1000); e += 1000; }
  return x * pow2(e);
}

// out (n1×n2) := Θ∞ = (‖a_i‖‖b_j‖(sin θ + (π − θ)cos θ) + g_ij(π − θ))/(2πd)·2^e, with θ_ij the
// angle (theta, n1×n2), g_ij = a_iᵀb_j (g, n1×n2), ‖a_i‖² (na2, n1) and ‖b_j‖² (nb2, n2).
export function relu_ntk_f64(n1: i32, n2: i32, d: i32, theta: usize, g: usize, na2: usize, nb2: usize, e: i32, out: usize): void {
  const denom = 2.0 * PI * <f64>d;
  for (let i = 0; i < n1; i++) {
    const ni = load<f64>(na2 + (<usize>i << 3));
    for (let j = 0; j < n2; j++) {
      const at = (<usize>i * <usize>n2 + <usize>j) << 3;
      const t = load<f64>(theta + at);
      const norms = Math.sqrt(ni * load<f64>(nb2 + (<usize>j << 3)));
      const v = (norms * (Math.sin(t) + (PI - t) * Math.cos(t)) + load<f64>(g + at) * (PI - t)) / denom;
      store<f64>(out + at, timesPow2(v, e));
    }
  }
}

// For each row i of the angles theta (m×k, k ≥ 1): the nearest column (the first smallest
// angle) into group (m f64 entries, an index) and that angle into angle (m). With lines ≠ 0
// each angle θ counts as min(θ, π − θ) (w and −w are the same line).
export function nearest_angles_f64(m: i32, k: i32, theta: usize, lines: i32, angle: usize, group: usize): void {
  for (let i = 0; i < m; i++) {
    const row = theta + ((<usize>i * <usize>k) << 3);
    let best = 0;
    let bestAngle = load<f64>(row);
    if (lines) bestAngle = min(bestAngle, PI - bestAngle);
    for (let l = 1; l < k; l++) {
      let t = load<f64>(row + (<usize>l << 3));
      if (lines) t = min(t, PI - t);
      if (t < bestAngle) { best = l; bestAngle = t; }
    }
    store<f64>(group + (<usize>i << 3), <f64>best);
    store<f64>(angle + (<usize>i << 3), bestAngle);
  }
}
