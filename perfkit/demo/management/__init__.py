"""Management commands shipped with the demo site."""
