"""The two tables: generated, written to Parquet and read back by Spark."""

import os
from dataclasses import dataclass

import numpy as np
from datasets import classification, heavy_tailed_regression

__all__ = [
    "DATA_SEED",
    "FEATURES_COLUMN",
    "LABEL",
    "SAMPLE_SEED",
    "Table",
    "assembler",
    "feature_names",
    "make_tables",
    "read_frames",
]

# Seeds of the data and of the in-memory sample.
DATA_SEED, SAMPLE_SEED = 0, 1
LABEL = "label"
FEATURES_COLUMN = "features"


def _write_parquet(X, y, path, n_files):
    """Write ``X`` (columns x0, x1, ...) and ``y`` (``label``) as ``n_files`` files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(path, exist_ok=True)
    names = feature_names(X.shape[1])
    for number, rows in enumerate(np.array_split(np.arange(len(X)), n_files)):
        arrays = [pa.array(X[rows, i]) for i in range(X.shape[1])]
        arrays.append(pa.array(y[rows]))
        table = pa.Table.from_arrays(arrays, names=[*names, LABEL])
        pq.write_table(table, os.path.join(path, f"part-{number:03d}.parquet"))


@dataclass(frozen=True)
class Table:
    """A training table in Parquet and its held-out rows."""

    name: str
    train_path: str
    test_path: str
    n_train: int
    n_test: int
    n_features: int
    summary: str
    sample: tuple  # (X, y) drawn from the training rows, for in-memory fits


def feature_names(n_features):
    """The feature columns of a table: ``x0``, ``x1``, ..."""
    return [f"x{i}" for i in range(n_features)]


def assembler(n_features):
    """MLlib's ``VectorAssembler`` of a table's feature columns."""
    from pyspark.ml.feature import VectorAssembler

    return VectorAssembler(
        inputCols=feature_names(n_features), outputCol=FEATURES_COLUMN
    )


def make_tables(args, directory):
    """Generate both tables, write them to Parquet; keep samples and test rows."""
    tables = {}
    n_class = args.rows + args.test_rows
    X, y, _, description = classification(
        n_class, args.features, random_state=DATA_SEED
    )
    y = y.astype(np.int32)
    n_reg_test = args.regression_rows // 4
    X_r, y_r, _, description_r = heavy_tailed_regression(
        args.regression_rows + n_reg_test,
        args.regression_features,
        random_state=DATA_SEED,
    )
    rng = np.random.default_rng(SAMPLE_SEED)
    for name, (X_all, y_all, n_train, summary) in {
        "classification": (X, y, args.rows, description.summary),
        "regression": (X_r, y_r, args.regression_rows, description_r.summary),
    }.items():
        train = os.path.join(directory, name, "train")
        test = os.path.join(directory, name, "test")
        _write_parquet(X_all[:n_train], y_all[:n_train], train, args.files)
        _write_parquet(X_all[n_train:], y_all[n_train:], test, 1)
        rows = np.sort(rng.choice(n_train, min(args.sample_rows, n_train), False))
        tables[name] = Table(
            name,
            train,
            test,
            n_train,
            len(X_all) - n_train,
            X_all.shape[1],
            summary,
            (X_all[rows], y_all[rows]),
        )
    return tables


def read_frames(session, tables):
    """What the methods fit and score on, by name.

    ``classification`` and ``regression``: the training DataFrames, read
    from Parquet, uncached; ``test``: the held-out DataFrames by table;
    ``samples``: the in-memory ``(X, y)`` samples by table; ``test_arrays``
    and ``test_labels``: the held-out rows in memory, by table.
    """
    frames = {
        "classification": session.read.parquet(tables["classification"].train_path),
        "regression": session.read.parquet(tables["regression"].train_path),
        "test": {name: session.read.parquet(t.test_path) for name, t in tables.items()},
        "samples": {name: t.sample for name, t in tables.items()},
    }
    tests = {name: frames["test"][name].toPandas() for name in tables}
    frames["test_arrays"] = {
        name: table.drop(columns=LABEL).to_numpy() for name, table in tests.items()
    }
    frames["test_labels"] = {name: t[LABEL].to_numpy() for name, t in tests.items()}
    return frames
