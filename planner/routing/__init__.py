"""The routing core: team orienteering with time windows and VRPTW, on PyVRP and OR-Tools.

A library of its own, separate from the campaign optimizer (:mod:`planner.solve`, whose trips of
a few stops are listed exactly and priced with LP duals). It is measured against the literature
in ``benchmarks/toptw.py``, ``benchmarks/solomon.py`` and ``benchmarks/literature.py``.
"""
