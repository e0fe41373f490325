"""audit_references: counts references whose row is gone, --fix applies the declared
policy, and it never holds more than a chunk of ids at a time."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.analytics.models import Event
from apps.blog.models import Comment, Post
from apps.users.models import User
from apps.users.services import GHOST_USERNAME
from config.aliases import ANALYTICS, USERS
from manydb.crossdb.audit import audit_references
from tests.factories import comment_create, event_create, post_create, user_create

pytestmark = pytest.mark.django_db(databases="__all__")


def delete_behind_django_s_back(user) -> None:
    """What another system, or raw SQL, does: no signal, no policy."""
    with connections[USERS].cursor() as cursor:
        cursor.execute("DELETE FROM users_user WHERE id = %s", [user.pk])


@pytest.fixture
def dangling(alice, bob):
    """Bob's 2 posts and 1 comment, and 3 events of 2 accounts that do not exist."""
    carol = user_create(username="carol")
    post = post_create(author=alice)
    post_create(author=bob), post_create(author=bob)
    comment_create(post=post, author=bob), comment_create(post=post, author=carol)
    event_create(user_id=bob.pk), event_create(user_id=bob.pk), event_create(user_id=987654)
    event_create(user_id=alice.pk), event_create(user_id=None)
    delete_behind_django_s_back(bob)
    return bob


def counts() -> dict[str, tuple[int, int]]:
    return {str(f.reference): (f.rows, f.ids) for f in audit_references()}


def test_it_counts_dangling_rows_and_missing_ids_per_reference(dangling):
    assert counts() == {
        "blog.Post.author_id -> users.User": (2, 1),
        "blog.Comment.author_id -> users.User": (1, 1),
        "analytics.Event.user_id -> users.User": (3, 2),
    }


def test_the_command_reports_and_exits_1_then_fixes_and_exits_0(dangling, capsys):
    with pytest.raises(CommandError) as found:
        call_command("audit_references")
    assert found.value.returncode == 1
    out = capsys.readouterr().out
    assert "blog.Post.author_id -> users.User: 2 dangling row(s), 1 missing id(s); policy: reassign" in out
    assert "analytics.Event.user_id -> users.User: 3 dangling row(s), 2 missing id(s); policy: set null" in out

    call_command("audit_references", "--fix")
    assert "policy: reassign, applied to 2" in capsys.readouterr().out
    call_command("audit_references")  # clean now: no exception means exit 0
    assert "0 dangling row(s)" in capsys.readouterr().out


def test_fix_applies_each_declared_policy(dangling):
    audit_references(fix=True)
    ghost = User.objects.get(username=GHOST_USERNAME)
    assert Post.objects.filter(author=ghost).count() == 2  # reassign
    assert not Comment.objects.filter(author_id=dangling.pk).exists()  # delete
    assert Comment.objects.count() == 1
    assert Event.objects.filter(user_id__isnull=True).count() == 4  # set null: 3 anonymised + 1 anonymous
    assert Event.objects.count() == 5  # events outlive accounts
    assert all(rows == 0 for rows, _ in counts().values())


def test_it_reads_a_bounded_chunk_of_ids_at_a_time(alice):
    post = post_create(author=alice)
    for n in range(7):
        gone = user_create(username=f"gone{n}")
        comment_create(post=post, author=gone)
        delete_behind_django_s_back(gone)
    with CaptureQueriesContext(connections[USERS]) as on_users:
        findings = audit_references(chunk_size=3)
    assert {str(f.reference): f.rows for f in findings}["blog.Comment.author_id -> users.User"] == 7
    looked_up = [re.search(r"IN \(([^)]*)\)", q["sql"]).group(1).split(",") for q in on_users.captured_queries]
    # Posts: 1 author id; comments: 7 ids in chunks of 3; events: none.
    assert [len(ids) for ids in looked_up] == [1, 3, 3, 1]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_database_that_is_down_is_reported_and_exits_2(dangling, database_down, capsys):
    with database_down(ANALYTICS), pytest.raises(CommandError) as unchecked:
        call_command("audit_references")
    assert unchecked.value.returncode == 2
    assert "analytics.Event.user_id -> users.User: could not be checked" in capsys.readouterr().err
