"""Progress of the command line's fits on stderr, and the warnings they raise.

Live bars with rich on a terminal, one plain line per step otherwise, or
nothing with ``--quiet``; a Radon machine's shards are followed through the
package's own progress reports, the same with every scikit-learn (with a
callback API or not).
"""

import warnings
from contextlib import contextmanager, nullcontext

from ._progress import following_shards

__all__ = []


def progress_mode(quiet, stream):
    """Mode: "plain" progress, or "rich" on a terminal with rich; None if quiet."""
    if quiet:
        return None
    if getattr(stream, "isatty", lambda: False)():
        try:
            import rich.progress  # noqa: F401
        except ImportError:
            return "plain"
        return "rich"
    return "plain"


class FitProgress:
    """Progress of the fits on stderr, and the warnings they raise.

    ``mode`` is ``"rich"`` (live bars, on a terminal with rich installed),
    ``"plain"`` (one line per step) or None (``--quiet``: no progress).
    Every warning raised during a step (deprecations aside) is shown once
    per kind, with its count, in every mode. Use as a context manager
    around the steps.
    """

    def __init__(self, mode, n_steps, stream):
        self.mode, self.n_steps, self.stream = mode, n_steps, stream
        self.number = 0
        self.bars = None

    def __enter__(self):
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self.bars.start()
        return self

    def __exit__(self, *exc_info):
        if self.bars is not None:
            self.bars.stop()

    def _say(self, text):
        """One line on stderr, above the bars when they are live."""
        if self.bars is not None:
            self.bars.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def step(self, name, what, machine=None):
        """Fit one method: announce it, follow a Radon machine's shards, show warnings.

        A step with a Radon ``machine`` is announced when its shard fits
        begin, so a height the data cannot fill fails before any progress
        line (when they never begin, as it ends).
        """
        self.number += 1
        label = f"[{self.number}/{self.n_steps}] {name}"
        task = None
        if self.bars is not None:
            task = self.bars.add_task(label, total=None)
        elif self.mode == "plain" and machine is None:
            self._say(f"radonlearn: {label}: fitting {what}")
        announced = []

        def started(n_shards):
            announced.append(n_shards)
            shards = f"{n_shards:,} shard{'s' * (n_shards != 1)}"
            if task is not None:
                self.bars.update(task, total=n_shards, description=f"{label}: {shards}")
            elif self.mode == "plain":
                self._say(f"radonlearn: {label}: fitting {what} in {shards}")

        def advanced(count):
            if task is not None:
                self.bars.advance(task, count)

        following = (
            nullcontext() if machine is None else following_shards(started, advanced)
        )
        try:
            with following, warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # As Python's defaults: deprecations are for the code's
                # authors, not for the user of the command line.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                yield
        finally:
            self._show_warnings(name, caught)
        if task is not None:
            total = next(t for t in self.bars.tasks if t.id == task).total or 1
            self.bars.update(task, total=total, completed=total)
        elif self.mode == "plain" and machine is not None and not announced:
            self._say(f"radonlearn: {label}: fitted {what}")

    def skip(self, name, why):
        """Count a step that is not run, and say ``why`` (unless quiet)."""
        self.number += 1
        if self.mode is not None:
            self._say(f"radonlearn: [{self.number}/{self.n_steps}] {name}: {why}")

    def _show_warnings(self, name, caught):
        """Each kind of warning once, with how often it was raised."""
        kinds = {}
        for record in caught:
            message = " ".join(str(record.message).split())
            key = (record.category.__name__, message)
            kinds[key] = kinds.get(key, 0) + 1
        for (category, message), count in kinds.items():
            times = f" ({count:,} times)" if count > 1 else ""
            self._say(f"radonlearn: warning: {name}: {category}: {message}{times}")
