"""
A non-linear model through random features
==========================================

The Radon machine combines models by their coefficients, so the inner
estimator must be linear. The *features* need not be: a fixed random feature
map in front of the machine, such as scikit-learn's ``RBFSampler`` (random
Fourier features that approximate a Gaussian kernel), turns a linear model
into a non-linear classifier whose coefficients can still be aggregated.

Here the map sends two input coordinates to 100 random features, so each
shard model has :math:`D = 101` numbers and the Radon number is
:math:`r = 103`: height 1 fits 103 shards. The result is compared with the
same pipeline fitted on all rows at once.
"""

# %%
# Data and the two pipelines
# --------------------------
#
# The feature map is fitted once, in front of the Radon machine, so every
# shard sees the same 100 features. (Fitted inside each shard it would draw
# different random features, and the shard models could not be combined.)

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from radonlearn import RadonMachineClassifier

X, y = make_moons(n_samples=6_000, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)


def features():
    """The fixed random feature map: 100 random Fourier features."""
    return RBFSampler(gamma=2.0, n_components=100, random_state=0)


radon = make_pipeline(
    features(),
    RadonMachineClassifier(LogisticRegression(), height=1, random_state=0),
)
full = make_pipeline(features(), LogisticRegression())

for name, model in [("Radon machine, height 1", radon), ("all rows", full)]:
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(
        f"{name:>24}: test accuracy {model.score(X_test, y_test):.4f} "
        f"(fit in {seconds:.2f} s)"
    )

machine = radon[-1]
print(
    f"{machine.n_shards_} shards of about {len(y_train) // machine.n_shards_} rows, "
    f"D = {machine.hypotheses_.shape[1]}"
)

# %%
# Regularisation on small shards
# ------------------------------
#
# Each shard holds only a few dozen rows here, and ``LogisticRegression``
# weighs its penalty against the *sum* of the losses over the rows, so a
# small shard is regularised much more strongly than the full data set. A
# larger ``C`` for the inner estimator makes up for it:

boosted = {}
for C in (10.0, 100.0):
    boosted[C] = make_pipeline(
        features(),
        RadonMachineClassifier(LogisticRegression(C=C), height=1, random_state=0),
    ).fit(X_train, y_train)
    print(
        f"Radon machine with C={C:g}: test accuracy "
        f"{boosted[C].score(X_test, y_test):.4f}"
    )

# %%
# Decision regions
# ----------------
#
# The three models are drawn on a grid over the input plane, with 600 of the
# test rows on top. The colour is the predicted probability of the second
# class, the black line the boundary where it is one half.

grid_x, grid_y = np.meshgrid(np.linspace(-1.8, 2.8, 250), np.linspace(-1.4, 1.9, 200))
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
shown = slice(0, 600)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), sharey=True)
for ax, (title, model) in zip(
    axes,
    [
        ("Radon machine, C=1 (103 shards)", radon),
        ("Radon machine, C=100 (103 shards)", boosted[100.0]),
        ("LogisticRegression, C=1, all rows", full),
    ],
    strict=True,
):
    proba = model.predict_proba(grid)[:, 1].reshape(grid_x.shape)
    ax.contourf(
        grid_x, grid_y, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75
    )
    ax.contour(grid_x, grid_y, proba, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(
        X_test[shown, 0],
        X_test[shown, 1],
        c=y_test[shown],
        cmap="RdBu_r",
        s=12,
        edgecolor="white",
        linewidth=0.4,
    )
    ax.set_title(f"{title}\ntest accuracy {model.score(X_test, y_test):.3f}")
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
fig.tight_layout()
plt.show()

# %%
# All three boundaries follow the two moons. With the default ``C`` the Radon
# machine's probabilities are flatter, because every shard model was fitted
# on a few dozen rows under the same penalty; with a larger ``C`` they come
# close to those of the fit on all rows. In every case the result is a model
# of the same kind, a ``LogisticRegression`` on the same random features
# (``radon[-1].estimator_``), usable wherever the full model is.
