"""Bench scenarios (`perfkit bench --scenario NAME`): URLs, data builders, users and repeats."""
