"""The in-process benchmark: ``run(BenchOptions(...), output)`` benches a site and reports.

``perfkit bench`` is this call plus the terminal and the report files.
"""

from perfkit.bench.session import BenchOptions, BenchResult, run

__all__ = ["BenchOptions", "BenchResult", "run"]
