"""The command line's input, checked before anything is fitted.

A table is read from CSV or Parquet and split into features and a target,
with rows holding missing values refused or dropped and counted; the
estimator is parsed from ``--estimator`` (a class name, optionally called
with keyword arguments whose values are literals: parsed, never evaluated),
looked up, created and checked against the target; ``--save`` must name a
writable file. Every mistake is a ``UserError`` saying what was wrong and
what to do instead.
"""

import ast
import importlib
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = []

# Where a bare --estimator name is looked up.
_ESTIMATOR_MODULES = ("sklearn.linear_model", "sklearn.svm")
# Columns named in a message about missing values, at most.
_COLUMNS_SHOWN = 5
# Parameters the command line gives an estimator class unless --estimator
# names them: scikit-learn's QuantileRegressor() has alpha=1.0, an L1 penalty
# that on standardised features shrinks the coefficients so far that the test
# R2 is below 0 (worse than predicting the mean); alpha=0 is the plain median
# regression the docs and the demo use.
CLI_DEFAULTS = {"QuantileRegressor": {"alpha": 0.0}}


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


def _dotted_name(node, text):
    """``a.b.C`` from a Name or a chain of Attributes; UserError for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise UserError(
            f"--estimator {text!r} is not a class name with optional keyword "
            "arguments; give e.g. Ridge, LinearSVC or 'QuantileRegressor(alpha=0)'"
        )
    parts.append(node.id)
    return ".".join(reversed(parts))


def parse_estimator(text):
    """The class name and keyword arguments of an ``--estimator`` text.

    ``text`` is a class name or dotted path, optionally called with keyword
    arguments, as in ``QuantileRegressor(alpha=0, solver="highs")``. It is
    parsed (``ast.parse``), never evaluated: every value must be a literal
    (``ast.literal_eval``: numbers, strings, True/False/None, and tuples,
    lists, sets and dicts of them); names, calls, operators other than a
    sign, positional arguments and ``**`` are refused with a UserError.
    Returns ``(name, params)``.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise UserError(
            f"cannot parse --estimator {text!r}: {error.msg}; give a class name "
            "with optional keyword arguments, e.g. 'QuantileRegressor(alpha=0)'"
        ) from None
    node, params = tree.body, {}
    if isinstance(node, ast.Call):
        if node.args:
            raise UserError(
                f"--estimator {text!r} has positional arguments; name them, e.g. "
                "'LinearSVC(C=0.5)'"
            )
        for keyword in node.keywords:
            if keyword.arg is None:
                raise UserError(
                    f"--estimator {text!r} unpacks a mapping (**); give each "
                    "parameter as name=value"
                )
            if keyword.arg in params:
                raise UserError(
                    f"--estimator {text!r} gives {keyword.arg} twice; give it once"
                )
            try:
                params[keyword.arg] = ast.literal_eval(keyword.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                raise UserError(
                    f"--estimator {text!r}: the value of {keyword.arg} "
                    f"({ast.unparse(keyword.value)}) is not a literal; give a "
                    "number, a string, True, False, None, or a tuple, list or "
                    "dict of them (nothing is evaluated)"
                ) from None
        node = node.func
    return _dotted_name(node, text), params


def _created(found, params):
    """An instance of the estimator class ``found`` with the command line's
    defaults (``CLI_DEFAULTS``) under the user's ``params``."""
    from sklearn import linear_model

    defaults = {}
    for name, values in CLI_DEFAULTS.items():
        if found is getattr(linear_model, name, None):
            defaults = dict(values)
    given = ", ".join(params) or "its default parameters"
    try:
        estimator = found(**(defaults | params))
    except TypeError as error:
        raise UserError(
            f"cannot create {found.__name__} with {given}: {error}"
        ) from None
    # scikit-learn checks parameter values when fitting; checked here, a bad
    # value fails before anything is printed or fitted (the check is
    # scikit-learn's private _validate_params, where it has one).
    validate = getattr(estimator, "_validate_params", None)
    if params and callable(validate):
        try:
            validate()
        except (ValueError, TypeError) as error:
            raise UserError(f"--estimator {found.__name__}: {error}") from None
    return estimator


def _guess_task(y):
    """Classification for non-numeric or few-valued integer targets."""
    if not np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        return "classification"
    values = np.unique(y)
    if np.all(np.mod(values, 1) == 0) and values.size <= 20:
        return "classification"
    return "regression"


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


def _percent(part, whole):
    """``part`` of ``whole`` as a percentage with one decimal, never a bare 0.0."""
    share = 100.0 * part / whole
    return "< 0.1 %" if 0 < share < 0.05 else f"{share:.1f} %"


def estimator_and_task(y, *, target, estimator_name=None, requested_task=None):
    """The estimator to compare and the task, checked against the target.

    An explicit ``--estimator`` (``estimator_name``: a class, optionally
    with literal keyword arguments, see ``parse_estimator``; the class gets
    ``CLI_DEFAULTS`` for what the user does not set) decides the task (a
    classifier classifies, a regressor regresses) and must agree with
    ``--task`` (``requested_task``); otherwise the task is ``--task`` or
    guessed from the target ``y`` (the column ``target``) and the default
    estimator is LogisticRegression or Ridge.
    """
    from sklearn.base import is_classifier, is_regressor
    from sklearn.linear_model import LogisticRegression, Ridge

    if estimator_name is None:
        task = requested_task or _guess_task(y)
        estimator = LogisticRegression() if task == "classification" else Ridge()
    else:
        name, params = parse_estimator(estimator_name)
        found = _estimator_class(name)
        estimator = _created(found, params)
        if is_classifier(estimator):
            task, kind = "classification", "classifier"
        elif is_regressor(estimator):
            task, kind = "regression", "regressor"
        else:
            raise UserError(
                f"{found.__name__} is neither a classifier nor a regressor; give a "
                "linear classifier or regressor, e.g. LogisticRegression or Ridge"
            )
        if requested_task is not None and requested_task != task:
            raise UserError(
                f"--task {requested_task} but {found.__name__} is a {kind}; give a "
                f"{'regressor' if kind == 'classifier' else 'classifier'} or "
                f"--task {task}"
            )
    _check_target_suits(task, estimator, y, target)
    return estimator, task


def read_table(path):
    """A pandas DataFrame from a CSV or Parquet file."""
    try:
        import pandas as pd
    except ImportError:
        raise UserError(
            "reading files needs pandas: pip install 'radonlearn[cli]' "
            "(or pip install pandas)"
        ) from None

    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a directory; give a CSV or Parquet file in it")
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path)
    except ImportError as error:
        raise UserError(f"cannot read {path}: {error}") from None
    except (ValueError, OSError) as error:
        raise UserError(f"cannot read {path}: {error}") from None
    if table.empty:
        raise UserError(
            f"{path} has no data rows, only a header; a comparison needs rows "
            "to fit and test on"
        )
    return table


def column_kinds(features):
    """Names of the numeric and of the text (or categorical) feature columns.

    Booleans count as numeric. A column of dates or times is neither:
    UserError, as for any other dtype that is not a number, text or a
    category.
    """
    from pandas import CategoricalDtype
    from pandas.api.types import is_numeric_dtype, is_object_dtype, is_string_dtype

    numeric, text, other = [], [], []
    for column, dtype in features.dtypes.items():
        if is_numeric_dtype(dtype) and dtype.kind in "iufb":
            numeric.append(column)
        elif (
            isinstance(dtype, CategoricalDtype)
            or is_string_dtype(dtype)
            or is_object_dtype(dtype)
        ):
            text.append(column)
        else:
            other.append(f"{column} ({dtype})")
    if other:
        raise UserError(
            "feature column(s) neither numbers nor text: "
            + ", ".join(other)
            + "; convert them to numbers (e.g. dates to days since a start) or "
            "leave them out of the file"
        )
    return numeric, text


def split_table(frame, target, drop_missing, preprocess=True):
    """Features and target of a table, and a note on the rows left out.

    Returns ``(features, y, note)``: ``features`` a DataFrame of the other
    columns (text columns as strings), ``y`` the target as an array. With
    ``preprocess`` the features may be numbers or text (the command line
    encodes them); without, every feature must be numeric. A row with a
    missing or non-finite feature or target is refused (UserError with the
    count and the columns) unless ``drop_missing``; then it is left out and
    counted in the note, which is None when every row is complete.
    """
    if target not in frame.columns:
        raise UserError(
            f"no column {target!r} in the file; columns are: "
            + ", ".join(map(str, frame.columns))
        )
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise UserError("the file has no feature columns besides the target")
    numeric, text = column_kinds(features)
    if text and not preprocess:
        raise UserError(
            "non-numeric feature column(s): "
            + ", ".join(map(str, text))
            + "; encode them as numbers first, or leave out --no-preprocess to "
            "have them one-hot encoded"
        )
    bad = features.isna().to_numpy()
    if numeric:
        values = features[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
        where = [features.columns.get_loc(column) for column in numeric]
        bad[:, where] |= ~np.isfinite(values)
    y = frame[target].to_numpy()
    missing_y = frame[target].isna().to_numpy()
    if np.issubdtype(y.dtype, np.floating):
        missing_y |= ~np.isfinite(y)
    bad = np.column_stack([bad, missing_y])
    rows = bad.any(axis=1)
    n_bad, n_rows = int(rows.sum()), len(rows)
    note = None
    if n_bad:
        columns = [*map(str, features.columns), str(target)]
        counts = bad.sum(axis=0)
        where = [f"{columns[i]} ({counts[i]:,})" for i in np.flatnonzero(counts)]
        if len(where) > _COLUMNS_SHOWN:
            where = [*where[:_COLUMNS_SHOWN], f"{len(where) - _COLUMNS_SHOWN} more"]
        summary = (
            f"{n_bad:,} of {n_rows:,} rows ({_percent(n_bad, n_rows)}) with "
            f"missing or non-finite values in {', '.join(where)}"
        )
        if not drop_missing:
            raise UserError(
                f"{summary}; pass --drop-missing to leave these rows out, or "
                "fill them in first"
            )
        if n_bad == n_rows:
            raise UserError(f"every row has missing or non-finite values: {summary}")
        note = f"dropped {summary}."
        features, y = features[~rows], y[~rows]
    kinds = {column: str for column in text} | dict.fromkeys(numeric, np.float64)
    return features.astype(kinds).reset_index(drop=True), y, note


def check_save_path(path, option="--save"):
    """UserError unless a file can be written at ``path`` (given as ``option``),
    checked before fitting."""
    path = Path(path)
    if path.is_dir():
        raise UserError(
            f"{option} {path} is a directory; give a file name in it, e.g. "
            f"{path / 'radon_machine.joblib'}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise UserError(
            f"{option} {path}: the directory {folder} does not exist; create it "
            "first or save elsewhere"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{option} {path}: the file exists and is read-only")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError(
            f"{option} {path}: cannot write in {folder} ({error.strerror}); "
            "choose a writable directory"
        ) from None
