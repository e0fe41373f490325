"""Settings every environment shares.

dev.py, test.py and production.py import this module and change only what
differs. The environment is read through config.env alone; the database map
at the bottom of the "Databases" section is where each app's home is decided.
"""

from pathlib import Path

from config import env
from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, REPLICA, USERS
from manydb import as_replica, database_from_url, read_only_view, replica_aliases, sqlite_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # embedded databases and other local state; never committed


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
# Local-only default: production.py requires DJANGO_SECRET_KEY instead.
SECRET_KEY = env.string("DJANGO_SECRET_KEY", "django-insecure-local-only-do-not-deploy")
DEBUG = False
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env.csv("DJANGO_CSRF_TRUSTED_ORIGINS")
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver serves static files the way production does
    "django.contrib.staticfiles",
]
PROJECT_APPS = [
    "manydb",  # the multi-database core: knows no app below
    "apps.users",
    "apps.blog",
    "apps.analytics",
    "apps.cache",
    "apps.legacy",
    "apps.dashboard",
]
INSTALLED_APPS = DJANGO_APPS + PROJECT_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "manydb.middleware.RoutingScopeMiddleware",  # before anything that queries
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "manydb.middleware.DatabaseUnavailableMiddleware",  # last: sees view exceptions first
]


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------
# Each alias comes from its own URL variable; unset means an SQLite file under
# var/db/, so the site runs with nothing but Python.
DB_POOL_MAX_SIZE = env.integer("DB_POOL_MAX_SIZE", 4)  # per process and alias (PostgreSQL)
DB_CONNECT_TIMEOUT = env.integer("DB_CONNECT_TIMEOUT", 5)  # seconds before a dead server is "down"


def _database(alias: str, variable: str, embedded_file: str, url: str | None = None) -> dict:
    url = url or env.string(variable) or sqlite_url(VAR_DIR / "db" / embedded_file)
    return database_from_url(
        url,
        alias=alias,
        variable=variable,
        base_dir=BASE_DIR,
        pool_max_size=DB_POOL_MAX_SIZE,
        connect_timeout=DB_CONNECT_TIMEOUT,
    )


DATABASES = {
    DEFAULT: _database(DEFAULT, "DATABASE_URL", "default.sqlite3"),
    USERS: _database(USERS, "USERS_DATABASE_URL", "users.sqlite3"),
    ANALYTICS: _database(ANALYTICS, "ANALYTICS_DATABASE_URL", "analytics.sqlite3"),
    LEGACY: _database(LEGACY, "LEGACY_DATABASE_URL", "legacy.sqlite3"),
    CACHE: _database(CACHE, "CACHE_DATABASE_URL", "cache.sqlite3"),
}

# REPLICA_DATABASE_URL may list several standbys: replica, replica_2, ...
# Unset, the replica is a read-only view of the primary (see manydb.topology.database_urls).
_replica_urls = env.csv("REPLICA_DATABASE_URL")
if _replica_urls:
    _replicas = {
        alias: _database(alias, "REPLICA_DATABASE_URL", "", url=url)
        for alias, url in zip(replica_aliases(DEFAULT, len(_replica_urls)), _replica_urls, strict=True)
    }
else:
    _replicas = {REPLICA: read_only_view(DATABASES[DEFAULT])}
for _alias, _config in _replicas.items():
    # Replicas connect directly, not through a pool: failover must not wait
    # on a pool's retries (see manydb.topology.database_urls.as_replica). A standby cannot
    # host a test database of its own: in tests it shows the primary's
    # (conftest.py points it there, keeping it read-only).
    DATABASES[_alias] = {**as_replica(_config), "TEST": {"MIRROR": DEFAULT}}

# The routing map: the single source of truth for where each app lives.
MANYDB = {
    "ROUTES": {
        # Identity and everything that hangs off it share one database, so
        # sessions, permissions and admin log entries can join to users.
        "users": USERS,
        "auth": USERS,
        "contenttypes": USERS,
        "sessions": USERS,
        "admin": USERS,
        "blog": DEFAULT,
        "analytics": ANALYTICS,
        "cache": CACHE,
        "django_cache": CACHE,  # the app label of Django's DatabaseCache table
        "legacy": LEGACY,
    },
    # Reads of apps homed on default go to its replicas, by weight.
    "REPLICAS": {DEFAULT: {alias: 1 for alias in _replicas}},
    "PRIMARY_WEIGHT": {DEFAULT: 0},
    "NEVER_MIGRATE": [LEGACY],  # another system owns this schema
    "CRITICAL": [DEFAULT, USERS],  # /health/ answers 503 without these
    # A transactional outbox table on each database whose writes must also
    # reach another one (manydb.outbox): publishing on default and signing
    # up on users each commit their analytics event with the write. A page
    # view writes nothing, so its event waits on FALLBACK when analytics
    # fails: users is as critical as default but has no replica, so the
    # write pins no reads and issues no read-your-writes token.
    "OUTBOX": {"ALIASES": [DEFAULT, USERS], "FALLBACK": USERS},
    # Dashboard sections run at once on per-process workers; each has this
    # budget, enforced by its database, so a locked table or a slow server
    # costs one "timed out" section and the page still arrives on time.
    "SECTIONS": {"BUDGET_SECONDS": 1.0},
}
DATABASE_ROUTERS = ["manydb.router.RoutingMapRouter"]


# ---------------------------------------------------------------------------
# Cache: Django's database cache, on the cache database (see MANYDB above)
# ---------------------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}
DASHBOARD_CACHE_SECONDS = env.integer("DASHBOARD_CACHE_SECONDS", 300)


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:index"
LOGOUT_REDIRECT_URL = "blog:post_list"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# ---------------------------------------------------------------------------
# Templates and static files
# ---------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]


# ---------------------------------------------------------------------------
# Internationalisation
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# ---------------------------------------------------------------------------
# Logging: everything to the console; DJANGO_LOG_LEVEL=DEBUG shows routing decisions
# ---------------------------------------------------------------------------
LOG_LEVEL = env.string("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "manydb": {"level": LOG_LEVEL},
        "apps": {"level": LOG_LEVEL},
    },
}
