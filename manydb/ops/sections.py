"""Run pieces of a page that each need one database, and survive any of them being down or slow.

Each section runs under a time budget the database enforces
(manydb.deadlines); one that fails is "unavailable", one that runs out of
budget is "timed out", and the rest of the page arrives on time. Each
records the databases that served it and how long it took.

Sections run at once on the process's section workers: each on its own
(:func:`guarded_all`), or in lanes (:func:`guarded_lanes`), the sections
that read one database one after another on one worker, which sets the
budget once per connection instead of once per section.
"""

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import DatabaseError, connections

from manydb.deadlines.statements import is_timeout, statement_deadline
from manydb.ops import section_pool
from manydb.ops.wrappers import wrapping
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
    return _run_lane({name: compute}, budget=budget, keep=keep)[name]


def guarded_lanes(lanes: dict[str, dict[str, Callable[[], Any]]], *, budget: float | None = None) -> dict[str, Section]:
    """Run lanes of guarded sections at the same time, each lane's one after another.

    A lane is the sections that read one database: they share its routing
    state, its connections and the budget set on them (one round trip per
    connection, not one per section), yet each section keeps its own
    outcome: one that fails is "unavailable", one that runs out of budget
    "timed out", and the next section of the lane still runs.

    Lanes go to the section workers in the order given (the longest first).
    The page waits for each section at most its budget plus a grace from the
    start: a section still running then, or still queued behind a stuck one,
    is reported timed out (charged to the lane's database when the lane is
    named after one), and a section not started by then is not started at
    all. Inside a transaction the lanes run one after another in this
    thread: other threads could not see its writes. ``budget`` replaces the
    BUDGET_SECONDS setting for these sections.
    """
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        tasks = {name: compute for lane_tasks in lanes.values() for name, compute in lane_tasks.items()}
        return guarded_sequence(tasks, budget=budget)
    options = section_pool.SectionOptions.from_settings()
    if budget is not None:
        options = replace(options, budget_seconds=budget)
    parent = current_state()
    kept = section_pool.kept_aliases()
    started = time.monotonic()
    until = started + options.budget_seconds + options.grace_seconds

    def run(lane: str, tasks: dict[str, Callable[[], Any]], futures: dict[str, Future]) -> None:
        section_pool.follow_settings()
        try:
            with forked_scope(parent):
                _run_lane(tasks, budget=options.budget_seconds, keep=kept, futures=futures, until=until, lane=lane)
        except BaseException as exc:  # not a database error: the sections not yet done fail with it
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc)
        finally:
            section_pool.release_connections()

    futures, lane_of = {}, {}
    for lane, tasks in lanes.items():
        lane_futures = {name: Future() for name in tasks}
        futures.update(lane_futures)
        lane_of.update(dict.fromkeys(tasks, lane))
        section_pool.submit(run, lane, tasks, lane_futures)
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(until - time.monotonic(), 0))
        except FutureTimeout:
            logger.warning("%s timed out: no answer within its budget", name)
            results[name] = _timed_out(name, lane_of[name], started)
    return results


def guarded_all(
    tasks: dict[str, Callable[[], Any]], *, max_workers: int | None = None, budget: float | None = None
) -> dict[str, Section]:
    """Run independent guarded sections at the same time on this process's section workers.

    Each section is a lane of its own (see :func:`guarded_lanes`); each
    worker routes with a fork of the caller's routing state (its pins and
    token hold there too). ``max_workers`` is accepted for compatibility; the
    pool's size is the WORKERS setting; ``budget`` replaces the BUDGET_SECONDS setting.
    """
    return guarded_lanes({name: {name: compute} for name, compute in tasks.items()}, budget=budget)


def guarded_sequence(tasks: dict[str, Callable[[], Any]], *, budget: float | None = None) -> dict[str, Section]:
    """The same sections one after another in this thread (each under its budget)."""
    return {name: guarded(compute, name=name, budget=budget) for name, compute in tasks.items()}


def guarded_lane(tasks: dict[str, Callable[[], Any]]) -> dict[str, Section]:
    """One lane in this thread, as a worker runs it: one budget set per connection, a Section each."""
    return _run_lane(tasks, budget=section_pool.SectionOptions.from_settings().budget_seconds)


def _run_lane(
    tasks, *, budget: float, keep=(), futures: dict[str, Future] | None = None, until=None, lane: str = ""
) -> dict[str, Section]:
    """Each task in turn under one statement deadline; each outcome in its Section (and its future).

    A task not started by ``until`` (time.monotonic()) is reported timed out
    without running, and one started near it gets only the time left.
    """
    served = _Served()
    sections = {}
    lane_started = time.monotonic()
    with statement_deadline(budget, keep=keep) as deadline, wrapping(served):
        for name, compute in tasks.items():
            if until is not None and time.monotonic() >= until:
                section = _timed_out(name, lane, lane_started)
            else:
                deadline.restart(budget if until is None else min(budget, until - time.monotonic()))
                section = _guarded_one(compute, name, served)
            sections[name] = section
            if futures is not None:
                futures[name].set_result(section)
    return sections


def _guarded_one(compute, name: str, served: "_Served") -> Section:
    served.aliases = []
    started = time.perf_counter()
    try:
        section = Section(value=compute())
    except DatabaseError as exc:
        timed_out = is_timeout(exc)
        logger.warning("%s %s: %s", name, "timed out" if timed_out else "unavailable", exc)
        section = Section(available=False, error="timed out" if timed_out else type(exc).__name__, timed_out=timed_out)
    section.name = name
    section.databases = tuple(served.aliases)
    section.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return section


def _timed_out(name: str, lane: str, started: float) -> Section:
    """A section the page stopped waiting for: charged to its lane's database, when the lane is one."""
    return Section(
        available=False,
        error="timed out",
        timed_out=True,
        databases=(lane,) if lane in connections else (),
        elapsed_ms=round((time.monotonic() - started) * 1000, 2),
        name=name,
    )
