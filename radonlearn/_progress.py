"""Progress of a fit, reported to scikit-learn's callbacks when it has them.

Engines report through a ``Progress``: they never see the estimator, and a
fit without callbacks reports to ``NO_PROGRESS``, which tells no callback.
The shard fits are also told to whoever follows them in the calling context
(``following_shards``: the command line's progress), whatever the installed
scikit-learn, callback API or not.
"""

import contextvars
from contextlib import contextmanager

__all__ = []

# ``(started, advanced)`` of whoever follows the shard fits run in this context.
_SHARD_FOLLOWER = contextvars.ContextVar("radonlearn_shard_follower", default=None)


@contextmanager
def following_shards(started, advanced):
    """Within the block, the shard fits of every fit in this context are told.

    ``started(n_shards)`` when a fit's shard fits begin (after its height is
    planned and checked), ``advanced(count)`` as ``count`` more finish. The
    engines report from the thread that called ``fit``.
    """
    token = _SHARD_FOLLOWER.set((started, advanced))
    try:
        yield
    finally:
        _SHARD_FOLLOWER.reset(token)


class _Silent:
    """A callback context that does nothing (no callbacks set, or none supported)."""

    def subcontext(self, **kwargs):
        """Itself: subtasks do nothing either."""
        return self

    def call_on_fit_task_begin(self, **kwargs):
        """Nothing."""

    def call_on_fit_task_end(self, **kwargs):
        """Nothing."""


class Progress:
    """The subtasks of one fit: "shard fits" (one "shard" each), "aggregation".

    ``root`` is the fit's callback context, ``owner`` the estimator the
    callbacks are told about.
    """

    def __init__(self, root=None, owner=None):
        self._root = _Silent() if root is None else root
        self._owner = owner
        self._shards = None

    def begin(self, **data):
        """The fit begins (``data``: ``X``, ``y`` for the callbacks)."""
        self._root.call_on_fit_task_begin(estimator=self._owner, **data)

    def begin_shards(self, n_shards):
        """The shard fits begin: ``n_shards`` of them."""
        self._shards = self._root.subcontext(
            task_name="shard fits", max_subtasks=n_shards
        )
        self._shards.call_on_fit_task_begin(estimator=self._owner)
        follower = _SHARD_FOLLOWER.get()
        if follower is not None:
            follower[0](n_shards)

    def shards_done(self, count):
        """``count`` more shard fits have finished."""
        for _ in range(count):
            shard = self._shards.subcontext(task_name="shard")
            shard.call_on_fit_task_begin(estimator=self._owner)
            shard.call_on_fit_task_end(estimator=self._owner)
        follower = _SHARD_FOLLOWER.get()
        if follower is not None and count:
            follower[1](count)

    def end_shards(self):
        """Every shard fit has finished."""
        self._shards.call_on_fit_task_end(estimator=self._owner)

    def aggregated(self, n_levels):
        """The aggregation ran, ``n_levels`` levels above the shard models."""
        tree = self._root.subcontext(task_name="aggregation", max_subtasks=n_levels)
        tree.call_on_fit_task_begin(estimator=self._owner)
        for _ in range(n_levels):
            level = tree.subcontext(task_name="level")
            level.call_on_fit_task_begin(estimator=self._owner)
            level.call_on_fit_task_end(estimator=self._owner)
        tree.call_on_fit_task_end(estimator=self._owner)

    def end(self):
        """The fit has ended."""
        self._root.call_on_fit_task_end(estimator=self._owner)


NO_PROGRESS = Progress()
