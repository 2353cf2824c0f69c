"""Renderers: each turns one analysed result into one output format."""
