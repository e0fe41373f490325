"""Tests only the real topology can answer (PostgreSQL primary + standby, MariaDB).

They run under `make test-real`, which starts scripts/devdb and exports its
URLs, including the superuser URLs tests use to observe and break servers.
Under `make test` (SQLite everywhere) they are skipped, saying why.
"""

import os
import subprocess
import time
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

import dj_database_url
import psycopg
import psycopg.sql
import pytest
from django.conf import settings
from django.db import connections

from config.aliases import DEFAULT, LEGACY, REPLICA

BASE_DIR = Path(__file__).resolve().parents[2]
DEVDB = BASE_DIR / "scripts" / "devdb"


def _real_topology() -> bool:
    engines = {alias: settings.DATABASES[alias]["ENGINE"] for alias in (DEFAULT, REPLICA, LEGACY)}
    return (
        engines[DEFAULT].endswith("postgresql")
        and engines[REPLICA].endswith("postgresql")
        and engines[LEGACY].endswith("mysql")
        and "DEVDB_PG_ADMIN_URL" in os.environ
    )


def pytest_collection_modifyitems(config, items):
    if _real_topology():
        return
    skip = pytest.mark.skip(reason="needs the real topology: run `make test-real`")
    for item in items:
        if "tests/real/" in str(item.path):
            item.add_marker(skip)


def connect(variable: str, dbname: str | None = None, **options) -> psycopg.Connection:
    """A connection as the account of a URL variable, to its database (or ``dbname``) on its server."""
    config = dj_database_url.parse(os.environ[variable])
    return psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config["PASSWORD"],
        dbname=dbname or config["NAME"],
        **options,
    )


def admin_connect(variable: str, dbname: str) -> psycopg.Connection:
    """A superuser connection (autocommit) to dbname on the server of an admin URL."""
    return connect(variable, dbname, autocommit=True)


def init_script_environment(admin_variable: str, **values: str) -> dict[str, str]:
    """What the postgres image gives its init scripts, for the server behind an admin URL, plus ``values``."""
    admin = dj_database_url.parse(os.environ[admin_variable])
    return {
        "PATH": os.environ["PATH"],
        "PGHOST": admin["HOST"],
        "PGPORT": str(admin["PORT"]),
        "PGPASSWORD": admin["PASSWORD"],
        "POSTGRES_USER": admin["USER"],
        **values,
    }


def admin_variable_of(alias: str) -> str:
    """The devdb admin URL's variable for the PostgreSQL server ``alias`` lives on
    (the primary, or the analytics shard server)."""
    port = str(connections[alias].settings_dict["PORT"])
    for variable in ("DEVDB_PG_ADMIN_URL", "DEVDB_SHARD_ADMIN_URL"):
        if str(dj_database_url.parse(os.environ[variable])["PORT"]) == port:
            return variable
    raise LookupError(f"no devdb admin URL for the server of '{alias}' (port {port})")


@pytest.fixture
def primary_admin():
    with admin_connect("DEVDB_PG_ADMIN_URL", connections[DEFAULT].settings_dict["NAME"]) as conn:
        yield conn


@pytest.fixture
def standby_admin():
    with admin_connect("DEVDB_REPLICA_ADMIN_URL", connections[REPLICA].settings_dict["NAME"]) as conn:
        yield conn


def devdb(*args: str) -> str:
    """Run a scripts/devdb subcommand against the running topology."""
    result = subprocess.run([str(DEVDB), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def server_role(variable: str) -> str:
    """primary, standby or stopped: the server behind a devdb admin URL, asked directly."""
    try:
        with connect(variable, "postgres", connect_timeout=2) as conn:
            return "standby" if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] else "primary"
    except psycopg.OperationalError:
        return "stopped"


def restore_original_roles() -> None:
    """Back to: the devdb primary is primary, its standby streams from it (after a promotion)."""
    first, second = server_role("DEVDB_PG_ADMIN_URL"), server_role("DEVDB_REPLICA_ADMIN_URL")
    if second == "primary":
        if first != "standby":
            devdb("rejoin")
        devdb("promote")
        first, second = "primary", "stopped"
    if first == "primary" and second != "standby":
        devdb("rejoin")


def wait_for_replay(primary_admin, standby_admin, timeout: float = 30) -> None:
    """Block until the standby has replayed everything the primary has written so far."""
    target = primary_admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caught_up = standby_admin.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
        if caught_up:
            return
        time.sleep(0.05)
    raise AssertionError(f"standby did not replay up to {target} within {timeout}s")


BLOG_SELECTS = """
    SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND query ILIKE 'SELECT%%' AND query ILIKE '%%"blog_post"%%'
"""


def blog_selects(admin) -> int:
    """SELECTs of blog_post this server has executed in the test database (pg_stat_statements)."""
    return admin.execute(BLOG_SELECTS).fetchone()[0]


@pytest.fixture
def apply_delay(primary_admin, standby_admin):
    """Set the standby's recovery_min_apply_delay for one test; back to 0 and caught up after."""

    def set_delay(seconds: float) -> None:
        devdb("replica-delay", str(seconds))

    yield set_delay
    set_delay(0)
    wait_for_replay(primary_admin, standby_admin, timeout=60)


@pytest.fixture
def stopped_standby(primary_admin):
    """Stop the standby for real (its server process ends); start it again afterwards."""
    devdb("replica-stop")
    yield
    devdb("replica-start")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = primary_admin.execute("SELECT state FROM pg_stat_replication").fetchall()
        if ("streaming",) in state:
            return
        time.sleep(0.2)
    raise AssertionError("the standby did not resume streaming")


def end_sessions(admin, dbname: str, timeout: float = 10) -> None:
    """End every session on dbname (pooled ones included) and wait until they are gone."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [dbname],
    )
    deadline = time.monotonic() + timeout
    while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dbname]).fetchone()[0]:
        if time.monotonic() > deadline:
            raise AssertionError(f"sessions on {dbname} did not end within {timeout}s")
        time.sleep(0.05)


@pytest.fixture
def refusing_connections(primary_admin):
    """Make a database on the primary unavailable for real, while its server stays up.

    ALLOW_CONNECTIONS false makes every new session fail ("not currently
    accepting connections"), and the sessions already open, including the
    ones idle in this process's pool, are ended. Restored afterwards, and the
    alias's pool is closed then, so the next test does not inherit the
    connections this one's outage killed.
    """
    refused = []

    @contextmanager
    def refuse_one(alias: str):
        name = connections[alias].settings_dict["NAME"]
        statement = "ALTER DATABASE {} ALLOW_CONNECTIONS {}"
        variable = admin_variable_of(alias)
        # The primary's admin session, or one on the server the alias lives on (an analytics shard's).
        with (
            nullcontext(primary_admin)
            if variable == "DEVDB_PG_ADMIN_URL"
            else admin_connect(variable, "postgres") as admin
        ):
            admin.execute(psycopg.sql.SQL(statement).format(psycopg.sql.Identifier(name), psycopg.sql.SQL("false")))
            refused.append(alias)
            try:
                end_sessions(admin, name)
                yield
            finally:
                admin.execute(psycopg.sql.SQL(statement).format(psycopg.sql.Identifier(name), psycopg.sql.SQL("true")))
                # What the outage killed goes: a pool would hand it out once more (a retry, not a loss).
                connections[alias].close()
                connections[alias].close_pool()

    @contextmanager
    def refuse(*aliases: str):
        with ExitStack() as stack:
            for alias in aliases:
                stack.enter_context(refuse_one(alias))
            yield

    yield refuse
    for alias in refused:
        connections[alias].close()
        connections[alias].close_pool()
