"""
The aggregation tree
====================

The Radon machine combines its :math:`r^h` shard models by iterated Radon
points: every group of :math:`r` consecutive points is replaced by its Radon
point, and the same is done to the results until one point is left. Each
level keeps the good points and squeezes out the bad ones, so the cloud
shrinks toward its centre.

Here the "models" are points in the plane (:math:`d = 2`, so :math:`r = 4`):
:math:`4^4 = 256` of them, most near the true centre and some far away, as
if a few shard fits had gone wrong. The tree is computed level by level with
:func:`radonlearn.radon_point`, and checked against
:func:`radonlearn.iterated_radon_point`.
"""

# %%
# A cloud of hypotheses with outliers
# -----------------------------------

import matplotlib.pyplot as plt
import numpy as np

from radonlearn import geometric_median, iterated_radon_point, radon_point

rng = np.random.default_rng(0)
d, r, h = 2, 4, 4
n = r**h
centre = np.array([0.0, 0.0])
points = centre + rng.normal(scale=1.0, size=(n, d))
n_bad = 26  # about one in ten
bad = rng.choice(n, size=n_bad, replace=False)
points[bad] = rng.normal(loc=[9.0, 6.0], scale=2.0, size=(n_bad, d))
print(f"{n} points, {n_bad} of them outliers")

# %%
# One level at a time
# -------------------
#
# Consecutive groups of ``r`` rows form the groups of a level. The Radon
# machine shuffles the rows before it splits them into shards, so the bad
# shard models land in random groups; the outliers here were placed at
# random for the same reason.

levels = [points]
while len(levels[-1]) > 1:
    groups = levels[-1].reshape(-1, r, d)
    levels.append(np.array([radon_point(group) for group in groups]))

for number, level in enumerate(levels):
    distance = np.linalg.norm(level - centre, axis=1)
    print(
        f"level {number}: {len(level):3d} point(s), median distance to the centre "
        f"{np.median(distance):.3f}, largest {distance.max():.3f}"
    )

final = levels[-1][0]
print("same as iterated_radon_point:", np.allclose(final, iterated_radon_point(points)))

# %%
# The result next to the mean and the geometric median of all 256 points:

mean = points.mean(axis=0)
median = geometric_median(points)
for name, estimate in [("Radon", final), ("mean", mean), ("geometric median", median)]:
    print(
        f"{name:>16}: {estimate.round(3)}, distance to the centre "
        f"{np.linalg.norm(estimate - centre):.3f}"
    )

# %%
# Plotting the levels
# -------------------
#
# Each level is drawn with larger markers than the one before, on the whole
# plane (left) and zoomed in on the centre (middle). An outlier can reach
# level 1 only where a group of four happened to hold two or more of them,
# and level 2 only where two such bad points met again.

fig, (ax, ax_zoom, ax_spread) = plt.subplots(
    1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [1.3, 1, 1]}
)
colors = plt.cm.viridis(np.linspace(0.0, 0.9, len(levels)))
for axis in (ax, ax_zoom):
    for number, (level, color) in enumerate(zip(levels, colors, strict=True)):
        axis.scatter(
            level[:, 0],
            level[:, 1],
            s=12 * 2.2**number,
            color=color,
            alpha=0.7 if number == 0 else 0.9,
            edgecolor="white",
            linewidth=0.5,
            zorder=2 + number,
            label=f"level {number} ({len(level)} point{'s' if len(level) > 1 else ''})",
        )
    axis.scatter(
        *mean,
        marker="X",
        s=200,
        color="tab:red",
        edgecolor="black",
        zorder=10,
        label="mean of level 0",
    )
    axis.scatter(
        *median,
        marker="P",
        s=200,
        color="tab:orange",
        edgecolor="black",
        zorder=10,
        label="geometric median",
    )
    axis.scatter(
        *final,
        marker="o",
        s=420,
        facecolor="none",
        edgecolor="black",
        linewidth=2,
        zorder=11,
        label="iterated Radon point",
    )
    axis.set_aspect("equal")
ax.set_title("All 256 points and every level")
ax.legend(fontsize=8, loc="lower right")
ax_zoom.set_xlim(-1.6, 1.6)
ax_zoom.set_ylim(-1.6, 1.6)
ax_zoom.set_title("Zoomed in on the centre")

spread = [np.median(np.linalg.norm(level - centre, axis=1)) for level in levels]
worst = [np.linalg.norm(level - centre, axis=1).max() for level in levels]
ax_spread.plot(range(len(levels)), spread, "o-", label="median distance")
ax_spread.plot(range(len(levels)), worst, "s--", label="largest distance")
ax_spread.set_yscale("log")
ax_spread.set_xlabel("level of the tree")
ax_spread.set_ylabel("distance to the true centre")
ax_spread.set_xticks(range(len(levels)))
ax_spread.set_title("The cloud shrinks toward its centre")
ax_spread.legend()
fig.tight_layout()
plt.show()

# %%
# The mean is pulled toward the outliers in proportion to their share and
# distance. The iterated Radon point ends close to the centre of the good
# points, like the geometric median, at the cost of a few small linear
# solves per level.
