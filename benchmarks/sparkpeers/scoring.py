"""Test scores; the Radon machine's Spark column checked against memory."""

import numpy as np
from sklearn.metrics import mean_absolute_error, roc_auc_score

from .data import LABEL, assembler

__all__ = ["score"]


def _radon_scores(machine, test, regressor):
    """Scores from the Spark column; the column checked against in-memory output."""
    method = "predict" if regressor else "decision_function"
    column = "prediction" if regressor else "decision_function"
    scored = getattr(machine, method)(test).toPandas()
    features = scored[list(machine.feature_names_in_)]
    expected = getattr(machine, method)(features)
    if not np.allclose(scored[column].to_numpy(), expected, rtol=1e-9, atol=1e-9):
        raise AssertionError(
            f"The Spark {column} column differs from the in-memory {method}."
        )
    return scored[LABEL].to_numpy(), scored[column].to_numpy()


def _mllib_scores(model, test, n_features, regressor):
    """Labels and outputs of an MLlib model: ``prediction`` or raw margin."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    scored = model.transform(assembler(n_features).transform(test))
    if regressor:
        output = F.col("prediction")
    else:
        output = vector_to_array("rawPrediction")[1]
    table = scored.select(F.col(LABEL), output.alias("output")).toPandas()
    return table[LABEL].to_numpy(), table["output"].to_numpy()


def _radon_notes(outcome):
    """Shards and median phase times of a Radon machine; auto's reasons."""
    notes = [
        f"{outcome.model.n_shards_} shards; medians: counts "
        f"{outcome.median_of('validation'):.2f} s, pilot "
        f"{outcome.median_of('pilot'):.2f} s, shards "
        f"{outcome.median_of('shards'):.2f} s (fits "
        f"{outcome.median_of('shard_fit_sum'):.2f} s summed)"
    ]
    if outcome.method.height == "auto":
        # The reason of the first fit that chose each height.
        reasons = {}
        for _, fit in outcome.fits:
            reasons.setdefault(fit["height"], fit["reason"])
        notes += [f"height {h}: {r}" for h, r in reasons.items()]
    return notes


def score(outcome, frames, tables):
    """Test score and notes of ``outcome``'s last model."""
    method, model = outcome.method, outcome.model
    table = tables[method.table]
    regressor = method.table == "regression"
    if method.kind == "radon":
        y, output = _radon_scores(model, frames["test"][method.table], regressor)
        outcome.notes += _radon_notes(outcome)
    elif method.kind == "mllib":
        y, output = _mllib_scores(
            model, frames["test"][method.table], table.n_features, regressor
        )
        # LinearSVCModel.summary is a method in pyspark 4.3, a property elsewhere.
        summary = model.summary() if callable(model.summary) else model.summary
        outcome.notes.append(f"{summary.totalIterations} iterations")
    else:
        X_test = frames["test_arrays"][method.table]
        y = frames["test_labels"][method.table]
        output = model.predict(X_test) if regressor else model.decision_function(X_test)
    if regressor:
        outcome.score = mean_absolute_error(y, output)
    else:
        outcome.score = roc_auc_score(y, output)
