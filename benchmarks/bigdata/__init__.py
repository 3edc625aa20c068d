"""The parts of ``larger_than_memory.py``, one job per module.

``data``
    the distribution, the Parquet files written chunk by chunk, their check;
``methods``
    the three fits, each run in a child process: the Dask engine, the Spark
    engine and MLlib's ``LogisticRegression``;
``monitor``
    the child process under watch: peak memory of its parts, free disk,
    available memory, a wall-clock budget;
``report``
    the stored results, the in-memory reference, the test AUC and the
    Markdown report.

Nothing is imported here. The modules import ``peers`` (``benchmarks/peers/``)
as a top-level package: the script runs as ``python
benchmarks/larger_than_memory.py``, which puts ``benchmarks/`` on
``sys.path``.
"""
