"""Routing state per unit of work, kept in a context variable.

Each request (``manydb.middleware.RoutingScopeMiddleware``), thread and
asyncio task has its own state, so concurrent requests never share a replica
choice or a pin. ``routing_scope()`` opens one, ``forked_scope()`` hands a
copy to work running concurrently on the same request's behalf, and
``use_primary()`` sends reads to the primary inside a block.
"""

from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from manydb.replicas import tokens
from manydb.topology.routing_map import routing_map


@dataclass
class RoutingState:
    chosen: dict[str, str] = field(default_factory=dict)  # primary -> alias serving its reads
    written: set[str] = field(default_factory=set)  # primaries written in this scope
    required: tokens.Marks = field(default_factory=dict)  # from the client's token
    satisfied: set[str] = field(default_factory=set)  # required marks a replica has met
    forced_primary: int = 0  # depth of nested use_primary() blocks


_state: ContextVar[RoutingState | None] = ContextVar("manydb_routing_state", default=None)


def current_state() -> RoutingState:
    """This unit of work's state; outside any scope, a fresh one for this context."""
    state = _state.get()
    if state is None:
        state = RoutingState()
        _state.set(state)
    return state


@contextmanager
def routing_scope(*, token: str | None = None):
    """A fresh routing state for one unit of work (a request, a job).

    ``token`` is a read-your-writes token from an earlier scope of the same
    client (a cookie, a job argument); invalid tokens are ignored.
    """
    required = tokens.token_loads(token, max_age=routing_map().replica_reads.token_max_age)
    reset = _state.set(RoutingState(required=required))
    try:
        yield _state.get()
    finally:
        _state.reset(reset)


@contextmanager
def forked_scope(parent: RoutingState):
    """A child of ``parent`` for work running concurrently on its behalf (another thread).

    The child starts with everything the parent knows (its pins, its token,
    its replica choice) but records its own decisions, so concurrent tasks
    never mutate one state at the same time.
    """
    state = RoutingState(
        chosen=dict(parent.chosen),
        written=set(parent.written),
        required=dict(parent.required),
        satisfied=set(parent.satisfied),
        forced_primary=parent.forced_primary,
    )
    reset = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(reset)


class use_primary(ContextDecorator):
    """Send every read to its primary inside this block or decorated function."""

    def __enter__(self):
        current_state().forced_primary += 1
        return self

    def __exit__(self, *exc_info):
        current_state().forced_primary -= 1
        return False
