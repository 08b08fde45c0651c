#!/usr/bin/env python3
"""numpy's side of bench/eig-paired.js: builds S = G·Gᵀ/n (G Gaussian) once, then times one
numpy.linalg.eigh (or eigvalsh) per line read on stdin and prints its time in ms, so that the
JS side can alternate calls with featurelab's in one run.

    python3 bench/numpy_eig_paired.py --n 4000 --op eigh

Exit code 2 means numpy is not installed.
"""

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from single_thread_numpy import np  # noqa: E402  (sets the thread limits first)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--op", choices=["eigh", "eigvalsh"], default="eigh")
    a = p.parse_args()
    g = np.random.default_rng(1).standard_normal((a.n, a.n))
    s = g @ g.T / a.n
    fn = getattr(np.linalg, a.op)
    fn(s)  # warm-up
    print("ready", flush=True)
    for _ in sys.stdin:
        t = time.perf_counter()
        fn(s)
        print((time.perf_counter() - t) * 1e3, flush=True)


if __name__ == "__main__":
    main()
