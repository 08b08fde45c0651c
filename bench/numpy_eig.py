#!/usr/bin/env python3
"""Single-threaded numpy (LAPACK dsyevd via eigh, dsterf-based eigvalsh) timings for the
featurelab eigensolver benchmark. Prints one JSON document: median ms of eigvalsh and eigh
on the same kind of matrix the JS side uses (G·Gᵀ/n, G Gaussian).

    python3 bench/numpy_eig.py --n 1000 --reps 5

Exit code 2 means numpy is not installed.
"""


import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from single_thread_numpy import np  # noqa: E402  (sets the thread limits first)


def timed(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e3)
    return {"medianMs": statistics.median(samples), "minMs": min(samples), "samplesMs": samples}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    a = p.parse_args()
    g = np.random.default_rng(1).standard_normal((a.n, a.n))
    s = g @ g.T / a.n
    out = {
        "numpy": np.__version__,
        "n": a.n,
        "eigvalsh": timed(lambda: np.linalg.eigvalsh(s), a.reps, a.warmup),
        "eigh": timed(lambda: np.linalg.eigh(s), a.reps, a.warmup),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
