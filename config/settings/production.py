"""Production: secrets from the environment only, HTTPS, static files by whitenoise."""

import sys

from config import env
from config.security.credentials import refuse_shipped_credentials

from .base import *  # noqa: F403
from .base import DATABASES, INSECURE_DEMO_MODE

# ---------------------------------------------------------------------------
# Secrets and hosts: no defaults here
# ---------------------------------------------------------------------------
SECRET_KEY = env.required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS")
DEBUG = False

# A secret anyone with this repository knows stops the process here, at
# start-up, before it serves or migrates anything (config.security.credentials).
# `check --deploy` reports the same as an error under any settings.
if INSECURE_DEMO_MODE:
    sys.stderr.write(
        "!!! DJANGO_INSECURE_DEMO_MODE is on: this site accepts the repository's known "
        "passwords and demo accounts. Never expose it. !!!\n"
    )
else:
    refuse_shipped_credentials(SECRET_KEY, DATABASES)

# ---------------------------------------------------------------------------
# HTTPS. A proxy in front terminates TLS and says so in X-Forwarded-Proto,
# which counts only from DJANGO_TRUSTED_PROXIES (config.security.proxy).
# DJANGO_SECURE_SSL_REDIRECT=false serves plain HTTP (the local compose stack).
# ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", True)
# The container's HEALTHCHECK asks over plain HTTP from inside; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Secure whatever the redirect says: browsers keep Secure cookies on
# http://localhost, and nowhere else should a session travel in clear.
# (manydb's read-your-writes cookie follows SESSION_COOKIE_SECURE.)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload asks browsers to hard-code HTTPS for the domain; their lists require
# a max-age of a year at least, so a shorter max-age never says preload.
SECURE_HSTS_PRELOAD = env.boolean("DJANGO_SECURE_HSTS_PRELOAD", True) and SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 365
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------------------
# Static files: hashed names, compressed, served by whitenoise
# ---------------------------------------------------------------------------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
