"""Faults injected into the databases themselves, not into Python.

``statements_fail(alias, table, "INSERT")`` installs a trigger that makes
every INSERT (or UPDATE, DELETE) on that table fail inside the database, so
the code under test meets a real database error on a real connection, with
whatever the engine does to the transaction around it. (A whole database
made unreachable is the ``database_down`` fixture in tests/conftest.py;
tests/real/conftest.py refuses connections on the server itself.)
"""

from contextlib import contextmanager

from django.db import connections


@contextmanager
def statements_fail(alias: str, table: str, statement: str = "INSERT"):
    connection = connections[alias]
    name = f"injected_fault_{statement.lower()}_{table}"
    message = f"injected fault: {statement} on {table}"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {statement} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {statement} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            raise NotImplementedError(connection.vendor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
