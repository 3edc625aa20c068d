"""The parts of ``spark_mllib.py``, one job per module.

``data``
    the two tables: generated, written to Parquet, read back as DataFrames,
    with the in-memory sample and the held-out rows;
``session``
    the ``local[N]`` Spark session and the count of Spark jobs per fit;
``methods``
    every method of a group: the Radon machines, MLlib and the in-memory
    scikit-learn fits;
``timing``
    the warm-up fits and the timed rounds;
``scoring``
    the test scores, and the Radon machine's Spark column checked against
    its in-memory output;
``report``
    the Markdown report, and its section of ``docs/benchmarks.md``.

Nothing is imported here. The modules import ``datasets``
(``benchmarks/datasets.py``) and ``peers`` as top-level modules: the script
runs as ``python benchmarks/spark_mllib.py``, which puts ``benchmarks/`` on
``sys.path``.
"""
