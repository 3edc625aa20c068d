"""The in-process methods: ``base``, ``radon``, ``mean`` and ``bagging``.

All four fit in this process (the parallel ones with joblib workers) and
are measured for every scenario before any peer starts.
"""

import importlib
import os

from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.utils.validation import has_fit_parameter

from radonlearn import RadonMachineClassifier, RadonMachineRegressor

from .measure import time_fits
from .report import Result, format_seconds, record, short_reason, status_text
from .scenarios import METRIC_LABELS, evaluate, prepare

__all__ = [
    "METHODS",
    "make_sklearn_method",
    "run_scenario",
    "run_sklearn_method",
    "warm_up_workers",
]

METHODS = ("base", "radon", "mean", "bagging")
# Imported in every joblib worker before the first timed fit.
WORKER_MODULES = (
    "scipy.optimize",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "sklearn.svm",
    "radonlearn",
)


def _machine_notes(model):
    """Pilot time, parallel efficiency and aggregation time from ``fit_times_``.

    Efficiency and aggregation are left out at height 0 (one fit, nothing
    to aggregate); nothing is reported when the model has no ``fit_times_``.
    """
    times = getattr(model, "fit_times_", None)
    if not isinstance(times, dict):
        return []
    notes = []
    if isinstance(times.get("pilot"), int | float):
        notes.append(f"pilot {format_seconds(times['pilot'])} s")
    if not model.height_:
        return notes
    try:
        capacity = times["n_workers"] * times["shards"]
        if capacity > 0:
            notes.append(f"eff {times['shard_fit_sum'] / capacity:.2f}")
    except (KeyError, TypeError):
        pass
    if isinstance(times.get("aggregation"), int | float):
        notes.append(f"agg {format_seconds(times['aggregation'])} s")
    return notes


def _plan_notes(model):
    """How ``height="auto"`` chose, from ``height_plan_``, if the model has it."""
    plan = getattr(model, "height_plan_", None)
    if not isinstance(plan, dict):
        return []
    notes = []
    if "largest_height" in plan:
        notes.append(f"max h {plan['largest_height']}")
    if plan.get("backend"):
        notes.append(str(plan["backend"]))
    return notes


def _import_modules(names):
    """Import ``names`` (in a worker process); returns the process id."""
    for name in names:
        importlib.import_module(name)
    return os.getpid()


def make_sklearn_method(method, scenario, split, n_jobs, height="auto"):
    """A factory of fresh, unfitted models for one of the scikit-learn methods.

    ``height`` is passed to the Radon machine (``radon`` and ``mean``).
    """
    inner = scenario.estimator()
    classify = split.is_classification
    if method == "base":
        return lambda: clone(inner)
    if method in ("radon", "mean"):
        machine = RadonMachineClassifier if classify else RadonMachineRegressor
        aggregation = "radon" if method == "radon" else "mean"
        return lambda: machine(
            clone(inner),
            height=height,
            aggregation=aggregation,
            n_jobs=n_jobs,
            random_state=0,
        )
    bagging = BaggingClassifier if classify else BaggingRegressor
    return lambda: bagging(
        clone(inner),
        n_estimators=n_jobs,
        max_samples=1 / n_jobs,
        n_jobs=n_jobs,
        random_state=0,
    )


def run_sklearn_method(method, scenario, split, n_jobs, repeats, height="auto"):
    """Fit and score ``base``, ``radon``, ``mean`` or ``bagging``.

    ``height`` is the Radon machine's: ``mean`` gets the height ``radon``
    chose, so that both aggregate the same shards.
    """
    result = Result(method)
    make = make_sklearn_method(method, scenario, split, n_jobs, height)
    heights = []

    def fit():
        model = make().fit(split.X_train, split.y_train)
        heights.append(getattr(model, "height_", None))
        return model

    model = record(result, time_fits(fit, repeats, method != "bagging"))
    result.score = evaluate(scenario.metric, model, split.X_test, split.y_test)
    if method in ("radon", "mean"):
        result.height, result.shards = model.height_, model.n_shards_
        if len(set(heights)) > 1:
            result.notes.append(f"heights over repeats {heights}")
        if height != "auto":
            result.notes.append("height set to radon's")
        result.notes += _machine_notes(model)
        if method == "radon":
            result.notes += _plan_notes(model)
    elif method == "bagging":
        result.notes.append(f"{n_jobs} bags x 1/{n_jobs} rows, bootstrap")
        if has_fit_parameter(scenario.estimator(), "sample_weight"):
            result.notes.append("rows drawn as sample_weight")
    return result


def run_scenario(scenario, args):
    """The in-process methods of one scenario; returns the split and the rows."""
    split = prepare(scenario, args.quick)
    print(f"\n== {scenario.name}: {split.description}")
    print(
        f"   {len(split.y_train):,} training rows, {len(split.y_test):,} test rows; "
        f"score: {METRIC_LABELS[scenario.metric]}"
    )
    results, radon_height = [], "auto"
    for method in METHODS:
        print(f"   fitting {method} ...", end="", flush=True)
        try:
            height = radon_height if method == "mean" else "auto"
            result = run_sklearn_method(
                method, scenario, split, args.n_jobs, args.repeats, height
            )
            if method == "radon" and result.height is not None:
                radon_height = result.height
        except Exception as error:
            result = Result(method, status=f"failed: {short_reason(error)}")
        print(" " + status_text(result))
        results.append(result)
    return split, results


def warm_up_workers(n_jobs, attempts=5):
    """Start joblib's workers and import the learners there, before any timing.

    A fresh loky worker spends a second or more importing scipy and
    scikit-learn on its first task; that is start-up, not fitting, so it is
    paid here once (as the Dask cluster and the Spark session are started
    before their timings).
    """
    if n_jobs < 2:
        return
    seen = set()
    for _ in range(attempts):
        seen.update(
            Parallel(n_jobs=n_jobs)(
                delayed(_import_modules)(WORKER_MODULES) for _ in range(2 * n_jobs)
            )
        )
        if len(seen) >= n_jobs:
            return
