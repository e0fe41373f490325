"""Rows written through the ORM land on their home database and nowhere else,
checked below the ORM with raw SQL on every alias's own connection."""

import pytest
from django.core.cache import cache
from django.db import connections

from apps.analytics.models import Event
from apps.analytics.services import event_record
from apps.blog.services import comment_add, post_publish
from apps.cache.services import cache_entry_put
from config.aliases import ANALYTICS, CACHE, DEFAULT, LEGACY, USERS
from manydb import routing_map, shard_of
from tests.factories import user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SHARDS = routing_map().shards_of(ANALYTICS)
PRIMARIES = [DEFAULT, USERS, *SHARDS, CACHE, LEGACY]


def count_rows(alias: str, table: str) -> int | None:
    """Rows in table on alias, or None when the table does not exist there."""
    connection = connections[alias]
    if table not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def assert_only_on(home: str, table: str, expected: int):
    for alias in PRIMARIES:
        if alias == home:
            assert count_rows(alias, table) == expected, (alias, table)
        else:
            assert not count_rows(alias, table), f"{table} has rows on {alias}"


def test_each_write_lands_on_its_home_database_only():
    author = user_create(username="writer")
    post = post_publish(author=author, title="Placed", body="Where does this go?")
    comment_add(post=post, author=author, body="Here.")
    event_record(event_type="custom", user_id=author.pk)
    cache_entry_put(key="k", value={"v": 1}, ttl_seconds=60)
    cache.set("django-cache-key", "value")

    assert_only_on(USERS, "users_user", 2)  # the writer and the "[deleted]" placeholder migrate creates
    assert_only_on(DEFAULT, "blog_post", 1)
    assert_only_on(DEFAULT, "blog_comment", 1)
    # custom, post_created, comment_added: the writer's, so on the writer's shard
    assert_only_on(shard_of(Event, author.pk), "analytics_event", 3)
    assert_only_on(CACHE, "cache_cacheentry", 1)
    assert_only_on(CACHE, "django_cache", 1)
