"""The side-by-side comparison: the Radon machine, all rows and averaging.

The three methods are fitted on the same training rows, each as one step of
the progress display, scored on the same test rows and printed as one table.
Averaging is compared like with like: it fits the Radon machine's shards (the
same height, rows and seeds, on the same backend) and is charged the Radon
machine's planning in place of its own pilot, so the two machine rows differ
only in how the shard models are combined; when the Radon machine fitted
all rows at once (height 0) there is nothing to average, and the averaging
row is left out with a note saying so. Every pipeline starts with the same
(unfitted) preprocessing, if any. Under the table, the Radon row's plan is
explained and every row's time is said to include what it includes.
"""

import shutil
import sys
import textwrap
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._cli_progress import FitProgress, progress_mode

__all__ = []

# The backend of the Radon machine's shard fits (``height_plan_["backend"]``)
# as joblib names it, so that averaging fits the same shards on it.
_JOBLIB_BACKENDS = {"threads": "threading", "processes": "loky"}


@dataclass(frozen=True)
class MethodRow:
    """One method of the table: what was fitted, its time and its scores.

    ``seconds`` is the time the table charges (``includes`` says what it
    covers); ``planning`` the Radon machine's planning seconds it holds
    (None for the fit on all rows); ``reason`` the Radon machine's reason
    for its height; ``model`` the fitted pipeline.
    """

    method: str
    height: Any
    shards: int
    seconds: float
    scores: list
    includes: str
    planning: float | None = None
    reason: str = ""
    model: Any = None


def scores_of(task, model, X, y):
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


def seeded_clone(estimator, seed):
    """A clone of ``estimator``, with ``random_state=seed`` when it takes one."""
    from sklearn.base import clone

    model = clone(estimator)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    return model


def _timed_fit(model, X, y):
    """Fit ``model``; its wall seconds."""
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def _shard_work(machine, combined, same=""):
    """The shard fits of a fitted Radon machine and how they are ``combined``."""
    if machine.n_shards_ == 1:
        return "one fit on all rows"
    backend = machine.height_plan_.get("backend", "sequential")
    return f"{same}{machine.n_shards_:,} shard fits ({backend}) and their {combined}"


def _same_backend(radon):
    """A joblib context fitting shards on the fitted ``radon`` machine's backend."""
    from joblib import parallel_config

    backend = _JOBLIB_BACKENDS.get(radon.height_plan_.get("backend"))
    return nullcontext() if backend is None else parallel_config(backend=backend)


def _radon_row(radon, radon_wall, scores, spent):
    """The row of the fitted Radon machine pipeline ``radon``."""
    machine = radon[-1]
    planning = machine.fit_times_.get("pilot", 0.0)
    return MethodRow(
        "Radon machine",
        machine.height_,
        machine.n_shards_,
        radon_wall,
        scores(radon),
        f"its {spent} ({planning:.2f} s), then {_shard_work(machine, 'Radon point')}",
        planning,
        machine.height_plan_.get("reason", ""),
        radon,
    )


def _machine_rows(radon, averaging, radon_wall, average_wall, scores, spent):
    """The rows of the fitted Radon machine and averaging pipelines.

    Both are charged the Radon machine's ``spent`` seconds (its planning, or
    its pilot fit for an explicit height): averaging's own pilot fit is
    taken out of its wall time and the Radon machine's put in.
    """
    machine, average = radon[-1], averaging[-1]
    planning = machine.fit_times_.get("pilot", 0.0)
    own_pilot = average.fit_times_.get("pilot", 0.0)
    return [
        _radon_row(radon, radon_wall, scores, spent),
        MethodRow(
            "averaging",
            average.height_,
            average.n_shards_,
            average_wall - own_pilot + planning,
            scores(averaging),
            f"the Radon machine's {spent} ({planning:.2f} s) in place of its own "
            f"pilot fit ({own_pilot:.2f} s), then "
            f"{_shard_work(machine, 'mean', 'the same ')}",
            planning,
            model=averaging,
        ),
    ]


NO_AVERAGING = (
    "averaging: left out. The Radon machine fitted all rows at once (height 0, "
    "one shard), so there are no shard models to average; with enough rows, "
    "--height 1 compares the two on shards."
)


def run_methods(
    task, estimator, X_train, y_train, X_test, y_test, args, preprocessing=None
):
    """Fit the Radon machine, the base learner and averaging; return table rows.

    The Radon machine is fitted first: a height the data cannot fill fails
    before the (possibly long) fit on all rows. Averaging then fits the
    Radon machine's shards: its height (taken as given, so a warning about
    it is not repeated), its seed and its backend; its time is charged the
    Radon machine's planning in place of its own layout pilot. At height 0
    averaging is not fitted (one shard: nothing to average). Every pipeline
    starts with a clone of ``preprocessing`` (an unfitted transformer, or
    None for none), fitted on the training rows. The rows come back in
    table order: all rows, Radon machine, averaging (if fitted); with the
    fitted Radon machine's pipeline.
    """
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    from ._machine import RadonMachineClassifier, RadonMachineRegressor

    machine_class = (
        RadonMachineClassifier if task == "classification" else RadonMachineRegressor
    )
    what = f"{type(estimator).__name__} on {len(y_train):,} rows"
    front = [] if preprocessing is None else [preprocessing]

    def pipeline(model):
        """``model`` after a fresh clone of the preprocessing."""
        return make_pipeline(*map(clone, front), model)

    def machine_pipeline(**params):
        """A Radon machine of ``estimator`` (``params`` for it) in a pipeline."""
        return pipeline(
            machine_class(
                clone(estimator),
                n_jobs=args.n_jobs,
                random_state=args.random_state,
                **params,
            )
        )

    def scores(model):
        """Test scores of a fitted ``model``."""
        return scores_of(task, model, X_test, y_test)

    stream = sys.stderr
    with FitProgress(progress_mode(args.quiet, stream), 3, stream) as progress:
        radon = machine_pipeline(height="auto" if args.height is None else args.height)
        with progress.step("Radon machine", what, radon[-1]):
            radon_wall = _timed_fit(radon, X_train, y_train)
        baseline = pipeline(seeded_clone(estimator, args.random_state))
        with progress.step("all rows", what):
            base_wall = _timed_fit(baseline, X_train, y_train)
        if radon[-1].height_ == 0:
            progress.skip("averaging", "one shard, nothing to average")
        else:
            # min_samples_per_shard=1: the height is the Radon machine's,
            # already checked and warned about; an int is checked as "auto"
            # is for an explicit height (a row per shard), without the
            # warning again.
            averaging = machine_pipeline(
                height=radon[-1].height_, aggregation="mean", min_samples_per_shard=1
            )
            with (
                progress.step("averaging", what, averaging[-1]),
                _same_backend(radon[-1]),
            ):
                average_wall = _timed_fit(averaging, X_train, y_train)
    base = MethodRow(
        "all rows",
        "-",
        1,
        base_wall,
        scores(baseline),
        "one fit on all rows",
        model=baseline,
    )
    spent = "planning" if args.height is None else "pilot fit"
    if radon[-1].height_ == 0:
        return [base, _radon_row(radon, radon_wall, scores, spent)], radon
    rows = [
        base,
        *_machine_rows(radon, averaging, radon_wall, average_wall, scores, spent),
    ]
    return rows, radon


def text_width(out):
    """The terminal's width when ``out`` is a terminal, else None (no wrapping)."""
    if getattr(out, "isatty", lambda: False)():
        return shutil.get_terminal_size().columns
    return None


def print_wrapped(text, out, first, rest):
    """``text`` after ``first``, wrapped to the terminal (lines after: ``rest``).

    In a file or a pipe every text stays on one line, whole for grep.
    """
    width = text_width(out)
    if width is None:
        print(first + text, file=out)
        return
    print(
        textwrap.fill(
            text,
            width=max(width, len(first) + 20),
            initial_indent=first,
            subsequent_indent=rest,
            break_on_hyphens=False,
        ),
        file=out,
    )


def aligned(lines):
    """Rows of cells as text: first column left-aligned, a rule under the header."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = []
    for line in lines:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        text.append("  ".join(cells))
    text.insert(1, "  ".join("-" * width for width in widths))
    return text


def print_table(rows, out=None):
    """The table (method, height, shards, time, speed-up, scores) with its notes.

    The Radon machine's reason for its height is printed under its row, and
    what each row's fit time includes under the table; without an averaging
    row, why it is left out (``NO_AVERAGING``).
    """
    out = sys.stdout if out is None else out
    base = rows[0].seconds
    header = ["method", "height", "shards", "fit time", "speed-up"]
    header += [name for name, _ in rows[0].scores]
    lines = [header]
    for row in rows:
        line = [
            row.method,
            str(row.height),
            f"{row.shards:,}",
            f"{row.seconds:.2f} s",
            f"{base / row.seconds:.1f}x",
        ]
        line += [f"{value:.4f}" for _, value in row.scores]
        lines.append(line)
    text = aligned(lines)
    print(text[0], file=out)
    print(text[1], file=out)
    for row, line in zip(rows, text[2:], strict=True):
        print(line, file=out)
        if row.reason:
            print_wrapped(row.reason, out, "  why: ", "       ")
    print("Each fit time includes:", file=out)
    width = max(len(row.method) for row in rows)
    for row in rows:
        first = f"  {row.method.ljust(width)}  "
        print_wrapped(row.includes, out, first, " " * len(first))
    if [row.method for row in rows] == ["all rows", "Radon machine"]:
        print_wrapped(NO_AVERAGING, out, "", "")
