#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    from manydb import DatabaseURLError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseURLError as exc:
        # A bad URL in the environment is a one-line problem, not a traceback.
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
