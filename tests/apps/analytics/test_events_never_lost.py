"""With analytics down (every shard, or one), page views, publishing and sign-up still succeed; their events
wait in an outbox and reach analytics once it is back, each exactly once."""

import pytest
from django.core.management import call_command

from apps.blog.models import Post
from config.aliases import ANALYTICS, DEFAULT, USERS
from manydb.outbox import delivery as outbox
from tests.factories import SIGNUP_FORM
from tests.rows import event_types as events
from tests.rows import outbox_count as waiting

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SIGNUP = SIGNUP_FORM


def browse_publish_and_sign_up(client, alice, post) -> None:
    assert client.get(post.get_absolute_url()).status_code == 200
    client.force_login(alice)
    response = client.post("/blog/new/", {"title": "Written in the dark", "body": "Words.", "publish": "on"})
    assert response.status_code == 302
    client.logout()
    assert client.post("/accounts/signup/", SIGNUP).status_code == 302


def test_everything_succeeds_while_analytics_is_down_and_every_event_arrives_once(
    client, alice, published_post, analytics_down
):
    with analytics_down():
        browse_publish_and_sign_up(client, alice, published_post)
    assert Post.objects.filter(title="Written in the dark").exists()
    # Each event waits on the database of the write it belongs to; the page view on the fallback.
    # On users: the page view, alice's log-in, the sign-up and the newcomer's log-in.
    assert (waiting(DEFAULT), waiting(USERS)) == (1, 4)
    assert events() == []

    call_command("deliver_outbox")
    call_command("deliver_outbox")
    assert events() == ["login", "login", "page_view", "post_created", "user_registered"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)


def test_once_analytics_is_back_the_next_page_view_drains_the_backlog(
    client, alice, published_post, analytics_down, sweep_at_once
):
    with analytics_down():
        browse_publish_and_sign_up(client, alice, published_post)
    outbox.process_state.reset()  # the cool-down after the failure has passed
    sweep_at_once()  # and so has the sweep interval
    assert client.get(published_post.get_absolute_url()).status_code == 200
    assert events() == ["login", "login", "page_view", "page_view", "post_created", "user_registered"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)


def test_with_analytics_up_nothing_waits(client, alice, published_post):
    browse_publish_and_sign_up(client, alice, published_post)
    assert events() == ["login", "login", "page_view", "post_created", "user_registered"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)


def test_with_one_shard_down_every_event_still_arrives_once(client, alice, published_post, database_down):
    with database_down(ANALYTICS):
        browse_publish_and_sign_up(client, alice, published_post)
    # A delivery fails as a whole when one of its shards does: what reached the
    # shard that is up is stored once more at the retry, which changes nothing.
    call_command("deliver_outbox")
    call_command("deliver_outbox")
    assert events() == ["login", "login", "page_view", "post_created", "user_registered"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)
