"""
Radon point versus averaging with corrupted shard models
========================================================

A shard fit can go wrong: a solver diverges, a shard draws an unlucky
sample, a worker returns garbage. This example fits a
:class:`radonlearn.RadonMachineClassifier` of height 2, takes its shard
models from ``hypotheses_``, corrupts :math:`k` of them, and aggregates the
result three ways: by the iterated Radon point, by the mean, and by the
geometric median. It then scores each aggregate on held-out rows.
"""

# %%
# Fit the shard models
# --------------------
#
# Three features and one intercept make :math:`D = 4` numbers per model, so
# the Radon number is :math:`r = 6` and height 2 fits :math:`6^2 = 36` shards.

import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from radonlearn import (
    RadonMachineClassifier,
    aggregate,
    geometric_median,
    iterated_radon_point,
)

X, y = make_classification(
    n_samples=20_000,
    n_features=3,
    n_informative=3,
    n_redundant=0,
    n_clusters_per_class=1,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
machine = RadonMachineClassifier(LogisticRegression(), height=2, random_state=0)
machine.fit(X_train, y_train)
hypotheses = machine.hypotheses_
print("shard models:", hypotheses.shape)
print("test accuracy of the Radon machine:", machine.score(X_test, y_test))

# %%
# Scoring a hypothesis vector directly
# ------------------------------------
#
# For a binary ``LogisticRegression`` a hypothesis vector is the three
# coefficients followed by the intercept, and the predicted class is 1
# exactly when the decision function is positive. The iterated Radon point of
# ``hypotheses_`` (in their stored order) is the machine's own model.


def accuracy(vector):
    """Test accuracy of the binary linear classifier held in ``vector``."""
    coef, intercept = vector[:-1], vector[-1]
    predicted = (X_test @ coef + intercept > 0).astype(int)
    return np.mean(predicted == y_test)


radon = iterated_radon_point(hypotheses)
print("Radon point of hypotheses_:", radon.round(4))
print(
    "machine.coef_, intercept_: ",
    machine.coef_.ravel().round(4),
    machine.intercept_.round(4),
)
print("accuracy from the vector:  ", accuracy(radon))

# %%
# Corrupt k shard models
# ----------------------
#
# A corrupted model is the negation of a real one, ten times larger: it points
# the wrong way and lies far from the others. For every :math:`k`, the
# corrupted shards are drawn at random 30 times, as shard failures would
# strike at random (the machine shuffles the rows before it forms shards and
# groups).
#
# The mean of 36 models of which :math:`k` are flipped and scaled by 10 is
# roughly :math:`(36 - 11k)/36` times a good model, so it points the wrong way
# from :math:`k = 4` on. The Radon point needs two bad models in one group of
# six, at every level, before it goes wrong. The geometric median holds while
# fewer than half of the models are bad.

rng = np.random.default_rng(0)
ks = np.arange(0, 18)
n_draws = 30
methods = {
    "iterated Radon point": iterated_radon_point,
    "mean": lambda points: points.mean(axis=0),
    "geometric median": geometric_median,
}
scores = {name: np.empty((len(ks), n_draws)) for name in methods}
for i, k in enumerate(ks):
    for draw in range(n_draws):
        corrupted = hypotheses.copy()
        which = rng.choice(len(corrupted), size=k, replace=False)
        corrupted[which] = -10.0 * corrupted[which]
        for name, method in methods.items():
            scores[name][i, draw] = accuracy(method(corrupted))

print(" k  " + "  ".join(f"{name:>20}" for name in methods))
for i, k in enumerate(ks):
    print(
        f"{k:2d}  " + "  ".join(f"{scores[name][i].mean():20.4f}" for name in methods)
    )

# %%
# Plot
# ----
#
# The lines are the mean test accuracy over the 30 draws, the shaded bands
# run from the worst draw to the best.

fig, ax = plt.subplots(figsize=(8, 4.6))
colors = {
    "iterated Radon point": "tab:blue",
    "mean": "tab:red",
    "geometric median": "tab:orange",
}
for name in methods:
    values = scores[name]
    ax.plot(ks, values.mean(axis=1), "o-", color=colors[name], label=name)
    ax.fill_between(
        ks, values.min(axis=1), values.max(axis=1), color=colors[name], alpha=0.15
    )
ax.axhline(machine.score(X_test, y_test), color="gray", ls=":", label="no corruption")
ax.set_xticks(ks)
ax.set_xlabel("corrupted shard models k (of 36)")
ax.set_ylabel("test accuracy")
ax.set_ylim(0.0, 1.02)
ax.set_title("Aggregating 36 shard models when k of them are corrupted")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# The mean fails from :math:`k = 4` on, as the arithmetic above predicts.
# The iterated Radon point is unaffected while corrupted models are rare
# enough that two rarely share a group of six, and starts to fail, in some
# draws, once about a third of the models are corrupted. The geometric median
# holds up to the end of this range, just under half; it pays for that with
# an iterative solve, while the Radon tree is a few small linear solves.
# Random corruption of a third of the shards is far beyond what a working
# system sees; the point of the Radon tree is that rare, independent failures
# almost never reach the final model.

# %%
# Loading a vector back into a model
# ----------------------------------
#
# The vectors above were scored by hand. :func:`radonlearn.aggregate` works
# on fitted models instead: it flattens them, aggregates the vectors and
# loads the result into a model of the same class, ready to ``predict``.
# Here the 36 shard models are rebuilt as ``LogisticRegression`` objects
# (copies of the machine's fitted model holding each shard's coefficients),
# four of them are corrupted, and they are combined by three methods:

shard_models = []
for vector in hypotheses:
    model = copy.deepcopy(machine.estimator_)
    model.coef_, model.intercept_ = vector[None, :-1].copy(), vector[-1:].copy()
    shard_models.append(model)
for number in rng.choice(len(shard_models), size=4, replace=False):
    model = shard_models[number]
    model.coef_, model.intercept_ = -10 * model.coef_, -10 * model.intercept_

for method in ("radon", "mean", "geometric_median"):
    combined = aggregate(shard_models, method=method, random_state=0)
    print(
        f"{method:>16}: {type(combined).__name__}, "
        f"test accuracy {combined.score(X_test, y_test):.4f}"
    )
