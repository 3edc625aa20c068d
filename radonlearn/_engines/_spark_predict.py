"""Predictions of a fitted model on a Spark DataFrame, as a lazy column.

``predict_frame`` adds one column computed by a pandas UDF on the executors
when an action runs; the model travels pickled in the query plan. pyspark
and pandas are imported inside, so importing this module costs nothing when
Spark is not in use.
"""

import numpy as np
from scipy import sparse

from ._spark_data import _feature_kind, _features, _shown, _sources
from ._spark_workers import check_spark

__all__ = []

_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def predict_frame(sdf, columns, model, method="predict", output_col="prediction"):
    """Add the model's predictions to a Spark DataFrame, lazily.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        Rows to predict, with the feature columns of ``columns`` (a label
        column is not needed).
    columns : SparkColumns
        From ``resolve_columns`` at fit time.
    model : estimator
        A fitted estimator with ``method``; pickled once into the query plan
        (Spark broadcasts it when it is large) and unpickled once per task.
    method : {"predict", "predict_proba", "predict_log_proba", \
"decision_function"}, default="predict"
        What to compute.
    output_col : str, default="prediction"
        Name of the new column; it must not exist yet.

    Returns
    -------
    pyspark.sql.DataFrame
        ``sdf`` with one more column, computed by a pandas UDF when an action
        runs: for ``predict``, the label's type for a classifier (one with
        ``classes_``) and ``double`` otherwise; for a method giving one value
        per class, ``array<double>`` in the order of ``classes_``; ``double``
        when it gives one value per row (binary ``decision_function``).

    Raises
    ------
    ValueError
        When ``method`` is unknown, ``output_col`` exists, or a feature
        column is missing or no longer of its kind (numeric, or a vector).
    TypeError
        When ``model`` lacks ``method``.

    Notes
    -----
    MLlib puts class probabilities in one ``probability`` column, a vector
    per row; here it is one ``array<double>`` per row, which SQL can index
    (``F.col(output_col)[1]``) and Arrow carries natively;
    ``pyspark.ml.functions.array_to_vector`` turns it into MLlib's type.
    Rows are predicted in Arrow batches (``spark.sql.execution.arrow.
    maxRecordsPerBatch``), on the executors; nothing runs until an action,
    but for the check that the workers import this radonlearn (one tiny
    job, the first time a session is used; ``_spark_workers.check_spark``).

    Examples
    --------
    With ``columns`` from ``resolve_columns`` at fit time (not run here)::

        scored = predict_frame(sdf, columns, model, "predict_proba", "proba")
        scored.select("id", F.col("proba")[1].alias("p1")).show()
    """
    import pandas as pd
    from pyspark.sql import functions as F

    if method not in _METHODS:
        raise ValueError(f"method={method!r} must be one of {_METHODS}.")
    if not hasattr(model, method):
        raise TypeError(f"{type(model).__name__} has no {method}.")
    if output_col in sdf.columns:
        raise ValueError(
            f"output_col={output_col!r} is already a column; pick another."
        )
    names = (columns.vector,) if columns.vector is not None else columns.features
    types = {field.name: field.dataType for field in sdf.schema.fields}
    kind = "vector" if columns.vector is not None else "numeric"
    wrong = [n for n in names if n not in types or _feature_kind(types[n]) != kind]
    if wrong:
        raise ValueError(
            f"The Spark DataFrame lacks the {kind} feature column(s) {_shown(wrong)} "
            "the model was fitted on (missing, or of another type now)."
        )
    probe = np.zeros((1, columns.n_features))
    shape = np.shape(
        getattr(model, method)(sparse.csr_matrix(probe) if columns.sparse else probe)
    )
    return_type = "array<double>" if len(shape) == 2 else "double"
    if len(shape) == 1 and method == "predict" and hasattr(model, "classes_"):
        return_type = columns.label_type

    def predict_batch(table: pd.DataFrame) -> pd.Series:
        result = getattr(model, method)(_features(table, columns))
        if result.ndim == 2:
            return pd.Series(list(np.asarray(result, dtype=np.float64)))
        return pd.Series(result)

    check_spark(sdf.sparkSession)  # the UDF runs radonlearn's code there
    udf = F.pandas_udf(predict_batch, returnType=return_type)
    read = _sources(columns)[: -2 if columns.weight is not None else -1]
    return sdf.withColumn(output_col, udf(F.struct(*(e for _, _, e in read))))
