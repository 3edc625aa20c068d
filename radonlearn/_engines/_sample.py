"""Pilots on a sample gathered to the client: the Dask and Spark engines' own.

Data that lives on a cluster is planned from a few thousand rows brought to
the client or driver: the first ``LAYOUT_ROWS`` (one of every class among
them) read the hypothesis layout, and growing prefixes of the sample time
the learner as its shard fits will run, one BLAS thread each.
"""

from dataclasses import dataclass

import numpy as np

from .._cost_model import OVERHEAD_ROWS
from .._fitting import time_fit
from .._planning import Pilots
from .._threadpools import one_thread

__all__ = []

# Rows of the pilot fit that reads the hypothesis layout (as in memory).
LAYOUT_ROWS = 1000


@dataclass(frozen=True)
class Sample:
    """Rows gathered to the client: features, targets, weights (or None)."""

    X: object
    y: object
    w: object = None

    def __len__(self):
        return len(self.y)


def layout_rows_first(sample, classes):
    """The sample reordered so its first rows hold one row of every class."""
    if classes is None:
        return sample
    _, first = np.unique(np.asarray(sample.y), return_index=True)
    order = np.concatenate([first, np.setdiff1d(np.arange(len(sample)), first)])
    return Sample(
        *(None if c is None else c[order] for c in (sample.X, sample.y, sample.w))
    )


def time_pilot(spec, sample, seed, params, rows=None):
    """Fit the first ``rows`` of the sample as a shard fit runs (one BLAS
    thread); returns the model and the fastest seconds."""
    rows = np.arange(len(sample) if rows is None else min(rows, len(sample)))
    fit_params = dict(params)
    if sample.w is not None:
        fit_params["sample_weight"] = sample.w
    with one_thread():
        model, _, seconds, *_ = time_fit(
            spec.template,
            sample.X,
            sample.y,
            rows,
            seed,
            fit_params,
            config=spec.config,
        )
    return model, seconds


def sample_pilots(spec, sample, seed, params, first_seconds, largest):
    """``Pilots`` on growing prefixes of the sample, up to ``largest`` rows."""

    def time_at(size):
        seconds = time_pilot(spec, sample, seed, params, size)[1]
        return size, seconds, seconds

    first_rows = min(LAYOUT_ROWS, len(sample))
    return Pilots(
        time_at=time_at,
        overhead=lambda: time_at(OVERHEAD_ROWS)[1],
        first=(first_rows, first_seconds, first_seconds),
        largest=min(largest, len(sample)),
    )
