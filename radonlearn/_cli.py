"""The ``radonlearn`` command line: ``demo``, ``compare``, ``aggregate`` and
``show-versions``.

Both fit three models on the same training rows (the Radon machine, the
inner estimator on all rows, and averaging on the Radon machine's shards,
unless it fitted all rows at once) and print one table, with the Radon
machine's reason for its height and what each row's fit time includes. The
demo then fits one model per site, with as many sites as the Radon machine
has shards, and compares Radon points with averaging when a few sites'
labels are corrupted. ``compare`` puts the default preprocessing (numbers
scaled, text one-hot encoded; ``_cli_preprocess``) in front of every model
unless ``--no-preprocess``. The input is checked before anything is fitted:
the estimator (a class, with literal keyword arguments) must be a
scikit-learn estimator class that suits the target, the rows with missing
values are refused or dropped and counted, and ``--save`` must name a
writable file. Progress and every warning go to stderr. ``aggregate``
combines model files from several sites (``_cli_aggregate``).
``show-versions`` prints what a bug report needs
(``radonlearn.show_versions``).
"""

import argparse
import sys

import numpy as np

from ._cli_aggregate import add_aggregate
from ._cli_compare import print_table, run_methods
from ._cli_inputs import (
    UserError,
    check_save_path,
    column_kinds,
    estimator_and_task,
    read_table,
    split_table,
)
from ._cli_preprocess import (
    MAX_CATEGORIES,
    default_preprocessing,
    describe_preprocessing,
)
from ._cli_sites import describe_sites, print_sites, run_sites
from ._show_versions import show_versions

__all__ = ["main"]

_DEMO_ROWS = 21_000

_PROGRESS_HELP = (
    "Progress goes to stderr: live bars on a terminal (with rich: pip install "
    "'radonlearn[cli]'), otherwise one line per fitted model. Every warning "
    "the fits raise is shown there once per kind, with its count."
)


def _demo(args):
    """Median regression with heavy-tailed noise: speed, then a few bad sites.

    The first part compares the Radon machine with the fit on all rows and
    with averaging its shards; the second fits one model per site (as many
    sites as the Radon machine has shards) and compares Radon points with
    averaging when a few sites' labels are corrupted.
    """
    from sklearn.datasets import make_regression
    from sklearn.linear_model import QuantileRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

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
    estimator = QuantileRegressor(alpha=0.0)
    data = (X_train, y_train, X_test, y_test)
    rows, radon = run_methods("regression", estimator, *data, args, StandardScaler())
    print_table(rows)
    print()
    machine = radon[-1]
    if machine.height_ > 0:
        n_sites, plan = machine.n_shards_, "as many as the Radon machine's shards"
    else:
        n_sites = machine.radon_number_
        plan = f"height 1: {n_sites} sites, as the Radon machine fitted all rows"
    describe_sites(len(y_train), n_sites, "QuantileRegressor", plan, args)
    print_sites(run_sites(estimator, *data, n_sites, args))


def _compare(args):
    """The same comparison on the user's table, every input checked first."""
    from sklearn.model_selection import train_test_split

    if not 0 < args.test_size < 1:
        raise UserError(f"--test-size must be between 0 and 1, got {args.test_size}")
    frame = read_table(args.path)
    X, y, dropped = split_table(
        frame, args.target, args.drop_missing, preprocess=not args.no_preprocess
    )
    estimator, task = estimator_and_task(
        y,
        target=args.target,
        estimator_name=args.estimator,
        requested_task=args.task,
    )
    if args.save:
        check_save_path(args.save)
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
    preprocessing = None
    if not args.no_preprocess:
        preprocessing = default_preprocessing(*column_kinds(X))
    print(
        f"{estimator!r} ({task}) on {len(y_train):,} rows x {X.shape[1]} "
        f"columns from {args.path}; {len(y_test):,} test rows; "
        f"n_jobs={args.n_jobs}.",
    )
    print(describe_preprocessing(preprocessing, X_train), flush=True)
    data = (X_train, y_train, X_test, y_test)
    rows, machine = run_methods(task, estimator, *data, args, preprocessing)
    print_table(rows)
    if args.save:
        import joblib

        try:
            joblib.dump(machine, args.save)
        except OSError as error:
            raise UserError(f"cannot save to {args.save}: {error}") from None
        print(f"saved the fitted Radon machine (a Pipeline) to {args.save}")


def _show_versions(args):
    """The system, package versions and BLAS libraries, for a bug report."""
    show_versions()


def _parser():
    """The argument parser with its four subcommands."""
    parser = argparse.ArgumentParser(
        prog="radonlearn",
        description="Train linear scikit-learn models in parallel by the Radon "
        "machine, compare them with the usual fit, and combine models fitted at "
        "several sites.",
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
        "shards, and print fit time, speed-up and test scores; then fit one "
        "model per site (as many sites as shards) and print the test scores of "
        "Radon points and averaging, with clean sites and with a few sites "
        "whose target is in the wrong unit. " + _PROGRESS_HELP,
    )
    demo.add_argument(
        "--n-samples", type=int, default=_DEMO_ROWS, help=f"rows ({_DEMO_ROWS:,})"
    )
    demo.set_defaults(run=_demo, height=None)
    _add_compare(commands, common)
    add_aggregate(commands)
    _add_show_versions(commands)
    return parser


def _add_compare(commands, common):
    """The ``compare`` subcommand, with the ``common`` options."""
    compare = commands.add_parser(
        "compare",
        parents=[common],
        help="compare on your CSV or Parquet file",
        description="The same comparison on a CSV or Parquet file: every column "
        "but the target is a feature. By default each pipeline starts with a "
        "ColumnTransformer, fitted on the training rows only, that standardises "
        "the numeric columns (StandardScaler) and one-hot encodes the text and "
        f"categorical ones (OneHotEncoder, at most {MAX_CATEGORIES} columns each); "
        "it is "
        "printed before the table. Rows with missing or non-finite values are "
        "refused unless --drop-missing. " + _PROGRESS_HELP,
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
        "sklearn.svm, or a dotted path, optionally with keyword arguments whose "
        "values are literals (parsed, never evaluated), e.g. "
        "'QuantileRegressor(alpha=0)' or 'LinearSVC(C=0.5, dual=True)'; "
        "QuantileRegressor gets alpha=0 unless given (default LogisticRegression "
        "/ Ridge)",
    )
    compare.add_argument(
        "--no-preprocess",
        action="store_true",
        help="no scaling or encoding: the features (all numeric) go to the "
        "models as they are",
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


def _add_show_versions(commands):
    """The ``show-versions`` subcommand."""
    versions = commands.add_parser(
        "show-versions",
        help="print the system, package versions and BLAS (for a bug report)",
        description="Print Python and the platform, the versions of radonlearn, "
        "its dependencies and optional packages, and the BLAS and OpenMP "
        "libraries in use, as radonlearn.show_versions() does.",
    )
    versions.set_defaults(run=_show_versions)


def main(argv=None):
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if getattr(args, "n_jobs", None) == 0:
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
