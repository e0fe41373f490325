"""Budgets the database enforces, on SQLite (tests/real/test_deadlines.py does PostgreSQL and MariaDB)."""

import sqlite3
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections

from config.aliases import ANALYTICS
from manydb import is_timeout, statement_deadline

SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) FROM n"

INSERT_EVENT = (
    "INSERT INTO analytics_event (event_id, event_type, user_id, session_key, path, data, occurred_at)"
    " VALUES ('x', 't', NULL, '', '', '{}', '2026-01-01')"
)


@contextmanager
def locked(alias: str):
    """Another connection holds the alias's SQLite file with an exclusive lock."""
    other = sqlite3.connect(connections[alias].settings_dict["NAME"], timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@pytest.mark.django_db(databases="__all__")
def test_a_slow_statement_is_interrupted_by_the_progress_handler():
    # On PostgreSQL the same query is cut by statement_timeout: the same assertion holds.
    started = time.monotonic()
    with pytest.raises(OperationalError) as raised, statement_deadline(0.2):
        with connections[ANALYTICS].cursor() as cursor:
            cursor.execute(SLOW)
    assert is_timeout(raised.value)
    assert time.monotonic() - started < 2


@pytest.mark.django_db(databases="__all__")
def test_the_handler_is_gone_after_the_block():
    with statement_deadline(0.05), connections[ANALYTICS].cursor() as cursor:
        cursor.execute("SELECT 1")
    time.sleep(0.1)
    with connections[ANALYTICS].cursor() as cursor:
        cursor.execute(SLOW.replace("100000000", "300000"))
        assert cursor.fetchone()[0] == 300000


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_locked_database_fails_within_the_budget_not_the_busy_timeout():
    if connections[ANALYTICS].vendor != "sqlite":
        pytest.skip("SQLite's file lock; PostgreSQL and MariaDB locks: tests/real/test_deadlines.py")
    connections[ANALYTICS].ensure_connection()
    with locked(ANALYTICS):
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, statement_deadline(0.3):
            with connections[ANALYTICS].cursor() as cursor:
                cursor.execute(INSERT_EVENT)
    assert is_timeout(raised.value)
    assert time.monotonic() - started < 2  # the alias's own busy timeout is 20 s


def test_an_ordinary_error_is_not_a_timeout():
    assert not is_timeout(OperationalError("no such table: x"))
