"""The parts of ``cheap_no.py``, one job per module.

``common``
    the targets, data sizes and learners, the timed fits, the data and the
    formatting of numbers;
``constants``
    the ``constants`` section: ``SHARD_SECONDS`` and ``PLANNING_SECONDS``;
``growth``
    the ``growth`` section: the growth exponent of plain fits in the rows;
``panel``
    the ``panel`` section: the plain fit against ``height="auto"`` and every
    explicit height;
``wins``
    the ``wins`` section: the three cases ``height="auto"`` exists for;
``report``
    the Markdown page.

Nothing is imported here. The modules import ``datasets``
(``benchmarks/datasets.py``) and ``peers`` as top-level modules: the script
runs as ``python benchmarks/cheap_no.py``, which puts ``benchmarks/`` on
``sys.path``.
"""
