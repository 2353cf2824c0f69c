"""Recorders that feed the current Recording: database queries, cache calls, call sites."""
