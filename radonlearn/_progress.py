"""Progress of a fit, reported to scikit-learn's callbacks when it has them.

Engines report through a ``Progress``: they never see the estimator, and a
fit without callbacks reports to ``NO_PROGRESS``, which does nothing.
"""

__all__ = []


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

    def shards_done(self, count):
        """``count`` more shard fits have finished."""
        for _ in range(count):
            shard = self._shards.subcontext(task_name="shard")
            shard.call_on_fit_task_begin(estimator=self._owner)
            shard.call_on_fit_task_end(estimator=self._owner)

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
