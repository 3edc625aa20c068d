"""The command line's default preprocessing of a table's features.

Numeric columns are standardised and text or categorical columns one-hot
encoded, by one ``ColumnTransformer`` that is the first step of every
compared pipeline: it is fitted with the pipeline, on the training rows
only, and a Radon machine's shard models all share its encoding (a scaler
fitted inside every shard would give each shard model its own input space).
``--no-preprocess`` leaves it out: the features then go to the models as
they are and must be numeric.
"""

__all__ = []

# One-hot columns per text column, at most: its most frequent values get one
# each and the rarer ones share the last ("infrequent"). Every column adds a
# coefficient, and the Radon number D + 2 grows with them, so does the
# number of rows a shard plan needs.
MAX_CATEGORIES = 10


def default_preprocessing(numeric, text):
    """The documented default: ``StandardScaler`` on the ``numeric`` columns and
    ``OneHotEncoder`` on the ``text`` columns, in one ``ColumnTransformer``.

    The encoder drops one column of a two-valued text column (``drop=
    "if_binary"``), caps every column at ``MAX_CATEGORIES`` one-hot columns,
    and encodes a value unseen in training as the infrequent column (or all
    zeros).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    transformers = []
    if numeric:
        transformers.append(("scale", StandardScaler(), list(numeric)))
    if text:
        encoder = OneHotEncoder(
            drop="if_binary",
            handle_unknown="infrequent_if_exist",
            max_categories=MAX_CATEGORIES,
            sparse_output=False,
        )
        transformers.append(("one-hot", encoder, list(text)))
    return ColumnTransformer(transformers, verbose_feature_names_out=False)


def _columns(names):
    """``n columns (a, b, c)``, naming at most five."""
    shown = ", ".join(map(str, names[:5])) + (", ..." if len(names) > 5 else "")
    return f"{len(names)} column{'s' * (len(names) != 1)} ({shown})"


def describe_preprocessing(preprocessing, X_train):
    """One line saying what ``preprocessing`` does to the training features.

    ``preprocessing`` is None (``--no-preprocess``) or the default
    ``ColumnTransformer``; a clone is fitted on ``X_train`` to count the
    features the models get.
    """
    from sklearn.base import clone

    if preprocessing is None:
        return (
            f"preprocessing: none (--no-preprocess): {X_train.shape[1]} numeric "
            "features as they are."
        )
    parts = [
        f"{' '.join(repr(step).split())} on {_columns(columns)}"
        for _, step, columns in preprocessing.transformers
    ]
    n_features = len(clone(preprocessing).fit(X_train).get_feature_names_out())
    return (
        "preprocessing (the first step of each pipeline, fitted on the training "
        f"rows only): {'; '.join(parts)}; {n_features} features into the models."
    )
