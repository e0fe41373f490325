"""Settings every environment shares.

dev.py, test.py and production.py import this module and change only what
differs. The environment is read through config.env alone; the database map
at the bottom of the "Databases" section is where each app's home is decided.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config import env
from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, REPLICA, USERS
from manydb import (
    as_replica,
    database_from_url,
    read_only_view,
    replica_aliases,
    shard_aliases,
    split_database_urls,
    sqlite_url,
    url_variable,
)

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
THIRD_PARTY_APPS = [
    "axes",  # failed-login records and lock-outs, on the users database
    "csp",
    "django_ratelimit",
]
PROJECT_APPS = [
    "manydb",  # the multi-database core: knows no app below
    "apps.users",
    "apps.blog",
    "apps.analytics",
    "apps.cache",
    "apps.legacy",
    "apps.dashboard",
    "config.security",  # deploy checks and the start-up refusal of shipped credentials
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + PROJECT_APPS

MIDDLEWARE = [
    "config.security.proxy.TrustedProxyMiddleware",  # first: forwarded headers only from our proxy
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.security.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "manydb.middleware.RoutingScopeMiddleware",  # before anything that queries
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lock-out into its page
    "manydb.middleware.DatabaseUnavailableMiddleware",  # last: sees view exceptions first
]


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------
def _shard_count(first: str, variable: str) -> int:
    """How many databases an app is sharded over: ``variable``, else counted from the URLs set.

    Unset, a server URL for the first shard counts itself and the
    consecutive <ALIAS>_2_DATABASE_URL, _3, ... that are set (a single URL
    still means one shard); with no URL at all, two embedded SQLite shards.
    A shard a server deployment asks for must have its URL: an SQLite file
    beside a server cluster would be a silent mistake.
    """
    first_url = env.string(url_variable(first))
    if env.string(variable) is None:
        if not first_url:
            return 2
        count = 1
        while env.string(url_variable(f"{first}_{count + 1}")):
            count += 1
        return count
    count = env.integer(variable, 0)
    if count < 1:
        raise ImproperlyConfigured(f"{variable} must be at least 1, not {count}.")
    for alias in shard_aliases(first, count)[1:]:
        if first_url and not env.string(url_variable(alias)):
            raise ImproperlyConfigured(
                f"{variable}={count} asks for the shard '{alias}', but {url_variable(alias)} is not set "
                f"while {url_variable(first)} is: set {url_variable(alias)}, or lower {variable}."
            )
    return count


# Analytics events are spread over several databases by user (manydb.sharding):
# analytics, analytics_2, ... The order matters: a key's shard is an index.
ANALYTICS_SHARDS = _shard_count(ANALYTICS, "ANALYTICS_SHARDS")

# Where each app lives: app label -> database alias, or a tuple of aliases
# for an app sharded over them. The single source of truth: the router reads
# it, and DATABASES below has one entry per alias it names. An app missing
# here lives on default, as it would without routers.
ROUTES = {
    # Identity and everything that hangs off it share one database, so
    # sessions, permissions and admin log entries can join to users.
    "users": USERS,
    "auth": USERS,
    "contenttypes": USERS,
    "sessions": USERS,
    "admin": USERS,
    "blog": DEFAULT,
    "analytics": tuple(shard_aliases(ANALYTICS, ANALYTICS_SHARDS)),
    "cache": CACHE,
    "django_cache": CACHE,  # the app label of Django's DatabaseCache table
    "legacy": LEGACY,
    "axes": USERS,  # failed logins next to the accounts they target
}

# Each alias reads its URL from <ALIAS>_DATABASE_URL (DATABASE_URL for
# default); unset means an SQLite file under var/db/, so the site runs with
# nothing but Python.
DB_POOL_MAX_SIZE = env.integer("DB_POOL_MAX_SIZE", 4)  # per process and alias (PostgreSQL)
DB_CONNECT_TIMEOUT = env.integer("DB_CONNECT_TIMEOUT", 5)  # seconds before a dead server is "down"


def _database(alias: str, variable: str | None = None, url: str | None = None) -> dict:
    variable = variable or url_variable(alias)
    url = url or env.string(variable) or sqlite_url(VAR_DIR / "db" / f"{alias}.sqlite3")
    return database_from_url(
        url,
        alias=alias,
        variable=variable,
        base_dir=BASE_DIR,
        pool_max_size=DB_POOL_MAX_SIZE,
        connect_timeout=DB_CONNECT_TIMEOUT,
    )


_ROUTED = [alias for home in ROUTES.values() for alias in ((home,) if isinstance(home, str) else home)]
DATABASES = {alias: _database(alias) for alias in dict.fromkeys([DEFAULT, *_ROUTED])}


def _resharding(variable: str) -> dict[str, int]:
    """``app=count`` pairs: apps going from their current shards (ROUTES) to ``count``.

    The new shards get their DATABASES entries (for ``manage.py reshard`` to
    fill) but no traffic: ROUTES keeps the current count until the cut-over.
    """
    resharding = {}
    for label, count in env.mapping(variable).items():
        shards = ROUTES.get(label)
        if not isinstance(shards, tuple):
            raise ImproperlyConfigured(f"{variable} names '{label}', which ROUTES does not shard.")
        if not count.isdigit() or int(count) < 1:
            raise ImproperlyConfigured(f"{variable}: '{label}' needs a shard count of at least 1, not {count!r}.")
        for alias in shard_aliases(shards[0], int(count))[len(shards) :]:
            if env.string(url_variable(shards[0])) and not env.string(url_variable(alias)):
                raise ImproperlyConfigured(
                    f"{variable}={label}={count} needs the shard '{alias}': set {url_variable(alias)}."
                )
            DATABASES[alias] = _database(alias)
        resharding[label] = int(count)
    return resharding


# Resharding (README "Resharding"): MANYDB_RESHARDING=analytics=3 while
# `manage.py reshard analytics --to 3` runs. Writes whose shard changes wait
# in the outbox until the cut-over, so the site keeps recording and loses
# nothing. The count the site serves meanwhile must be explicit: with the new
# shard's URL added, counting URLs would switch to it before its rows are there.
RESHARDING = _resharding("MANYDB_RESHARDING")
if ANALYTICS in RESHARDING and env.string("ANALYTICS_SHARDS") is None:
    raise ImproperlyConfigured(
        "MANYDB_RESHARDING names analytics: set ANALYTICS_SHARDS to the count the site serves until the cut-over."
    )

# REPLICA_DATABASE_URL may list several standbys: replica, replica_2, ...
# Unset, the replica is a read-only view of the primary (see manydb.topology.database_urls).
# Any URL may list several hosts (libpq syntax, see README "Failover"): the
# commas between its hosts do not start another replica.
_replica_urls = split_database_urls(env.string("REPLICA_DATABASE_URL") or "")
if _replica_urls:
    _replicas = {
        alias: _database(alias, "REPLICA_DATABASE_URL", url=url)
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

# The routing map: everything the multi-database core decides comes from here.
MANYDB = {
    "ROUTES": ROUTES,
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
    # Apps whose data is being moved (`manage.py move_data`): their writes
    # answer 503 "being moved" until the cut-over, so nothing is lost.
    "MOVING": env.csv("MANYDB_MOVING"),
    # Apps going to another shard count (`manage.py reshard`, see RESHARDING above).
    "RESHARDING": RESHARDING,
    # Dashboard sections run at once on per-process workers; each has this
    # budget, enforced by its database, so a locked table or a slow server
    # costs one "timed out" section and the page still arrives on time.
    "SECTIONS": {"BUDGET_SECONDS": 1.0},
}
# A moved app is switched to its new home from the environment, with no code
# edit: MANYDB_ROUTES=legacy=default,users=default (see the README's cut-over).
MANYDB["ROUTES"].update(env.mapping("MANYDB_ROUTES"))
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
# Maintenance: what `manage.py dbmaint cleanup` keeps
# ---------------------------------------------------------------------------
# Analytics events older than this go, a whole month at a time on PostgreSQL
# (so an event is kept between this and a month longer). 13 months: this
# month compared with the same month last year.
ANALYTICS_RETENTION_DAYS = env.integer("ANALYTICS_RETENTION_DAYS", 395)


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:index"
LOGOUT_REDIRECT_URL = "blog:post_list"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Twelve spaces pass the length check; "alicealice" passes the similarity check.
    {"NAME": "apps.users.validators.NotBlankPasswordValidator"},
    {"NAME": "apps.users.validators.NotUsernameRepeatedValidator"},
    {"NAME": "apps.users.validators.MaximumLengthValidator"},
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


# ---------------------------------------------------------------------------
# Security: what every environment enforces (production.py adds HTTPS)
# ---------------------------------------------------------------------------
# Demo data with known passwords (seed_demo) and the credentials this
# repository ships are refused unless this is on. dev.py and test.py turn it
# on; production turns it on only through this loudly named variable.
INSECURE_DEMO_MODE = env.boolean("DJANGO_INSECURE_DEMO_MODE", False)

# X-Forwarded-Proto and X-Forwarded-For count only when the peer is one of
# these addresses (config.security.proxy); from anyone else they are dropped.
TRUSTED_PROXIES = env.csv("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1")

# Failed logins (django-axes): five per account or per address, then both the
# site login and /admin/login/ refuse for 15 minutes, whatever the password.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "config.security.proxy.client_ip"
AXES_USERNAME_CALLABLE = "config.security.login.attempted_username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sign-ups per address (django-ratelimit), counted in the database cache.
SIGNUP_RATE = "5/h"
RATELIMIT_IP_META_KEY = "config.security.proxy.client_ip"
# django-ratelimit warns that the database cache increments by read-then-
# write: a burst of simultaneous sign-ups may pass the limit by the size of
# the burst. A rate limit, not an exact count, is what it is for here.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Content-Security-Policy (django-csp): only this site's own files run or
# style a page; no inline script or style, no frames, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features no page here uses, switched off (config.security.headers).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "bluetooth",
        "serial",
        "magnetometer",
        "gyroscope",
        "accelerometer",
        "display-capture",
        "browsing-topics",
    )
}

# /health/ details (engines, latencies, lag, errors) for staff sessions or a
# caller sending this token as "Authorization: Bearer <token>"; unset, staff only.
MANYDB_HEALTH_TOKEN = env.string("DJANGO_HEALTH_TOKEN", "")
# Every /health/ caller in a process shares one probe of the databases this long.
MANYDB_HEALTH_SHARE_SECONDS = 5.0
