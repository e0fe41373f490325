"""The development record: queries per alias, routing decisions, refused joins, and the badge."""

import pytest

from apps.blog.models import Post
from manydb import CrossDatabaseJoinError, routing_scope
from manydb.debugging.badge import reads_summary
from manydb.debugging.capture import current_record, request_capture
from tests.factories import post_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_queries_are_recorded_per_alias_with_the_routing_decision(alice):
    post_create(author=alice, title="Recorded")
    with routing_scope(), request_capture() as record:
        titles = list(Post.objects.values_list("title", flat=True))
        badge = reads_summary()
    assert titles == ["Recorded"]
    assert [sql for sql in record.queries["replica"] if "blog_post" in sql.sql]
    assert record.decisions and record.decisions[0][:2] == ("default", "replica")
    assert badge == "reads: replica (replica)"


def test_a_write_keeps_reads_on_the_primary_and_the_badge_says_why(alice):
    with routing_scope(), request_capture() as record:
        post_create(author=alice, title="Written")
        list(Post.objects.all())
        badge = reads_summary()
    assert badge == "reads: primary (this request wrote)"
    assert record.decisions[-1] == ("default", "default", "this scope wrote to the primary")
    assert any("INSERT" in query.sql for query in record.queries["default"])


def test_a_refused_join_is_recorded():
    with routing_scope(), request_capture() as record, pytest.raises(CrossDatabaseJoinError):
        list(Post.objects.filter(author__username="alice"))
    assert record.refused_joins and "crosses databases" in record.refused_joins[0]


def test_nothing_is_recorded_without_a_capture(alice):
    with routing_scope(), request_capture() as record:
        pass
    with routing_scope():
        list(Post.objects.all())
    assert current_record() is None and not record.queries and not record.decisions
