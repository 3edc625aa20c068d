"""
A Radon point in the plane
==========================

Radon's theorem says that any :math:`d + 2` points in :math:`d` dimensions
can be split into two groups whose convex hulls intersect. In the plane
that is four points, and there are two ways it can happen: two crossing
segments (two points against two), or one point inside the triangle of the
other three (one against three). A point where the hulls meet is a *Radon
point*.

:func:`radonlearn.radon_point` finds it with one small linear solve and,
with ``return_partition=True``, also returns the split as a boolean mask.
"""

# %%
# Two sets of four points
# -----------------------
#
# The first set is a skewed quadrilateral, whose diagonals cross. In the
# second, one point lies inside the triangle of the other three.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon
from scipy.spatial import ConvexHull

from radonlearn import radon_point

quadrilateral = np.array([[0.0, 0.0], [4.0, 0.6], [3.2, 3.5], [0.4, 2.6]])
triangle_and_inside = np.array([[0.0, 0.0], [4.2, 0.4], [1.6, 3.8], [1.9, 1.3]])

for name, points in [
    ("quadrilateral", quadrilateral),
    ("triangle and inside", triangle_and_inside),
]:
    point, mask = radon_point(points, return_partition=True)
    print(
        f"{name}: Radon point {point.round(3)}, parts {mask.sum()} and {(~mask).sum()}"
    )

# %%
# In the second set the part of one point is the inner point itself, so the
# Radon point is that point exactly.
#
# Drawing the two convex hulls
# ----------------------------
#
# A hull of one point is the point, of two points a segment, of three or more
# a polygon.


def draw_hull(ax, part, color, label):
    """Draw the convex hull of the rows of ``part``."""
    if len(part) >= 3:
        hull = part[ConvexHull(part).vertices]
        ax.add_patch(Polygon(hull, closed=True, alpha=0.25, color=color, lw=0))
        ax.add_patch(Polygon(hull, closed=True, fill=False, color=color, lw=2))
    elif len(part) == 2:
        ax.plot(part[:, 0], part[:, 1], color=color, lw=3)
    ax.scatter(part[:, 0], part[:, 1], s=90, color=color, zorder=3, label=label)


fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
for ax, (title, points) in zip(
    axes,
    [("two against two", quadrilateral), ("one against three", triangle_and_inside)],
    strict=True,
):
    point, mask = radon_point(points, return_partition=True)
    draw_hull(ax, points[mask], "tab:blue", f"part A ({mask.sum()} points)")
    draw_hull(ax, points[~mask], "tab:orange", f"part B ({(~mask).sum()} points)")
    ax.scatter(
        *point,
        marker="o",
        s=420,
        facecolor="none",
        edgecolor="black",
        linewidth=2,
        zorder=4,
        label="Radon point",
    )
    ax.set_title(f"Radon partition: {title}")
    ax.set_aspect("equal")
    ax.margins(0.15)
    ax.legend(loc="upper left", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# Why this matters for aggregation
# --------------------------------
#
# Think of each point as a fitted model (its coefficients). The Radon point
# lies in the hull of part A *and* in the hull of part B, so it is a weighted
# average of the models of either part. If one model is bad, one part holds
# only good models, and for a convex loss an average of good models is good.
# A Radon point can only be bad if at least two of its inputs are.
#
# The weights come from a vector :math:`\lambda` with
# :math:`\sum_i \lambda_i x_i = 0` and :math:`\sum_i \lambda_i = 0`: the
# positive entries mark one part, the negative entries the other.

lam = np.linalg.svd(np.vstack([quadrilateral.T, np.ones(4)]))[2][-1]
positive = lam > 0
from_positive = lam[positive] @ quadrilateral[positive] / lam[positive].sum()
from_negative = lam[~positive] @ quadrilateral[~positive] / lam[~positive].sum()
print("lambda:", lam.round(3))
print("weighted average of the positive part:", from_positive.round(3))
print("weighted average of the negative part:", from_negative.round(3))
