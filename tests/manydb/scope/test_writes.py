"""A scope is pinned to the primary by a write that runs, never by asking where a model lives.

Django asks ``db_for_write`` without writing: the admin's change view opens
``atomic(using=db_for_write(...))`` on a GET, and ``get_or_create`` asks it
before it knows the row exists. Neither may pin reads or earn a token; every
statement that changes data (ORM, raw cursor, bulk_create, update()) must.
Runs against the default primary of whichever topology is configured.
"""

import pytest
from django.db import connections, router
from django.urls import reverse

import manydb
from apps.blog.models import Post
from config.aliases import DEFAULT, REPLICA
from manydb.scope.state import current_state, routing_scope
from manydb.scope.writes import is_write, scope_token
from tests.factories import post_create, user_create

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def pinned() -> bool:
    return DEFAULT in current_state().written


def reads() -> str:
    return router.db_for_read(Post)


def raw_update():
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("UPDATE blog_post SET title = title WHERE id < 0")


@pytest.fixture
def post(alice):
    return post_create(author=alice, title="Already there", slug="already-there")


def test_asking_where_a_model_lives_pins_nothing():
    with routing_scope():
        assert router.db_for_write(Post) == DEFAULT
        assert manydb.home_of(Post) == DEFAULT
        assert not pinned()
        assert reads() == REPLICA
        assert scope_token() is None


def test_get_or_create_that_finds_the_row_pins_nothing(post):
    with routing_scope():
        found, created = Post.objects.get_or_create(slug="already-there", defaults={"author_id": post.author_id})
        assert (found.pk, created) == (post.pk, False)
        assert not pinned() and scope_token() is None


def test_get_or_create_that_inserts_pins(alice):
    with routing_scope():
        _, created = Post.objects.get_or_create(slug="brand-new", defaults={"author_id": alice.pk, "title": "New"})
        assert created and pinned()
        assert reads() == DEFAULT


def test_the_admin_change_view_on_a_get_pins_nothing(client, post):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert "manydb_rw" not in response.cookies  # no write, no read-your-writes token


def test_the_admin_saving_a_post_pins_the_client(client, post):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    form = {
        "title": "Edited in the admin",
        "slug": post.slug,
        "author": post.author_id,
        "body": post.body,
        "status": "draft",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:blog_post_change", args=[post.pk]), form)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    assert response.cookies["manydb_rw"].value  # the write earned a token


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda author, post: post_create(author=author), id="orm-insert"),
        pytest.param(lambda author, post: Post.objects.filter(author_id=author.pk).update(title="x"), id="update"),
        pytest.param(lambda author, post: post.delete(), id="delete"),
        pytest.param(
            lambda author, post: Post.objects.bulk_create(
                [Post(author_id=author.pk, title=f"Bulk {n}", slug=f"bulk-{n}", body="b") for n in range(3)]
            ),
            id="bulk_create",
        ),
        pytest.param(lambda author, post: raw_update(), id="raw-cursor"),
    ],
)
def test_a_statement_that_writes_pins_the_scope_and_earns_a_token(alice, post, write):
    with routing_scope():  # the post exists before the scope opens: only `write` runs in it
        assert reads() == REPLICA
        write(alice, post)
        assert pinned()
        assert reads() == DEFAULT
        assert scope_token() is not None


def test_a_delete_that_finds_nothing_writes_nothing_and_pins_nothing():
    with routing_scope():
        Post.objects.filter(author_id=-1).delete()  # Django collects first: no DELETE is sent
        assert not pinned()


def test_reads_on_the_primary_do_not_pin(post):
    with routing_scope():
        list(Post.objects.using(DEFAULT).all())
        with connections[DEFAULT].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM blog_post")
        assert not pinned()


@pytest.mark.parametrize(
    "sql, writes",
    [
        ("SELECT 1", False),
        ("  select * from t for update", False),
        ("/* comment */ SELECT 1", False),
        ("SAVEPOINT s1", False),
        ("RELEASE SAVEPOINT s1", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("INSERT INTO t VALUES (1)", True),
        ("update t set a = 1", True),
        ("DELETE FROM t", True),
        ("WITH moved AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM moved", True),
        ("CREATE TABLE t (a int)", True),
        ("TRUNCATE t", True),
    ],
)
def test_which_statements_count_as_writes(sql, writes):
    assert is_write(sql) is writes
