"""One BLAS thread against the libraries' own threads, for one fit on all rows.

python benchmarks/blas_threads.py [--repeats 3]

The pilots of height="auto" are timed with one BLAS/OpenMP thread when
several workers fit; this measures, side by side and alternating in one
process, what the same fit on all rows costs with one thread and with
OpenBLAS's (or MKL's) own threads. Prints the medians and their ratio.
"""

import argparse
import time

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import HuberRegressor, LogisticRegression, Ridge
from threadpoolctl import threadpool_info, threadpool_limits


def cases():
    """``(name, estimator, X, y)`` of the fits compared."""
    X1, y1 = make_classification(n_samples=1_000_000, n_features=18, random_state=0)
    X2, y2 = make_regression(n_samples=200_000, n_features=200, random_state=0)
    X3, y3 = make_regression(n_samples=300_000, n_features=18, random_state=0)
    return [
        ("LogisticRegression 1M x 18", LogisticRegression(), X1, y1),
        ("Ridge 200k x 200", Ridge(), X2, y2),
        ("HuberRegressor 300k x 18", HuberRegressor(), X3, y3),
    ]


def main(repeats):
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    print(f"thread pools: {blas}")
    for name, estimator, X, y in cases():
        seconds = {"own threads": [], "one thread": []}
        for _ in range(repeats):
            for mode in seconds:
                start = time.perf_counter()
                if mode == "one thread":
                    with threadpool_limits(1):
                        estimator.fit(X, y)
                else:
                    estimator.fit(X, y)
                seconds[mode].append(time.perf_counter() - start)
        own, one = (float(np.median(v)) for v in seconds.values())
        print(
            f"{name}: own threads {own:.3f} s, one thread {one:.3f} s, "
            f"one / own = {one / own:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    main(parser.parse_args().repeats)
