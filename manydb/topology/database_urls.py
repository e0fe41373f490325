"""Turn database URLs into ``settings.DATABASES`` entries.

Parsing is dj-database-url's job; this module adds what a multi-database
site needs on top: errors that name the variable and the alias at fault,
engine-specific defaults (pooling for PostgreSQL, timeouts everywhere), and
replica entries derived from their primary.
"""

from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
MYSQL = "django.db.backends.mysql"
SQLITE = "django.db.backends.sqlite3"


class DatabaseURLError(ImproperlyConfigured):
    """A database URL in the environment cannot be used. The message is one line."""


def url_variable(alias: str) -> str:
    """The environment variable holding an alias's URL: DATABASE_URL, USERS_DATABASE_URL, ..."""
    return "DATABASE_URL" if alias == "default" else f"{alias.upper()}_DATABASE_URL"


def sqlite_url(path: Path) -> str:
    """The URL of an SQLite file, for embedded defaults."""
    return f"sqlite:///{path}"


def database_from_url(
    url: str,
    *,
    alias: str,
    variable: str,
    base_dir: Path,
    pool_max_size: int = 4,
    connect_timeout: int = 5,
) -> dict:
    """One DATABASES entry from a URL, or DatabaseURLError naming variable and alias."""
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:  # ParseError and UnknownSchemeError are ValueErrors
        raise _error(variable, alias, url, str(exc) or "cannot be parsed") from None
    engine = config.get("ENGINE")
    if engine not in (POSTGRESQL, MYSQL, SQLITE):
        raise _error(variable, alias, url, "use a postgres://, mysql:// or sqlite:/// URL")
    if not config.get("NAME") or (engine == SQLITE and config["NAME"] == ":memory:"):
        raise _error(variable, alias, url, "the URL names no database")

    options = config.setdefault("OPTIONS", {})
    if engine == SQLITE:
        path = Path(config["NAME"])
        if not path.is_absolute():
            path = base_dir / path
        # SQLite creates the file but not its folder; the embedded topology
        # must start from an empty checkout.
        path.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(path)
        # Concurrent requests wait for the writer instead of failing at once.
        options.setdefault("timeout", 20)
    elif engine == POSTGRESQL:
        # Django's psycopg pool (5.1+): bounded per process, and CONN_MAX_AGE
        # must stay 0 with it. The pool waits `timeout` seconds for a slot
        # or a new connection, so a dead server fails fast, not forever.
        options.setdefault("pool", {"min_size": 0, "max_size": pool_max_size, "timeout": connect_timeout})
        options.setdefault("connect_timeout", connect_timeout)
        config["CONN_MAX_AGE"] = 0
        # No check on checkout (CONN_HEALTH_CHECKS, which Django turns into
        # psycopg_pool's check): it would hide a server restart from the few
        # requests that draw a dropped connection, but make every request of
        # an outage wait the full pool timeout instead of failing at once,
        # and a replica must fail fast to be cooled down. A dropped connection
        # fails one request and is discarded; the pool opens a fresh one.
        config["CONN_HEALTH_CHECKS"] = False
    elif engine == MYSQL:
        options.setdefault("charset", "utf8mb4")
        options.setdefault("connect_timeout", connect_timeout)
    return config


def read_only_view(primary: dict) -> dict:
    """A replica entry for an unset replica URL: the primary's data, read-only.

    For SQLite this is a ``mode=ro`` URI of the primary's file, so a write sent
    there fails as it would on a hot standby. Other engines get the primary's
    own settings: reads then simply land on the primary.
    """
    replica = {**primary, "OPTIONS": dict(primary.get("OPTIONS", {})), "TEST": {}}
    if primary["ENGINE"] == SQLITE:
        replica["NAME"] = f"file:{quote(primary['NAME'])}?mode=ro"
    return replica


def as_replica(config: dict, *, conn_max_age: int = 60) -> dict:
    """A replica's connection settings: persistent connections, never a pool.

    A pool answers a refused connection by retrying in the background while
    its caller waits up to the pool's timeout, and keeps retrying with
    growing pauses after the server is back. Reads must leave a dead replica
    at once and return as soon as it is up, so a replica connects directly (a
    refused connection fails in a millisecond) and keeps its connection for
    ``conn_max_age`` seconds. The probe each request makes before using a
    replica (manydb.replicas.choice) already checks that connection, so Django's
    CONN_HEALTH_CHECKS would only repeat it.
    """
    options = {key: value for key, value in config.get("OPTIONS", {}).items() if key != "pool"}
    replica = {**config, "OPTIONS": options}
    if config["ENGINE"] != SQLITE:
        replica["CONN_MAX_AGE"] = conn_max_age
    return replica


def replica_aliases(primary_alias: str, count: int) -> list[str]:
    """``replica``, ``replica_2``, ... for the default primary; ``<alias>_replica...`` otherwise."""
    base = "replica" if primary_alias == "default" else f"{primary_alias}_replica"
    return [base if n == 1 else f"{base}_{n}" for n in range(1, count + 1)]


def _error(variable: str, alias: str, url: str, reason: str) -> DatabaseURLError:
    return DatabaseURLError(
        f"{variable} (database alias '{alias}') is not a usable database URL: {reason} [got {_redact(url)!r}]"
    )


def _redact(url: str) -> str:
    """Hide a password, if the URL has one, before it reaches a log or terminal."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not (sep and at and ":" in credentials):
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
