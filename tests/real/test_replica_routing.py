"""Replica routing on a real standby that lags, dies and catches up.

The standby replays with a real apply delay (recovery_min_apply_delay), so a
fresh post is on the primary and not yet on the standby: whoever reads from
the standby cannot see it. That is how these tests tell which server
answered, together with the servers' own statement statistics.
"""

import time

import pytest
from django.test import Client

from apps.blog.models import Post
from tests.factories import user_create
from tests.real.conftest import blog_selects, wait_for_replay

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

DELAY = 2  # seconds of apply delay on the standby
ITERATIONS = 15


def on_standby(standby_admin, title: str) -> bool:
    return standby_admin.execute("SELECT count(*) FROM blog_post WHERE title = %s", [title]).fetchone()[0] > 0


def publish(client, title: str):
    response = client.post("/blog/new/", {"title": title, "body": "Body.", "publish": "on"})
    assert response.status_code == 302, response
    return response


@pytest.fixture
def writer():
    client = Client()
    client.force_login(user_create(username="writer"))
    return client


def test_the_writer_sees_each_post_at_once_while_others_read_the_lagging_standby(writer, apply_delay, standby_admin):
    apply_delay(DELAY)
    reader = Client()
    for n in range(ITERATIONS):
        title = f"Fresh post {n}"
        publish(writer, title)
        assert not on_standby(standby_admin, title)  # the standby really is behind

        assert title in writer.get("/blog/").content.decode()  # read-your-writes, every time
        assert title not in reader.get("/blog/").content.decode()  # others: the standby


def test_after_catch_up_the_writer_reads_from_the_standby_again(writer, apply_delay, primary_admin, standby_admin):
    apply_delay(DELAY)
    publish(writer, "Catching up")
    assert "manydb_rw" in writer.cookies

    wait_for_replay(primary_admin, standby_admin)
    before = blog_selects(standby_admin)
    response = writer.get("/blog/")
    assert "Catching up" in response.content.decode()
    assert blog_selects(standby_admin) > before  # served by the standby
    assert response.cookies["manydb_rw"].value == ""  # the pin is over: token dropped


def test_the_pin_ends_when_the_standby_catches_up_not_after_a_fixed_window(
    writer, apply_delay, primary_admin, standby_admin
):
    apply_delay(DELAY)
    publish(writer, "Short pin")
    started = time.monotonic()
    while blog_selects_served_by_standby(writer, standby_admin) is False:
        assert time.monotonic() - started < DELAY + 5, "pinned longer than the replica needed"
        time.sleep(0.2)
    # Released about when the delay let the write through: far less than a 15 s window.
    assert DELAY - 0.5 <= time.monotonic() - started < DELAY + 5


def blog_selects_served_by_standby(client, standby_admin) -> bool:
    before = blog_selects(standby_admin)
    client.get("/blog/")
    return blog_selects(standby_admin) > before


def health_details(client, settings) -> dict:
    """/health/ as a monitor holding the token sees it (anonymous callers get status only)."""
    settings.MANYDB_HEALTH_TOKEN = "real-topology-monitor"
    return client.get("/health/", HTTP_AUTHORIZATION="Bearer real-topology-monitor").json()


def test_with_the_standby_stopped_every_page_load_succeeds(client, settings, stopped_standby):
    author = user_create()
    Post.objects.create(
        author=author, title="Still readable", slug="still-readable", body="B", status=Post.Status.PUBLISHED
    )
    for _ in range(ITERATIONS):
        response = client.get("/blog/")
        assert response.status_code == 200
        assert "Still readable" in response.content.decode()
    replicas = {row["alias"]: row for row in health_details(client, settings)["replicas"]}
    assert replicas["replica"]["state"] == "cooling down"


def test_a_standby_lagging_past_the_maximum_serves_nobody(settings, writer, apply_delay, standby_admin):
    settings.MANYDB = {**settings.MANYDB, "REPLICA_READS": {"MAX_LAG_SECONDS": 1}}
    apply_delay(4)
    publish(writer, "Lagging post")
    time.sleep(1.5)  # the standby now holds back a commit older than the maximum
    assert not on_standby(standby_admin, "Lagging post")
    reader = Client()
    assert "Lagging post" in reader.get("/blog/").content.decode()  # only the primary has it
    replicas = {row["alias"]: row for row in health_details(reader, settings)["replicas"]}
    assert replicas["replica"]["state"] == "lagging"
    assert replicas["replica"]["lag_seconds"] > 1
    assert replicas["replica"]["lag_bytes"] > 0
