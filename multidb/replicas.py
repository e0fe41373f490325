"""Which database serves a read: one of the primary's replicas, or the primary.

Reads of an app whose home has replicas go to a replica chosen once per
request (or command) by weight, except when that would risk a stale or
inconsistent answer:

- inside ``transaction.atomic()`` on the primary, reads see the transaction;
- after this request wrote to the primary, its reads see the write;
- inside ``use_primary()``, because the caller asked.

Routing state lives in a context variable: each request (see
``multidb.middleware.RoutingScopeMiddleware``), thread and asyncio task has
its own, so concurrent requests never share a choice or a pin.
"""

import logging
import random
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connections

from multidb.routing import routing_map

logger = logging.getLogger("multidb.routing")


@dataclass
class RoutingState:
    chosen: dict[str, str] = field(default_factory=dict)  # primary -> alias serving its reads
    written: set[str] = field(default_factory=set)  # primaries written in this scope
    forced_primary: int = 0  # depth of nested use_primary() blocks


_state: ContextVar[RoutingState | None] = ContextVar("multidb_routing_state", default=None)


def current_state() -> RoutingState:
    state = _state.get()
    if state is None:
        state = RoutingState()
        _state.set(state)
    return state


@contextmanager
def routing_scope():
    """A fresh routing state for one unit of work (a request, a job)."""
    token = _state.set(RoutingState())
    try:
        yield
    finally:
        _state.reset(token)


class use_primary(ContextDecorator):
    """Send every read to its primary inside this block or decorated function."""

    def __enter__(self):
        current_state().forced_primary += 1
        return self

    def __exit__(self, *exc_info):
        current_state().forced_primary -= 1
        return False


def read_alias(primary: str) -> str:
    """The alias that should serve a read of data homed on ``primary``."""
    replicas = routing_map().replicas_of(primary)
    if not replicas:
        return primary
    state = current_state()
    if state.forced_primary:
        return _decided(primary, primary, "use_primary() is active")
    if connections[primary].in_atomic_block:
        return _decided(primary, primary, "a transaction is open on the primary")
    if primary in state.written:
        return _decided(primary, primary, "this scope wrote to the primary")
    if primary not in state.chosen:
        state.chosen[primary] = _weighted_choice(primary, replicas)
    return _decided(primary, state.chosen[primary], "chosen for this scope by weight")


def note_write(primary: str) -> None:
    """Remember that this scope writes to ``primary``: later reads must see it."""
    if routing_map().replicas_of(primary):
        current_state().written.add(primary)


def _weighted_choice(primary: str, replicas: dict[str, int]) -> str:
    candidates = dict(replicas)
    primary_weight = routing_map().primary_weight.get(primary, 0)
    if primary_weight:
        candidates[primary] = primary_weight
    aliases = [alias for alias, weight in candidates.items() if weight > 0]
    if not aliases:
        return primary
    return random.choices(aliases, weights=[candidates[a] for a in aliases])[0]


def _decided(primary: str, alias: str, reason: str) -> str:
    logger.debug("read of %s data -> %s (%s)", primary, alias, reason)
    return alias
