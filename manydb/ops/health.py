"""Per-alias health: can the database answer a query about its own tables, how long did it take."""

import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections, router

from manydb.errors import describe
from manydb.failover.servers import ask, servers, watches
from manydb.replicas.breaker import replica_health
from manydb.replicas.probe import primary_position, probe_and_record
from manydb.topology.routing_map import home_of, routing_map


@dataclass
class AliasHealth:
    alias: str
    engine: str
    role: str
    ok: bool
    latency_ms: float | None
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def check_alias(alias: str) -> AliasHealth:
    """Up only if the database answers and holds the tables routed to it.

    ``SELECT 1`` is not enough: SQLite answers it from an empty file it has
    just created in place of a deleted one, and a server answers it for a
    database nobody migrated. So the check never opens a missing SQLite file
    (which would create it), then lists the database's tables and names any
    the router homes there that are missing.
    """
    connection = connections[alias]
    engine = connection.vendor
    role = routing_map().role_of(alias)
    missing_file = _missing_sqlite_file(connection)
    if missing_file:
        return AliasHealth(
            alias, engine, role, ok=False, latency_ms=None, error=f"database file {missing_file} does not exist"
        )
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            present = set(connection.introspection.table_names(cursor))
    except DatabaseError as exc:
        # A dead connection must not poison the next request on this thread.
        connection.close_if_unusable_or_obsolete()
        return AliasHealth(alias, engine, role, ok=False, latency_ms=None, error=describe(exc))
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    missing = [table for table in tables_homed_on(alias) if table not in present]
    if missing:
        return AliasHealth(
            alias, engine, role, ok=False, latency_ms=latency_ms, error=f"missing tables: {', '.join(missing)}"
        )
    return AliasHealth(alias, engine, role, ok=True, latency_ms=latency_ms)


def tables_homed_on(alias: str) -> list[str]:
    """The tables the router puts on ``alias`` (a replica holds its primary's).

    Those of models allowed to migrate there; for a schema Django never
    migrates (an external database), those of the unmanaged models homed there.
    """
    primary = routing_map().primary_of(alias)
    models = [model for model in apps.get_models() if not model._meta.proxy]
    tables = {model._meta.db_table for model in models if router.allow_migrate_model(primary, model)}
    if not tables:
        tables = {model._meta.db_table for model in models if not model._meta.managed and home_of(model) == primary}
    return sorted(tables)


def _missing_sqlite_file(connection) -> str | None:
    """The path of an SQLite database file that does not exist, or None.

    Checked before every connection attempt: opening a missing file creates
    it, and an open connection keeps answering from a file deleted under it.
    """
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.creation.is_in_memory_db(name):
        return None
    if name.startswith("file:"):  # a URI such as a replica's "file:...?mode=ro"
        name = unquote(name.removeprefix("file:").split("?", 1)[0])
    return None if Path(name).exists() else name


def check_all() -> list[AliasHealth]:
    return [check_alias(alias) for alias in connections]


def critical_ok(results: list[AliasHealth]) -> bool:
    """False when any alias the routing map calls critical is down."""
    critical = routing_map().critical
    return all(result.ok for result in results if result.alias in critical)


def replica_report() -> list[dict]:
    """For each primary with replicas: each replica's state, lag and share of reads.

    Probes every replica now (which also updates the routing's view of them);
    read shares count this process's requests since it started.
    """
    rows = []
    for primary, replicas in routing_map().replicas.items():
        try:
            position = primary_position(primary)
        except DatabaseError:
            position = None
        lag_bytes = {}
        for alias in replicas:
            probe, _ = probe_and_record(alias)
            if probe is not None and position is not None and probe.in_recovery and probe.replayed is not None:
                lag_bytes[alias] = max(position - probe.replayed, 0)
        for row in replica_health.snapshot([*replicas, primary]):
            row["primary"] = primary
            row["role"] = routing_map().role_of(row["alias"])
            row["lag_bytes"] = lag_bytes.get(row["alias"])
            if row["alias"] == primary:
                row.update(state="primary", lag_seconds=None, error="")
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Shared results: a flood of /health/ calls costs one probe per interval
# ---------------------------------------------------------------------------
DEFAULT_SHARE_SECONDS = 5.0


@dataclass(frozen=True)
class HealthSnapshot:
    databases: list[AliasHealth]
    replicas: list[dict]
    primaries: list[dict]
    taken_at: float  # time.monotonic() when the probes ran


class SharedProbe:
    """Runs ``probe()`` at most once per interval in this process and hands everyone its result.

    One caller probes at a time. While it does, the others get the previous
    result if there is one (however stale), and otherwise wait for this
    probe's result instead of starting their own: so a dead database costs
    its connect timeout once per interval, not once per caller.
    """

    def __init__(self, probe):
        self._probe = probe
        self._lock = threading.Lock()
        self._latest: HealthSnapshot | None = None

    def get(self, max_age: float) -> HealthSnapshot:
        latest = self._latest
        if latest is not None and time.monotonic() - latest.taken_at < max_age:
            return latest
        if latest is not None and not self._lock.acquire(blocking=False):
            return latest  # another caller is refreshing it right now
        if latest is None:
            self._lock.acquire()
        try:
            latest = self._latest
            if latest is None or time.monotonic() - latest.taken_at >= max_age:
                latest = self._latest = self._probe()
            return latest
        finally:
            self._lock.release()

    def reset(self) -> None:
        self._latest = None


def _probe_everything() -> HealthSnapshot:
    return HealthSnapshot(check_all(), replica_report(), primary_report(), time.monotonic())


shared_health = SharedProbe(_probe_everything)


def health_snapshot() -> HealthSnapshot:
    """Every alias's health and the replica report, at most MANYDB_HEALTH_SHARE_SECONDS old."""
    return shared_health.get(getattr(settings, "MANYDB_HEALTH_SHARE_SECONDS", DEFAULT_SHARE_SECONDS))


def primary_report() -> list[dict]:
    """For each PostgreSQL primary alias: the server it reaches, its role and timeline, the last change seen.

    Asks each server now (a former primary is fenced off on the way, see
    manydb.failover.servers); ``changed_at`` is when this process last saw
    the server or timeline behind the alias change.
    """
    for alias in connections:
        connection = connections[alias]
        if not watches(connection) or connection.in_atomic_block:
            continue  # inside a transaction, the last answer stands: a question must not disturb it
        try:
            with connection.wrap_database_errors:
                connection.ensure_connection()
                ask(connection)
        except DatabaseError:
            connection.close_if_unusable_or_obsolete()
    return servers.snapshot()
