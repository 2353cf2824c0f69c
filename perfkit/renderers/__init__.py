"""Renderers: every output format of every result, in one place and under one rule.

A module is named ``<result>_<format>``: ``bench_*`` render the bench Report, ``gate_*``
the GateResult, ``load_*`` the LoadResult and ``latency_*`` the LatencyReport. Each has
``render(result, …)`` (``render(result, console)`` for the terminal) and, for files,
``write(result, path)`` through ``perfkit.output``. ``formatting`` holds the shared
formatters.
"""
