"""Renderers for load results: terminal, JSON, self-contained HTML."""
