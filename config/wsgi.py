"""WSGI entry point (gunicorn config.wsgi:application)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from manydb import DatabaseURLError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

try:
    application = get_wsgi_application()
except DatabaseURLError as exc:
    # One line in the server's log, not a traceback: the variable and alias at fault.
    sys.exit(f"error: {exc}")
