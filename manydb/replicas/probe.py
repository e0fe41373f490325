"""Asking a database about replication: log positions, lag, and whether a replica may serve.

PostgreSQL numbers every byte of its write-ahead log (an LSN). The primary's
current LSN after a commit marks that write; a standby that has replayed past
it can serve a read that must see the write. Other engines here expose no
such position (SQLite has no replicas; MySQL's GTID sets are not compared
here), so their positions are None and callers fall back to time.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DatabaseError, connections

from manydb.replicas.breaker import replica_health
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.routing")

# pg_lsn - pg_lsn is a byte count: LSNs become plain integers, easy to sign and compare.
_PRIMARY_POSITION = "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"

# The timeline a server is on. A primary writes it into its WAL file names
# (the first eight hex digits), current from the moment of a promotion. A
# standby's is the one it receives (visible to monitoring roles only) or
# else its last restartpoint's, which may be older: never newer, so a
# standby is at worst taken for one that has not followed a promotion yet.
TIMELINE = """
    CASE WHEN pg_is_in_recovery()
         THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver),
                       (SELECT timeline_id FROM pg_control_checkpoint()))
         ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int
    END
"""
_PRIMARY_MARK = f"SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, {TIMELINE}"

# Lag as the standby measures it. When everything received has been replayed
# the standby is current, however long ago the last transaction was (an idle
# primary must not look like a lagging standby); otherwise the lag is the age
# of the last replayed transaction.
_STANDBY_PROBE = f"""
    SELECT pg_is_in_recovery(),
           pg_last_wal_replay_lsn() - '0/0'::pg_lsn,
           CASE WHEN NOT pg_is_in_recovery()
                  OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                  OR pg_last_xact_replay_timestamp() IS NULL
                THEN 0
                ELSE GREATEST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
           END,
           {TIMELINE}
"""


@dataclass(frozen=True)
class ReplicaProbe:
    """One look at a replica: reachable (or this would have raised), how far it has replayed."""

    replayed: int | None  # LSN replayed so far; None when the engine has no LSN
    lag_seconds: float
    in_recovery: bool  # False: the alias is really a primary (or SQLite's read-only view)
    timeline: int | None = None  # None when the engine has no timelines

    def has_replayed(self, position: int | None, *, timeline: int | None = None) -> bool:
        """True when this replica shows everything up to ``position`` (written on ``timeline``).

        A server on an older timeline than the write's never does, even a
        read-write one: it is a former primary that missed the promotion.
        """
        if timeline is not None and self.timeline is not None and self.timeline < timeline:
            return False
        if not self.in_recovery or position is None:
            return True
        return self.replayed is not None and self.replayed >= position


_asking_the_replica: ContextVar[bool] = ContextVar("manydb_asking_the_replica", default=False)


@contextmanager
def asking_the_replica():
    """Statements in this block ask about the replica itself: a failure must not be answered elsewhere."""
    reset = _asking_the_replica.set(True)
    try:
        yield
    finally:
        _asking_the_replica.reset(reset)


def is_asking_the_replica() -> bool:
    return _asking_the_replica.get()


def supports_positions(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def primary_position(alias: str) -> int | None:
    """The primary's current log position, or None on engines without one."""
    if not supports_positions(alias):
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(_PRIMARY_POSITION)
        return int(cursor.fetchone()[0])


def primary_mark(alias: str) -> tuple[int, int]:
    """The primary's current log position and timeline (PostgreSQL only)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(_PRIMARY_MARK)
        position, timeline = cursor.fetchone()
    return int(position), int(timeline)


def probe_replica(alias: str) -> ReplicaProbe:
    """Ask the replica itself; raises DatabaseError when it cannot answer."""
    with asking_the_replica(), connections[alias].cursor() as cursor:
        if not supports_positions(alias):
            cursor.execute("SELECT 1")
            cursor.fetchone()
            return ReplicaProbe(replayed=None, lag_seconds=0.0, in_recovery=False)
        cursor.execute(_STANDBY_PROBE)
        in_recovery, replayed, lag, timeline = cursor.fetchone()
    return ReplicaProbe(
        replayed=int(replayed) if replayed is not None else None,
        lag_seconds=float(lag),
        in_recovery=bool(in_recovery),
        timeline=timeline,
    )


def probe_and_record(alias: str) -> tuple[ReplicaProbe | None, bool]:
    """Probe a replica and tell the breaker what was found.

    Returns the probe (None when the replica failed and now cools down) and
    whether the replica is within MAX_LAG_SECONDS, i.e. may serve reads.
    """
    options = routing_map().replica_reads
    try:
        probe = _probe_with_one_retry(alias)
    except DatabaseError as exc:
        logger.warning("replica %s failed, cooling down for %ss: %s", alias, options.cooldown_seconds, exc)
        replica_health.record_failure(alias, error=type(exc).__name__, cooldown=options.cooldown_seconds)
        connections[alias].close()  # half-dead at best; the next attempt opens a fresh one
        return None, False
    within_lag = replica_health.record_probe(
        alias, lag_seconds=probe.lag_seconds, replayed=probe.replayed, max_lag=options.max_lag_seconds
    )
    if not within_lag:
        logger.debug("%s lags %.1fs, over the %.1fs limit", alias, probe.lag_seconds, options.max_lag_seconds)
    if not probe.in_recovery and "," in str(connections[alias].settings_dict.get("HOST") or ""):
        # A replica URL listing several hosts landed on a primary (no standby
        # was up when it connected): reconnect after this scope, so libpq can
        # prefer a standby again as soon as one is back (a rejoined former primary).
        connections[alias].close_at = time.monotonic()
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
