"""Threads that run page sections, living as long as the process.

Starting threads per request and opening each thread's connections afresh
cost more than running the sections one after another (a MySQL handshake, a
replica's connection and probe, thread start-up). These workers start once
per process and keep what is worth keeping between sections:

- connections without a pool (MySQL, replicas, SQLite) stay open in the
  worker, with the section budget already set on the session;
- pooled connections (PostgreSQL) go back to their pool after each task (a
  lane of sections, see manydb.guarded_lanes), reset: request threads draw
  from the same pool, and a worker holding one slot per alias would starve
  them. Taking one again costs no round trip.

Settings, all optional: ``MANYDB["SECTIONS"]``:

    BUDGET_SECONDS   each section's time budget, enforced by the database (1.0)
    GRACE_SECONDS    what the page waits beyond it for a section that does not
                     answer at all (a server that does not reply) (0.25)
    WORKERS          section threads per process (8): at least one per database,
                     so every lane of the dashboard starts at once
"""

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from manydb.topology.routing_map import _options


@dataclass(frozen=True)
class SectionOptions:
    budget_seconds: float = 1.0
    grace_seconds: float = 0.25
    workers: int = 8

    @classmethod
    def from_settings(cls) -> "SectionOptions":
        values = _options(cls, getattr(settings, "MANYDB", {}).get("SECTIONS", {}), "SECTIONS")
        options = cls(**values)
        if options.budget_seconds <= 0 or options.workers < 1:
            raise ValueError("MANYDB['SECTIONS'] needs BUDGET_SECONDS > 0 and WORKERS >= 1")
        return options


THREAD_PREFIX = "manydb-section"
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_owner_pid: int | None = None


def section_executor() -> ThreadPoolExecutor:
    """This process's section workers (a forked child starts its own)."""
    global _executor, _owner_pid
    with _lock:
        if _executor is None or _owner_pid != os.getpid():
            workers = SectionOptions.from_settings().workers
            _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=THREAD_PREFIX)
            _owner_pid = os.getpid()
        return _executor


def submit(run, *args) -> Future:
    return section_executor().submit(run, *args)


def follow_settings() -> None:
    """Before a section, in a worker: drop connections whose alias was pointed elsewhere.

    Settings do not change in a running site, but tests repoint an alias
    (a database made unreachable, a replica shown the test primary); a
    worker's kept connection must then follow, as a new thread's would.
    """
    for connection in connections.all(initialized_only=True):
        if connection.settings_dict is not connections.settings[connection.alias]:
            connection.close()
            del connections[connection.alias]


def release_connections() -> None:
    """After a section, in a worker: pooled connections back to their pool, broken ones closed."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        pooled = "pool" in connection.settings_dict.get("OPTIONS", {})
        if pooled or (connection.errors_occurred and not connection.is_usable()):
            connection.close()
        connection.errors_occurred = False


def kept_aliases() -> list[str]:
    """The aliases whose connections a worker keeps (see the module docstring)."""
    return [alias for alias in connections if "pool" not in connections.settings[alias].get("OPTIONS", {})]
