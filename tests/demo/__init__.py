"""Tests for perfkit's bundled demo site."""
