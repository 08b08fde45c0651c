"""Imports numpy with every BLAS thread pool limited to one thread (or to BENCH_NUMPY_THREADS
threads, which bench/peers.js sets to compare on as many threads as featurelab), for the
bench scripts.

BLAS libraries read the thread variables once, when numpy is first imported, so they are set
here before the import. Exits with code 2 when numpy is not installed (the JS side then skips
the numpy peer with a note).
"""

import os
import sys

_threads = os.environ.get("BENCH_NUMPY_THREADS", "1")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

try:
    import numpy as np  # noqa: F401  (re-exported)
except ImportError:
    print("numpy is not installed", file=sys.stderr)
    sys.exit(2)
