"""Deleting an account: posts on default are reassigned to "[deleted]", comments deleted,
on the right database, by every way of deleting; no author id is left dangling."""

import pytest
from django.db import DatabaseError, connections
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.blog.models import Comment, Post
from apps.users.models import User
from apps.users.services import GHOST_USERNAME, user_delete, user_ghost_get
from config.aliases import DEFAULT, USERS
from tests.factories import comment_create, post_create, user_create
from tests.faults import statements_fail

pytestmark = pytest.mark.django_db(databases="__all__")


def column(alias: str, sql: str) -> set:
    """One column of a raw query on alias's own connection: no ORM, no router."""
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def dangling_author_ids() -> set:
    authors = column(DEFAULT, "SELECT author_id FROM blog_post UNION SELECT author_id FROM blog_comment")
    return authors - column(USERS, "SELECT id FROM users_user")


@pytest.fixture
def content(alice, bob):
    """Alice's two posts, her comment on Bob's post and Bob's comment on hers."""
    hers = [post_create(author=alice, title="One"), post_create(author=alice, title="Two", published=False)]
    his = post_create(author=bob, title="His")
    comment_create(post=his, author=alice, body="Alice on Bob's post")
    comment_create(post=hers[0], author=bob, body="Bob on Alice's post")
    return alice


def assert_alice_is_gone_and_nothing_dangles(alice_pk: int):
    ghost = User.objects.get(username=GHOST_USERNAME)
    assert not User.objects.filter(pk=alice_pk).exists()
    assert sorted(Post.objects.filter(author=ghost).values_list("title", flat=True)) == ["One", "Two"]
    assert list(Comment.objects.values_list("body", flat=True)) == ["Bob on Alice's post"]
    assert dangling_author_ids() == set()


def test_the_service_reassigns_posts_and_deletes_comments(content):
    pk = content.pk
    user_delete(user=content)
    assert_alice_is_gone_and_nothing_dangles(pk)


def test_a_queryset_delete_from_the_shell_applies_the_same_policies(content):
    pk = content.pk
    User.objects.filter(username="alice").delete()
    assert_alice_is_gone_and_nothing_dangles(pk)


def test_deleting_from_the_admin_applies_the_same_policies(client, content):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    pk = content.pk
    response = client.post(reverse("admin:users_user_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert_alice_is_gone_and_nothing_dangles(pk)


def test_the_admin_bulk_delete_action_applies_them_to_each_account(client, content, bob):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:users_user_changelist"),
        {"action": "delete_selected", "_selected_action": [content.pk, bob.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert set(User.objects.values_list("username", flat=True)) == {"root", GHOST_USERNAME}
    assert Post.objects.exclude(author__in=[user_ghost_get()]).count() == 0
    assert Comment.objects.count() == 0
    assert dangling_author_ids() == set()


def test_django_s_collector_never_looks_for_blog_tables_on_users(content):
    with (
        CaptureQueriesContext(connections[USERS]) as on_users,
        CaptureQueriesContext(connections[DEFAULT]) as on_default,
    ):
        user_delete(user=content)
    assert on_users.captured_queries, "the account was deleted on users"
    assert not [q["sql"] for q in on_users.captured_queries if "blog_" in q["sql"]]
    # default saw only the policies: the reassignment and the comment deletion.
    assert on_default.captured_queries
    assert all(
        "blog_" in q["sql"] or q["sql"].startswith(("SAVEPOINT", "RELEASE")) for q in on_default.captured_queries
    )


def test_a_policy_that_fails_leaves_the_account_and_no_orphan(content):
    with statements_fail(DEFAULT, "blog_comment", "DELETE"), pytest.raises(DatabaseError):
        user_delete(user=content)
    assert User.objects.filter(pk=content.pk).exists()
    assert Comment.objects.filter(author=content).count() == 1
    assert dangling_author_ids() == set()


def test_a_failed_account_delete_after_the_policies_leaves_no_orphan(content):
    # The policies commit on default first; the account row then fails to go.
    with statements_fail(USERS, "users_user", "DELETE"), pytest.raises(DatabaseError):
        user_delete(user=content)
    assert User.objects.filter(pk=content.pk).exists()
    assert dangling_author_ids() == set()
    user_delete(user=content)  # repeating the delete completes it
    assert_alice_is_gone_and_nothing_dangles(content.pk)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_with_default_down_the_account_is_not_deleted(database_down, content):
    with database_down(DEFAULT), pytest.raises(DatabaseError):
        user_delete(user=content)
    assert User.objects.filter(pk=content.pk).exists()
    assert dangling_author_ids() == set()


def test_the_placeholder_account_cannot_log_in_nor_be_deleted_while_it_holds_posts(content):
    user_delete(user=content)
    ghost = user_ghost_get()
    assert not ghost.is_active and not ghost.has_usable_password()
    with pytest.raises(ProtectedError):
        user_delete(user=ghost)
    assert Post.objects.filter(author=ghost).count() == 2
    assert dangling_author_ids() == set()


def test_the_placeholder_exists_before_any_deletion_needs_it():
    # Committed by migrate: a reassignment never points at a row a rollback could take back.
    assert User.objects.filter(username=GHOST_USERNAME, is_active=False).count() == 1


def test_the_admin_does_not_offer_to_delete_the_placeholder(client):
    client.force_login(user_create(username="root", is_staff=True, is_superuser=True))
    ghost = user_ghost_get()
    assert client.get(reverse("admin:users_user_delete", args=[ghost.pk])).status_code == 403
    assert User.objects.filter(pk=ghost.pk).exists()
