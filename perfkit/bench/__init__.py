"""The in-process benchmark runner and its targets."""
