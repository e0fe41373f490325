"""Recording a write when one really runs, and the token that carries it to the client's next scope.

Asking where a model lives (``home_of``, the router's ``db_for_write``) is
a lookup: Django asks it without writing, for instance around the admin's
change view on a GET, or in ``get_or_create`` when the row exists. Only a
statement that changes data pins the scope's reads to the primary and earns
the client a read-your-writes token. So each connection to a primary with
replicas carries a ``WriteRecorder``: every statement passes it on its way
to the database, whoever sent it (the ORM, ``bulk_create``, ``update()``, a
raw cursor), and anything but a read marks the scope as having written.
"""

import logging
import re

from django.db import DatabaseError

from manydb.replicas import tokens
from manydb.replicas.probe import primary_mark, supports_positions
from manydb.scope.state import current_state
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.routing")

# Statements that never change data. Anything else (INSERT, UPDATE, DELETE,
# MERGE, DDL, a data-modifying WITH, CALL, COPY ... FROM) counts as a write:
# when in doubt, pin. Transaction control and session settings are neither.
_READ_ONLY = re.compile(
    r"\s*(?:/\*.*?\*/\s*)*(?:SELECT|SHOW|EXPLAIN|SET|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|START|COMMIT|PRAGMA|VALUES)\b",
    re.IGNORECASE | re.DOTALL,
)
# A WITH that only reads: no INSERT/UPDATE/DELETE/MERGE anywhere in it.
_WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def is_write(sql: str) -> bool:
    """True unless the statement is known not to change data."""
    if _READ_ONLY.match(sql):
        # SELECT ... FOR UPDATE only locks; a write needs its own statement.
        return False
    if re.match(r"\s*WITH\b", sql, re.IGNORECASE):
        return bool(_WRITE_IN_WITH.search(sql))
    return True


def note_write(primary: str) -> None:
    """Remember that this scope wrote to ``primary``: its later reads must see it."""
    if routing_map().has_replicas(primary):
        current_state().written.add(primary)


class WriteRecorder:
    """An execute wrapper on a primary's connections: a write statement pins the scope."""

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        if is_write(sql):
            note_write(self.alias)
        return execute(sql, params, many, context)


def record_writes_on(sender, connection, **kwargs) -> None:
    """connection_created receiver: put a WriteRecorder on each primary with replicas, once."""
    if not routing_map().has_replicas(connection.alias):
        return
    if not any(isinstance(wrapper, WriteRecorder) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WriteRecorder(connection.alias))


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


def _write_mark(primary: str) -> tuple:
    if routing_map().replica_reads.causal_tokens == tokens.LSN and supports_positions(primary):
        try:
            return (tokens.LSN, *primary_mark(primary))
        except DatabaseError as exc:
            # The write has committed and its response is ready; the primary
            # went away since (a failover). A time mark keeps the client on
            # the primary for FALLBACK_PIN_SECONDS instead of failing the page.
            logger.warning("%s: no log position for the read-your-writes token (%s); using a time mark", primary, exc)
    return tokens.time_mark()
