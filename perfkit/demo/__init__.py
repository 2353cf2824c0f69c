"""perfkit's bundled demo site: a small news budget with deliberately fast and slow pages."""
