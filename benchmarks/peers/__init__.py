"""The parts of ``compare_peers.py``, one job per module.

``scenarios``
    the data sets, the inner estimators and the test scores;
``methods``
    the in-process fits: ``base``, ``radon``, ``mean`` and ``bagging``;
``peers``
    dask-ml and Spark MLlib, each started once and shared by all scenarios;
``measure``
    fit timing, peak memory sampling and facts about the machine (shared
    with ``dask_scale.py``);
``report``
    the rows, the plain-text tables and the Markdown report.

Nothing is imported here, so that ``dask_scale.py`` loads only ``measure``.
The modules import ``datasets`` (``benchmarks/datasets.py``) as a top-level
module: the scripts run as ``python benchmarks/<script>.py``, which puts
``benchmarks/`` on ``sys.path``.
"""
