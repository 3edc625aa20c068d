"""Engines: where the shards of a fit are fitted.

Each engine module has ``fit(data, spec, started) -> ShardResults``: the
in-memory engine (``_local``: threads or processes of this machine), Dask
(``_dask``) and Spark (``_spark``). The optional ones are imported only when
their input arrives; the checks here import nothing.
"""

import sys

__all__ = []


def is_dask_collection(value):
    """Whether ``value`` is a Dask collection (without importing Dask)."""
    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection as check

    return check(value)


def is_spark_dataframe(value):
    """Whether ``value`` is a Spark DataFrame, classic or Spark Connect.

    pyspark is not imported: a Spark DataFrame cannot exist unless its
    module is already loaded, so the answer is read from ``sys.modules``.

    Parameters
    ----------
    value : object
        Anything passed as ``X``.

    Returns
    -------
    bool
        True for a ``pyspark.sql.DataFrame`` (the base class of both the
        classic and the Spark Connect DataFrame since pyspark 4.0).

    Examples
    --------
    >>> import numpy as np
    >>> is_spark_dataframe(np.zeros((2, 3)))
    False
    """
    module = sys.modules.get("pyspark.sql.dataframe")
    return module is not None and isinstance(value, module.DataFrame)
