"""The ``radonlearn`` command line: ``demo`` and ``compare``.

Both fit three models on the same training rows (the Radon machine, the
inner estimator on all rows, and averaging on the Radon machine's shards)
and print one table. The input is checked before anything is fitted: the
estimator must be a scikit-learn estimator class that suits the target, the
rows with missing values are refused or dropped and counted, and ``--save``
must name a writable file. Progress and every warning go to stderr.
"""

import argparse
import importlib
import os
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["main"]

_DEMO_ROWS = 21_000
# Where a bare --estimator name is looked up.
_ESTIMATOR_MODULES = ("sklearn.linear_model", "sklearn.svm")
# Columns named in a message about missing values, at most.
_COLUMNS_SHOWN = 5


class UserError(Exception):
    """A mistake in the user's input: reported in one line, exit code 2."""


def _estimator_class(name):
    """The scikit-learn estimator class that ``name`` names; UserError otherwise.

    ``name`` is a class of ``sklearn.linear_model`` or ``sklearn.svm`` or a
    dotted path to a class in any module. What it points at is only looked
    at, never called, until it is known to be an estimator class: a subclass
    of ``sklearn.base.BaseEstimator`` with a ``fit`` method.
    """
    from sklearn.base import BaseEstimator

    if "." in name:
        module_name, _, class_name = name.rpartition(".")
        try:
            found = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as error:
            raise UserError(f"cannot import estimator {name!r}: {error}") from None
    else:
        modules = [importlib.import_module(module) for module in _ESTIMATOR_MODULES]
        found = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        if found is None:
            raise UserError(
                f"unknown estimator {name!r}: give a class of sklearn.linear_model "
                "or sklearn.svm (e.g. LogisticRegression, LinearSVC) or a dotted "
                "path to an estimator class"
            )
    if not (
        isinstance(found, type)
        and issubclass(found, BaseEstimator)
        and callable(getattr(found, "fit", None))
    ):
        what = (
            "a class that is not a scikit-learn estimator"
            if isinstance(found, type)
            else f"a {type(found).__name__}, not a class"
        )
        raise UserError(
            f"--estimator {name!r} is {what}; give a scikit-learn estimator class "
            "(a subclass of sklearn.base.BaseEstimator with fit), e.g. Ridge or "
            "sklearn.linear_model.LogisticRegression"
        )
    return found


def _estimator_and_task(args, y):
    """The estimator to compare and the task, checked against the target.

    An explicit ``--estimator`` decides the task (a classifier classifies, a
    regressor regresses) and must agree with ``--task``; otherwise the task
    is ``--task`` or guessed from the target and the default estimator is
    LogisticRegression or Ridge.
    """
    from sklearn.base import is_classifier, is_regressor
    from sklearn.linear_model import LogisticRegression, Ridge

    if args.estimator is None:
        task = args.task or _guess_task(y)
        estimator = LogisticRegression() if task == "classification" else Ridge()
    else:
        found = _estimator_class(args.estimator)
        try:
            estimator = found()
        except TypeError as error:
            raise UserError(
                f"cannot create {found.__name__} with its default parameters: {error}"
            ) from None
        if is_classifier(estimator):
            task, kind = "classification", "classifier"
        elif is_regressor(estimator):
            task, kind = "regression", "regressor"
        else:
            raise UserError(
                f"{found.__name__} is neither a classifier nor a regressor; give a "
                "linear classifier or regressor, e.g. LogisticRegression or Ridge"
            )
        if args.task is not None and args.task != task:
            raise UserError(
                f"--task {args.task} but {found.__name__} is a {kind}; give a "
                f"{'regressor' if kind == 'classifier' else 'classifier'} or "
                f"--task {task}"
            )
    _check_target_suits(task, estimator, y, args.target)
    return estimator, task


def _check_target_suits(task, estimator, y, target):
    """UserError for a regressor on text or a classifier on a continuous target."""
    from sklearn.utils.multiclass import type_of_target

    name = type(estimator).__name__
    numeric = y.dtype == bool or np.issubdtype(y.dtype, np.number)
    if task == "regression" and not numeric:
        raise UserError(
            f"{name} is a regressor but the target {target!r} holds text (e.g. "
            f"{y[0]!r}); give a classifier (--estimator LogisticRegression) or a "
            "numeric target"
        )
    if task == "classification" and numeric and type_of_target(y) == "continuous":
        values = np.unique(y)
        raise UserError(
            f"{name} is a classifier but the target {target!r} is continuous "
            f"({values.size:,} distinct values, e.g. {values[0]:g}); give a "
            "regressor (--estimator Ridge) or --task regression"
        )
    if task == "classification" and np.unique(y).size < 2:
        raise UserError(f"the target {target!r} has only one class")


def _read_table(path):
    """A pandas DataFrame from a CSV or Parquet file."""
    try:
        import pandas as pd
    except ImportError:
        raise UserError(
            "reading files needs pandas: pip install 'radonlearn[cli]' "
            "(or pip install pandas)"
        ) from None

    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except ImportError as error:
        raise UserError(f"cannot read {path}: {error}") from None
    except (ValueError, OSError) as error:
        raise UserError(f"cannot read {path}: {error}") from None


def _percent(part, whole):
    """``part`` of ``whole`` as a percentage with one decimal, never a bare 0.0."""
    share = 100.0 * part / whole
    return "< 0.1 %" if 0 < share < 0.05 else f"{share:.1f} %"


def _split_table(frame, target, drop_missing):
    """Features and target of a table, and a note on the rows left out.

    Features must be numeric. A row with a missing or non-finite feature or
    target is refused (UserError with the count and the columns) unless
    ``drop_missing``; then it is left out and counted in the note, which is
    None when every row is complete.
    """
    from pandas.api.types import is_numeric_dtype

    if target not in frame.columns:
        raise UserError(
            f"no column {target!r} in the file; columns are: "
            + ", ".join(map(str, frame.columns))
        )
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise UserError("the file has no feature columns besides the target")
    non_numeric = [
        str(column)
        for column, dtype in features.dtypes.items()
        if not is_numeric_dtype(dtype)
    ]
    if non_numeric:
        raise UserError(
            "non-numeric feature column(s): "
            + ", ".join(non_numeric)
            + "; encode them as numbers first"
        )
    X = features.to_numpy(dtype=np.float64, na_value=np.nan)
    y = frame[target].to_numpy()
    bad = np.column_stack([~np.isfinite(X), frame[target].isna().to_numpy()])
    if np.issubdtype(y.dtype, np.floating):
        bad[:, -1] |= ~np.isfinite(y)
    rows = bad.any(axis=1)
    n_bad, n_rows = int(rows.sum()), len(rows)
    if n_bad == 0:
        return X, y, None
    columns = [*map(str, features.columns), str(target)]
    counts = bad.sum(axis=0)
    where = [f"{columns[i]} ({counts[i]:,})" for i in np.flatnonzero(counts)]
    if len(where) > _COLUMNS_SHOWN:
        where = [*where[:_COLUMNS_SHOWN], f"{len(where) - _COLUMNS_SHOWN} more"]
    summary = (
        f"{n_bad:,} of {n_rows:,} rows ({_percent(n_bad, n_rows)}) with missing "
        f"or non-finite values in {', '.join(where)}"
    )
    if not drop_missing:
        raise UserError(
            f"{summary}; pass --drop-missing to leave these rows out, or fill "
            "them in first"
        )
    if n_bad == n_rows:
        raise UserError(f"every row has missing or non-finite values: {summary}")
    return X[~rows], y[~rows], f"dropped {summary}."


def _guess_task(y):
    """Classification for non-numeric or few-valued integer targets."""
    if not np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        return "classification"
    values = np.unique(y)
    if np.all(np.mod(values, 1) == 0) and values.size <= 20:
        return "classification"
    return "regression"


def _check_save_path(path):
    """UserError unless a file can be written at ``path``, checked before fitting."""
    path = Path(path)
    if path.is_dir():
        raise UserError(
            f"--save {path} is a directory; give a file name in it, e.g. "
            f"{path / 'radon_machine.joblib'}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise UserError(
            f"--save {path}: the directory {folder} does not exist; create it "
            "first or save elsewhere"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"--save {path}: the file exists and is read-only")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError(
            f"--save {path}: cannot write in {folder} ({error.strerror}); "
            "choose a writable directory"
        ) from None


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


class _ShardProgress:
    """A scikit-learn fit callback passing a Radon machine's shards to a step.

    ``started(n_shards)`` when the shard fits begin (after the height is
    planned and checked), ``advanced()`` after each shard fitted.
    """

    def __init__(self, started, advanced):
        self.started = started
        self.advanced = advanced

    def setup(self, estimator, context):
        """Nothing to prepare."""

    def teardown(self, estimator, context):
        """Nothing to release."""

    def on_fit_task_begin(self, estimator, context, **kwargs):
        """Announce the shard fits with their number."""
        if context.task_name == "shard fits":
            self.started(context.max_subtasks)

    def on_fit_task_end(self, estimator, context, **kwargs):
        """Count a shard fitted."""
        if context.task_name == "shard":
            self.advanced()


class _Progress:
    """Progress of the fits on stderr, and the warnings they raise.

    ``mode`` is ``"rich"`` (live bars, on a terminal with rich installed),
    ``"plain"`` (one line per step) or None (``--quiet``: no progress).
    Every warning raised during a step (deprecations aside) is shown once
    per kind, with its count, in every mode. Use as a context manager
    around the steps.
    """

    def __init__(self, mode, n_steps, stream):
        self.mode, self.n_steps, self.stream = mode, n_steps, stream
        self.number = 0
        self.bars = None

    def __enter__(self):
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self.bars.start()
        return self

    def __exit__(self, *exc_info):
        if self.bars is not None:
            self.bars.stop()

    def _say(self, text):
        """One line on stderr, above the bars when they are live."""
        if self.bars is not None:
            self.bars.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def step(self, name, what, machine=None):
        """Fit one method: announce it, follow a Radon machine's shards, show warnings.

        A step with a Radon ``machine`` is announced when its shard fits
        begin, so a height the data cannot fill fails before any progress
        line; without scikit-learn's callback API, when it ends.
        """
        self.number += 1
        label = f"[{self.number}/{self.n_steps}] {name}"
        task = None
        if self.bars is not None:
            task = self.bars.add_task(label, total=None)
        elif self.mode == "plain" and machine is None:
            self._say(f"radonlearn: {label}: fitting {what}")
        announced = []

        def started(n_shards):
            announced.append(n_shards)
            shards = f"{n_shards:,} shard{'s' * (n_shards != 1)}"
            if task is not None:
                self.bars.update(task, total=n_shards, description=f"{label}: {shards}")
            elif self.mode == "plain":
                self._say(f"radonlearn: {label}: fitting {what} in {shards}")

        def advanced():
            if task is not None:
                self.bars.advance(task)

        if machine is not None and hasattr(machine, "set_callbacks"):
            machine.set_callbacks(_ShardProgress(started, advanced))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # As Python's defaults: deprecations are for the code's
                # authors, not for the user of the command line.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                yield
        finally:
            if machine is not None and hasattr(machine, "set_callbacks"):
                machine.set_callbacks()  # a saved model carries no callback
            self._show_warnings(name, caught)
        if task is not None:
            total = next(t for t in self.bars.tasks if t.id == task).total or 1
            self.bars.update(task, total=total, completed=total)
        elif self.mode == "plain" and machine is not None and not announced:
            self._say(f"radonlearn: {label}: fitted {what}")

    def _show_warnings(self, name, caught):
        """Each kind of warning once, with how often it was raised."""
        kinds = {}
        for record in caught:
            message = " ".join(str(record.message).split())
            key = (record.category.__name__, message)
            kinds[key] = kinds.get(key, 0) + 1
        for (category, message), count in kinds.items():
            times = f" ({count:,} times)" if count > 1 else ""
            self._say(f"radonlearn: warning: {name}: {category}: {message}{times}")


def _progress_mode(args, stream):
    """Mode: "plain" progress, or "rich" on a terminal with rich; None if quiet."""
    if args.quiet:
        return None
    if getattr(stream, "isatty", lambda: False)():
        try:
            import rich.progress  # noqa: F401
        except ImportError:
            return "plain"
        return "rich"
    return "plain"


def _seeded(estimator, seed):
    """A clone of ``estimator``, with ``random_state=seed`` when it takes one."""
    from sklearn.base import clone

    model = clone(estimator)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    return model


def _run_methods(task, estimator, X_train, y_train, X_test, y_test, args):
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
    with _Progress(_progress_mode(args, stream), 3, stream) as progress:

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


def _print_table(rows, out=None):
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


def _demo(args):
    """Median regression with heavy-tailed noise: a superlinear base learner."""
    from sklearn.datasets import make_regression
    from sklearn.linear_model import QuantileRegressor
    from sklearn.model_selection import train_test_split

    if args.n_samples < 100:
        raise UserError(f"--n-samples must be at least 100, got {args.n_samples}")
    X, y = make_regression(
        n_samples=args.n_samples,
        n_features=8,
        noise=10.0,
        random_state=args.random_state,
    )
    noise = np.random.default_rng(args.random_state).standard_t(2, size=len(y))
    y = y + 10.0 * noise
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=args.random_state
    )
    print(
        f"Median regression (QuantileRegressor, HiGHS) on {len(y_train):,} "
        f"generated rows x 8 features with heavy-tailed noise; "
        f"{len(y_test):,} test rows; n_jobs={args.n_jobs}.",
        flush=True,
    )
    rows, _ = _run_methods(
        "regression",
        QuantileRegressor(alpha=0.0),
        X_train,
        y_train,
        X_test,
        y_test,
        args,
    )
    _print_table(rows)


def _compare(args):
    """The same comparison on the user's table, every input checked first."""
    from sklearn.model_selection import train_test_split

    if not 0 < args.test_size < 1:
        raise UserError(f"--test-size must be between 0 and 1, got {args.test_size}")
    frame = _read_table(args.path)
    X, y, dropped = _split_table(frame, args.target, args.drop_missing)
    estimator, task = _estimator_and_task(args, y)
    if args.save:
        _check_save_path(args.save)
    stratify = y if task == "classification" else None
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=args.test_size,
            random_state=args.random_state,
            stratify=stratify,
        )
    except ValueError as error:
        raise UserError(f"cannot split the data: {error}") from None
    if dropped:
        print(dropped)
    print(
        f"{type(estimator).__name__} ({task}) on {len(y_train):,} rows x "
        f"{X.shape[1]} features from {args.path}; {len(y_test):,} test rows; "
        f"n_jobs={args.n_jobs}.",
        flush=True,
    )
    rows, machine = _run_methods(
        task, estimator, X_train, y_train, X_test, y_test, args
    )
    _print_table(rows)
    if args.save:
        import joblib

        try:
            joblib.dump(machine, args.save)
        except OSError as error:
            raise UserError(f"cannot save to {args.save}: {error}") from None
        print(f"saved the fitted Radon machine (a Pipeline) to {args.save}")


_PROGRESS_HELP = (
    "Progress goes to stderr: live bars on a terminal (with rich: pip install "
    "'radonlearn[cli]'), otherwise one line per fitted model. Every warning "
    "the fits raise is shown there once per kind, with its count."
)


def _parser():
    """The argument parser with its two subcommands."""
    parser = argparse.ArgumentParser(
        prog="radonlearn",
        description="Train linear scikit-learn models in parallel by the Radon "
        "machine, and compare them with the usual fit.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--n-jobs", type=int, default=2, help="parallel workers (2)")
    common.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of data, shards and of a stochastic estimator's fit (0)",
    )
    common.add_argument(
        "--quiet",
        action="store_true",
        help="no progress on stderr (warnings and errors are still shown)",
    )
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="compare on generated data (under a minute on 2 cores)",
        description="Fit a median regression on generated data with heavy-tailed "
        "noise on all rows, by the Radon machine and by averaging the same "
        "shards, and print fit time, speed-up and test scores. " + _PROGRESS_HELP,
    )
    demo.add_argument(
        "--n-samples", type=int, default=_DEMO_ROWS, help=f"rows ({_DEMO_ROWS:,})"
    )
    demo.set_defaults(run=_demo, height=None)
    compare = commands.add_parser(
        "compare",
        parents=[common],
        help="compare on your CSV or Parquet file",
        description="The same comparison on a CSV or Parquet file: every column "
        "but the target is a numeric feature; features are standardised. Rows "
        "with missing or non-finite values are refused unless --drop-missing. "
        + _PROGRESS_HELP,
    )
    compare.add_argument("path", help="CSV or Parquet file")
    compare.add_argument("--target", required=True, help="name of the target column")
    compare.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="default: the estimator's kind; without --estimator, classification "
        "for text or few integer target values",
    )
    compare.add_argument(
        "--estimator",
        help="scikit-learn estimator class: a name in sklearn.linear_model or "
        "sklearn.svm, or a dotted path (default LogisticRegression / Ridge)",
    )
    compare.add_argument(
        "--height", type=int, help="height of the aggregation tree (default: auto)"
    )
    compare.add_argument(
        "--test-size", type=float, default=0.25, help="held-out share (0.25)"
    )
    compare.add_argument(
        "--drop-missing",
        action="store_true",
        help="leave out rows with missing or non-finite values and report how "
        "many (default: refuse such a file)",
    )
    compare.add_argument(
        "--save",
        help="write the fitted Radon machine with joblib (the directory must "
        "exist and be writable; checked before fitting)",
    )
    compare.set_defaults(run=_compare)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.n_jobs == 0:
        print("radonlearn: error: --n-jobs must not be 0", file=sys.stderr)
        return 2
    try:
        args.run(args)
    except UserError as error:
        print(f"radonlearn: error: {error}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as error:
        # The estimators' own messages name the problem (a height the data
        # cannot fill, an estimator without coefficients, ...).
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"radonlearn: error: {message}", file=sys.stderr)
        return 2
    return 0
