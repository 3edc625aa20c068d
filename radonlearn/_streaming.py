"""The streaming Radon tree behind ``partial_fit``: one model per chunk.

Every completed group of ``r`` models at one level is replaced by its Radon
point one level up, so at most ``r - 1`` models wait at each level and
memory stays ``O(h * r * D)`` however many chunks arrive.
"""

import numpy as np

from ._aggregate import blockwise_radon_levels
from ._hypotheses import flatten, load
from ._planning import HeightPlan
from ._result import FitTimes, RadonFit, check_aggregate

__all__ = []


class RadonStream:
    """The models waiting at each level of a streaming Radon tree."""

    def __init__(self, template_model, layout, radon_number):
        self.template_model = template_model
        self.layout = layout
        self.radon_number = radon_number
        self.levels = []
        self.n_chunks = 0

    def add(self, model):
        """Fold one chunk's fitted model into the tree."""
        vector = flatten(model, self.layout)
        if not np.isfinite(vector).all():
            raise ValueError(
                "The chunk model has non-finite coefficients, so it cannot be "
                "aggregated. Check the inner estimator's settings or scale the "
                "features; the models of earlier chunks are kept."
            )
        self._fold(vector, 0)
        self.n_chunks += 1

    def _fold(self, vector, level):
        """Add a vector at ``level``; a full group moves up as its Radon point."""
        while len(self.levels) <= level:
            self.levels.append([])
        self.levels[level].append(vector)
        if len(self.levels[level]) == self.radon_number:
            group = np.vstack(self.levels[level])
            self.levels[level] = []
            point = blockwise_radon_levels(group, self.radon_number)[-1][0]
            self._fold(point, level + 1)

    def result(self, seconds):
        """The current model: the waiting models' mean, weighted by chunks.

        Each waiting model stands for ``r ** level`` chunks. ``seconds`` is
        the time of the last call.
        """
        vectors, weights = [], []
        for level, waiting in enumerate(self.levels):
            vectors.extend(waiting)
            weights.extend([float(self.radon_number) ** level] * len(waiting))
        vectors = np.vstack(vectors)
        point = np.average(vectors, axis=0, weights=weights)
        check_aggregate(point, "radon")
        levels = [vectors] if len(vectors) == 1 else [vectors, point[None]]
        height = max(
            (level for level, waiting in enumerate(self.levels) if waiting), default=0
        )
        plan = HeightPlan(
            chosen=height,
            radon_number=self.radon_number,
            reason=f"partial_fit: {self.n_chunks} chunk(s) folded into a streaming "
            f"Radon tree; its highest waiting level is {height}.",
        )
        return RadonFit(
            estimator=load(self.template_model, point, self.layout),
            layout=self.layout,
            hypotheses=vectors,
            levels=levels,
            height=height,
            radon_number=self.radon_number,
            n_shards=self.n_chunks,
            plan=plan,
            times=FitTimes(shards=seconds, total=seconds, n_workers=1),
        )
