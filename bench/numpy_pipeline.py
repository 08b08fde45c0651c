#!/usr/bin/env python3
"""The Ba et al. one-step pipeline in numpy, single-threaded, for bench/pipeline.bench.js:
data, one gradient step on W, all singular values of W1, ridge on a fresh batch, test risk
on fresh noise-free points. Prints one JSON document (median ms over --reps runs).

    python3 bench/numpy_pipeline.py --d 1000 --n 2000 --N 2000 --reps 3

Exit code 2 means numpy is not installed.
"""


import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from single_thread_numpy import np  # noqa: E402  (sets the thread limits first)


def pipeline(d, n, N, eta, lam, noise, seed):
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    # data and network (Ba et al.: W ~ N(0, 1/d), a ~ N(0, 1/N), f = aᵀσ(Wᵀx)/√N)
    X = rng.standard_normal((n, d))
    y = np.tanh(X @ beta) + noise * rng.standard_normal(n)
    W0 = rng.standard_normal((d, N)) / np.sqrt(d)
    a = rng.standard_normal(N) / np.sqrt(N)
    # one full-batch step: W1 = W0 + η√N·G0, G0 = (1/n)Xᵀ[((y − f0)/√N)aᵀ ⊙ σ′(XW0)]
    Z = X @ W0
    H = np.tanh(Z)
    f0 = H @ a / np.sqrt(N)
    M = (1 - H * H) * np.outer((y - f0) / np.sqrt(N), a)
    G0 = X.T @ M / n
    W1 = W0 + eta * np.sqrt(N) * G0
    # all singular values of W1
    s = np.linalg.svd(W1, compute_uv=False)
    # ridge on a fresh batch (dual form when n < N, primal otherwise: same size here)
    Xf = rng.standard_normal((n, d))
    yf = np.tanh(Xf @ beta) + noise * rng.standard_normal(n)
    Phi = np.tanh(Xf @ W1) / np.sqrt(N)
    G = Phi.T @ Phi + (n * lam / N) * np.eye(N)
    L = np.linalg.cholesky(G)
    ahat = np.linalg.solve(L.T, np.linalg.solve(L, Phi.T @ yf))
    # test risk on fresh noise-free points
    Xt = rng.standard_normal((n, d))
    risk = np.mean((np.tanh(Xt @ W1) / np.sqrt(N) @ ahat - np.tanh(Xt @ beta)) ** 2)
    return float(s[0]), float(risk)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--d", type=int, default=1000)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--N", type=int, default=2000)
    p.add_argument("--eta", type=float, default=4.0)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    samples, out = [], None
    for r in range(a.reps):
        t = time.perf_counter()
        out = pipeline(a.d, a.n, a.N, a.eta, 1e-3, 0.1, r)
        samples.append((time.perf_counter() - t) * 1e3)
    json.dump({"numpy": np.__version__, "medianMs": statistics.median(samples), "samplesMs": samples, "s1": out[0], "risk": out[1]}, sys.stdout)


if __name__ == "__main__":
    main()
