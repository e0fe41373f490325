"""Turn database URLs into ``settings.DATABASES`` entries.

Parsing is dj-database-url's job; this module adds what a multi-database
site needs on top: errors that name the variable and the alias at fault,
engine-specific defaults (pooling for PostgreSQL, timeouts everywhere), and
replica entries derived from their primary.

A PostgreSQL URL may list several hosts in libpq's syntax,
``postgres://app@db-a:5432,db-b:5432/blog?target_session_attrs=read-write``:
dj-database-url reads one host, so the list is set aside before parsing
and handed to psycopg as libpq's comma-separated ``host`` and ``port``.
libpq then tries the hosts in order and keeps the first that matches
``target_session_attrs`` (read-write by default here, so a primary's URL
always reaches whichever server is the primary now; a replica's URL says
``prefer-standby``). What happens when that server changes is
``manydb.failover``'s business.
"""

import re
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
    single_host_url, hosts = _set_hosts_aside(url, alias=alias, variable=variable)
    try:
        config = dj_database_url.parse(single_host_url)
    except ValueError as exc:  # ParseError and UnknownSchemeError are ValueErrors
        raise _error(variable, alias, url, str(exc) or "cannot be parsed") from None
    engine = config.get("ENGINE")
    if engine not in (POSTGRESQL, MYSQL, SQLITE):
        raise _error(variable, alias, url, "use a postgres://, mysql:// or sqlite:/// URL")
    if not config.get("NAME") or (engine == SQLITE and config["NAME"] == ":memory:"):
        raise _error(variable, alias, url, "the URL names no database")

    options = config.setdefault("OPTIONS", {})
    if hosts:
        _use_hosts(config, hosts, url=url, alias=alias, variable=variable)
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


def shard_aliases(first_alias: str, count: int) -> list[str]:
    """``analytics``, ``analytics_2``, ... : the aliases of an app sharded over ``count`` databases."""
    return [first_alias if n == 1 else f"{first_alias}_{n}" for n in range(1, count + 1)]


def split_database_urls(value: str) -> list[str]:
    """Split a comma-separated list of URLs, keeping each multi-host URL whole.

    ``postgres://a:5432,b:5432/db,postgres://c/db`` is two URLs: a piece
    without ``://`` continues the URL before it.
    """
    urls: list[str] = []
    for piece in (value or "").split(","):
        piece = piece.strip()
        if not piece:
            continue
        if "://" in piece or not urls:
            urls.append(piece)
        else:
            urls[-1] = f"{urls[-1]},{piece}"
    return urls


def host_list(settings_dict: dict) -> list[str]:
    """``["host:port", ...]`` of a DATABASES entry: one per host libpq may try."""
    hosts = str(settings_dict.get("HOST") or "").split(",")
    ports = str(settings_dict.get("PORT") or "").split(",")
    if len(ports) == 1:
        ports = ports * len(hosts)
    return [f"{host}:{port}" if port else host for host, port in zip(hosts, ports, strict=False)]


# libpq's accepted values (PostgreSQL 14+); psycopg-binary bundles such a libpq.
_SESSION_ATTRS = ("any", "read-write", "read-only", "primary", "standby", "prefer-standby")
_LOAD_BALANCE = ("disable", "random")


def _set_hosts_aside(url: str, *, alias: str, variable: str) -> tuple[str, list[tuple[str, str]]]:
    """The URL with one placeholder host, and the hosts it listed (empty for one host)."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    credentials, at, host_part = netloc.rpartition("@")
    if not sep or "," not in host_part:
        return url, []
    if not scheme.startswith("postgres"):
        raise _error(variable, alias, url, "several hosts are supported for PostgreSQL URLs only")
    hosts = []
    for entry in host_part.split(","):
        match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?", entry.strip())
        if not match or (match[2] and not 0 < int(match[2]) < 65536):
            raise _error(variable, alias, url, f"{entry.strip() or 'an empty entry'!r} is not a host[:port]")
        hosts.append((match[1].strip("[]"), match[2] or ""))
    return f"{scheme}://{credentials}{at}multi-host.invalid{slash}{tail}", hosts


def _use_hosts(config: dict, hosts: list[tuple[str, str]], *, url: str, alias: str, variable: str) -> None:
    """Give a parsed entry libpq's host and port lists, and a checked target_session_attrs."""
    config["HOST"] = ",".join(host for host, _ in hosts)
    ports = [port for _, port in hosts]
    # libpq wants one port for all hosts or one per host; fill the gaps with the default.
    config["PORT"] = ",".join(port or "5432" for port in ports) if any(ports) else ""
    options = config["OPTIONS"]
    options.setdefault("target_session_attrs", "read-write")
    if options["target_session_attrs"] not in _SESSION_ATTRS:
        raise _error(variable, alias, url, f"target_session_attrs must be one of {', '.join(_SESSION_ATTRS)}")
    if options.get("load_balance_hosts", "disable") not in _LOAD_BALANCE:
        raise _error(variable, alias, url, f"load_balance_hosts must be one of {', '.join(_LOAD_BALANCE)}")


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
