"""``python -m perfkit.demo <command>``: the demo site's manage.py."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    """Run a Django management command with the demo's settings unless others are set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfkit.demo.settings")
    execute_from_command_line(["python -m perfkit.demo", *sys.argv[1:]])


if __name__ == "__main__":
    main()
