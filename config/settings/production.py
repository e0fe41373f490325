"""Production: secrets from the environment only, HTTPS, static files by whitenoise."""

from config import env

from .base import *  # noqa: F403

# ---------------------------------------------------------------------------
# Secrets and hosts: no defaults here
# ---------------------------------------------------------------------------
SECRET_KEY = env.required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS")
DEBUG = False

# ---------------------------------------------------------------------------
# HTTPS. A proxy in front terminates TLS and says so in X-Forwarded-Proto.
# DJANGO_SECURE_SSL_REDIRECT=false serves plain HTTP (the local compose stack).
# ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", True)
# The container's HEALTHCHECK asks over plain HTTP from inside; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------------------
# Static files: hashed names, compressed, served by whitenoise
# ---------------------------------------------------------------------------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
