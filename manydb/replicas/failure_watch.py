"""A query that fails on a replica cools that replica down, so the next requests read elsewhere.

The read itself is repeated elsewhere when that is safe (``manydb.replicas.retry``).
"""

from django.db import InterfaceError, OperationalError

from manydb.replicas import retry
from manydb.replicas.breaker import replica_health
from manydb.topology.routing_map import routing_map


class ReplicaFailureWatch:
    """Installed on replica connections: a query that fails there cools the replica down.

    The per-scope probe finds a replica that is already dead; this catches
    one that dies between the probe and a query. A read is then repeated
    on another replica or the primary; anything else still raises (the
    middleware answers 503).
    """

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            cooldown = routing_map().replica_reads.cooldown_seconds
            replica_health.record_failure(self.alias, error=type(exc).__name__, cooldown=cooldown)
            if not retry.can_retry(self.alias, sql, context):
                raise
        return retry.read_elsewhere(self.alias, sql, params, many, context)


def watch_replica_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: put a ReplicaFailureWatch on replica connections, once."""
    if not routing_map().is_replica(connection.alias):
        return
    if not any(isinstance(wrapper, ReplicaFailureWatch) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(ReplicaFailureWatch(connection.alias))
