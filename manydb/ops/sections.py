"""Run pieces of a page that each need one database, and survive any of them being down or slow.

Each section runs under a time budget the database enforces
(manydb.deadlines); one that fails is "unavailable", one that runs out of
budget is "timed out", and the rest of the page arrives on time. Each
records the databases that served it and how long it took.
"""

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import DatabaseError, connections

from manydb.deadlines.statements import is_timeout, statement_deadline
from manydb.ops import section_pool
from manydb.scope.state import current_state, forked_scope

logger = logging.getLogger("manydb.ops.sections")


@dataclass
class Section:
    """The outcome of one guarded piece of work: a value, or unavailable (and why)."""

    value: Any = None
    available: bool = True
    error: str = ""
    timed_out: bool = False
    databases: tuple[str, ...] = ()  # the aliases its queries ran on, in order
    elapsed_ms: float | None = None
    name: str = field(default="", compare=False)
    # Merged from a sharded model's shards (manydb.sharding.fanout): shard -> "ok",
    # "unavailable" or "timed out", and the shards whose answer the value lacks.
    shards: dict[str, str] = field(default_factory=dict, compare=False)
    missing: dict[str, str] = field(default_factory=dict, compare=False)


class _Served:
    """An execute wrapper that notes each alias a section's queries ran on."""

    def __init__(self):
        self.aliases: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        alias = context["connection"].alias
        if alias not in self.aliases:
            self.aliases.append(alias)
        return execute(sql, params, many, context)


def guarded(compute: Callable[[], Any], *, name: str, budget: float | None = None, keep=()) -> Section:
    """Call ``compute`` within ``budget`` seconds (default: the setting); database errors become a Section."""
    budget = section_pool.SectionOptions.from_settings().budget_seconds if budget is None else budget
    served = _Served()
    started = time.perf_counter()
    try:
        with statement_deadline(budget, keep=keep), _wrapped(served):
            section = Section(value=compute())
    except DatabaseError as exc:
        timed_out = is_timeout(exc)
        logger.warning("%s %s: %s", name, "timed out" if timed_out else "unavailable", exc)
        section = Section(available=False, error="timed out" if timed_out else type(exc).__name__, timed_out=timed_out)
    section.name = name
    section.databases = tuple(served.aliases)
    section.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return section


def guarded_all(
    tasks: dict[str, Callable[[], Any]], *, max_workers: int | None = None, budget: float | None = None
) -> dict[str, Section]:
    """Run independent guarded sections at the same time on this process's section workers.

    Each worker routes with a fork of the caller's routing state (its pins
    and token hold there too). The page waits for each section at most its
    budget plus a grace: a section still running then (a server that does
    not answer at all) is reported timed out and finishes in the background.
    Inside a transaction the sections run one after another in this thread
    instead: other threads could not see its writes. ``max_workers`` is
    accepted for compatibility; the pool's size is the WORKERS setting.
    ``budget`` replaces the BUDGET_SECONDS setting for these sections.
    """
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return guarded_sequence(tasks, budget=budget)
    options = section_pool.SectionOptions.from_settings()
    if budget is not None:
        options = replace(options, budget_seconds=budget)
    parent = current_state()
    kept = section_pool.kept_aliases()

    def run(name: str, compute: Callable[[], Any]) -> Section:
        section_pool.follow_settings()
        try:
            with forked_scope(parent):
                return guarded(compute, name=name, budget=options.budget_seconds, keep=kept)
        finally:
            section_pool.release_connections()

    started = time.monotonic()
    futures = {name: section_pool.submit(run, name, compute) for name, compute in tasks.items()}
    waits_until = started + options.budget_seconds + options.grace_seconds
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(waits_until - time.monotonic(), 0))
        except FutureTimeout:
            logger.warning("%s timed out: no answer within its budget", name)
            elapsed = round((time.monotonic() - started) * 1000, 2)
            results[name] = Section(available=False, error="timed out", timed_out=True, elapsed_ms=elapsed, name=name)
    return results


def guarded_sequence(tasks: dict[str, Callable[[], Any]], *, budget: float | None = None) -> dict[str, Section]:
    """The same sections one after another in this thread (each under its budget)."""
    return {name: guarded(compute, name=name, budget=budget) for name, compute in tasks.items()}


@contextmanager
def _wrapped(wrapper) -> Iterator[None]:
    """Install one execute wrapper on every alias for the block (this thread's connections)."""
    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        yield
