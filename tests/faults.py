"""Faults injected into the databases themselves, not into Python.

``statements_fail(alias, table, "INSERT")`` installs a trigger that makes
every INSERT (or UPDATE, DELETE) on that table fail inside the database, so
the code under test meets a real database error on a real connection, with
whatever the engine does to the transaction around it. (A whole database
made unreachable is the ``database_down`` fixture in tests/conftest.py;
tests/real/conftest.py refuses connections on the server itself.)
"""

import sqlite3
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


@contextmanager
def table_locked(alias: str, table: str):
    """Another session holds ``table`` on ``alias`` exclusively (SQLite: the whole file) until the
    block ends: reads there wait until their budget runs out."""
    connection = connections[alias]
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(config["NAME"], timeout=0)
        other.execute("BEGIN EXCLUSIVE")
    else:  # PostgreSQL: the application's role owns its tables, so it may lock them
        import psycopg

        other = psycopg.connect(
            host=config["HOST"],
            port=config["PORT"],
            user=config["USER"],
            password=config["PASSWORD"],
            dbname=config["NAME"],
        )
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()
