"""The ``split`` section: what splitting the rows into shards costs in work.

For a learner whose fit costs ``c * rows**e``, the ``r`` shards of height 1
cost ``r**(1 - e)`` times one fit on all rows, summed over the workers
(the *split work*). Learners that run epochs until a tolerance is met
(``SGDClassifier``, ``SGDRegressor``, ``Perceptron``) might need more
epochs on fewer rows, which would make their split work exceed 1 and take
them out of ``_LINEAR_COST`` in ``radonlearn/_planning.py``. Measured one
fit at a time, with one BLAS thread, so that the machine's load weighs on
both sides.
"""

import math
import warnings
from functools import partial

import numpy as np
from peers.report import markdown_table
from sklearn.linear_model import Perceptron, SGDClassifier, SGDRegressor

from .common import fmt, generated, median, rows_text, side_by_side, time_fit

# Shards of height 1 for 18 features and an intercept (r = D + 2).
SPLIT_SHARDS = 21
SPLIT_LEARNERS = {
    "SGDClassifier": (SGDClassifier, "classification"),
    "Perceptron": (Perceptron, "classification"),
    "SGDRegressor": (SGDRegressor, "regression"),
}


def _shards_fit(factory, X, y, parts):
    """One fit per part, one after the other; their summed seconds as a fit."""
    fits = [time_fit(factory, X[part], y[part], one_thread=True) for part in parts]
    return type(fits[0])(sum(fit.seconds for fit in fits))


def measure_split(args, profile):
    """Split work of the epoch learners at the panel's two largest sizes.

    Returns ``(learner, rows, one fit s, shards' sum s, split work, e)``.
    """
    rng = np.random.default_rng(0)
    results = []
    for n_rows in profile.sizes[-2:]:
        for name, (factory, task) in SPLIT_LEARNERS.items():
            X, y = generated(task, n_rows)
            parts = np.array_split(rng.permutation(n_rows), SPLIT_SHARDS)
            methods = {
                "one": partial(time_fit, factory, X, y, one_thread=True),
                "shards": partial(_shards_fit, factory, X, y, parts),
            }
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits = side_by_side(methods, args.repeats)
            one = median(fit.seconds for fit in fits["one"])
            shards = median(fit.seconds for fit in fits["shards"])
            work = shards / one
            growth = 1.0 - math.log(work) / math.log(SPLIT_SHARDS)
            results.append((name, n_rows, one, shards, work, growth))
            print(
                f"  {name} {rows_text(n_rows)}: one fit {fmt(one)} s, "
                f"{SPLIT_SHARDS} shards {fmt(shards)} s, split work {work:.2f}, "
                f"e = {growth:.2f}",
                flush=True,
            )
    return results


def split_lines(results):
    """The split-work table, Markdown, with its summary line."""
    growths = [row[-1] for row in results]
    header = ["learner", "rows", "one fit s", "21 shards, summed s", "split work", "e"]
    rows = [
        [name, rows_text(n_rows), fmt(one), fmt(shards), f"{work:.2f}", f"{e:.2f}"]
        for name, n_rows, one, shards, work, e in results
    ]
    return [
        "### Split work: what splitting costs the epoch learners",
        "",
        f"One fit on all rows against {SPLIT_SHARDS} fits on a 21st each, one "
        "after the other (one BLAS thread). *split work*: the shards' sum over "
        "the one fit; *e*: the growth exponent it implies, "
        f"`1 - log(split work) / log({SPLIT_SHARDS})`. Median e "
        f"{np.median(growths):.2f}, smallest {min(growths):.2f} (1 or more: "
        "sharding costs them no extra work, as `_LINEAR_COST` assumes).",
        "",
        markdown_table(header, rows, right=range(2, 6)),
        "",
    ]
