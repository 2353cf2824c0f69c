"""Locust load scenarios (`perfkit load NAME`) for the demo site, and a template for your own."""
