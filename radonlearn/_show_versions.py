"""``show_versions``: the system, package versions and BLAS/OpenMP libraries.

Adapted from :func:`sklearn.show_versions`. Versions are read from the
installed packages' metadata, so nothing optional (Dask, Spark) is imported.
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from typing import Any

from threadpoolctl import threadpool_info

__all__ = ["show_versions"]

# Distribution names, as pip knows them: radonlearn's dependencies, then the
# optional packages of its extras (Dask, Spark, the command line's tables).
PACKAGES = (
    "radonlearn",
    "numpy",
    "scipy",
    "scikit-learn",
    "joblib",
    "threadpoolctl",
    "pandas",
    "dask",
    "distributed",
    "pyspark",
    "pyarrow",
)

# What threadpoolctl tells of each library, in this order; the last two only
# some libraries have (OpenBLAS's architecture and threading layer).
_LIBRARY_KEYS = (
    "user_api",
    "internal_api",
    "version",
    "num_threads",
    "prefix",
    "filepath",
    "architecture",
    "threading_layer",
)


def _system() -> dict[str, str]:
    """Python's version and executable and the machine's platform."""
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _versions() -> dict[str, str]:
    """The installed version of every package of ``PACKAGES``, or "not installed"."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _libraries() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries loaded in this process, by threadpoolctl."""
    return [
        {key: library[key] for key in _LIBRARY_KEYS if key in library}
        for library in threadpool_info()
    ]


def _print_entries(entries: dict[str, Any], width: int = 0) -> None:
    """One ``key: value`` line per entry, the keys right-aligned to at least
    ``width`` characters."""
    width = max(width, *map(len, entries))
    for key, value in entries.items():
        print(f"{key:>{width}}: {value}")


def show_versions() -> None:
    """Print the system, the versions of radonlearn's dependencies and BLAS.

    Paste the output into a bug report: it names the Python and platform, the
    installed versions of radonlearn, NumPy, SciPy, scikit-learn, joblib,
    threadpoolctl and of the optional packages (pandas, Dask, distributed,
    PySpark, PyArrow; "not installed" when absent), and the BLAS and OpenMP
    libraries that this process has loaded, with their thread counts.

    Returns
    -------
    None
        Everything is printed to standard output.

    See Also
    --------
    sklearn.show_versions : The same for scikit-learn.

    Notes
    -----
    Versions are read from the packages' installed metadata
    (:func:`importlib.metadata.version`), so no optional package is imported
    to learn its version. The libraries are those that
    :func:`threadpoolctl.threadpool_info` finds loaded: the BLAS of NumPy and
    SciPy and scikit-learn's OpenMP runtime, which ``import radonlearn``
    loads.

    Examples
    --------
    >>> from radonlearn import show_versions
    >>> show_versions()  # doctest: +ELLIPSIS
    System:
        python: ...
    Python dependencies:
    ...
    BLAS and OpenMP libraries (threadpoolctl):
    ...
    """
    print("System:")
    _print_entries(_system())
    print("\nPython dependencies:")
    _print_entries(_versions())
    print("\nBLAS and OpenMP libraries (threadpoolctl):")
    libraries = _libraries()
    if not libraries:
        print("none found")
    for number, library in enumerate(libraries):
        if number:
            print()
        _print_entries(library, width=max(map(len, _LIBRARY_KEYS)))
