"""Which server each primary alias reaches, on which timeline, and when that last changed.

Every new connection to a PostgreSQL primary alias is asked, once, whether
it is in recovery and which timeline it writes (a promotion starts a new
one: the timeline is the first eight hex digits of the current WAL file's
name). The answers live in a per-process registry that /health/ and the
dashboard show.

A server whose timeline is older than one this process has already seen for
the alias is a former primary that came back without being rejoined: the
connection is closed before any statement runs, the server is left out of
the pool's host list, and the request fails with ``PrimaryChanged``. The old
primary never receives a write again. Its exclusion is lifted when the
primary in use goes away (a later failover may legitimately promote it,
after a rejoin, on a newer timeline; the check then lets it in).
"""

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from django.db import OperationalError, connections

from manydb.replicas.probe import TIMELINE
from manydb.topology.database_urls import host_list
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.failover")

_SERVER_ROLE = f"SELECT pg_is_in_recovery(), {TIMELINE}"


class PrimaryChanged(OperationalError):
    """The server behind a primary alias changed under this statement; the request fails once.

    An OperationalError, so the 503 page answers it like any database outage.
    """


@dataclass
class ServerView:
    """What this process knows of the server behind one alias."""

    server: str = ""  # host:port libpq connected to
    timeline: int | None = None
    in_recovery: bool = False
    max_timeline: int = 0  # highest timeline seen for the alias: older ones are fenced
    changed_at: float | None = None  # wall-clock time of the last change of server or timeline
    previous: str = ""  # "host:port (timeline N)" before that change
    fenced: set[str] = field(default_factory=set)

    def as_dict(self, alias: str) -> dict:
        return {
            "alias": alias,
            "server": self.server,
            "role": "standby" if self.in_recovery else "primary",
            "timeline": self.timeline,
            "changed_at": _iso(self.changed_at),
            "previous": self.previous,
            "fenced": sorted(self.fenced),
        }


class ServerRegistry:
    def __init__(self):
        self._lock = threading.Lock()
        self._views: dict[str, ServerView] = {}
        self._checked = weakref.WeakSet()  # raw connections already asked

    def observe(self, alias: str, server: str, *, in_recovery: bool, timeline: int | None) -> bool:
        """Record an answer; False when the server is a former primary that must be fenced."""
        with self._lock:
            view = self._views.setdefault(alias, ServerView())
            if not in_recovery and timeline is not None and timeline < view.max_timeline:
                view.fenced.add(server)
                return False
            if view.server and (server, timeline) != (view.server, view.timeline):
                view.previous = f"{view.server} (timeline {view.timeline})"
                view.changed_at = time.time()
                logger.warning("%s now reaches %s (timeline %s), was %s", alias, server, timeline, view.previous)
            view.server, view.timeline, view.in_recovery = server, timeline, in_recovery
            if not in_recovery and timeline is not None:
                view.max_timeline = max(view.max_timeline, timeline)
            return True

    def lift_fences(self, alias: str) -> set[str]:
        with self._lock:
            view = self._views.get(alias)
            fenced, view.fenced = (view.fenced, set()) if view else (set(), set())
            return fenced

    def fenced(self, alias: str) -> set[str]:
        with self._lock:
            return set(self._views[alias].fenced) if alias in self._views else set()

    def first_check(self, raw) -> bool:
        """True the first time a raw connection is seen."""
        with self._lock:
            if raw in self._checked:
                return False
            self._checked.add(raw)
            return True

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [view.as_dict(alias) for alias, view in sorted(self._views.items())]

    def reset(self) -> None:
        with self._lock:
            self._views.clear()
            self._checked = weakref.WeakSet()


servers = ServerRegistry()


def watches(connection) -> bool:
    """Connections of PostgreSQL aliases that are not replicas: the ones that must reach a primary.

    Django's own "no database" connections (test database creation) are not an alias's.
    """
    return (
        connection.vendor == "postgresql"
        and connection.alias in connections.settings
        and not routing_map().is_replica(connection.alias)
    )


def check_new_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: ask a new primary connection who it is, and fence a former primary."""
    raw = connection.connection
    if raw is None or not watches(connection) or not servers.first_check(raw):
        return
    ask(connection)


def ask(connection) -> None:
    """Ask the server behind ``connection`` its role and timeline; PrimaryChanged if it is fenced."""
    raw = connection.connection
    with raw.cursor() as cursor:  # the raw cursor: no execute wrappers, no write recorded
        cursor.execute(_SERVER_ROLE)
        in_recovery, timeline = cursor.fetchone()
    server = f"{raw.info.host}:{raw.info.port}"
    if servers.observe(connection.alias, server, in_recovery=in_recovery, timeline=timeline):
        return
    logger.error(
        "%s reached %s on timeline %s, older than one already seen: a former primary; fenced off",
        connection.alias,
        server,
        timeline,
    )
    raw.close()
    if getattr(connection, "pool", None) is not None:
        connection.pool.putconn(raw)  # a closed connection is discarded and its slot freed
    connection.connection = None
    _retarget_pool(connection)
    raise PrimaryChanged(f"{connection.alias}: {server} is a former primary (timeline {timeline}); fenced off")


def lift_fences(connection) -> None:
    """The primary in use went away: every listed host may be tried again (the timeline check still applies)."""
    if servers.lift_fences(connection.alias):
        _retarget_pool(connection)


def _retarget_pool(connection) -> None:
    """Give the alias's pool the settings' host list minus fenced servers, and empty it."""
    pool = getattr(connection, "pool", None)
    if pool is None:
        return
    fenced = servers.fenced(connection.alias)
    settings_dict = connection.settings_dict
    listed = list(zip(host_list(settings_dict), str(settings_dict["HOST"]).split(","), strict=True))
    allowed = [host for server, host in listed if server not in fenced]
    if allowed and len(allowed) < len(listed):
        ports = [port for (server, _), port in zip(listed, _ports(settings_dict), strict=True) if server not in fenced]
        pool.kwargs.update(host=",".join(allowed), port=",".join(ports))
    else:  # nothing fenced, or everything: the settings' own list
        pool.kwargs.update(host=settings_dict["HOST"], port=str(settings_dict["PORT"] or ""))
    pool.drain()


def _ports(settings_dict: dict) -> list[str]:
    hosts = str(settings_dict["HOST"]).split(",")
    ports = str(settings_dict["PORT"] or "").split(",")
    return ports * len(hosts) if len(ports) == 1 else ports


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
