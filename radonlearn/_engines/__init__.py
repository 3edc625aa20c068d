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
