"""Local development: debug on, the debug toolbar, routing decisions in the log."""

from debug_toolbar.settings import PANELS_DEFAULTS

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE, TEMPLATES

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

# Where this request's reads went and why: a "Databases" panel in the toolbar
# (queries per alias, routing decisions, token, refused joins) and a badge on
# every page ("reads: replica" / "reads: primary (why)").
DEBUG_TOOLBAR_PANELS = [*PANELS_DEFAULTS, "manydb.debugging.panel.DatabasesPanel"]
TEMPLATES = [{**TEMPLATES[0], "OPTIONS": {**TEMPLATES[0]["OPTIONS"]}}]
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    *TEMPLATES[0]["OPTIONS"]["context_processors"],
    "manydb.debugging.badge.reads_badge",
]
