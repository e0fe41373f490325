"""`dbmaint health`: role, reachability, latency, replica lag and connections of each alias."""

from dataclasses import asdict, dataclass

from django.db import DatabaseError

from manydb.errors import describe
from manydb.maintenance import checks as thresholds
from manydb.maintenance.engines import inspector
from manydb.ops.health import check_alias
from manydb.topology.routing_map import routing_map


@dataclass
class AliasStatus:
    alias: str
    engine: str
    role: str
    reachable: bool
    latency_ms: float | None = None
    lag_seconds: float | None = None
    connections: int | None = None
    max_connections: int | None = None
    problem: str = ""  # something to fix, in words
    error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def alias_status(alias: str) -> AliasStatus:
    """One alias's vital signs; a problem is a lag past MAX_LAG_SECONDS or connections nearly used up."""
    health = check_alias(alias)
    status = AliasStatus(alias, health.engine, health.role, health.ok, health.latency_ms, error=health.error or "")
    if not health.ok:
        return status
    engine = inspector(alias)
    try:
        status.lag_seconds = engine.replica_lag_seconds()
        used = engine.connections_used()
    except DatabaseError as exc:
        status.error = describe(exc)
        status.problem = "could not read its statistics"
        return status
    if used is not None:
        status.connections, status.max_connections = used
    max_lag = routing_map().replica_reads.max_lag_seconds
    if status.lag_seconds is not None and status.lag_seconds > max_lag:
        status.problem = f"replica {status.lag_seconds:.1f} s behind (over MAX_LAG_SECONDS, {max_lag} s)"
    elif used is not None and used[0] > thresholds.CONNECTIONS_SHARE * used[1]:
        status.problem = f"{used[0]} of {used[1]} connections in use"
    return status
