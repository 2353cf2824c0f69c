"""Regression gates: baselines, the deterministic and statistical checks, and the verdict."""
