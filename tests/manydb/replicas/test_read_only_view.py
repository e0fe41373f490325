"""The replica refuses writes as a hot standby does: on SQLite, a mode=ro view
of the primary's file; on the real topology, a PostgreSQL standby."""

import pytest
from django.db import DatabaseError, connections, router

from apps.blog.models import Post
from config.aliases import DEFAULT, REPLICA
from tests.factories import post_create, user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_replica_sees_the_primary_data_but_refuses_writes():
    post = post_create(author=user_create(), title="Replicated")
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT title FROM blog_post WHERE id = %s", [post.pk])
        assert cursor.fetchone() == ("Replicated",)
    with pytest.raises(DatabaseError, match="(?i)read.?only"):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("UPDATE blog_post SET title = 'changed' WHERE id = %s", [post.pk])
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("SELECT title FROM blog_post WHERE id = %s", [post.pk])
        assert cursor.fetchone() == ("Replicated",)


def test_orm_write_sent_to_the_replica_fails():
    author = user_create()
    with pytest.raises(DatabaseError, match="(?i)read.?only"):
        Post.objects.using(REPLICA).create(author_id=author.pk, title="x", slug="x", body="x")
    assert router.db_for_write(Post) == DEFAULT
