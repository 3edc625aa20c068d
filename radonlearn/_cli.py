"""The ``radonlearn`` command line: ``demo`` and ``compare``."""

import argparse
import importlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np

__all__ = ["main"]

_DEMO_ROWS = 21_000


class UserError(Exception):
    """A mistake in the user's input: reported in one line, exit code 2."""


def _estimator_class(name, task):
    """The estimator class for ``name``: a scikit-learn class name or a dotted path."""
    if name is None:
        name = "LogisticRegression" if task == "classification" else "Ridge"
    if "." in name:
        module_name, _, class_name = name.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as error:
            raise UserError(f"cannot import estimator {name!r}: {error}") from None
    for module_name in ("sklearn.linear_model", "sklearn.svm"):
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            return getattr(module, name)
    raise UserError(
        f"unknown estimator {name!r}: give a class of sklearn.linear_model or "
        "sklearn.svm (e.g. LogisticRegression, LinearSVC) or a dotted path"
    )


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


def _split_table(frame, target):
    """Features and target of a table, checking that features are numeric."""
    if target not in frame.columns:
        raise UserError(
            f"no column {target!r} in the file; columns are: "
            + ", ".join(map(str, frame.columns))
        )
    y = frame[target].to_numpy()
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise UserError("the file has no feature columns besides the target")
    from pandas.api.types import is_numeric_dtype

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
    X = features.to_numpy(dtype=np.float64)
    keep = np.isfinite(X).all(axis=1) & ~frame[target].isna().to_numpy()
    if not keep.all():
        X, y = X[keep], y[keep]
    return X, y


def _guess_task(y):
    """Classification for non-numeric or few-valued integer targets."""
    if not np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        return "classification"
    values = np.unique(y)
    if np.all(np.mod(values, 1) == 0) and values.size <= 20:
        return "classification"
    return "regression"


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


def _run_methods(task, estimator, X_train, y_train, X_test, y_test, args):
    """Fit the base learner, the Radon machine and averaging; return table rows."""
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._machine import RadonMachineClassifier, RadonMachineRegressor

    machine_class = (
        RadonMachineClassifier if task == "classification" else RadonMachineRegressor
    )
    rows, fitted = [], {}
    height = "auto" if args.height is None else args.height
    plan = [
        ("all rows", make_pipeline(StandardScaler(), clone(estimator))),
        (
            "Radon machine",
            make_pipeline(
                StandardScaler(),
                machine_class(
                    clone(estimator),
                    height=height,
                    n_jobs=args.n_jobs,
                    random_state=args.random_state,
                ),
            ),
        ),
    ]
    for name, model in plan:
        if name == "Radon machine":
            _attach_progress(model, args)
        rows.append(_fit_row(name, model, task, X_train, y_train, X_test, y_test))
        fitted[name] = model
    machine = fitted["Radon machine"][-1]
    pipeline = fitted["Radon machine"]
    if hasattr(pipeline, "set_callbacks"):
        pipeline.set_callbacks()  # a saved model carries no progress bar
    averaging = make_pipeline(
        StandardScaler(),
        machine_class(
            clone(estimator),
            height=machine.height_,
            aggregation="mean",
            n_jobs=args.n_jobs,
            random_state=args.random_state,
        ),
    )
    rows.append(
        _fit_row("averaging", averaging, task, X_train, y_train, X_test, y_test)
    )
    return rows, fitted["Radon machine"]


def _attach_progress(pipeline, args):
    """Show scikit-learn's progress bar on a terminal, unless --quiet.

    Set on the Pipeline, it propagates to the Radon machine's shard fits and
    aggregation levels. Needs scikit-learn's callback API and rich; without
    them, no progress.
    """
    if args.quiet or not sys.stderr.isatty() or not hasattr(pipeline, "set_callbacks"):
        return
    try:
        from sklearn.callback import ProgressBar

        pipeline.set_callbacks(ProgressBar())
    except ImportError:
        pass


def _fit_row(name, model, task, X_train, y_train, X_test, y_test):
    """Fit one method and describe it as a table row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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


def _print_table(rows, out=sys.stdout):
    """An aligned text table: method, height, shards, time, speed-up, scores."""
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
        f"{len(y_test):,} test rows; n_jobs={args.n_jobs}."
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
    """The same comparison on the user's table."""
    from sklearn.model_selection import train_test_split

    frame = _read_table(args.path)
    X, y = _split_table(frame, args.target)
    task = args.task or _guess_task(y)
    if task == "classification" and np.unique(y).size < 2:
        raise UserError(f"the target {args.target!r} has only one class")
    if not 0 < args.test_size < 1:
        raise UserError(f"--test-size must be between 0 and 1, got {args.test_size}")
    estimator = _estimator_class(args.estimator, task)()
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
    print(
        f"{type(estimator).__name__} ({task}) on {len(y_train):,} rows x "
        f"{X.shape[1]} features from {args.path}; {len(y_test):,} test rows; "
        f"n_jobs={args.n_jobs}."
    )
    rows, machine = _run_methods(
        task, estimator, X_train, y_train, X_test, y_test, args
    )
    _print_table(rows)
    if args.save:
        import joblib

        joblib.dump(machine, args.save)
        print(f"saved the fitted Radon machine (a Pipeline) to {args.save}")


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
        "--random-state", type=int, default=0, help="seed of data and shards (0)"
    )
    common.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (shown on a terminal when rich is installed)",
    )
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="compare on generated data (under a minute on 2 cores)",
        description="Fit a median regression on generated data with heavy-tailed "
        "noise on all rows, by the Radon machine and by averaging the same "
        "shards, and print fit time, speed-up and test scores.",
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
        "but the target is a numeric feature; features are standardised.",
    )
    compare.add_argument("path", help="CSV or Parquet file")
    compare.add_argument("--target", required=True, help="name of the target column")
    compare.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="default: classification for text or few integer target values",
    )
    compare.add_argument(
        "--estimator",
        help="linear model class name or dotted path "
        "(default LogisticRegression / Ridge)",
    )
    compare.add_argument(
        "--height", type=int, help="height of the aggregation tree (default: auto)"
    )
    compare.add_argument(
        "--test-size", type=float, default=0.25, help="held-out share (0.25)"
    )
    compare.add_argument("--save", help="write the fitted Radon machine with joblib")
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
