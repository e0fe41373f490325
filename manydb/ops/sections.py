"""Run pieces of a page that each need one database, and survive any of them being down."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections

from manydb.scope.state import current_state, forked_scope

logger = logging.getLogger("manydb.ops.sections")


@dataclass
class Section:
    """The outcome of one guarded piece of work: a value, or unavailable."""

    value: Any = None
    available: bool = True
    error: str = ""


def guarded(compute: Callable[[], Any], *, name: str) -> Section:
    """Call ``compute``; a DatabaseError turns into an unavailable Section, logged once."""
    try:
        return Section(value=compute())
    except DatabaseError as exc:
        logger.warning("%s unavailable: %s", name, exc)
        return Section(available=False, error=type(exc).__name__)


def guarded_all(tasks: dict[str, Callable[[], Any]], *, max_workers: int = 6) -> dict[str, Section]:
    """Run independent guarded sections at the same time, one thread each.

    A slow or unreachable database then costs the page its own timeout once,
    not once per section. Each thread routes with a fork of the caller's
    routing state (its pins and token hold there too) and returns its
    connections when done. Inside a transaction the sections run one after
    another in this thread instead: other threads could not see its writes.
    """
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return {name: guarded(compute, name=name) for name, compute in tasks.items()}
    parent = current_state()

    def run(name: str, compute: Callable[[], Any]) -> Section:
        try:
            with forked_scope(parent):
                return guarded(compute, name=name)
        finally:
            connections.close_all()  # this thread's connections (back to their pools)

    with ThreadPoolExecutor(max_workers=min(max_workers, len(tasks)) or 1) as pool:
        futures = {name: pool.submit(run, name, compute) for name, compute in tasks.items()}
        return {name: future.result() for name, future in futures.items()}
