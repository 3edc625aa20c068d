"""Robustness to bad shards, the aggregation levels, the confidence bound and
block-wise aggregation."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from radonlearn import (
    RadonMachineClassifier,
    iterated_radon_point,
    radon_failure_probability,
)


@pytest.fixture(scope="module")
def shard_models():
    """A height-2 Radon machine (49 shards, D = 5) on a binary problem."""
    X, y = make_classification(
        n_samples=20_000,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        class_sep=1.5,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    machine = RadonMachineClassifier(height=2, random_state=0).fit(X_train, y_train)
    return machine, X_test, y_test


def accuracy(vector, X, y):
    """Test accuracy of a binary linear model given as [coef, intercept]."""
    return np.mean(((X @ vector[:-1] + vector[-1]) > 0).astype(int) == y)


@pytest.mark.parametrize("corruption", ["negated", "scaled"])
def test_radon_tolerates_bad_shards_that_break_averaging(corruption, shard_models):
    # With one bad shard model in each of the 7 first-level groups of a
    # height-2 tree, the Radon machine stays within 1 point of its clean
    # accuracy while the mean drops by more than 10 points.
    machine, X_test, y_test = shard_models
    clean = accuracy(iterated_radon_point(machine.hypotheses_), X_test, y_test)
    hypotheses = machine.hypotheses_.copy()
    bad = np.arange(0, 49, 7)
    if corruption == "negated":
        hypotheses[bad] = -10 * hypotheses[bad]
    else:
        hypotheses[bad, 0] = -100 * np.abs(hypotheses[bad]).max()
    radon = accuracy(iterated_radon_point(hypotheses), X_test, y_test)
    mean = accuracy(hypotheses.mean(axis=0), X_test, y_test)
    assert radon >= clean - 0.01
    assert mean <= clean - 0.10


def test_levels_contract_toward_the_centre(shard_models):
    # aggregation_levels_ runs from the hypotheses to the model, and every
    # level is less spread out than the one before.
    machine, _, _ = shard_models
    levels = machine.aggregation_levels_
    assert [level.shape[0] for level in levels] == [49, 7, 1]
    assert levels[0] is machine.hypotheses_
    np.testing.assert_allclose(
        levels[-1][0], np.concatenate([machine.coef_.ravel(), machine.intercept_])
    )
    spread = machine.aggregation_spread_
    assert spread[0] > spread[1] > spread[2] == 0.0


def test_failure_probability_recursion():
    # Height 0 is the base learner; each level maps d to the probability of
    # two or more bad inputs among r; it falls doubly exponentially once
    # C(r, 2) d < 1, and never exceeds the quadratic bound.
    assert radon_failure_probability(0.05, 7, 0) == 0.05
    d1 = radon_failure_probability(0.05, 7, 1)
    assert d1 == pytest.approx(1 - 0.95**7 - 7 * 0.05 * 0.95**6)
    assert d1 <= 21 * 0.05**2
    probabilities = [radon_failure_probability(0.001, 7, h) for h in range(5)]
    assert probabilities == sorted(probabilities, reverse=True)
    assert probabilities[3] < 1e-14 < probabilities[2]
    with pytest.raises(ValueError, match="delta"):
        radon_failure_probability(1.5, 7, 1)
    with pytest.raises(ValueError, match="radon_number"):
        radon_failure_probability(0.1, 1, 1)


@pytest.mark.parametrize(
    ("delta", "radon_number", "height"), [(0.1, 4, 2), (0.05, 6, 2)]
)
def test_failure_probability_by_simulation(delta, radon_number, height):
    # Geometric simulation: good models lie in the unit ball (a convex set),
    # bad ones far away, each bad with probability delta independently. The
    # iterated Radon point leaves the ball no more often than predicted
    # (binomial 4-sigma margin), and whenever every group has at most one
    # bad input it stays inside.
    rng = np.random.default_rng(0)
    d = radon_number - 2
    trials, failures = 2000, 0
    for _ in range(trials):
        n = radon_number**height
        direction = rng.normal(size=(n, d))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        radius = rng.uniform(0, 1, size=(n, 1)) ** (1 / d)
        points = direction * radius
        bad = rng.random(n) < delta
        points[bad] = rng.normal(size=(bad.sum(), d)) * 1e3 + 50
        failures += np.linalg.norm(iterated_radon_point(points)) > 1 + 1e-9
    predicted = radon_failure_probability(delta, radon_number, height)
    margin = 4 * np.sqrt(predicted * (1 - predicted) / trials) + 1 / trials
    assert failures / trials <= predicted + margin


def test_block_wise_aggregation_on_digits():
    # 64 pixels x 10 classes: D = 650 would need 652 shards at height 1.
    # Blocks of 2 coordinates need 4: the model scores close to the full fit
    # and to averaging on the same shards.
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    full = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    blocks = RadonMachineClassifier(
        LogisticRegression(max_iter=2000), height=1, block_size=2, random_state=0
    ).fit(X_train, y_train)
    mean = RadonMachineClassifier(
        LogisticRegression(max_iter=2000),
        height=1,
        block_size=2,
        aggregation="mean",
        random_state=0,
    ).fit(X_train, y_train)
    assert blocks.radon_number_ == 4 and blocks.n_shards_ == 4
    assert blocks.hypotheses_.shape == (4, 650)
    assert blocks.score(X_test, y_test) >= full.score(X_test, y_test) - 0.05
    assert blocks.score(X_test, y_test) >= mean.score(X_test, y_test) - 0.03


def test_partial_fit_equals_the_radon_point_of_chunk_models():
    # r**h chunks fed one at a time end as the iterated Radon point of the
    # chunk models (here r = 7: 4 features and an intercept), and at most
    # r - 1 models wait per level on the way.
    X, y = make_classification(
        n_samples=49 * 200,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        random_state=1,
    )
    chunks = np.array_split(np.arange(len(y)), 49)
    machine = RadonMachineClassifier(LogisticRegression(), random_state=0)
    vectors = []
    for number, rows in enumerate(chunks):
        machine.partial_fit(X[rows], y[rows], classes=[0, 1])
        model = LogisticRegression().fit(X[rows], y[rows])
        vectors.append(np.concatenate([model.coef_.ravel(), model.intercept_]))
        assert len(machine.hypotheses_) <= 2 * 6 + 1
        assert machine.n_shards_ == number + 1
        assert machine.predict(X[:5]).shape == (5,)
    expected = iterated_radon_point(np.array(vectors))
    np.testing.assert_allclose(
        np.concatenate([machine.coef_.ravel(), machine.intercept_]),
        expected,
        rtol=1e-6,
        atol=1e-8,
    )
    assert machine.height_ == 2 and len(machine.hypotheses_) == 1


def test_partial_fit_needs_classes_and_every_class_per_chunk():
    # A classifier's first chunk needs classes=..., and a chunk that misses
    # a class is refused by name.
    X, y = make_classification(n_samples=400, n_features=4, random_state=0)
    machine = RadonMachineClassifier()
    with pytest.raises(ValueError, match="classes must be passed"):
        machine.partial_fit(X, y)
    machine.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="lacks class 1"):
        machine.partial_fit(X[y == 0], y[y == 0])
