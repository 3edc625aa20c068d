"""The ``growth`` section: the growth exponent of plain fits in the rows."""

import warnings
from functools import partial

import numpy as np
from peers.report import markdown_table
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from radonlearn._planning import _LINEAR_COST, growth_range

from .common import (
    GLM_DATA,
    GROWTH_REPEAT_BELOW,
    LINEAR_EXPONENT,
    _quantile,
    fmt,
    generated,
    glm_data,
    median,
    rows_text,
    side_by_side,
    time_fit,
)

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

    Returns ``(name, sizes, median seconds per size, in _LINEAR_COST,
    the planner's growth range)``.
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
        (
            name,
            sizes,
            [seconds[name][size] for size in sizes],
            linear,
            growth_range(factory()),
        )
        for name, factory, _, sizes, linear in learners
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
        "growth range",
        "rows",
        "seconds",
        "exponent between consecutive sizes",
        "exponent, smallest to largest",
        "linear?",
        "smallest x rows bounds the largest",
    ]
    body = []
    for name, sizes, seconds, linear, (low, high) in rows:
        slopes = [_slope(sizes, seconds, i, i + 1) for i in range(len(sizes) - 1)]
        body.append(
            [
                f"`{name}`",
                "yes" if linear else "no",
                f"{low:g} to {high:g}",
                " / ".join(rows_text(size) for size in sizes),
                " / ".join(fmt(value) for value in seconds),
                " / ".join(f"{slope:.2f}" for slope in slopes),
                f"{_slope(sizes, seconds, 0, -1):.2f}",
                "yes" if slopes[-1] <= LINEAR_EXPONENT else "**no**",
                "yes" if _slope(sizes, seconds, 0, -1) <= 1 else "**no**",
            ]
        )
    return markdown_table(header, body, right=range(4, 7))


def _slope(sizes, seconds, first, last):
    """The log-log slope of the seconds between two sizes."""
    return float(
        np.log(seconds[last] / seconds[first]) / np.log(sizes[last] / sizes[first])
    )
