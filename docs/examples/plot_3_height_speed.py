"""
Fit time and test score against height
======================================

A learner whose cost grows faster than linearly in the number of rows gains
twice from the Radon machine: the shards are fitted in parallel, and
:math:`r^h` fits on :math:`n / r^h` rows each are less work in total than one
fit on :math:`n` rows.

Median regression is such a learner: ``QuantileRegressor`` solves a linear
program whose cost grows faster than the number of rows. This example fits
it on 6,000 generated rows with heavy-tailed noise at heights 0, 1 and 2 with
:class:`radonlearn.RadonMachineRegressor` on two workers, and compares fit
time and test error. Height 0 is a single fit on all rows.
"""

# %%
# Data: a linear signal with heavy-tailed noise
# ---------------------------------------------
#
# Student's t noise with two degrees of freedom has outliers that pull a
# least-squares fit around; the median regression is not bothered by them.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.linear_model import QuantileRegressor
from sklearn.metrics import mean_absolute_error

from radonlearn import RadonMachineRegressor

X, y = make_regression(n_samples=8_000, n_features=3, noise=5.0, random_state=0)
y = y + 5.0 * np.random.default_rng(0).standard_t(df=2, size=len(y))
X_train, X_test = X[:6_000], X[6_000:]
y_train, y_test = y[:6_000], y[6_000:]

# %%
# Fits at heights 0, 1 and 2
# --------------------------
#
# Three coefficients and one intercept make :math:`D = 4` numbers, so the
# Radon number is :math:`r = 6`: height 1 fits 6 shards of 1,000 rows, height
# 2 fits 36 shards of about 167 rows. An explicit height is obeyed exactly and
# gives the same model on every run with the same ``random_state``.

results = []
for height in (0, 1, 2):
    machine = RadonMachineRegressor(
        QuantileRegressor(alpha=0.0), height=height, n_jobs=2, random_state=0
    )
    start = time.perf_counter()
    machine.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    mae = mean_absolute_error(y_test, machine.predict(X_test))
    times = machine.fit_times_
    results.append(
        {
            "height": height,
            "shards": machine.n_shards_,
            "seconds": seconds,
            "pilot": times.get("pilot", 0.0),
            "shard fits": times["shards"],
            "work": times["shard_fit_sum"],
            "backend": machine.height_plan_.get("backend", "-"),
            "aggregation": times["aggregation"],
            "mae": mae,
        }
    )

print("height  shards  fit time  pilot  shard fits  summed work  backend    test MAE")
for row in results:
    print(
        f"{row['height']:6d}  {row['shards']:6d}  {row['seconds']:7.2f}s  "
        f"{row['pilot']:5.2f}  {row['shard fits']:10.2f}  "
        f"{row['work']:11.2f}  {row['backend']:9}  {row['mae']:8.3f}"
    )

# %%
# *shard fits* is the wall time of the parallel phase; *summed work* adds up
# the shard fits' own times, the work one core would have done. A summed work
# below the single fit's time means the smaller problems are cheaper in total,
# before the two workers are even counted. *pilot* is the fit on a sample of
# at most 1,000 rows that reads the shape of the model, plus a short test of
# whether threads run the learner in parallel; *backend* is what that test
# decided (``height_plan_["backend"]``). Worker processes cost a start-up
# that threads do not.

# %%
# What ``height="auto"`` chooses
# ------------------------------
#
# The automatic choice times the learner on a few pilot samples, fits a cost
# model to the timings and predicts the wall time of every height the data
# allows (here at least :math:`\max(15 D, 50) = 60` rows per shard). The
# ``height_plan_`` attribute records what it measured and decided. The
# predictions come from pilot fits on small samples, so they can miss:
# compare them with the times measured above. When the time of one
# particular fit matters, pass an explicit height.

auto = RadonMachineRegressor(QuantileRegressor(alpha=0.0), n_jobs=2, random_state=0)
start = time.perf_counter()
auto.fit(X_train, y_train)
auto_seconds = time.perf_counter() - start
plan = auto.height_plan_
print(
    f"chosen height: {auto.height_} ({auto.n_shards_} shards), "
    f"fit in {auto_seconds:.2f} s"
)
print(f"largest height allowed: {plan.get('largest_height')}")
print(
    f"growth exponent of the cost model: {plan['cost_model']['exponent']:.2f}"
    if "cost_model" in plan
    else "no cost model (no pilot timings needed)"
)
for height, predicted in plan.get("predicted_seconds", {}).items():
    print(f"  predicted wall time at height {height}: {predicted:.2f} s")
print(f"test MAE: {mean_absolute_error(y_test, auto.predict(X_test)):.3f}")

# %%
# Plot
# ----
#
# The bars split each fit into the pilot fits (which read the shape of the
# model and time the learner), the shard fits and the aggregation; the
# aggregation is too quick to see. The line is the test error.

labels = [f"h={row['height']}\n{row['shards']} shard(s)" for row in results]
labels.append(f"auto (h={auto.height_})\n{auto.n_shards_} shard(s)")
pilots = [row["pilot"] for row in results] + [auto.fit_times_.get("pilot", 0.0)]
shard_fits = [row["shard fits"] for row in results] + [auto.fit_times_["shards"]]
totals = [row["seconds"] for row in results] + [auto_seconds]
other = [t - p - s for t, p, s in zip(totals, pilots, shard_fits, strict=True)]
maes = [row["mae"] for row in results]
maes.append(mean_absolute_error(y_test, auto.predict(X_test)))

fig, ax = plt.subplots(figsize=(8, 5))
positions = np.arange(len(labels))
ax.bar(positions, pilots, color="tab:gray", label="pilot fits")
ax.bar(positions, shard_fits, bottom=pilots, color="tab:blue", label="shard fits")
ax.bar(
    positions,
    other,
    bottom=np.add(pilots, shard_fits),
    color="tab:cyan",
    label="validation and aggregation",
)
for position, total in zip(positions, totals, strict=True):
    ax.text(position, total, f"{total:.2f} s", ha="center", va="bottom")
ax.set_xticks(positions, labels)
ax.set_ylabel("fit time (s), 2 workers")
ax.set_ylim(0, 1.2 * max(totals))
ax.set_title("QuantileRegressor on 6,000 rows by the Radon machine")

ax_mae = ax.twinx()
ax_mae.plot(positions, maes, "o-", color="tab:red", label="test MAE")
ax_mae.set_ylabel("test mean absolute error", color="tab:red")
low, high = min(maes), max(maes)
ax_mae.set_ylim(low - 2 * (high - low + 0.05), high + 2 * (high - low + 0.05))

# One legend for both axes, below the plot, clear of the bars.
handles, names = ax.get_legend_handles_labels()
more_handles, more_names = ax_mae.get_legend_handles_labels()
ax.legend(
    handles + more_handles,
    names + more_names,
    loc="upper center",
    bbox_to_anchor=(0.5, -0.2),
    ncol=4,
    fontsize=9,
    frameon=False,
)
fig.tight_layout()
plt.show()

# %%
# The test error changes little from one height to the next, while the fit
# time is spread over the shards. Timings depend on the machine and on what
# else it is running; the numbers and the figure on this page come from the
# run that built it, on two cores.
