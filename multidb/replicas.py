"""Which database serves a read: one of the primary's replicas, or the primary.

Reads of an app whose home has replicas go to a replica chosen once per
request (or job) by weight, among the replicas that are safe for this client:

1. ``use_primary()`` is active               -> the primary (the caller asked);
2. a transaction is open on the primary      -> the primary (see your own transaction);
3. this scope wrote to the primary           -> the primary (see your own writes);
4. the client's token says it wrote earlier  -> only replicas that have replayed
   past that write (PostgreSQL log positions), or the primary within a short
   window after the write on engines without positions;
5. replicas cooling down after a failure, or lagging beyond MAX_LAG_SECONDS,
   serve nobody.

The chosen replica is probed once per scope (one cheap query that also
returns how far it has replayed and how far behind it is), so a dead replica
is found before a query of the request fails on it.

Routing state lives in a context variable: each request (see
``multidb.middleware.RoutingScopeMiddleware``), thread and asyncio task has
its own, so concurrent requests never share a choice or a pin.
"""

import logging
import random
import time
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import DatabaseError, InterfaceError, OperationalError, connections

from multidb import tokens
from multidb.replica_health import replica_health
from multidb.replication import ReplicaProbe, primary_position, probe_replica, supports_positions
from multidb.routing import routing_map

logger = logging.getLogger("multidb.routing")


@dataclass
class RoutingState:
    chosen: dict[str, str] = field(default_factory=dict)  # primary -> alias serving its reads
    written: set[str] = field(default_factory=set)  # primaries written in this scope
    required: tokens.Marks = field(default_factory=dict)  # from the client's token
    satisfied: set[str] = field(default_factory=set)  # required marks a replica has met
    forced_primary: int = 0  # depth of nested use_primary() blocks


_state: ContextVar[RoutingState | None] = ContextVar("multidb_routing_state", default=None)


def current_state() -> RoutingState:
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
    state = RoutingState(required=required)
    reset = _state.set(state)
    try:
        yield state
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
        alias, reason = _choose(primary, replicas, state)
        state.chosen[primary] = alias
        replica_health.record_read(alias)
        return _decided(primary, alias, reason)
    return state.chosen[primary]


def note_write(primary: str) -> None:
    """Remember that this scope writes to ``primary``: later reads must see it."""
    if routing_map().replicas_of(primary):
        current_state().written.add(primary)


def scope_token() -> str | None:
    """A token for what this scope wrote (merged with the one it came with), or None.

    Call it after the scope's transactions have committed: the mark is the
    primary's position now. Browsers get it as a cookie from the middleware;
    other code passes it to the next ``routing_scope(token=...)``.
    """
    state = current_state()
    if not state.written:
        return None
    marks = {primary: _write_mark(primary) for primary in sorted(state.written)}
    return tokens.token_dumps(tokens.merge(state.required, marks))


def token_fulfilled() -> bool:
    """True when every mark the client brought has been met by a replica in this scope."""
    state = current_state()
    return bool(state.required) and set(state.required) <= state.satisfied


def _write_mark(primary: str) -> tuple[str, float]:
    if routing_map().replica_reads.causal_tokens == tokens.LSN and supports_positions(primary):
        return (tokens.LSN, primary_position(primary))
    return tokens.time_mark()


def _choose(primary: str, weights: dict[str, int], state: RoutingState) -> tuple[str, str]:
    options = routing_map().replica_reads
    mark = state.required.get(primary)
    if mark and mark[0] == tokens.TIME:
        if time.time() - mark[1] < options.fallback_pin_seconds:
            return primary, "the client wrote within the fallback window"
        state.satisfied.add(primary)
        mark = None
    candidates = {alias: w for alias, w in weights.items() if w > 0 and replica_health.available(alias)}
    primary_weight = routing_map().primary_weight.get(primary, 0)
    while candidates:
        alias = _weighted_pick({**candidates, primary: primary_weight})
        if alias == primary:
            return primary, "the primary's share of reads"
        probe, within_lag = probe_and_record(alias)
        if not within_lag:
            del candidates[alias]
            continue
        if mark and not probe.has_replayed(int(mark[1])):
            logger.debug("%s has not replayed the client's write yet", alias)
            del candidates[alias]
            continue
        if mark:
            state.satisfied.add(primary)
        return alias, "a healthy replica, caught up with the client" if mark else "a healthy replica"
    return primary, "no replica is available and caught up"


def probe_and_record(alias: str) -> tuple[ReplicaProbe | None, bool]:
    """Probe a replica and tell the registry what was found.

    Returns the probe (None when the replica failed and now cools down) and
    whether the replica is within MAX_LAG_SECONDS, i.e. may serve reads.
    """
    options = routing_map().replica_reads
    try:
        probe = _probe_with_one_retry(alias)
    except DatabaseError as exc:
        _report_failure(alias, exc)
        return None, False
    within_lag = replica_health.record_probe(
        alias, lag_seconds=probe.lag_seconds, replayed=probe.replayed, max_lag=options.max_lag_seconds
    )
    if not within_lag:
        logger.debug("%s lags %.1fs, over the %.1fs limit", alias, probe.lag_seconds, options.max_lag_seconds)
    return probe, within_lag


def _probe_with_one_retry(alias: str) -> ReplicaProbe:
    """Probe the replica; after a failure, once more on a fresh connection.

    A replica that restarted leaves this thread's persistent connection dead,
    and the first probe may use it: that is not an outage. A replica that is
    down fails the second attempt too (refused at once, or after
    DB_CONNECT_TIMEOUT), and only then cools down.
    """
    try:
        return probe_replica(alias)
    except DatabaseError as exc:
        logger.debug("probe of %s failed (%s); retrying on a fresh connection", alias, exc)
        connections[alias].close()
        return probe_replica(alias)


def _report_failure(alias: str, exc: Exception) -> None:
    cooldown = routing_map().replica_reads.cooldown_seconds
    logger.warning("replica %s failed, cooling down for %ss: %s", alias, cooldown, exc)
    replica_health.record_failure(alias, error=type(exc).__name__, cooldown=cooldown)
    connections[alias].close()  # half-dead at best; the next attempt opens a fresh one


def _weighted_pick(weights: dict[str, int]) -> str:
    aliases = [alias for alias, weight in weights.items() if weight > 0]
    return random.choices(aliases, weights=[weights[alias] for alias in aliases])[0]


def _decided(primary: str, alias: str, reason: str) -> str:
    logger.debug("reads of %s data -> %s (%s)", primary, alias, reason)
    return alias


class ReplicaFailureWatch:
    """Installed on replica connections: a query that fails there cools the replica down.

    The per-scope probe finds a replica that is already dead; this catches
    one that dies between the probe and a query, so the next requests go
    elsewhere. The failing query still raises (the middleware answers 503).
    """

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            cooldown = routing_map().replica_reads.cooldown_seconds
            replica_health.record_failure(self.alias, error=type(exc).__name__, cooldown=cooldown)
            raise


def watch_replica_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: put a ReplicaFailureWatch on replica connections, once."""
    if not routing_map().is_replica(connection.alias):
        return
    if not any(isinstance(wrapper, ReplicaFailureWatch) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(ReplicaFailureWatch(connection.alias))
