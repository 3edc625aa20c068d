"""Timings of the Radon-point geometry."""

import numpy as np

from radonlearn import iterated_radon_point, radon_point


class RadonPoint:
    """One Radon point of d + 2 Gaussian points in d dimensions."""

    params = [10, 100, 1000]
    param_names = ["d"]

    def setup(self, d):
        self.points = np.random.default_rng(0).normal(size=(d + 2, d))

    def time_radon_point(self, d):
        radon_point(self.points)


class RadonPointDegenerate:
    """One Radon point when the fast LU path meets a singular system."""

    params = [10, 100]
    param_names = ["d"]

    def setup(self, d):
        points = np.random.default_rng(0).normal(size=(d + 2, d))
        points[1] = points[0]
        points[:, 0] = 0.0
        self.points = points

    def time_radon_point(self, d):
        radon_point(self.points)


class IteratedRadonPoint:
    """Iterated Radon point of (d + 2) ** 2 points: height 2."""

    params = [18, 19, 100]
    param_names = ["d"]

    def setup(self, d):
        self.points = np.random.default_rng(0).normal(size=((d + 2) ** 2, d))

    def time_iterated_radon_point(self, d):
        iterated_radon_point(self.points)
