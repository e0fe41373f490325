"""Analytics made unavailable for real on PostgreSQL: the site keeps working, no event is
lost or doubled, and connections the server dropped cost one retry, never an event."""

import time

import pytest
from django.core.management import call_command
from django.db import connections

from apps.analytics.models import Event
from apps.analytics.services import event_record
from config.aliases import ANALYTICS, DEFAULT, USERS
from manydb import routing_map, routing_scope, scope_token, shard_of
from manydb.outbox import delivery as outbox
from tests.factories import SIGNUP_FORM, post_create, user_id_on_shard
from tests.real.conftest import end_sessions
from tests.rows import analytics_shards, value
from tests.rows import event_types as events
from tests.rows import outbox_count as waiting

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SIGNUP = SIGNUP_FORM
SHARDS = analytics_shards()
ON_ANALYTICS = user_id_on_shard(ANALYTICS)  # an account whose events live on the primary's shard


def read_your_post(client, **fields):
    """A post the client wrote: its token rides along, so a lagging standby never hides the post."""
    with routing_scope():
        post = post_create(**fields)
        token = scope_token()
    client.cookies[routing_map().replica_reads.token_cookie] = token
    return post


def timed(request) -> tuple[int, float]:
    started = time.monotonic()
    response = request()
    return response.status_code, time.monotonic() - started


def test_with_analytics_refusing_connections_nothing_fails_and_nothing_is_lost(client, alice, refusing_connections):
    post = read_your_post(client, author=alice, title="Read during the outage")
    for alias in SHARDS:  # no idle connection from an earlier test: the outage meets a new one
        connections[alias].close()
        connections[alias].close_pool()
    with refusing_connections(*SHARDS):  # analytics down: every shard
        first = timed(lambda: client.get(post.get_absolute_url()))
        client.force_login(alice)
        publish = timed(
            lambda: client.post("/blog/new/", {"title": "Published during it", "body": "B", "publish": "on"})
        )
        client.logout()
        signup = timed(lambda: client.post("/accounts/signup/", SIGNUP))
        again = timed(lambda: client.get(post.get_absolute_url()))
        assert [first[0], publish[0], signup[0], again[0]] == [200, 302, 302, 200]
        # The first page view waited for the pool's timeout; after it, this
        # process queued at once instead of waiting again on each request.
        assert first[1] >= 1
        assert max(publish[1], signup[1], again[1]) < 1
        # On users: two page views, alice's log-in, the sign-up and the newcomer's log-in.
        assert (waiting(DEFAULT), waiting(USERS)) == (1, 5)

    call_command("deliver_outbox")
    call_command("deliver_outbox")
    assert events() == ["login", "login", "page_view", "page_view", "post_created", "user_registered"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)


def test_the_backlog_drains_by_itself_once_analytics_is_back(client, alice, refusing_connections, sweep_at_once):
    post = read_your_post(client, author=alice)
    with refusing_connections(*SHARDS):
        client.get(post.get_absolute_url())
    assert waiting(USERS) == 1
    outbox.process_state.reset()  # the cool-down after the failure has passed
    sweep_at_once()  # and so has the sweep interval
    client.get(post.get_absolute_url())  # written directly, then the backlog follows
    assert events() == ["page_view", "page_view"] and waiting(USERS) == 0


def test_a_connection_the_server_dropped_costs_a_retry_not_an_event(primary_admin):
    event_record(event_type="before", user_id=ON_ANALYTICS)
    connections[ANALYTICS].close()  # the end of a request: the connection goes back to the pool
    end_sessions(primary_admin, connections[ANALYTICS].settings_dict["NAME"])  # a restart, a failover

    event_record(event_type="after the drop", user_id=ON_ANALYTICS)  # draws the dropped connection from the pool
    assert waiting(USERS) == 1  # kept, not lost
    connections[ANALYTICS].close()  # the end of that request: the broken connection is discarded

    call_command("deliver_outbox")  # a fresh connection from the pool
    assert events() == ["after the drop", "before"]
    assert waiting(USERS) == 0


def test_with_one_shard_refusing_connections_its_events_wait_and_the_others_arrive(client, alice, refusing_connections):
    """The shard on a server of its own refuses: nothing fails, nothing is lost, and once it is
    back every event is stored once, on its own shard."""
    post = read_your_post(client, author=alice, title="Read while one shard is out")
    down = SHARDS[-1]
    with refusing_connections(down):
        assert client.get(post.get_absolute_url()).status_code == 200
        client.force_login(alice)
        response = client.post("/blog/new/", {"title": "Published with a shard out", "body": "B", "publish": "on"})
        assert response.status_code == 302
    call_command("deliver_outbox")
    call_command("deliver_outbox")
    assert sorted(events()) == ["login", "page_view", "post_created"]
    assert (waiting(DEFAULT), waiting(USERS)) == (0, 0)
    assert value(shard_of(Event, alice.pk), "SELECT count(*) FROM analytics_event WHERE user_id = %s", [alice.pk]) == 2
