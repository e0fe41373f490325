"""Demo data tells one story: each account's events are its own and come after it signed up,
and the dashboard's cached figures agree with the live ones right after seeding."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command

from apps.blog.models import Comment, Post
from apps.dashboard.selectors import site_summary, site_summary_cached
from tests.factories import events_everywhere

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(autouse=True)
def empty_django_cache():
    """Django's cache table is no model: the test database's flush leaves its rows."""
    yield
    cache.clear()


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_demo_data_is_coherent_and_seeding_twice_adds_nothing():
    # One seeding for every check: seeding takes seconds.
    seed()
    every_event_belongs_to_an_account_that_existed_then()
    each_account_signed_up_once()
    posts_comments_and_views_are_their_authors_and_in_order()
    cached_and_live_dashboard_figures_agree()
    counts = _counts()
    seed()
    assert _counts() == counts


def _counts() -> tuple[int, ...]:
    return (get_user_model().objects.count(), Post.objects.count(), Comment.objects.count(), len(events_everywhere()))


def every_event_belongs_to_an_account_that_existed_then():
    joined = dict(get_user_model().objects.values_list("pk", "date_joined"))
    events = [event for event in events_everywhere() if event.user_id is not None]
    assert len(events) > 100
    for event in events:
        assert event.user_id in joined, event
        assert event.occurred_at >= joined[event.user_id], (event, joined[event.user_id])


def each_account_signed_up_once():
    active = get_user_model().objects.filter(is_active=True)
    for user in active:
        assert len(events_everywhere(event_type="user_registered", user_id=user.pk)) == 1, user
        assert events_everywhere(event_type="user_registered", user_id=user.pk)[0].occurred_at == user.date_joined


def posts_comments_and_views_are_their_authors_and_in_order():
    posts = {post.pk: post for post in Post.objects.all()}
    for event in events_everywhere(event_type="post_created"):
        post = posts[event.data["post_id"]]
        assert (event.user_id, event.occurred_at) == (post.author_id, post.created_at)
    for comment in Comment.objects.all():
        [event] = events_everywhere(event_type="comment_added", data__comment_id=comment.pk)
        assert (event.user_id, event.occurred_at) == (comment.author_id, comment.created_at)
        assert comment.created_at >= posts[comment.post_id].published_at
    views = events_everywhere(event_type="page_view")
    assert views
    for view in views:
        assert view.occurred_at >= posts[view.data["post_id"]].published_at


def cached_and_live_dashboard_figures_agree():
    cached = site_summary_cached().value
    assert cached == site_summary()
    assert cached["published_posts"] + cached["draft_posts"] == Post.objects.count()
