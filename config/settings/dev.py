"""Local development: debug on, the debug toolbar, routing decisions in the log."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE

DEBUG = True
# Known demo passwords (seed_demo) are fine on a developer's machine.
INSECURE_DEMO_MODE = True

# Development only: the toolbar shows each query and the alias it ran on.
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
MIDDLEWARE = ["debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE]
INTERNAL_IPS = ["127.0.0.1", "::1"]
# Collapsed to its handle: the page stays readable until you open it.
DEBUG_TOOLBAR_CONFIG = {"SHOW_COLLAPSED": True}
# The toolbar injects inline script and style: report the policy, do not enforce it.
CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY  # noqa: F405
CONTENT_SECURITY_POLICY = None
