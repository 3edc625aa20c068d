"""Every method of a group: the Radon machines, MLlib and in-memory fits."""

from dataclasses import dataclass

from sklearn.base import clone
from sklearn.linear_model import HuberRegressor, LogisticRegression, QuantileRegressor
from sklearn.svm import LinearSVC

from radonlearn import RadonMachineClassifier, RadonMachineRegressor

from .data import LABEL, assembler

__all__ = ["MACHINE_SEED", "Method", "methods_for"]

# Seed of the Radon machines.
MACHINE_SEED = 0


def _radon(group, label, estimator, height, regressor=False):
    """A Radon machine fitted on the training DataFrame."""
    machine_class = RadonMachineRegressor if regressor else RadonMachineClassifier
    table = "regression" if regressor else "classification"

    def fit(frames):
        machine = machine_class(estimator, height=height, random_state=MACHINE_SEED)
        return machine.fit(frames[table], y=LABEL)

    shown = "auto" if height == "auto" else str(height)
    name = f"radon {label}, height {shown}"
    return Method(group, name, "radon", table, fit, height)


def _mllib(group, label, make, table, n_features):
    """An MLlib estimator fitted on the assembled training DataFrame."""

    def fit(frames):
        return make().fit(assembler(n_features).transform(frames[table]))

    return Method(group, f"MLlib {label}", "mllib", table, fit)


def _memory(group, label, estimator, table):
    """The plain scikit-learn estimator on the in-memory sample."""

    def fit(frames):
        X, y = frames["samples"][table]
        return clone(estimator).fit(X, y)

    return Method(group, f"scikit-learn {label}, in memory", "memory", table, fit)


@dataclass(frozen=True)
class Method:
    """One row of the results: how to fit, on which table, against what."""

    group: str
    name: str
    kind: str  # "radon", "mllib" or "memory"
    table: str
    fit: object  # callable(frames) -> model
    height: object = None


def methods_for(args, tables):
    """Every method of the groups in ``args.only``, in the order they run."""
    from pyspark.ml.classification import LinearSVC as SparkLinearSVC
    from pyspark.ml.classification import LogisticRegression as SparkLogistic
    from pyspark.ml.regression import LinearRegression as SparkLinear

    heights = ["auto", *args.heights]
    d_class = tables["classification"].n_features
    d_reg = tables["regression"].n_features
    sample = f"{len(tables['regression'].sample[1]):,}-row sample"
    groups = {
        "logistic": [
            *(
                _radon("logistic", "LogisticRegression", LogisticRegression(), h)
                for h in heights
            ),
            _mllib(
                "logistic",
                "LogisticRegression",
                lambda: SparkLogistic(labelCol=LABEL, maxIter=100, regParam=0.0),
                "classification",
                d_class,
            ),
        ],
        "linearsvc": [
            *(
                _radon("linearsvc", f"LinearSVC(dual={dual})", LinearSVC(dual=dual), h)
                for dual in args.linearsvc_dual
                for h in heights
            ),
            _mllib(
                "linearsvc",
                "LinearSVC",
                lambda: SparkLinearSVC(labelCol=LABEL, maxIter=100, regParam=0.0),
                "classification",
                d_class,
            ),
        ],
        "quantile": [
            *(
                _radon(
                    "quantile",
                    "QuantileRegressor",
                    QuantileRegressor(alpha=0.0, solver="highs"),
                    h,
                    regressor=True,
                )
                for h in heights
            ),
            _memory(
                "quantile",
                f"QuantileRegressor, {sample}",
                QuantileRegressor(alpha=0.0, solver="highs"),
                "regression",
            ),
        ],
        "huber": [
            *(
                _radon("huber", "HuberRegressor", HuberRegressor(), h, regressor=True)
                for h in heights
            ),
            _mllib(
                "huber",
                'LinearRegression(loss="huber")',
                lambda: SparkLinear(
                    labelCol=LABEL, loss="huber", maxIter=100, regParam=0.0
                ),
                "regression",
                d_reg,
            ),
            _memory(
                "huber", f"HuberRegressor, {sample}", HuberRegressor(), "regression"
            ),
        ],
    }
    return [method for group in args.only for method in groups[group]]
