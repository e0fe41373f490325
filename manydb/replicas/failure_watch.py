"""A query that fails on a replica cools that replica down, so the next requests read elsewhere."""

from django.db import InterfaceError, OperationalError

from manydb.replicas.breaker import replica_health
from manydb.topology.routing_map import routing_map


class ReplicaFailureWatch:
    """Installed on replica connections: a query that fails there cools the replica down.

    The per-scope probe finds a replica that is already dead; this catches
    one that dies between the probe and a query. The failing query still
    raises (the middleware answers 503).
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
