"""Example scenarios, shipped in the wheel as ``perfkit.scenarios``: ``bench/`` for `perfkit bench
--scenario`, ``load/`` for `perfkit load` (Locust files). `perfkit init scenarios` copies them.
"""
