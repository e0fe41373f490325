"""audit_references: counts references whose row is gone, --fix applies the declared
policy, and it never holds more than a chunk of ids at a time."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

import manydb
from apps.analytics.models import Event
from apps.blog.models import Comment, Post
from apps.users.models import User
from apps.users.services import GHOST_USERNAME
from config.aliases import ANALYTICS, USERS
from manydb.crossdb.audit import audit_references
from tests.factories import comment_create, event_create, post_create, user_create
from tests.rows import analytics_shards

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
    """Rows and ids per reference, summed over the shards of a sharded model (an account's
    events share a shard, so no id is counted twice)."""
    found: dict[str, tuple[int, int]] = {}
    for finding in audit_references():
        rows, ids = found.get(str(finding.reference), (0, 0))
        found[str(finding.reference)] = (rows + finding.rows, ids + finding.ids)
    return found


def test_every_shard_of_a_sharded_model_is_audited(dangling):
    audited = [f.alias for f in audit_references() if str(f.reference).startswith("analytics.Event")]
    assert audited == list(analytics_shards())


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
    dangling_events = re.findall(r"analytics\.Event\.user_id -> users\.User on (\w+): (\d+) dangling row", out)
    assert [alias for alias, _ in dangling_events] == list(analytics_shards())
    assert sum(int(rows) for _, rows in dangling_events) == 3

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
    anonymous = manydb.for_each_shard(Event, lambda alias: Event.objects.filter(user_id__isnull=True).count())
    assert anonymous.merge() == 4  # set null: 3 anonymised + 1 anonymous
    assert manydb.for_each_shard(Event, lambda alias: Event.objects.count()).merge() == 5  # events outlive accounts
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
    out, err = capsys.readouterr()
    assert "analytics.Event.user_id -> users.User on analytics: could not be checked" in err
    # The other shards are still checked.
    assert "analytics.Event.user_id -> users.User on analytics_2: " in out
