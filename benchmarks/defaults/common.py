"""Shared parts of ``cheap_no.py``.

The targets, data sizes and learners, the timed fits, the data and the
formatting of numbers.
"""

import gc
import os
import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass

import datasets
import numpy as np
from peers.measure import REPO_ROOT
from sklearn.linear_model import (
    HuberRegressor,
    LogisticRegression,
    QuantileRegressor,
    Ridge,
    SGDClassifier,
)
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from radonlearn import RadonMachineClassifier, RadonMachineRegressor

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks_defaults.md"
SECTIONS = ("constants", "growth", "split", "panel", "wins")
N_FEATURES = 18
# The targets of issue "Defaults that never hurt".
NO_LOSS = (1.1, 0.020)  # auto <= 1.1 x plain + 20 ms
LOW_REGRET = (1.2, 0.020)  # auto <= 1.2 x fastest explicit height + 20 ms
# Rows per shard of the SHARD_SECONDS fits (the fewest "auto" ever allows).
SHARD_ROWS = 50
# Growth fits slower than this are timed once (a slow fit is not noisy).
GROWTH_REPEAT_BELOW = 10.0
# A growth exponent up to this, between the two largest sizes, reads linear.
LINEAR_EXPONENT = 1.15
# The wins whose plain fit takes minutes warm up on this share of the rows.
SLOW_PLAIN = ("quantile", "linearsvc")
SLOW_WARM_SHARE = 0.1


@dataclass(frozen=True)
class Profile:
    """Data sizes of a run: ``full`` (the default) or ``quick``."""

    name: str
    sizes: tuple
    quantile_sizes: tuple
    growth_sizes: tuple
    dual_sizes: tuple
    quantile_growth_sizes: tuple
    real_tables: bool = True


PROFILES = {
    "full": Profile(
        "full",
        sizes=(1_000, 10_000, 100_000, 1_000_000),
        quantile_sizes=(1_000, 10_000),
        growth_sizes=(1_000, 10_000, 100_000, 1_000_000),
        dual_sizes=(1_000, 10_000, 30_000, 100_000),
        quantile_growth_sizes=(1_000, 3_000, 10_000),
    ),
    "quick": Profile(
        "quick",
        sizes=(1_000, 10_000, 100_000),
        quantile_sizes=(1_000,),
        growth_sizes=(1_000, 10_000, 100_000),
        dual_sizes=(1_000, 3_000, 10_000),
        quantile_growth_sizes=(1_000, 2_000, 4_000),
        real_tables=False,
    ),
}


def _quantile():
    """``QuantileRegressor(alpha=0)``: the unpenalised median, HiGHS."""
    return QuantileRegressor(alpha=0, solver="highs")


# The panel's learners: a factory and the task of their data.
LEARNERS = {
    "Ridge": (Ridge, "regression"),
    "LogisticRegression": (LogisticRegression, "classification"),
    "SGDClassifier": (SGDClassifier, "classification"),
    "LinearSVC": (LinearSVC, "classification"),
    "HuberRegressor": (HuberRegressor, "regression"),
    "QuantileRegressor": (_quantile, "regression"),
}
BUNDLED = (datasets.breast_cancer, datasets.digits, datasets.diabetes)
# Real tables of the benchmarks, from data packages (left out when missing).
REAL_TABLES = (datasets.flights, datasets.flights_delay)
# The learners whose per-shard fixed work is measured.
SHARD_LEARNERS = {
    name: LEARNERS[name] for name in ("Ridge", "LogisticRegression", "SGDClassifier")
}
# Growth learners that need positive targets, and the rows they get.
GLM_DATA = {"PoissonRegressor": "poisson", "GammaRegressor": "gamma"}


@dataclass
class Fit:
    """One timed fit: wall seconds and, for a Radon machine, what it did."""

    seconds: float
    height: int | None = None
    times: dict | None = None
    plan: dict | None = None
    score: float | None = None


@dataclass
class Case:
    """One row of the panel: the timed fits of every method."""

    name: str
    learner: str
    fits: dict
    load: str = "n/a"

    def median(self, method):
        """Median wall seconds of ``method``."""
        return statistics.median(fit.seconds for fit in self.fits[method])

    def explicit(self):
        """The explicit heights measured, in order."""
        return sorted(int(name[1:]) for name in self.fits if name.startswith("h"))


# -- Timing -------------------------------------------------------------------


def time_fit(make, X, y, *, score=None, one_thread=False):
    """Fit ``make()`` on ``X, y``; the wall seconds and the machine's facts.

    ``score(model)`` is recorded when given; ``one_thread`` limits BLAS and
    OpenMP to one thread, as pilots and shard fits run.
    """
    model = make()
    gc.collect()
    limits = threadpool_limits(limits=1) if one_thread else nullcontext()
    with limits:
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    fit = Fit(seconds)
    if hasattr(model, "height_plan_"):
        fit.height = model.height_
        fit.times = dict(model.fit_times_)
        fit.plan = dict(model.height_plan_)
    if score is not None:
        fit.score = score(model)
    return fit


def side_by_side(methods, repeats, warm_up=None):
    """Time every method ``repeats`` times, alternating; the fits by method.

    ``methods`` maps names to zero-argument callables returning a ``Fit``;
    ``warm_up`` (default: ``methods``) maps names to untimed fits run once
    first. Round ``r`` starts with method ``r`` (modulo their number), so
    that drift in the machine's load is spread over all of them.
    """
    for run in (methods if warm_up is None else warm_up).values():
        run()
    names = list(methods)
    fits = {name: [] for name in names}
    for round_number in range(repeats):
        for k in range(len(names)):
            name = names[(round_number + k) % len(names)]
            fits[name].append(methods[name]())
    return fits


def machine(inner, task, n_jobs, height="auto"):
    """A Radon machine around ``inner`` with defaults but ``n_jobs``, ``height``."""
    kind = RadonMachineRegressor if task == "regression" else RadonMachineClassifier
    return kind(inner, height=height, n_jobs=n_jobs)


def loads():
    """The 1, 5 and 15 minute load averages as text."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def one_minute_load():
    """The one-minute load average as text."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "n/a"


def median(values):
    """Median of the values that are not None, or None."""
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


# -- Data ---------------------------------------------------------------------


def generated(task, n_rows):
    """Generated rows of ``task``, 18 features (``benchmarks/datasets.py``)."""
    if task == "classification":
        X, y, *_ = datasets.classification(n_rows, N_FEATURES)
    else:
        X, y, *_ = datasets.heavy_tailed_regression(n_rows, N_FEATURES)
    return X, y


def glm_data(n_rows, family, random_state=0):
    """Rows for Poisson and Gamma regression: ``log E[y] = X @ w``."""
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_rows, N_FEATURES))
    mean = np.exp(X @ rng.normal(0.0, 0.2, N_FEATURES))
    if family == "poisson":
        return X, rng.poisson(mean).astype(np.float64)
    return X, rng.gamma(2.0, mean / 2.0)


def bundled(loader):
    """A table bundled with scikit-learn, standardised once (as in front)."""
    X, y, task, description = loader()
    task = "regression" if task == "regression" else "classification"
    return StandardScaler().fit_transform(X), y, task, description.name


def fmt(seconds):
    """Seconds to about three significant digits (at least 0.1 ms), or "-"."""
    if seconds is None:
        return "-"
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 1:
        return f"{seconds:.2f}"
    if seconds >= 0.01:
        return f"{seconds:.3f}"
    return f"{seconds:.4f}"


def rows_text(n_rows):
    """1,000 as 1k, 1,000,000 as 1M."""
    if n_rows >= 1_000_000 and n_rows % 1_000_000 == 0:
        return f"{n_rows // 1_000_000}M"
    if n_rows >= 1_000 and n_rows % 1_000 == 0:
        return f"{n_rows // 1_000}k"
    return f"{n_rows:,}"
