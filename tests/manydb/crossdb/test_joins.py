"""The join guard: queries across databases fail before any SQL is sent; everything
that stays on one database, or uses only the local id column, keeps working."""

from contextlib import ExitStack

import pytest
from django.core.exceptions import FieldError
from django.db import DatabaseError, connections
from django.db.models import Count, Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from apps.blog.models import Comment, Post
from apps.users.models import User
from config.aliases import REPLICA
from manydb.crossdb.joins import CrossDatabaseJoinError
from manydb.ops.sections import guarded
from tests.factories import comment_create, post_create

pytestmark = pytest.mark.django_db(databases="__all__")

REFUSED = {
    "filter through": lambda: Post.objects.filter(author__username="alice"),
    "exclude through": lambda: Post.objects.exclude(author__username="alice"),
    "order_by through": lambda: Post.objects.order_by("author__last_name"),
    "values through": lambda: Post.objects.values("author__email"),
    "values_list through": lambda: Post.objects.values_list("title", "author__username"),
    "select_related": lambda: Post.objects.select_related("author"),
    "annotate through": lambda: Post.objects.annotate(staff=Count("author__groups")),
    "reverse filter": lambda: User.objects.filter(posts__title="Hello"),
    "reverse exclude": lambda: User.objects.exclude(posts__title="Hello"),
    "reverse annotate": lambda: User.objects.annotate(n=Count("posts")),
    "reverse order_by": lambda: User.objects.order_by("comments__created_at"),
    "two hops": lambda: Comment.objects.filter(post__author__username="alice"),
    "queryset as __in": lambda: Post.objects.filter(author_id__in=User.objects.filter(is_staff=True).values("pk")),
    "Exists subquery": lambda: Post.objects.filter(Exists(User.objects.filter(pk=OuterRef("author_id")))),
    "on the replica": lambda: Post.objects.using(REPLICA).select_related("author"),
}


def queries_on_every_database():
    """Capture what reaches each alias's connection."""
    stack = ExitStack()
    captured = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections}
    return stack, captured


@pytest.mark.parametrize("make_query", REFUSED.values(), ids=REFUSED.keys())
def test_a_query_across_databases_fails_before_reaching_any(make_query):
    stack, captured = queries_on_every_database()
    with stack, pytest.raises(CrossDatabaseJoinError):
        list(make_query())
    assert {alias: len(c) for alias, c in captured.items() if len(c)} == {}


def test_the_error_names_both_models_both_databases_and_the_two_step_query():
    with pytest.raises(CrossDatabaseJoinError) as raised:
        list(Post.objects.filter(author__username="alice"))
    assert str(raised.value) == (
        "Post -> User crosses databases (blog.Post on 'default', users.User on 'users'): "
        "a query cannot join them. Query in two steps: "
        "ids = User.objects.filter(...).values_list('pk', flat=True); "
        "Post.objects.filter(author_id__in=list(ids))"
    )


def test_a_reverse_query_gets_the_reverse_two_step_query():
    with pytest.raises(CrossDatabaseJoinError) as raised:
        list(User.objects.exclude(posts__title="Hello"))
    message = str(raised.value)
    assert message.startswith("User -> Post crosses databases (users.User on 'users', blog.Post on 'default')")
    assert message.endswith(
        "ids = Post.objects.filter(...).values_list('author_id', flat=True); User.objects.filter(pk__in=list(ids))"
    )


def test_the_two_step_query_it_suggests_works(alice, bob):
    mine = post_create(author=alice)
    post_create(author=bob)
    ids = User.objects.filter(username="alice").values_list("pk", flat=True)
    assert list(Post.objects.filter(author_id__in=list(ids))) == [mine]


def test_it_is_a_programming_error_not_a_database_outage():
    # guarded() turns DatabaseErrors into "unavailable": a bad query must not hide there.
    assert issubclass(CrossDatabaseJoinError, FieldError)
    assert not issubclass(CrossDatabaseJoinError, DatabaseError)
    with pytest.raises(CrossDatabaseJoinError):
        guarded(lambda: list(Post.objects.select_related("author")), name="bad section")


def test_lookups_on_the_local_column_still_work(alice, bob):
    mine = post_create(author=alice)
    post_create(author=bob)
    for posts in (
        Post.objects.filter(author=alice),
        Post.objects.filter(author_id=alice.pk),
        Post.objects.filter(author__in=[alice]),
        Post.objects.filter(author_id__in=[alice.pk]),
        Post.objects.filter(author__pk=alice.pk),
        Post.objects.filter(author__id=alice.pk),
        Post.objects.exclude(author=bob),
        Post.objects.filter(author__isnull=False, author=alice),
    ):
        assert list(posts) == [mine], posts.query
    # Compiled for the replica too (its read-only connection cannot see this test's uncommitted rows).
    sql, _ = Post.objects.using(REPLICA).filter(author=alice).query.get_compiler(REPLICA).as_sql()
    assert "users_user" not in sql
    assert list(Post.objects.filter(pk=mine.pk).values_list("author", flat=True)) == [alice.pk]
    assert list(Post.objects.order_by("author", "pk").values_list("author_id", flat=True)) == sorted([alice.pk, bob.pk])


def test_prefetch_attribute_access_and_same_database_joins_still_work(alice, bob):
    post = post_create(author=alice)
    comment_create(post=post, author=bob)
    stack, captured = queries_on_every_database()
    with stack:
        comments = list(Comment.objects.select_related("post").prefetch_related("author", "post__author"))
        names = [(c.post.author.username, c.author.username) for c in comments]
    assert names == [("alice", "bob")]
    # Comments joined to their posts on default; both sets of authors fetched by id on users.
    assert {alias: len(c) for alias, c in captured.items() if len(c)} == {"default": 1, "users": 2}
    assert Post.objects.get(pk=post.pk).author == alice
    assert list(alice.posts.all()) == [post]  # the reverse manager filters by the local column


def test_django_s_own_queries_on_one_database_still_work(alice):
    # auth joins users, groups, permissions and content types: all on users.
    assert alice.get_all_permissions() == set()
    assert User.objects.filter(groups__name="editors").count() == 0
