"""Which database serves a read: one of the primary's replicas, or the primary.

Reads of an app whose home has replicas go to a replica chosen once per
scope (a request, a job) by weight, among the replicas that are safe for
this client:

1. ``use_primary()`` is active               -> the primary (the caller asked);
2. a transaction is open on the primary      -> the primary (see your own transaction);
3. this scope wrote to the primary           -> the primary (see your own writes);
4. the client's token says it wrote earlier  -> only replicas that have replayed
   past that write (PostgreSQL log positions), or the primary within a short
   window after the write on engines without positions;
5. replicas cooling down after a failure, or lagging beyond MAX_LAG_SECONDS,
   serve nobody.

The chosen replica is probed once per scope (``manydb.replicas.probe``), so a
dead replica is found before a query of the request fails on it.
"""

import logging
import random
import time

from django.db import connections

from manydb.debugging.capture import note_decision
from manydb.replicas import tokens
from manydb.replicas.breaker import replica_health
from manydb.replicas.probe import probe_and_record
from manydb.scope.state import RoutingState, current_state
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.routing")


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
        if mark and not probe.has_replayed(int(mark[1]), timeline=tokens.timeline_of(mark)):
            logger.debug("%s has not replayed the client's write yet", alias)
            del candidates[alias]
            continue
        if mark:
            state.satisfied.add(primary)
        return alias, "a healthy replica, caught up with the client" if mark else "a healthy replica"
    return primary, "no replica is available and caught up"


def _weighted_pick(weights: dict[str, int]) -> str:
    aliases = [alias for alias, weight in weights.items() if weight > 0]
    return random.choices(aliases, weights=[weights[alias] for alias in aliases])[0]


def _decided(primary: str, alias: str, reason: str) -> str:
    logger.debug("reads of %s data -> %s (%s)", primary, alias, reason)
    note_decision(primary, alias, reason)  # the development panel's record; nothing otherwise
    return alias
