"""A time budget for the queries of a block of code, enforced by the database.

A budget the application only waits for (a future's timeout) leaves the
query running and the connection busy; a budget the server enforces ends the
query and frees both. So each engine is told in its own terms, on the first
query each connection runs inside the block:

    PostgreSQL  SET statement_timeout, lock_timeout (milliseconds)
    MariaDB     SET max_statement_time (seconds; lock waits included)
    MySQL       SET max_execution_time (milliseconds, SELECT only) and
                lock_wait_timeout (whole seconds, at least 1)
    SQLite      a progress handler that interrupts the statement, and a
                busy timeout no longer than the budget (lock waits)

A query that runs out of budget raises the engine's own error, which
:func:`is_timeout` recognises. On leaving the block the session settings go
back to their defaults, except on the aliases listed in ``keep`` (the
section pool's workers own those connections and run every section under the
same budget). A pooled connection is always reset: it goes back to a pool
that request threads draw from too.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from manydb.ops.wrappers import wrapping

# Error codes a budget produces: PostgreSQL SQLSTATEs, MySQL/MariaDB error numbers.
_PG_TIMEOUTS = {"57014", "55P03"}  # query_canceled, lock_not_available
_MYSQL_TIMEOUTS = {1205, 1969, 3024}  # lock wait, MariaDB max_statement_time, MySQL max_execution_time
_SQLITE_TIMEOUTS = ("interrupted", "database is locked", "database table is locked")


class _Budget:
    """One block's budget, applied lazily to each connection the block uses."""

    def __init__(self, seconds: float, keep: frozenset[str]):
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.keep = keep
        self.touched: dict[str, object] = {}  # alias -> the wrapper whose session was set

    def __call__(self, execute, sql, params, many, context):
        wrapper = context["connection"]
        if wrapper.alias not in self.touched:
            self.touched[wrapper.alias] = wrapper
            # Through Django's error wrapper: a dropped connection fails here as
            # the query itself would (a django.db.DatabaseError), not as a driver error.
            with wrapper.wrap_database_errors:
                _apply(wrapper, self)
        return execute(sql, params, many, context)

    def keeps(self, wrapper) -> bool:
        pooled = "pool" in wrapper.settings_dict.get("OPTIONS", {})
        return wrapper.alias in self.keep and wrapper.vendor != "sqlite" and not pooled

    def remaining(self) -> float:
        return self.ends_at - time.monotonic()

    def restart(self, seconds: float | None = None) -> None:
        """A new piece of work in the same block: SQLite's clock restarts, with ``seconds`` (default: the budget).

        The servers' statement timeouts stay as set: each statement has the whole budget there.
        """
        self.ends_at = time.monotonic() + (self.seconds if seconds is None else max(seconds, 0.001))
        for wrapper in self.touched.values():
            if wrapper.vendor == "sqlite" and wrapper.connection is not None:
                wrapper.connection.execute(f"PRAGMA busy_timeout = {max(int(self.remaining() * 1000), 1)}")


@contextmanager
def statement_deadline(seconds: float, *, using=None, keep=()) -> Iterator[_Budget]:
    """Run the block's queries on ``using`` (default: every alias) within ``seconds``, this thread only.

    Each statement gets the whole budget on the servers; SQLite's clock runs
    for the block, or from the last ``restart()`` of the budget it yields.
    """
    budget = _Budget(seconds, frozenset(keep))
    with wrapping(budget, using or None):
        try:
            yield budget
        finally:
            for wrapper in budget.touched.values():
                if not budget.keeps(wrapper):
                    _restore(wrapper)


def is_timeout(exc: BaseException) -> bool:
    """True for the error a database raises when a budget ran out (or a lock wait did)."""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _PG_TIMEOUTS:
        return True
    args = getattr(cause, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_TIMEOUTS:
        return True
    message = str(cause).lower()
    return any(text in message for text in _SQLITE_TIMEOUTS)


def _apply(wrapper, budget: _Budget) -> None:
    raw = wrapper.connection
    milliseconds = max(int(budget.seconds * 1000), 1)
    if wrapper.vendor == "sqlite":
        # Per block, not per connection: the handler compares with this block's end.
        raw.set_progress_handler(lambda: 1 if budget.remaining() < 0 else 0, 1000)
        raw.execute(f"PRAGMA busy_timeout = {max(int(budget.remaining() * 1000), 1)}")
        return
    if getattr(wrapper, "_manydb_deadline", None) == (raw, milliseconds):
        return  # a kept connection already runs under this budget
    with raw.cursor() as cursor:
        if wrapper.vendor == "postgresql":
            cursor.execute(f"SET statement_timeout = {milliseconds}; SET lock_timeout = {milliseconds}")
        elif wrapper.mysql_is_mariadb:
            cursor.execute(f"SET SESSION max_statement_time = {milliseconds / 1000:.3f}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {milliseconds}")
            cursor.execute(f"SET SESSION lock_wait_timeout = {max(round(budget.seconds), 1)}")
    wrapper._manydb_deadline = (raw, milliseconds) if budget.keeps(wrapper) else None


def _restore(wrapper) -> None:
    raw = wrapper.connection
    if raw is None:
        return  # closed inside the block (an error): nothing left to reset
    try:
        if wrapper.vendor == "sqlite":
            raw.set_progress_handler(None, 0)
            timeout = wrapper.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            return
        with raw.cursor() as cursor:
            if wrapper.vendor == "postgresql":
                cursor.execute("RESET statement_timeout; RESET lock_timeout")
            elif wrapper.mysql_is_mariadb:
                cursor.execute("SET SESSION max_statement_time = DEFAULT")
            else:
                cursor.execute("SET SESSION max_execution_time = DEFAULT, lock_wait_timeout = DEFAULT")
    except Exception:  # the driver's own error: the Django wrapper is bypassed here
        # A connection that cannot even be reset must not go back to a pool;
        # inside a transaction (already failed) the rollback ends the block.
        if not wrapper.in_atomic_block:
            wrapper.close()
