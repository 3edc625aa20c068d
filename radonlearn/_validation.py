"""Checks of targets and fit parameters, with their messages, in one place.

Every engine calls these, so a classifier's target is judged the same way
whatever the data is held in.
"""

import inspect

import numpy as np
from scipy import sparse
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, has_fit_parameter

__all__ = []

# Whether scikit-learn's _check_sample_weight can be asked to let all-zero
# weights through (newer versions refuse them), so that check_sample_weight
# refuses them itself, with one message on every supported version.
_ALL_ZERO_IS_AN_OPTION = (
    "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
)


def encode_classes(y):
    """``np.unique(y, return_inverse=True, return_counts=True)``, faster.

    Integer labels spanning a range no wider than the number of rows are
    counted with ``np.bincount`` in linear time (10 ms instead of 25 ms for
    750,000 binary labels: the sort behind ``np.unique``); anything else goes to
    ``np.unique``. Same classes (sorted, same dtype) and counts; the codes
    come in the smallest unsigned integer type that holds them (one byte per
    row for up to 256 classes instead of eight).
    """
    if y.dtype.kind in "iu" and y.size:
        low, high = int(y.min()), int(y.max())
        span = max(y.size, 1024)
        if high - low <= span and -(2**62) < low and high < 2**62:
            if 0 <= low and high <= span and np.can_cast(y.dtype, np.intp):
                offset = y  # no n-sized temporary
            else:
                offset = y.astype(np.int64, copy=False) - low
            counts = np.bincount(offset)
            present = np.flatnonzero(counts)
            lookup = np.zeros(counts.size, dtype=np.min_scalar_type(present.size))
            lookup[present] = np.arange(present.size)
            return (present + low).astype(y.dtype), lookup[offset], counts[present]
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return classes, codes.astype(np.min_scalar_type(classes.size)), counts


def check_n_classes(classes):
    """ValueError unless there are at least two classes."""
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({np.asarray(classes)[0].item()!r}); a "
            "classifier needs at least 2 classes."
        )


def classifier_targets(y):
    """Check a classifier's ``y``; returns its classes, their counts, row codes."""
    if not (np.ndim(y) == 1 and np.asarray(y).dtype.kind in "biu"):
        # One column of integers or booleans is always binary or
        # multiclass; the check (a pass to find the unique values, 18 ms
        # for a million labels) is left for other targets.
        check_classification_targets(y)
    if np.ndim(y) != 1:
        raise ValueError(
            "RadonMachineClassifier supports one target column; got y of "
            f"shape {np.shape(y)}."
        )
    classes, codes, counts = encode_classes(np.asarray(y))
    check_n_classes(classes)
    return classes, counts, codes.reshape(-1)


def shard_params(template, sample_weight, fit_params, n_samples):
    """The metadata each shard fit receives, before row selection.

    Without metadata routing: ``fit_params`` as given, and ``sample_weight``
    when the inner estimator's ``fit`` takes it.
    """
    params = dict(fit_params)
    if sample_weight is not None:
        if not has_fit_parameter(template, "sample_weight"):
            raise ValueError(
                f"{type(template).__name__}.fit does not accept sample_weight, "
                "so the Radon machine cannot pass it to the shard fits. Use an "
                "inner estimator that takes sample_weight, or resample rows."
            )
        params["sample_weight"] = sample_weight
    return params


def check_sample_weight(sample_weight, X):
    """``sample_weight`` checked as scikit-learn's own estimators check it.

    Shard fits skip the inner estimator's finiteness checks, so the weights
    are checked here, once: shape ``(n_samples,)``, numeric, finite
    (scikit-learn's ``_check_sample_weight`` and its messages), and not all
    zero, which is refused here whatever the installed scikit-learn does
    (1.6 lets all-zero weights through, later versions refuse them).
    """
    if _ALL_ZERO_IS_AN_OPTION:
        sample_weight = _check_sample_weight(
            sample_weight, X, allow_all_zero_weights=True
        )
    else:
        sample_weight = _check_sample_weight(sample_weight, X)
    if not np.any(sample_weight):
        raise ValueError(
            f"sample_weight is zero for all {len(sample_weight):,} rows, so no "
            "shard has a row to train on. Give at least one row a non-zero "
            "weight, or fit without sample_weight."
        )
    return sample_weight


def check_row_params(params, n_samples):
    """ValueError for a per-row numeric fit parameter holding NaN or infinity.

    Such parameters are split with the rows and reach shard fits that skip
    the inner estimator's finiteness checks.
    """
    for key, value in params.items():
        if key == "sample_weight" or isinstance(value, (str, bytes, dict)):
            continue
        if not hasattr(value, "__len__") or len(value) != n_samples:
            continue
        values = value.data if sparse.issparse(value) else np.asarray(value)
        if values.dtype.kind in "fc" and not np.isfinite(values).all():
            raise ValueError(
                f"Fit parameter {key!r} has NaN or infinite values; the shard "
                "fits receive it split with the rows and would train on them. "
                "Remove or impute them first."
            )


def weighted_strata(codes, counts, sample_weight):
    """The shard plan's strata when some rows weigh nothing.

    Rows of zero weight train nothing, so they count for no shard: the
    shards are stratified by class and by "has weight", so that each gets
    its share of the weighted rows of every class, and the height rules
    count weighted rows only. Returns ``(strata, counts, n_rows)``:
    unchanged codes, counts and None when every row has weight.
    """
    if sample_weight is None:
        return codes, counts, None
    weighted = np.asarray(sample_weight) != 0
    if weighted.all():
        return codes, counts, None
    if codes is None:
        return weighted.astype(np.uint8), None, int(weighted.sum())
    strata = codes.astype(np.int64) * 2 + weighted
    strata = strata.astype(np.min_scalar_type(int(strata.max())))
    weighted_counts = np.bincount(codes[weighted], minlength=len(counts))
    return strata, weighted_counts, int(weighted.sum())


def class_mismatch(known, y):
    """``(missing, unknown)``: a class of ``known`` absent from ``y``, and a
    label of ``y`` not in ``known``; each None when there is none."""
    present = np.unique(np.asarray(y))
    missing = np.setdiff1d(known, present)
    unknown = np.setdiff1d(present, known)
    return (
        missing[0].item() if missing.size else None,
        unknown[0].item() if unknown.size else None,
    )
