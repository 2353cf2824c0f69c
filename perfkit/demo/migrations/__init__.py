"""Database migrations for the demo app."""
