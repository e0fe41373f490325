"""A record of one request's database work, for the development panel and badge.

Nothing is recorded unless a capture is active (``request_capture()``), so
the hooks the router and the join guard call cost one context-variable
lookup in production.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from manydb.ops.wrappers import wrapping


@dataclass
class Query:
    sql: str
    milliseconds: float


@dataclass
class RequestRecord:
    queries: dict[str, list[Query]] = field(default_factory=dict)  # alias -> queries, in order
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # (primary, alias, reason)
    refused_joins: list[str] = field(default_factory=list)
    token_in: str | None = None
    token_out: str | None = None


_record: ContextVar[RequestRecord | None] = ContextVar("manydb_request_record", default=None)


def current_record() -> RequestRecord | None:
    return _record.get()


@contextmanager
def request_capture(*, token_in: str | None = None) -> Iterator[RequestRecord]:
    """Record this thread's queries on every alias, and the routing notes, until the block ends."""
    record = RequestRecord(token_in=token_in)
    reset = _record.set(record)
    try:
        with wrapping(_QueryRecorder(record)):  # taken off exactly, whatever connects meanwhile
            yield record
    finally:
        _record.reset(reset)


def note_decision(primary: str, alias: str, reason: str) -> None:
    """Called by the replica choice for each routing decision it makes."""
    record = _record.get()
    if record is not None:
        record.decisions.append((primary, alias, reason))


def note_refused_join(message: str) -> None:
    """Called by the join guard before it raises."""
    record = _record.get()
    if record is not None:
        record.refused_joins.append(message)


class _QueryRecorder:
    def __init__(self, record: RequestRecord):
        self.record = record

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            alias = context["connection"].alias
            self.record.queries.setdefault(alias, []).append(Query(sql, elapsed))
