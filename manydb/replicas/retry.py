"""A read that fails on a replica is read again elsewhere, within the same request.

The probe a scope makes before its first read on a replica
(``manydb.replicas.probe``) finds a replica that is already gone. It cannot
find one that goes away between the probe and a query, or while a query
runs (a standby being stopped ends its sessions). Such a query fails with
an OperationalError or InterfaceError; reads are safe to repeat, so instead
of failing the page:

1. the replica cools down (``manydb.replicas.failure_watch`` records it);
2. the scope forgets its choice and chooses again, with the same rules
   (``manydb.replicas.choice``): another replica caught up with the client,
   or the primary;
3. the same statement runs there, and the caller's cursor is handed the
   result (``CursorWrapper.cursor`` is swapped), so the ORM fetches rows as
   if nothing happened.

Never repeated: anything that may write (``manydb.scope.writes.is_write``),
anything inside a transaction on the replica, server-side cursors
(``QuerySet.iterator()``), whose later fetches would still go to the dead
server, and the probe's own questions to the replica (``probe.asking_the_replica``):
another server's answer would make a dead replica look alive. Those fail
as before (a probe then cools the replica down; a query answers 503).
"""

import logging

from django.db import connections

from manydb.replicas.choice import read_alias
from manydb.replicas.probe import is_asking_the_replica
from manydb.scope.state import current_state
from manydb.scope.writes import is_write
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.routing")


def can_retry(alias: str, sql: str, context) -> bool:
    cursor = context.get("cursor")
    return (
        not is_asking_the_replica()
        and not is_write(sql)
        and not connections[alias].in_atomic_block
        and cursor is not None
        and getattr(cursor.cursor, "name", None) is None  # psycopg names server-side cursors
    )


def read_elsewhere(alias: str, sql: str, params, many: bool, context):
    """Run a read that failed on replica ``alias`` where the scope now reads; returns execute's result."""
    primary = routing_map().primary_of(alias)
    state = current_state()
    state.chosen.pop(primary, None)
    target = read_alias(primary)  # the failed replica cools down, so it is not chosen again
    logger.warning("a read failed on %s; repeating it on %s", alias, target)
    cursor = connections[target].cursor()
    result = cursor.executemany(sql, params) if many else cursor.execute(sql, params)
    failed = context["cursor"].cursor
    context["cursor"].cursor = cursor.cursor  # the caller fetches from the new server
    try:
        failed.close()
    except Exception:  # noqa: BLE001  (a cursor of a dead connection may fail to close; it is dropped anyway)
        pass
    return result
