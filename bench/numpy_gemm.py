#!/usr/bin/env python3
"""Single-threaded numpy (BLAS) GEMM timings for the featurelab benchmark.

Times C = A @ B (np.matmul into a preallocated C) for square sizes and dtypes and
prints one JSON document on stdout. bench/gemm.bench.js spawns this script.

    python3 bench/numpy_gemm.py --sizes 256,1024 --dtypes f64,f32

Exit code 2 means numpy is not installed.
"""


import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from single_thread_numpy import np  # noqa: E402  (sets the thread limits first)

DTYPES = {"f64": np.float64, "f32": np.float32}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="256,512,1024,2048", help="comma-separated n")
    p.add_argument("--dtypes", default="f64,f32", help="comma-separated, of f64,f32")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs per case")
    p.add_argument("--min-reps", type=int, default=5, help="at least this many timed runs")
    p.add_argument("--max-reps", type=int, default=200, help="at most this many timed runs")
    p.add_argument("--min-time", type=float, default=1.0, help="keep timing until this many seconds")
    return p.parse_args()


def blas_info():
    """Which BLAS numpy was built against (numpy >= 1.25 reports it as a dict)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return {"name": blas.get("name"), "version": blas.get("version")}
    except Exception:  # older numpy: no dict mode
        return None


def thread_info():
    """The BLAS thread count actually in effect, when threadpoolctl can tell us."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{"api": p.get("internal_api"), "threads": p.get("num_threads")} for p in threadpool_info()]


def time_case(n, dtype, args):
    # Standard normal inputs like featurelab's randn; the values do not affect speed.
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n)).astype(DTYPES[dtype])
    b = rng.standard_normal((n, n)).astype(DTYPES[dtype])
    c = np.empty((n, n), DTYPES[dtype])  # preallocated, as featurelab's gemm(C, A, B)

    for _ in range(args.warmup):
        np.matmul(a, b, out=c)

    samples = []
    start = time.perf_counter()
    while len(samples) < args.max_reps and (
        len(samples) < args.min_reps or time.perf_counter() - start < args.min_time
    ):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        samples.append((time.perf_counter() - t0) * 1e3)

    median = statistics.median(samples)
    return {
        "n": n,
        "dtype": dtype,
        "medianMs": median,
        "minMs": min(samples),
        "gflops": 2 * n**3 / (median * 1e-3) / 1e9,
        "samples": len(samples),
        "samplesMs": samples,
    }


def main():
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    dtypes = [d for d in args.dtypes.split(",") if d]
    for d in dtypes:
        if d not in DTYPES:
            sys.exit(f"unknown dtype {d!r}; use f64 or f32")

    results = [time_case(n, d, args) for n in sizes for d in dtypes]
    print(json.dumps({
        "numpy": np.__version__,
        "python": platform.python_version(),
        "blas": blas_info(),
        "threadpools": thread_info(),
        "results": results,
    }))


if __name__ == "__main__":
    main()
