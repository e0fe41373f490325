"""Rows read below the ORM: raw SQL on one alias's own connection, so no router is involved."""

from django.db import connections

from config.aliases import ANALYTICS


def rows(alias: str, sql: str, params=()) -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def value(alias: str, sql: str, params=()):
    """The first column of the first row."""
    return rows(alias, sql, params)[0][0]


def event_types() -> list[str]:
    """Every analytics event's type, sorted: what reached the analytics database."""
    return sorted(row[0] for row in rows(ANALYTICS, "SELECT event_type FROM analytics_event"))


def outbox_count(alias: str) -> int:
    """Messages waiting in the outbox on alias."""
    return value(alias, "SELECT COUNT(*) FROM manydb_outboxmessage")
