"""show_versions: the system, every package's version and the BLAS in use."""

import importlib.metadata
import platform
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info

import radonlearn
from radonlearn import _show_versions, show_versions

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


def _pairs(text):
    """Every ``key: value`` line of the output as a (key, value) pair."""
    pairs = []
    for line in text.splitlines():
        key, colon, value = line.partition(": ")
        if colon and not line.endswith(":"):
            pairs.append((key.strip(), value))
    return pairs


def _printed(capsys):
    """What show_versions prints, and what it returns."""
    returned = show_versions()
    return capsys.readouterr().out, returned


def test_prints_and_returns_none(capsys):
    # It prints its three sections to stdout and returns nothing.
    out, returned = _printed(capsys)
    assert returned is None
    for title in (
        "System:",
        "Python dependencies:",
        "BLAS and OpenMP libraries (threadpoolctl):",
    ):
        assert title in out.splitlines()


def test_every_package_appears_with_its_installed_version(capsys):
    # Each listed package has one line, with the version pip installed (or
    # "not installed"), radonlearn's own among them.
    out, _ = _printed(capsys)
    versions = dict(_pairs(out))
    assert set(PACKAGES) <= set(versions)
    for name in PACKAGES:
        try:
            expected = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            expected = "not installed"
        assert versions[name] == expected, name
    assert versions["radonlearn"] == radonlearn.__version__


def test_system_names_python_and_the_machine(capsys):
    # The system section names the Python version, its executable and the
    # platform.
    out, _ = _printed(capsys)
    system = dict(_pairs(out))
    assert system["python"].startswith(platform.python_version())
    assert system["executable"] == sys.executable
    assert system["machine"] == platform.platform()


def test_missing_optional_package_prints_not_installed(monkeypatch, capsys):
    # A package whose metadata is absent is reported as "not installed",
    # and the others still get their versions.
    real_version = importlib.metadata.version
    absent = {"pyspark", "dask"}

    def version(name):
        if name in absent:
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    out, _ = _printed(capsys)
    versions = dict(_pairs(out))
    assert versions["pyspark"] == versions["dask"] == "not installed"
    assert versions["numpy"] == real_version("numpy")


def test_blas_libraries_from_threadpoolctl_appear(capsys):
    # Every library threadpoolctl finds is printed with its API, internal
    # API, thread count and file; NumPy's BLAS is among them.
    out, _ = _printed(capsys)
    pairs = _pairs(out)
    libraries = threadpool_info()
    assert any(library["user_api"] == "blas" for library in libraries)
    for library in libraries:
        for key in ("user_api", "internal_api", "num_threads", "filepath"):
            assert (key, str(library[key])) in pairs, (key, library)
    assert pairs.count(("user_api", "blas")) == sum(
        library["user_api"] == "blas" for library in libraries
    )


def test_no_library_found_is_said(monkeypatch, capsys):
    # A process in which threadpoolctl finds no library says so.
    monkeypatch.setattr(_show_versions, "threadpool_info", list)
    out, _ = _printed(capsys)
    lines = out.splitlines()
    title = lines.index("BLAS and OpenMP libraries (threadpoolctl):")
    assert lines[title + 1 :] == ["none found"]


@pytest.mark.slow
def test_imports_no_optional_package():
    # Versions come from metadata: showing them imports no optional package
    # (Dask, Spark, pandas, PyArrow) that import radonlearn had not.
    code = (
        "import sys, radonlearn; before = set(sys.modules); "
        "radonlearn.show_versions(); "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} & "
        "{'dask', 'distributed', 'pyspark', 'pandas', 'pyarrow'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_command_line_show_versions():
    # `radonlearn show-versions` prints the same sections and exits 0.
    result = subprocess.run(
        [sys.executable, "-m", "radonlearn", "show-versions"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Python dependencies:" in result.stdout.splitlines()
    assert set(PACKAGES) <= {key for key, _ in _pairs(result.stdout)}
