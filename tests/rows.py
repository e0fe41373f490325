"""Rows read below the ORM: raw SQL on one alias's own connection, so no router is involved."""

from django.db import connections

from config.aliases import ANALYTICS
from manydb.topology.routing_map import routing_map


def rows(alias: str, sql: str, params=()) -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def value(alias: str, sql: str, params=()):
    """The first column of the first row."""
    return rows(alias, sql, params)[0][0]


def analytics_shards() -> tuple[str, ...]:
    """The analytics app's shards: analytics, analytics_2, ..."""
    return routing_map().shards_of(ANALYTICS)


def event_rows(sql: str, params=()) -> list[tuple]:
    """``sql`` on every analytics shard, the rows one after another."""
    return [row for alias in analytics_shards() for row in rows(alias, sql, params)]


def event_types() -> list[str]:
    """Every analytics event's type, sorted: what reached the analytics shards."""
    return sorted(row[0] for row in event_rows("SELECT event_type FROM analytics_event"))


def outbox_count(alias: str) -> int:
    """Messages waiting in the outbox on alias."""
    return value(alias, "SELECT COUNT(*) FROM manydb_outboxmessage")
