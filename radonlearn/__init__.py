"""radonlearn: parallel training of linear scikit-learn models by the Radon machine.

Shards of the data are fitted independently and the fitted models are
aggregated by iterated Radon points (Kamp et al., NeurIPS 2017).
"""

from ._aggregate import aggregate, geometric_median
from ._confidence import radon_failure_probability
from ._machine import RadonMachineClassifier, RadonMachineRegressor
from ._radon import iterated_radon_point, radon_point
from ._show_versions import show_versions

__all__ = [
    "RadonMachineClassifier",
    "RadonMachineRegressor",
    "aggregate",
    "geometric_median",
    "iterated_radon_point",
    "radon_failure_probability",
    "radon_point",
    "show_versions",
]

__version__ = "0.1.0.dev0"
