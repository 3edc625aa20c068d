"""The side-by-side comparison: the Radon machine, all rows and averaging.

The three methods are fitted on the same training rows, each as one step of
the progress display, scored on the same test rows and printed as one table.
"""

import sys
import time

import numpy as np

from ._cli_progress import FitProgress, progress_mode

__all__ = []


def _scores(task, model, X, y):
    """Test scores as (name, value) pairs."""
    from sklearn.metrics import (
        accuracy_score,
        mean_absolute_error,
        r2_score,
        roc_auc_score,
    )

    if task == "regression":
        predicted = model.predict(X)
        return [
            ("MAE", mean_absolute_error(y, predicted)),
            ("R2", r2_score(y, predicted)),
        ]
    scores = [("accuracy", accuracy_score(y, model.predict(X)))]
    if np.unique(y).size == 2 and hasattr(model, "decision_function"):
        scores.insert(0, ("ROC AUC", roc_auc_score(y, model.decision_function(X))))
    return scores


def _seeded(estimator, seed):
    """A clone of ``estimator``, with ``random_state=seed`` when it takes one."""
    from sklearn.base import clone

    model = clone(estimator)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    return model


def _fit_row(name, model, task, X_train, y_train, X_test, y_test):
    """Fit one method and describe it as a table row."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    last = model[-1]
    return {
        "method": name,
        "height": getattr(last, "height_", "-"),
        "shards": getattr(last, "n_shards_", 1),
        "seconds": seconds,
        "scores": _scores(task, model, X_test, y_test),
    }


def run_methods(task, estimator, X_train, y_train, X_test, y_test, args):
    """Fit the Radon machine, the base learner and averaging; return table rows.

    The Radon machine is fitted first: a height the data cannot fill fails
    before the (possibly long) fit on all rows. The rows come back in table
    order: all rows, Radon machine, averaging.
    """
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._machine import RadonMachineClassifier, RadonMachineRegressor

    machine_class = (
        RadonMachineClassifier if task == "classification" else RadonMachineRegressor
    )
    height = "auto" if args.height is None else args.height
    name = type(estimator).__name__
    what = f"{name} on {len(y_train):,} rows"

    def machine_pipeline(**params):
        """A scaler and a Radon machine of ``estimator``; ``params`` for the machine."""
        return make_pipeline(
            StandardScaler(),
            machine_class(
                clone(estimator),
                n_jobs=args.n_jobs,
                random_state=args.random_state,
                **params,
            ),
        )

    stream = sys.stderr
    with FitProgress(progress_mode(args.quiet, stream), 3, stream) as progress:

        def fitted(label, pipeline, machine=None):
            """Fit one method as one progress step; returns its table row."""
            with progress.step(label, what, machine):
                return _fit_row(label, pipeline, task, X_train, y_train, X_test, y_test)

        radon = machine_pipeline(height=height)
        radon_row = fitted("Radon machine", radon, radon[-1])
        baseline = make_pipeline(
            StandardScaler(), _seeded(estimator, args.random_state)
        )
        base_row = fitted("all rows", baseline)
        averaging = machine_pipeline(height=radon[-1].height_, aggregation="mean")
        average_row = fitted("averaging", averaging, averaging[-1])
    return [base_row, radon_row, average_row], radon


def print_table(rows, out=None):
    """An aligned text table: method, height, shards, time, speed-up, scores."""
    out = sys.stdout if out is None else out
    base = rows[0]["seconds"]
    header = ["method", "height", "shards", "fit time", "speed-up"]
    header += [name for name, _ in rows[0]["scores"]]
    lines = [header]
    for row in rows:
        line = [
            row["method"],
            str(row["height"]),
            f"{row['shards']:,}",
            f"{row['seconds']:.2f} s",
            f"{base / row['seconds']:.1f}x",
        ]
        line += [f"{value:.4f}" for _, value in row["scores"]]
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells), file=out)
        if number == 0:
            print("  ".join("-" * width for width in widths), file=out)
