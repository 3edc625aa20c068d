"""Dask input: conversion, validation, running graphs, lazy prediction.

What the Dask engine needs besides its plan: Dask arrays, DataFrames and
Series turned into aligned Dask arrays and checked (``prepare``), graphs
computed with bounded waits on a distributed client (``compute``), the
rows mixed across chunks on request (``shuffled``), and predictions made
chunk by chunk (``predict_blocks``).
"""

import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._shards import MAX_SEED
from . import is_dask_collection
from ._workers import check_dask

__all__ = []

# How often a waiting fit checks that the scheduler is still there.
_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class DaskData:
    """Checked Dask training data: ``X``, ``y`` and weights ``w`` aligned by rows.

    ``meta`` is an empty frame or array with ``X``'s columns, for the
    estimator's feature checks; ``params`` the other fit parameters.
    """

    X: Any
    y: Any
    w: Any
    params: dict
    meta: Any
    regressor: bool

    @property
    def n_samples(self):
        """Rows of ``X``."""
        return int(self.X.shape[0])


def require_dask():
    """ImportError with the install command, unless Dask is importable."""
    try:
        import dask.array  # noqa: F401
    except ImportError as error:  # pragma: no cover - dask is there when used
        raise ImportError(
            "Fitting Dask collections needs Dask: pip install 'radonlearn[dask]'."
        ) from error


def client():
    """The active distributed client, or None (Dask's local scheduler)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_client

    try:
        return get_client()
    except ValueError:
        return None


def _meta_frame(value):
    """An empty pandas frame with the column names of a Dask DataFrame, else None."""
    meta = getattr(value, "_meta", None)
    if meta is not None and hasattr(meta, "columns"):
        return meta
    return None


def _partition_lengths(frame):
    """Rows of every partition of a Dask DataFrame or Series when Dask knows
    them without reading any row (Parquet statistics, partitions in memory),
    else None.

    Counting them on the frame is not safe: Dask (2026.8) fuses the
    partitions of a column projection of Parquet files, so
    ``map_partitions(len)``, as ``to_dask_array(lengths=True)`` runs it, can
    return fewer counts than the frame has partitions (10 for 20 when 18 of
    19 columns are kept; 16 for 270 on one column).
    """
    try:
        from dask.dataframe.dask_expr._expr import Lengths, Literal

        expr = Lengths(frame.expr).optimize(fuse=False)
    except Exception:  # another Dask: count the array's blocks instead
        return None
    if isinstance(expr, Literal):
        lengths = tuple(int(size) for size in expr.value)
        if len(lengths) == frame.npartitions:
            return lengths
    return None


def as_dask_array(value, name, n_rows=None):
    """A Dask array of ``value`` (Dask array, DataFrame, Series or array-like).

    DataFrames and Series are converted with their partition lengths; an
    in-memory array next to Dask ``X`` becomes a Dask array with ``n_rows``
    rows.
    """
    import dask.array as da

    if hasattr(value, "to_dask_array") and is_dask_collection(value):
        # The array's row blocks may be fewer than the frame's partitions
        # (Dask fuses a Parquet projection's partitions when it builds the
        # graph), so its chunks come from its own blocks: the partitions'
        # known lengths when they are as many, else counted on the blocks.
        lengths = _partition_lengths(value)
        array = value.to_dask_array()
        if lengths is not None and len(lengths) == array.numblocks[0]:
            value = da.Array(
                array.dask, array.name, (lengths, *array.chunks[1:]), meta=array
            )
        else:
            value = array.compute_chunk_sizes()
    elif not is_dask_collection(value):
        value = np.asarray(value)
        if n_rows is not None and value.shape[:1] != (n_rows,):
            raise ValueError(
                f"{name} has {value.shape[:1]} rows but X has {n_rows}; they "
                "must have the same number of rows."
            )
        value = da.from_array(value, chunks=-1)
    elif not isinstance(value, da.Array):
        raise TypeError(
            f"{name} is a {type(value).__name__}; the Radon machine takes Dask "
            "arrays, DataFrames and Series. Convert it with to_dask_array()."
        )
    if any(np.isnan(size) for size in value.chunks[0]):
        value = value.compute_chunk_sizes()
    return value


def _check_features(X, X_original):
    """Check the Dask ``X``'s shape and dtype; an empty frame of its columns."""
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D Dask array for X, got {X.ndim} dimension(s); "
            "reshape it, e.g. X.reshape(-1, 1) for a single feature."
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"X has dtype {X.dtype}; the Radon machine fits numeric Dask "
            "arrays. Encode categorical columns before fitting."
        )
    meta = _meta_frame(X_original)
    if meta is None:
        meta = np.empty((0, X.shape[1]), dtype=X.dtype)
    return meta


def _aligned(value, X, name):
    """``value`` (Dask) rechunked to X's row chunks, one chunk across columns."""
    if value.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {value.shape[0]} rows but X has {X.shape[0]}; they "
            "must have the same number of rows."
        )
    chunks = {0: X.chunks[0]}
    if value.ndim == 2:
        chunks[1] = -1
    return value.rechunk(chunks)


def prepare(X, y, sample_weight, fit_params, regressor):
    """Dask ``X``, ``y`` and ``sample_weight`` checked and aligned by rows.

    ``y`` and ``sample_weight`` may be Dask or in-memory; per-row fit
    parameters other than ``sample_weight`` are refused.
    """
    require_dask()
    X_original = X
    X = as_dask_array(X, "X")
    meta = _check_features(X, X_original)
    n_samples = int(X.shape[0])
    if n_samples == 0:
        raise ValueError(
            f"X has 0 rows (shape {X.shape}); a fit needs at least one. Check "
            "the filter or the files that made the Dask collection."
        )
    X = X.rechunk({1: -1})
    y = _aligned(as_dask_array(y, "y", n_samples), X, "y")
    if y.ndim == 2 and not regressor and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim > (2 if regressor else 1):
        raise ValueError(
            f"y has {y.ndim} dimensions; expected 1 (or 2 for regressors)."
        )
    if regressor and y.dtype.kind not in "biuf":
        raise ValueError(f"y has dtype {y.dtype}; regression targets must be numeric.")
    w = None
    if sample_weight is not None:
        w = _aligned(
            as_dask_array(sample_weight, "sample_weight", n_samples), X, "sample_weight"
        )
        if w.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D, got shape {w.shape}.")
    params = {}
    for key, value in fit_params.items():
        if is_dask_collection(value) or (
            hasattr(value, "__len__")
            and not isinstance(value, (str, bytes, dict))
            and len(value) == n_samples
        ):
            raise ValueError(
                f"Per-row fit parameter {key!r} is not supported with Dask input; "
                "only sample_weight is split with the rows."
            )
        params[key] = value

    return DaskData(X, y, w, params, meta, regressor)


def compute(objects):
    """Compute Dask objects on the active client (bounded waits) or locally."""
    import dask

    active = client()
    if active is None:
        return list(dask.compute(*objects))
    return _compute_on(active, objects)


def _compute_on(client, objects):
    """Compute on a distributed client; fail clearly when the cluster goes away."""
    import dask
    from dask.utils import parse_timedelta
    from distributed import wait

    timeout = parse_timedelta(
        dask.config.get("distributed.comm.timeouts.connect"), default="s"
    )
    address = getattr(client, "scheduler", None)
    address = getattr(address, "address", None) or "the scheduler"
    if client.status != "running":
        raise ConnectionError(
            f"The Dask client is {client.status!r}, not connected to {address}. "
            "Start the cluster (or a new Client) before fitting."
        )
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as error:
        raise TimeoutError(
            f"The Dask cluster at {address} has no workers after {timeout:g} s "
            "(distributed.comm.timeouts.connect). Start workers, or check the "
            "cluster."
        ) from error
    check_dask(client)  # once per worker: it imports this radonlearn
    futures = client.compute(objects)
    lost = (
        f"Lost the Dask scheduler at {address} during the fit (the client is "
        "{status!r}). The fit was abandoned; fit again once the cluster is back."
    )
    lost_since = None
    try:
        while True:
            try:
                wait(futures, timeout=_POLL_SECONDS)
                break
            except TimeoutError:
                pass
            if client.status == "running":
                lost_since = None
                continue
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > timeout:
                raise ConnectionError(lost.format(status=client.status))
        return client.gather(futures)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        if client.status == "running":
            client.cancel(futures)
            raise
        if isinstance(error, ConnectionError):
            raise
        # The scheduler went away: its futures were cancelled or failed.
        raise ConnectionError(lost.format(status=client.status)) from error


def n_cluster_workers():
    """Worker threads of the active client, or of Dask's local scheduler."""
    import os

    active = client()
    if active is None:
        return os.cpu_count() or 1
    return max(sum(active.nthreads().values()), 1)


def shuffled(X, y, w, seed):
    """The rows shuffled across chunks once, on the workers (a Dask shuffle).

    Every row draws a random destination chunk; Dask's DataFrame shuffle
    moves it there (peer-to-peer on a distributed cluster), and the result is
    persisted, on the workers when there is a client.
    """
    import dask
    import dask.dataframe as dd
    import pandas as pd

    n_chunks = len(X.chunks[0])
    x_names = [f"x{i}" for i in range(X.shape[1])]
    y_names = [f"y{i}" for i in range(y.shape[1])] if y.ndim == 2 else ["y"]

    def frame(block_seed, x_block, y_block, w_block):
        result = pd.DataFrame(x_block, columns=x_names)
        y_block = y_block.reshape(len(result), len(y_names))
        for i, name in enumerate(y_names):
            result[name] = y_block[:, i]
        if w_block is not None:
            result["w"] = w_block
        result["_key"] = np.random.default_rng(block_seed).integers(
            n_chunks, size=len(result)
        )
        return result

    seeds = np.random.default_rng(seed).integers(MAX_SEED, size=n_chunks)
    blocks = [X.to_delayed().ravel(), y.to_delayed().ravel()]
    blocks.append([None] * n_chunks if w is None else w.to_delayed().ravel())
    meta = frame(
        0,
        np.empty((0, X.shape[1]), dtype=X.dtype),
        np.empty((0, len(y_names)), dtype=y.dtype),
        None if w is None else np.empty(0, dtype=w.dtype),
    )
    parts = [
        dask.delayed(frame)(int(seeds[i]), *[b[i] for b in blocks])
        for i in range(n_chunks)
    ]
    mixed = dd.from_delayed(parts, meta=meta, verify_meta=False)
    mixed = mixed.shuffle("_key", npartitions=n_chunks).drop(columns="_key")
    active = client()
    mixed = active.persist(mixed) if active is not None else mixed.persist()
    lengths = tuple(int(n) for n in compute([mixed.map_partitions(len)])[0])
    X_new = mixed[x_names].to_dask_array(lengths=lengths).astype(X.dtype)
    y_new = mixed[y_names].to_dask_array(lengths=lengths)
    y_new = (y_new if y.ndim == 2 else y_new[:, 0]).astype(y.dtype)
    w_new = None
    if w is not None:
        w_new = mixed["w"].to_dask_array(lengths=lengths).astype(w.dtype)
    return X_new, y_new, w_new


def predict_blocks(estimator, method, X, n_features, feature_names=None):
    """``estimator.<method>`` chunk by chunk: a Dask array, computed lazily.

    ``n_features`` and ``feature_names`` are those seen in fit.
    """
    meta = _meta_frame(X)
    if meta is not None:
        if feature_names is not None and list(meta.columns) != list(feature_names):
            raise ValueError(
                "The Dask DataFrame's columns differ from the feature names seen "
                f"in fit: {list(meta.columns)} against {list(feature_names)}."
            )
        X = X.to_dask_array()
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(
            f"X has shape {X.shape} but the model was fitted with "
            f"{n_features} features."
        )
    X = X.rechunk({1: -1})
    func = getattr(estimator, method)
    sample = func(
        np.zeros(
            (1, X.shape[1]), dtype=X.dtype if X.dtype.kind in "biuf" else np.float64
        )
    )
    if sample.ndim == 1:
        return X.map_blocks(
            func,
            drop_axis=1,
            dtype=sample.dtype,
            meta=np.empty((0,), dtype=sample.dtype),
        )
    return X.map_blocks(
        func,
        chunks=(X.chunks[0], sample.shape[1]),
        dtype=sample.dtype,
        meta=np.empty((0, 0), dtype=sample.dtype),
    )
