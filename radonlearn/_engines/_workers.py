"""Do the workers import this radonlearn? Asked once, before the first job.

A Spark executor or a Dask worker whose Python cannot import radonlearn
(or imports another version of it) would fail every shard of a fit with a
long worker traceback, after the survey and the pilots have run. Before an
engine's first real job, the workers run ``probe_function`` (through
``_spark_workers.check_spark``: one single-row ``mapInArrow`` job; or
``check_dask`` here: ``Client.run`` on every worker not checked yet), which
says which interpreter they run and which radonlearn it imports; anything
but the driver's raises ``WorkersLackPackage`` with the ways out. A check
that passed is remembered in ``PASSED`` (per Spark session and interpreter,
per Dask scheduler and worker), so further fits pay nothing.
"""

import re
import sys
from dataclasses import dataclass

__all__ = []

# Workers whose check passed: Spark sessions (with their interpreter) and
# Dask (scheduler, worker) addresses.
PASSED = set()
# A line of a traceback or a Java stack trace that names an error.
_ERROR_LINE = re.compile(r"(Caused by: )?([A-Za-z_][\w.]*(Error|Exception|Exit)\b.*)")
# Workers named in one Dask error.
_SHOWN_WORKERS = 3


@dataclass(frozen=True)
class WorkerPython:
    """What a worker's interpreter says: its path, its Python version ("" when
    the probe could not run), and radonlearn's version there (None when it
    is not there; ``error`` then says what failed, in one line)."""

    python: str
    python_version: str
    version: str | None
    error: str = ""


class WorkersLackPackage(ImportError):
    """The workers cannot import radonlearn, or import another version of it."""


def probe_function():
    """The function a worker runs: ``(sys.executable, Python version,
    radonlearn.__version__ or None, the import error)``; it never raises.

    A closure, so cloudpickle sends its code by value: a worker without
    radonlearn can still unpickle and run it.
    """

    def probe():
        import importlib
        import platform
        import sys

        try:
            # By name: on the worker, not an import of the package by itself.
            radonlearn = importlib.import_module("radonlearn")
        except Exception as error:
            return (
                sys.executable,
                platform.python_version(),
                None,
                f"`import radonlearn` fails with {type(error).__name__}: {error}",
            )
        return sys.executable, platform.python_version(), radonlearn.__version__, ""

    return probe


def driver_version():
    """radonlearn's version here (the package is loaded: an engine is part of it)."""
    return sys.modules["radonlearn"].__version__


def last_line(text):
    """The last line of ``text`` that names an error, else its last line."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    for line in reversed(lines):
        match = _ERROR_LINE.fullmatch(line)
        if match:
            return match.group(2)
    return lines[-1] if lines else ""


def failed(error):
    """``WorkerPython.error`` for a probe that could not run, from ``error``."""
    return f"the check could not run: {last_line(error)}"


def driver():
    """The driver's radonlearn and interpreter, in words."""
    import platform

    python = platform.python_version()
    return f"radonlearn {driver_version()} on {sys.executable} (Python {python})"


def _interpreter(found, named):
    """The workers' interpreter in words: as named, the path that ran, its
    Python version."""
    details = [found.python] if named not in (None, found.python) else []
    if found.python_version:
        details.append(f"Python {found.python_version}")
    head = found.python if named is None else named
    return f"{head} ({', '.join(details)})" if details else head


def problem(found, named=None):
    """What is wrong with ``found`` (a ``WorkerPython``), or None when nothing;
    ``named`` is the interpreter the workers were told to run, when known."""
    where = _interpreter(found, named)
    if found.version is None:
        return f"run {where}, where {found.error}"
    if found.version != driver_version():
        return f"run {where}, which imports radonlearn {found.version}"
    return None


# ---------------------------------------------------------------------------
# Dask: Client.run on the workers not checked yet
# ---------------------------------------------------------------------------


def _dask_answer(answer):
    """A worker's answer (or the exception raised there) as a ``WorkerPython``."""
    if isinstance(answer, BaseException):  # the probe could not run there
        error = f"{type(answer).__name__}: {answer}"
        return WorkerPython("their Python", "", None, failed(error))
    return WorkerPython(*answer)


def check_dask(client):
    """Raise ``WorkersLackPackage`` unless every worker of ``client`` imports
    this radonlearn. Each worker is asked once (``Client.run``)."""
    address = client.scheduler.address
    new = sorted(w for w in client.nthreads() if (address, w) not in PASSED)
    if not new:
        return
    answers = client.run(probe_function(), workers=new, on_error="return")
    wrong = {}
    for worker, answer in sorted(answers.items()):
        found = _dask_answer(answer)
        text = problem(found)
        if text is None:
            PASSED.add((address, worker))
        else:
            wrong[worker] = text
    if not wrong:
        return
    shown = ", ".join(list(wrong)[:_SHOWN_WORKERS])
    if len(wrong) > _SHOWN_WORKERS:
        shown += f" and {len(wrong) - _SHOWN_WORKERS} more"
    first = next(iter(wrong.values()))
    raise WorkersLackPackage(
        f"{len(wrong)} of {len(answers)} Dask worker(s) ({shown}) cannot fit with "
        f"this radonlearn: they {first}, while the client has {driver()}. Start "
        "the workers from the same image or environment as the client, or "
        "install it on them with distributed's PipInstall plugin: client."
        f"register_plugin(PipInstall(packages=['radonlearn=={driver_version()}'])). "
        "client.get_versions(check=True) compares the other packages.",
        name="radonlearn",
    ) from None
