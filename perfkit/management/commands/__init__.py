"""``manage.py perfkit``."""
