"""Noticing a promotion or a demotion on a statement, and discarding the connections it made stale.

A primary's server can change under a pooled connection in two ways:

* it went away (stopped, crashed, failed over): the statement fails with an
  OperationalError or InterfaceError and the connection is broken;
* it was demoted and now runs as a standby: the connection still works, but
  a write fails with SQLSTATE 25006 (read-only transaction), forever.

Either way every idle connection in the alias's pool shares the fate, so the
pool is drained (``psycopg_pool.ConnectionPool.drain``: idle connections are
closed, the ones in use are closed when they come back) and refills from the
host list, where libpq picks whichever server is read-write now. The
statement itself is not repeated: it may be a write whose fate is unknown,
so its request fails with the 503 page (``PrimaryChanged``) and the client
decides. The next requests reach the new primary.
"""

import logging

from django.db import InterfaceError, InternalError, OperationalError

from manydb.failover import servers

logger = logging.getLogger("manydb.failover")

READ_ONLY_SQL_TRANSACTION = "25006"


def is_read_only_server(exc: BaseException) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == READ_ONLY_SQL_TRANSACTION


def server_went_away(connection, exc: BaseException) -> bool:
    """The connection is gone, or the server said it is shutting down or unreachable."""
    raw = connection.connection
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
    return raw is None or raw.closed or raw.broken or sqlstate.startswith(("08", "57P"))


def discard_pool(connection, reason: str) -> None:
    """Empty the alias's pool so it refills from the host list."""
    pool = getattr(connection, "pool", None)
    logger.warning("%s: %s; its pooled connections are discarded", connection.alias, reason)
    if pool is not None:
        pool.drain()


class PrimaryChangeWatch:
    """An execute wrapper on primary aliases: a stale server empties the pool and fails the request once."""

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except InternalError as exc:
            if not is_read_only_server(exc):
                raise
            connection = context["connection"]
            discard_pool(connection, "the server is read-only now (demoted)")
            raise servers.PrimaryChanged(f"{self.alias}: the server became read-only (demoted)") from exc
        except (OperationalError, InterfaceError) as exc:
            connection = context["connection"]
            if isinstance(exc, servers.PrimaryChanged) or not server_went_away(connection, exc):
                raise
            # The primary in use is gone: a former primary fenced earlier may
            # have been rejoined and promoted since; the timeline check decides.
            servers.lift_fences(connection)
            discard_pool(connection, "the server dropped the connection")
            raise


def watch_primary_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: put a PrimaryChangeWatch on PostgreSQL primary aliases, once."""
    if not servers.watches(connection):
        return
    if not any(isinstance(wrapper, PrimaryChangeWatch) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(PrimaryChangeWatch(connection.alias))
