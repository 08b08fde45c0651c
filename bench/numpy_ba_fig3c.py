#!/usr/bin/env python3
"""Ba et al. Fig. 3c (the quick preset of `featurelab figure ba-fig3c`) in numpy, for
bench/sweep.bench.js: for each seed, the test risk of ridge regression after one step
η = N^α (σ = σ* = erf, ψ2 = N/d, α ∈ {0, ¼, ½}, ψ1 = n/d ∈ {0.5, 1, 2, 4, 8}), the data and
network drawn afresh for each (ψ1, α) as featurelab's riskCurve does. Seeds run on a pool of
--procs processes, each numpy single-threaded (one process per core, as featurelab's --jobs).
Prints one JSON document: wall seconds of the sweep and the mean risk per (ψ1, α).

    python3 bench/numpy_ba_fig3c.py --seeds 10 --d 128 --procs 2

Exit code 2 means numpy (or scipy, for erf and the Cholesky solve) is not installed.
"""

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from multiprocessing import Pool  # noqa: E402

from single_thread_numpy import np  # noqa: E402  (sets the thread limits first)

try:
    from scipy.linalg import cho_factor, cho_solve  # noqa: E402
    from scipy.special import erf  # noqa: E402
except ImportError:
    print("scipy is not installed", file=sys.stderr)
    sys.exit(2)

ALPHAS = (0.0, 0.25, 0.5)
TWO_OVER_SQRT_PI = 2 / np.sqrt(np.pi)


def batch(rng, beta, n, noise):
    X = rng.standard_normal((n, beta.size))
    return X, erf(X @ beta) + noise * rng.standard_normal(n)


def one_step_risk(rng, beta, n, N, eta, lam, noise, Xt, ft):
    """Data, network, W1 = W0 + η√N·G0, ridge on a fresh batch, test risk (docs/science.md §1)."""
    d = beta.size
    X, y = batch(rng, beta, n, noise)
    W0 = rng.standard_normal((d, N)) / np.sqrt(d)
    a = rng.standard_normal(N) / np.sqrt(N)
    Xf, yf = batch(rng, beta, n, noise)
    Z = X @ W0
    f0 = erf(Z) @ a / np.sqrt(N)
    G0 = X.T @ (np.outer((y - f0) / np.sqrt(N), a) * (TWO_OVER_SQRT_PI * np.exp(-Z * Z))) / n
    W1 = W0 + eta * np.sqrt(N) * G0
    Phi = erf(Xf @ W1) / np.sqrt(N)
    shift = n * lam / N
    if n < N:  # dual form
        ahat = Phi.T @ cho_solve(cho_factor(Phi @ Phi.T + shift * np.eye(n)), yf)
    else:
        ahat = cho_solve(cho_factor(Phi.T @ Phi + shift * np.eye(N)), Phi.T @ yf)
    return float(np.mean((erf(Xt @ W1) / np.sqrt(N) @ ahat - ft) ** 2))


def run_seed(args):
    seed, d, psi2, n_test, lam, noise, psi1s = args
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    Xt = rng.standard_normal((n_test, d))
    ft = erf(Xt @ beta)
    N = max(2, round(psi2 * d))
    out = []
    for i, psi1 in enumerate(psi1s):
        n = max(2, round(psi1 * d))
        for alpha in ALPHAS:
            r = np.random.default_rng([seed, i])  # the same data for every α, as featurelab
            out.append((psi1, alpha, one_step_risk(r, beta, n, N, float(N) ** alpha, lam, noise, Xt, ft)))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--psi2", type=float, default=2.0)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--lam", type=float, default=1e-3)
    p.add_argument("--noise", type=float, default=0.1)
    p.add_argument("--procs", type=int, default=2)
    # the experiment's own ψ1 grid (bench/sweep.bench.js passes it), so both sides do the same work
    p.add_argument("--psi1", type=lambda v: tuple(float(x) for x in v.split(",")), default=(0.5, 1, 2, 4, 8, 16))
    a = p.parse_args()
    t = time.perf_counter()
    with Pool(a.procs) as pool:
        runs = pool.map(run_seed, [(s, a.d, a.psi2, a.n_test, a.lam, a.noise, a.psi1) for s in range(a.seeds)], chunksize=1)
    seconds = time.perf_counter() - t
    means = {}
    for psi1, alpha, _ in runs[0]:
        vals = [r for run in runs for (p1, al, r) in run if p1 == psi1 and al == alpha]
        means[f"{psi1:g}/{alpha:g}"] = sum(vals) / len(vals)
    json.dump({"numpy": np.__version__, "seconds": seconds, "seeds": a.seeds, "procs": a.procs, "meanRisk": means}, sys.stdout)


if __name__ == "__main__":
    main()
