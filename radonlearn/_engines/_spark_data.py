"""Spark DataFrames in and out: columns, counts, samples, bounded waits.

The Spark engine's reading of a DataFrame, as plain functions that know
nothing of the estimators. ``resolve_columns`` decides which columns are the
features, the label and the weight; ``count_rows`` and ``collect_sample``
bring counts and a small sample to the driver (the counts by partition
and class are ``_spark_partitions.survey``), each job
waited for within a bound (``collect``). Predictions are in
``_spark_predict``. pyspark and pandas are imported inside the functions,
so importing this module costs nothing when Spark is not in use. How rows
become shards is in ``_spark_shards``.
"""

import contextlib
import dataclasses
import math
import threading
import uuid

import numpy as np
from scipy import sparse

from . import is_spark_dataframe

__all__ = []

# Internal column names, prefixed so that they cannot meet a user's.
_PREFIX = "__radonlearn_"
_LABEL = _PREFIX + "label"
_WEIGHT = _PREFIX + "weight"
_VECTOR = _PREFIX + "features"
_SHARD = _PREFIX + "shard"
_KEY = _PREFIX + "key"
# Shard numbers of task answers that are not shards: rows that reached no
# shard, and rows that cannot be read (the message as payload).
STRAY, REFUSED = -1, -2
_ORDER = _PREFIX + "row"
# monotonically_increasing_id() holds the partition index above this many
# bits and the row's position within its partition below them.
_ROW_BITS = 33
# Spark's hash partitioner sends a row to pmod(murmur3(key, 42), n).
_MURMUR3_SEED = 42
# A vector column wider than this is read into a CSR matrix, else a dense array.
_DENSE_MAX_FEATURES = 1000
# collect_sample asks Spark for this many standard deviations more rows than
# wanted, so that a second draw is rare, and grows the fraction by at least
# this factor when it still comes up short.
_SAMPLE_MARGIN = 4.0
_SAMPLE_GROWTH = 1.5
# Seconds a cancelled job may take to stop before the wait is abandoned.
_CANCEL_GRACE = 10.0
# The Spark session setting that bounds every job of a fit, in seconds
# (unset: no limit; a job is cancelled when it outlasts it).
TIMEOUT_SETTING = "spark.radonlearn.timeout"
# Column names shown in an error message, at most.
_SHOWN_COLUMNS = 12
_BATCH_KEY = "spark.sql.execution.arrow.maxRecordsPerBatch"
_SPARK_BATCH_ROWS = "10000"


@dataclasses.dataclass(frozen=True)
class SparkColumns:
    """The columns a fit reads from a Spark DataFrame, from ``resolve_columns``.

    Attributes
    ----------
    features : tuple of str
        The numeric feature columns, in the DataFrame's order; empty when the
        features are one vector column.
    vector : str or None
        The MLlib vector column holding all features, or None.
    label : str
        The label column.
    weight : str or None
        The sample-weight column, or None.
    n_features : int
        Number of features: ``len(features)`` or the vectors' size.
    label_type : str
        Spark SQL type the label is read as (its own type; decimals are read
        as ``"double"``). Classifier predictions are written in this type.
    sparse : bool
        Whether a vector column is read into a ``scipy.sparse`` CSR matrix
        (vectors wider than 1000) rather than a dense array. Replace it with
        ``dataclasses.replace`` to choose otherwise.
    """

    features: tuple
    vector: str | None
    label: str
    weight: str | None
    n_features: int
    label_type: str
    sparse: bool = False

    @property
    def feature_names(self):
        """``feature_names_in_``: the feature columns, or None for a vector column."""
        if self.vector is not None:
            return None
        return np.asarray(self.features, dtype=object)


# ---------------------------------------------------------------------------
# Column resolution (schema only)
# ---------------------------------------------------------------------------


def _column(name):
    """A Column for ``name`` taken literally (dots are not struct fields)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _shown(names):
    """Column names for a message, shortened when there are many."""
    shown = ", ".join(repr(name) for name in names[:_SHOWN_COLUMNS])
    if len(names) > _SHOWN_COLUMNS:
        shown += f", ... ({len(names)} columns)"
    return shown


def _column_name(value, argument, names):
    """Check that ``value`` names one column; ``argument`` is its parameter name."""
    if not isinstance(value, str):
        kind = type(value).__name__
        raise TypeError(
            f"{argument} must be the name of a column of the Spark DataFrame, "
            f"e.g. y='label', not a {kind}{' expression' if kind == 'Column' else ''}"
            ": rows of a Spark DataFrame cannot be matched with values held "
            "elsewhere. Add the values as a column and pass its name."
        )
    if names.count(value) != 1:
        problem = (
            f"appears {names.count(value)} times" if value in names else "is missing"
        )
        raise ValueError(
            f"{argument}={value!r}: that column {problem} in the Spark DataFrame "
            f"(columns: {_shown(names)}). Name exactly one of its columns; "
            "rename duplicates with withColumnRenamed."
        )
    return value


def _feature_kind(data_type):
    """'numeric', 'vector', or None (unusable) for a column's Spark type."""
    from pyspark.ml.linalg import VectorUDT
    from pyspark.sql.types import BooleanType, NumericType

    if isinstance(data_type, NumericType | BooleanType):
        return "numeric"
    return "vector" if isinstance(data_type, VectorUDT) else None


def _label_type(name, data_type):
    """The Spark type the label is read as; TypeError for unusable types."""
    from pyspark.sql.types import BooleanType, DecimalType, NumericType, StringType

    if isinstance(data_type, DecimalType):
        return "double"
    if isinstance(data_type, NumericType | BooleanType | StringType):
        return data_type.simpleString()
    raise TypeError(
        f"The label column {name!r} has type {data_type.simpleString()}; the "
        "label must be numeric, boolean or string (one target per row). "
        "Select or compute a single label column."
    )


def _weight_column(sample_weight, label, names, types):
    """The weight column's name (or None), checked."""
    if sample_weight is None:
        return None
    weight = _column_name(sample_weight, "sample_weight", names)
    if weight == label:
        raise ValueError(
            f"y and sample_weight both name column {label!r}; the weights must "
            "be a column of their own."
        )
    if _feature_kind(types[weight]) != "numeric":
        raise TypeError(
            f"The sample_weight column {weight!r} has type "
            f"{types[weight].simpleString()}; weights must be numeric."
        )
    return weight


def _feature_columns(features, names, types, label, weight):
    """``(numeric feature names, None)`` or ``((), vector column name)``."""
    if features is None:
        chosen = [name for name in names if name not in (label, weight)]
    else:
        chosen = [features] if isinstance(features, str) else list(features)
    for name in chosen:
        _column_name(name, "features", names)
    if len(set(chosen) - {label, weight}) < len(chosen):
        raise ValueError(
            f"features={chosen!r} must name distinct columns other than the "
            "label and the weight."
        )
    if not chosen:
        raise ValueError(
            f"The Spark DataFrame has no feature columns besides the label "
            f"{label!r}" + (f" and the weight {weight!r}" if weight else "") + "."
        )
    kinds = {name: _feature_kind(types[name]) for name in chosen}
    unusable = [f"{n!r} ({types[n].simpleString()})" for n in chosen if not kinds[n]]
    if unusable:
        raise TypeError(
            f"Feature column(s) {', '.join(unusable)} are neither numeric nor an "
            "MLlib vector. Encode them (StringIndexer, OneHotEncoder, then "
            "VectorAssembler), drop them, or name the feature columns with "
            "features=[...]."
        )
    vectors = [name for name in chosen if kinds[name] == "vector"]
    if vectors and len(chosen) > 1:
        others = [name for name in chosen if name != vectors[0]]
        raise ValueError(
            f"The vector column {vectors[0]!r} comes with other feature columns "
            f"({_shown(others)}). Assemble them all into one vector with "
            "VectorAssembler, or name the feature columns with features=[...]."
        )
    return ((), vectors[0]) if vectors else (tuple(chosen), None)


def _vector_size(sdf, name):
    """Size of the vectors in column ``name``: from ML attributes, else one row."""
    size = sdf.schema[name].metadata.get("ml_attr", {}).get("num_attrs")
    if size is not None:
        return int(size)
    first = sdf.select(_column(name)).where(_column(name).isNotNull()).head()
    if first is None:
        raise ValueError(
            f"The vector column {name!r} holds no vectors (no rows, or only "
            "nulls), so the number of features is unknown."
        )
    return int(first[0].size)


def resolve_columns(sdf, y, sample_weight=None, features=None):
    """Decide which columns of a Spark DataFrame are features, label and weight.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        The training rows.
    y : str
        Name of the label column (numeric, boolean or string).
    sample_weight : str or None, default=None
        Name of a numeric column of sample weights.
    features : str, list of str or None, default=None
        The feature columns; None means every column but the label and the
        weight.

    Returns
    -------
    SparkColumns
        The resolved columns, the number of features and the label's type.

    Raises
    ------
    TypeError
        When ``y``, ``sample_weight`` or ``features`` is not a column name
        (an array, a Series, a Column), when a feature column is neither
        numeric nor an MLlib vector (strings, dates, arrays, maps, structs),
        or when the label or the weight has an unusable type.
    ValueError
        When a named column is missing or appears twice, when the label and
        the weight are the same column, when no feature column is left, or
        when a vector column comes with other feature columns or with
        another vector column.

    Notes
    -----
    The features are either numeric columns or exactly one MLlib vector
    column (``pyspark.ml.linalg.VectorUDT``, dense or sparse). Numeric
    columns of every kind (integers, floats, decimals, booleans) are read as
    float64, as scikit-learn converts them in memory; decimals lose digits
    beyond float64's 16. Any other column is an error rather than silently
    skipped, so that no column the caller meant to use is left out: encode it
    (``StringIndexer``, ``OneHotEncoder`` and ``VectorAssembler``), drop it,
    or name the feature columns. The schema is all that is read, except that
    the size of a vector column whose ML attributes do not give it is read
    from its first vector (one small Spark job). Vector columns wider than
    1000 are read as CSR matrices, narrower ones as dense arrays. The label
    keeps its own type (decimals become doubles); nulls and NaN are found
    by ``count_rows``.

    Examples
    --------
    With a Spark DataFrame ``sdf`` of columns x0, x1, label and w (not run
    here: it needs a SparkSession)::

        columns = resolve_columns(sdf, y="label", sample_weight="w")
        columns.features, columns.n_features  # (('x0', 'x1'), 2)
    """
    if not is_spark_dataframe(sdf):
        raise TypeError(
            f"Expected a pyspark.sql.DataFrame, got a {type(sdf).__name__}."
        )
    if y is None:
        raise ValueError(
            "y is required with a Spark DataFrame: name its label column, e.g. "
            "fit(sdf, y='label')."
        )
    names = list(sdf.columns)
    types = {field.name: field.dataType for field in sdf.schema.fields}
    label = _column_name(y, "y", names)
    weight = _weight_column(sample_weight, label, names, types)
    label_type = _label_type(label, types[label])
    features, vector = _feature_columns(features, names, types, label, weight)
    n_features = len(features) if vector is None else _vector_size(sdf, vector)
    return SparkColumns(
        features=features,
        vector=vector,
        label=label,
        weight=weight,
        n_features=n_features,
        label_type=label_type,
        sparse=vector is not None and n_features > _DENSE_MAX_FEATURES,
    )


# ---------------------------------------------------------------------------
# Reading rows into NumPy (driver and executors alike)
# ---------------------------------------------------------------------------


def _feature_name(position):
    return f"{_PREFIX}x{position}"


def _sources(columns):
    """``(column, internal name, Spark expression)`` of every column a fit reads."""
    read = [(columns.vector, _VECTOR, None)] if columns.vector is not None else []
    read += [(n, _feature_name(i), "double") for i, n in enumerate(columns.features)]
    read.append((columns.label, _LABEL, columns.label_type))
    if columns.weight is not None:
        read.append((columns.weight, _WEIGHT, "double"))
    return [
        (
            name,
            internal,
            (_column(name).cast(kind) if kind else _column(name)).alias(internal),
        )
        for name, internal, kind in read
    ]


def _select(sdf, columns, *extra):
    """The columns a fit reads, under internal names, plus ``extra`` columns."""
    return sdf.select(*(expression for _, _, expression in _sources(columns)), *extra)


def _vector_fields(vector):
    """``(kind, size, indices, values)`` of one vector, however pandas holds it.

    Inside pandas UDFs a vector arrives as a dict of its SQL fields; on the
    driver ``toPandas`` gives ``DenseVector``/``SparseVector`` objects. Kind 0
    is sparse, 1 dense (MLlib's encoding).
    """
    if isinstance(vector, dict):
        return vector["type"], vector["size"], vector["indices"], vector["values"]
    indices = getattr(vector, "indices", None)
    if indices is not None:
        return 0, vector.size, indices, vector.values
    return 1, None, None, vector.toArray()


def _vector_matrix(values, columns):
    """Rows of MLlib vectors as a dense array, or CSR when ``columns.sparse``."""
    positions, entries = [], []
    for vector in values:
        if vector is None:
            raise ValueError(
                f"The vector column {columns.vector!r} holds nulls; drop those "
                f"rows (sdf.dropna(subset=[{columns.vector!r}])) or fill them."
            )
        kind, size, indices, vector_values = _vector_fields(vector)
        vector_values = np.asarray(vector_values, dtype=np.float64)
        if kind == 1:
            size, indices = vector_values.size, np.arange(vector_values.size)
        if size != columns.n_features:
            raise ValueError(
                f"A vector in column {columns.vector!r} has size {size}, not "
                f"{columns.n_features} like the others; all must have one size."
            )
        positions.append(indices)
        entries.append(vector_values)
    indptr = np.cumsum([0, *map(len, entries)])
    matrix = sparse.csr_matrix(
        (
            np.concatenate([np.zeros(0), *entries]),
            np.concatenate([np.zeros(0, dtype=np.int32), *positions]),
            indptr,
        ),
        shape=(len(entries), columns.n_features),
    )
    if not columns.sparse:
        return matrix.toarray()
    matrix.eliminate_zeros()
    return matrix


def _features(table, columns):
    """The feature matrix of a pandas frame with the internal column names."""
    if columns.vector is not None:
        return _vector_matrix(table[_VECTOR].tolist(), columns)
    names = [_feature_name(position) for position in range(columns.n_features)]
    return np.ascontiguousarray(table[names].to_numpy(dtype=np.float64))


def _labels(series):
    """A label column as NumPy (strings as an object array, like scikit-learn's)."""
    return np.asarray(series.to_numpy())


def _arrays(table, columns):
    """``(X, y, w)`` of a pandas frame read by ``_select``; ``w`` may be None."""
    weights = None
    if columns.weight is not None:
        weights = table[_WEIGHT].to_numpy(dtype=np.float64)
    return _features(table, columns), _labels(table[_LABEL]), weights


def arrow_arrays(table, columns):
    """``(X, y, w)`` of a pyarrow Table read by ``_select``, without pandas.

    Numeric columns become NumPy arrays straight from their Arrow buffers
    (one copy, into the feature matrix); a vector column goes through pandas.
    """
    if columns.vector is not None:
        return _arrays(table.to_pandas(), columns)
    n_rows = table.num_rows
    X = np.empty((n_rows, columns.n_features), dtype=np.float64)
    for position in range(columns.n_features):
        X[:, position] = table.column(_feature_name(position)).to_numpy()
    y = np.asarray(table.column(_LABEL).to_numpy(zero_copy_only=False))
    w = None
    if columns.weight is not None:
        w = table.column(_WEIGHT).to_numpy().astype(np.float64, copy=False)
    return X, y, w


@contextlib.contextmanager
def arrow_batch_rows(session, rows):
    """Arrow batches of ``rows`` rows for the jobs started inside.

    Only while ``spark.sql.execution.arrow.maxRecordsPerBatch`` is at
    Spark's default (10,000): a size the session chose is kept.
    """
    previous = session.conf.get(_BATCH_KEY, _SPARK_BATCH_ROWS)
    if previous != _SPARK_BATCH_ROWS:
        yield
        return
    session.conf.set(_BATCH_KEY, str(int(rows)))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # the session may be gone
            session.conf.set(_BATCH_KEY, previous)


# ---------------------------------------------------------------------------
# Running jobs: bounded waits, plain errors when the driver goes away
# ---------------------------------------------------------------------------


def _is_connect(session):
    return type(session).__module__.startswith("pyspark.sql.connect")


def _job_tags(session):
    """``(add, cancel, remove)`` for tagging this thread's jobs in ``session``."""
    if _is_connect(session):
        return session.addTag, session.interruptTag, session.removeTag
    context = session.sparkContext
    return context.addJobTag, context.cancelJobsWithTag, context.removeJobTag


def _session_lost(session, error):
    """Whether ``error`` came from a stopped session or a dead driver JVM."""
    # "SparkContext was shut down": the JVM's words for jobs cut short by
    # stop(), before the Python side may have marked the context stopped.
    if isinstance(error, ConnectionError) or "SparkContext was shut down" in str(error):
        return True
    if type(error).__name__ in ("Py4JNetworkError", "SparkConnectGrpcException"):
        return True
    try:
        return not _is_connect(session) and session.sparkContext._jsc.sc().isStopped()
    except Exception:  # no context left, or a JVM that does not answer
        return True


def _cancel_tag(session, tag):
    """Cancel the jobs tagged ``tag``, from a thread of its own.

    A hung driver may never answer, so nobody waits for that thread.
    """

    def cancel():
        with contextlib.suppress(Exception):
            _job_tags(session)[1](tag)

    threading.Thread(target=cancel, daemon=True).start()


def _timeout(session):
    """Seconds of the session's ``spark.radonlearn.timeout``, or None (wait)."""
    try:
        value = session.conf.get(TIMEOUT_SETTING, None)
    except Exception:  # a stopped session: the job itself will say so
        return None
    if value in (None, ""):
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:
        raise ValueError(
            f"{TIMEOUT_SETTING} must be a positive number of seconds, got "
            f"{value!r}. Set it with spark.conf.set({TIMEOUT_SETTING!r}, '600'), "
            f"or unset it to wait for every job."
        )
    return seconds


def _collect(frame, what, timeout=None, action=None):
    """``frame.toPandas()`` (or ``action(frame)``), abandoned after
    ``timeout`` seconds (None: the session's ``spark.radonlearn.timeout``,
    unset by default: no limit).

    The job runs tagged (``SparkContext.addJobTag``, or ``SparkSession.addTag``
    on Spark Connect) in a thread of its own that inherits this thread's
    Spark properties, while this thread waits. Out of time (or interrupted),
    the tag is cancelled; if Spark does not answer within a grace period (a
    hung driver) the wait is abandoned anyway. A stopped session or a dead
    driver JVM becomes a ``ConnectionError``, a timeout a ``TimeoutError``;
    ``what`` says in them what was running.
    """
    from pyspark import InheritableThread

    session = frame.sparkSession
    if timeout is None:
        timeout = _timeout(session)
    tag = f"radonlearn-{uuid.uuid4().hex}"
    outcome = {}

    def run():
        try:
            add, _, remove = _job_tags(session)
            add(tag)
            try:
                outcome["table"] = frame.toPandas() if action is None else action(frame)
            finally:
                with contextlib.suppress(Exception):  # the session may be gone
                    remove(tag)
        except BaseException as error:
            outcome["error"] = error

    worker = InheritableThread(run, session=session, daemon=True)
    timed_out = False
    try:
        worker.start()
        worker.join(timeout)
        timed_out = worker.is_alive()
    except Exception as error:  # starting needs a live SparkContext
        outcome["error"] = error
    finally:
        if worker.is_alive():  # out of time, or interrupted: cancel the job
            _cancel_tag(session, tag)
            worker.join(_CANCEL_GRACE)
    if "table" in outcome:
        return outcome["table"]
    error = outcome.get("error")
    if timed_out:
        unanswered = " (Spark did not answer)" if worker.is_alive() else ""
        raise TimeoutError(
            f"Spark did not finish {what} within timeout={timeout:g} s "
            f"({TIMEOUT_SETTING}); the job was cancelled{unanswered}. Give it "
            "longer, or check that the cluster has free executors."
        ) from error
    if _session_lost(session, error):
        raise ConnectionError(
            f"Lost the Spark driver while {what} ({type(error).__name__}): the "
            "SparkSession was stopped or its JVM is gone. Start a SparkSession "
            "and run the fit again."
        ) from error
    raise error


def shard_answers(table, n_shards):
    """Read the answers of shard tasks (columns ``_SHARD``, ``rows``,
    ``payload``): raise the first refusal (shard ``REFUSED``, its message as
    payload); return the rows that reached no shard (shard ``STRAY``), the
    shard numbers without an answer and the shards' answers by number."""
    refused = table[table[_SHARD] == REFUSED]
    if len(refused):
        raise ValueError(bytes(refused["payload"].iloc[0]).decode())
    stray = int(table["rows"][table[_SHARD] == STRAY].sum())
    found = table[table[_SHARD] >= 0].sort_values(_SHARD)
    missing = np.setdiff1d(np.arange(n_shards), found[_SHARD])
    return stray, missing, found


# ---------------------------------------------------------------------------
# Counts and samples
# ---------------------------------------------------------------------------


def _missing_name(internal):
    return f"{internal}_missing"


def missing_counts(columns):
    """Aggregations counting the nulls, NaN and infinities of every read column."""
    from pyspark.sql import functions as F

    counts = []
    for _, internal, _ in _sources(columns):
        missing = F.col(internal).isNull()
        if internal != _VECTOR and (
            internal != _LABEL or columns.label_type != "string"
        ):
            value = F.col(internal).cast("double")
            infinite = F.abs(value) == F.lit(float("inf"))
            missing = missing | F.isnan(value) | infinite
        counts.append(F.count(F.when(missing, 1)).alias(_missing_name(internal)))
    return counts


def raise_on_missing(columns, counts):
    """Refuse the read columns whose count of bad rows in ``counts`` (keyed by
    internal name) is not 0, naming them with their counts."""
    described = ", ".join(
        f"{name!r} ({int(counts.get(internal, 0)):,})"
        for name, internal, _ in _sources(columns)
        if counts.get(internal, 0)
    )
    if described:
        raise ValueError(
            f"Column(s) {described} hold nulls, NaN or infinite values in that "
            "many rows. Drop those rows (sdf.dropna(subset=[...]) and a filter "
            "on isinf) or impute them before fitting."
        )


def nonfinite_counts(X, y, w, columns):
    """Rows of ``X``, ``y`` and ``w`` holding NaN or infinities, by internal
    column name (a vector column counts its rows); empty when all are finite."""
    counts = {}
    if sparse.issparse(X):
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        bad_rows = np.unique(rows[~np.isfinite(X.data)]).size
    else:
        per_column = np.count_nonzero(~np.isfinite(X), axis=0)
        bad_rows = np.count_nonzero(~np.isfinite(X).all(axis=1))
        if columns.vector is None:
            for position in np.flatnonzero(per_column):
                counts[_feature_name(position)] = int(per_column[position])
    if columns.vector is not None and bad_rows:
        counts[_VECTOR] = int(bad_rows)
    for internal, values in ((_LABEL, y), (_WEIGHT, w)):
        values = None if values is None else np.asarray(values)
        if values is not None and np.issubdtype(values.dtype, np.number):
            bad = np.count_nonzero(~np.isfinite(values))
            if bad:
                counts[internal] = int(bad)
    return counts


def count_rows(sdf, columns):
    """Count the rows, checking that the columns a fit reads hold no nulls or NaN.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        The training rows.
    columns : SparkColumns
        From ``resolve_columns``.

    Returns
    -------
    int
        The number of rows.

    Raises
    ------
    ValueError
        Naming every feature, label or weight column that holds nulls (or
        NaN, for numeric columns) and how many.
    TimeoutError, ConnectionError
        When the job outlasts ``spark.radonlearn.timeout``, or the session
        goes away.

    Notes
    -----
    One Spark job: a single aggregation over the columns the fit reads,
    computed on the executors; one row comes back. NaN inside vectors is not
    looked for.
    """
    from pyspark.sql import functions as F

    counts = [F.count(F.lit(1)).alias("rows"), *missing_counts(columns)]
    table = _collect(_select(sdf, columns).agg(*counts), "counting rows")
    raise_on_missing(
        columns,
        {
            internal: table[_missing_name(internal)].iloc[0]
            for _, internal, _ in _sources(columns)
        },
    )
    return int(table["rows"].iloc[0])


def _sample_fraction(n_rows, n_total):
    """Bernoulli fraction whose draw falls short of ``n_rows`` by four sigmas.

    The expected draw ``m`` solves ``m - margin * sqrt(m) = n_rows``; the
    draw's standard deviation is at most ``sqrt(m)``.
    """
    root = (_SAMPLE_MARGIN + math.sqrt(_SAMPLE_MARGIN**2 + 4 * n_rows)) / 2
    return min(1.0, root**2 / max(n_total, 1))


def collect_first_rows(sdf, columns, n_rows):
    """The first ``n_rows`` rows Spark finds, as ``(X, y, w)`` on the driver.

    ``limit`` stops reading as soon as it has them: usually a part of the
    first partition, whatever the DataFrame's size.
    """
    table = _collect(_select(sdf, columns).limit(n_rows), "reading rows")
    return _arrays(table, columns)


def collect_sample(sdf, columns, n_rows, seed, *, n_total=None):
    """Draw about ``n_rows`` random rows with Spark and bring them to the driver.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        The training rows.
    columns : SparkColumns
        From ``resolve_columns``.
    n_rows : int
        Rows wanted (all rows when the DataFrame has fewer).
    seed : int
        Seed of Spark's sampler and of the final trim.
    n_total : int or None, default=None
        The DataFrame's row count if known (``count_rows``); counted if None.

    Returns
    -------
    X : ndarray of shape (n, n_features) or CSR matrix
        ``n = min(n_rows, n_total)``; dense unless ``columns.sparse``.
    y : ndarray of shape (n,)
    w : ndarray of shape (n,) or None
        The weights, when ``columns.weight`` is set.

    Raises
    ------
    ValueError
        When ``n_rows < 1``.
    TimeoutError, ConnectionError
        When a job outlasts ``spark.radonlearn.timeout``, or the session
        goes away.

    Notes
    -----
    ``sdf.sample(fraction, seed)`` keeps every row with probability
    ``fraction`` on the executors, the fraction chosen to draw ``n_rows``
    plus four standard deviations. When that still falls short (rarely) the
    draw is repeated with a larger fraction and the same seed, which keeps
    a superset of the rows it kept before; the rows beyond ``n_rows`` are
    then dropped at random on the driver, keeping their order. Only the
    sample crosses the network. For a given partition layout the sample is
    a function of ``seed``.

    Examples
    --------
    With ``columns = resolve_columns(sdf, y="label")`` (not run here)::

        X, y, w = collect_sample(sdf, columns, n_rows=2000, seed=0)
    """
    if n_rows < 1:
        raise ValueError(f"n_rows={n_rows} must be at least 1.")
    if n_total is None:
        n_total = count_rows(sdf, columns)
    frame = _select(sdf, columns)
    fraction = _sample_fraction(n_rows, n_total)
    while True:
        drawn = frame if fraction >= 1.0 else frame.sample(fraction=fraction, seed=seed)
        table = _collect(drawn, "drawing a sample")
        if len(table) >= n_rows or fraction >= 1.0:
            break
        shortfall = n_rows / max(len(table), 1)
        fraction = min(1.0, fraction * max(_SAMPLE_GROWTH, 1.1 * shortfall))
    if len(table) > n_rows:
        keep = np.random.default_rng(seed).choice(len(table), n_rows, replace=False)
        table = table.iloc[np.sort(keep)]
    return _arrays(table, columns)
