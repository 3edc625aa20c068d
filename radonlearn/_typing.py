"""Type aliases of the public signatures (for annotations and mypy only).

Every module that uses them has ``from __future__ import annotations``, so
the annotations are never evaluated at run time; the aliases that name
optional or stub-less types are strings for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame
    from scipy.sparse import sparray, spmatrix

__all__ = ["Aggregator", "MatrixLike", "Predictions", "RandomStateLike"]

# What fit and predict accept: array-likes (NumPy, pandas, Dask arrays and
# frames), SciPy sparse matrices and arrays, and Spark DataFrames.
MatrixLike: TypeAlias = "ArrayLike | spmatrix | sparray | SparkDataFrame"

# What the prediction methods return: an ndarray for in-memory input, a lazy
# Dask array for Dask input, a Spark DataFrame with one more column for a
# Spark DataFrame. No type is common to the three.
Predictions: TypeAlias = Any

# A named aggregation ("radon", "mean", "median", "geometric_median") or a
# callable mapping the (n, D) hypotheses to one (D,) vector.
Aggregator: TypeAlias = "str | Callable[[NDArray[np.float64]], ArrayLike]"

# scikit-learn's random_state: a seed, a RandomState, or None.
RandomStateLike: TypeAlias = "int | np.random.RandomState | None"
