"""perfkit's Django management commands."""
