"""Shared test configuration: a derandomised Hypothesis profile by default."""

import os

from hypothesis import HealthCheck, settings

# Derandomised so every run, local or CI, checks the same examples; set
# HYPOTHESIS_PROFILE=explore to search with fresh randomness.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
